#include "hub/object_facts.h"

#include <cstring>
#include <optional>
#include <string_view>

namespace lmp::hub {
namespace {

// BTF kinds (linux/btf.h).
enum Kind : std::uint32_t {
  kInt = 1,
  kPtr = 2,
  kArray = 3,
  kStruct = 4,
  kUnion = 5,
  kEnum = 6,
  kFwd = 7,
  kTypedef = 8,
  kVolatile = 9,
  kConst = 10,
  kRestrict = 11,
  kFunc = 12,
  kFuncProto = 13,
  kVar = 14,
  kDatasec = 15,
  kFloat = 16,
  kDeclTag = 17,
  kTypeTag = 18,
  kEnum64 = 19,
};

// Little-endian reads within bounds (BPF objects built here are little-endian ELF64).
class Bytes {
 public:
  explicit Bytes(std::span<const std::uint8_t> data) : data_(data) {}
  bool has(std::uint64_t offset, std::uint64_t size) const {
    return offset <= data_.size() && size <= data_.size() - offset;
  }
  template <typename T>
  std::optional<T> read(std::uint64_t offset) const {
    if (!has(offset, sizeof(T))) return std::nullopt;
    T value;
    std::memcpy(&value, data_.data() + offset, sizeof(T));
    return value;
  }
  std::span<const std::uint8_t> slice(std::uint64_t offset, std::uint64_t size) const {
    return has(offset, size) ? data_.subspan(offset, size) : std::span<const std::uint8_t>{};
  }

 private:
  std::span<const std::uint8_t> data_;
};

struct Section {
  std::string name;
  std::uint32_t type = 0;
  std::uint32_t link = 0;
  std::span<const std::uint8_t> data;
};

constexpr std::uint32_t kSymtab = 2;  // SHT_SYMTAB
constexpr std::uint32_t kNoBits = 8;  // SHT_NOBITS (.bss: no bytes in the file)

std::vector<Section> read_sections(const Bytes& elf) {
  std::vector<Section> sections;
  auto class64 = elf.read<std::uint8_t>(4);
  auto data_le = elf.read<std::uint8_t>(5);
  if (!class64 || *class64 != 2 || !data_le || *data_le != 1) return sections;
  auto shoff = elf.read<std::uint64_t>(0x28);
  auto shentsize = elf.read<std::uint16_t>(0x3A);
  auto shnum = elf.read<std::uint16_t>(0x3C);
  auto shstrndx = elf.read<std::uint16_t>(0x3E);
  if (!shoff || !shentsize || !shnum || !shstrndx || *shentsize < 64 || *shstrndx >= *shnum)
    return sections;
  auto header = [&](std::uint64_t i) { return *shoff + i * *shentsize; };
  auto str_off = elf.read<std::uint64_t>(header(*shstrndx) + 0x18);
  auto str_size = elf.read<std::uint64_t>(header(*shstrndx) + 0x20);
  if (!str_off || !str_size) return sections;
  std::span<const std::uint8_t> names = elf.slice(*str_off, *str_size);
  for (std::uint64_t i = 0; i < *shnum; ++i) {
    auto name = elf.read<std::uint32_t>(header(i));
    auto type = elf.read<std::uint32_t>(header(i) + 4);
    auto link = elf.read<std::uint32_t>(header(i) + 0x28);
    auto offset = elf.read<std::uint64_t>(header(i) + 0x18);
    auto size = elf.read<std::uint64_t>(header(i) + 0x20);
    if (!name || !type || !link || !offset || !size || *name >= names.size()) {
      sections.push_back({});  // keep indexes aligned with the section header table
      continue;
    }
    const char* begin = reinterpret_cast<const char*>(names.data()) + *name;
    std::string section_name(begin, strnlen(begin, names.size() - *name));
    sections.push_back(
        {section_name, *type, *link,
         *type == kNoBits ? std::span<const std::uint8_t>{} : elf.slice(*offset, *size)});
  }
  return sections;
}

struct BtfType {
  std::string name;
  std::uint32_t kind = 0;
  std::uint32_t vlen = 0;
  std::uint32_t size_or_type = 0;
  std::uint64_t extra = 0;  // offset of the kind-specific data in the type section
};

class Btf {
 public:
  explicit Btf(std::span<const std::uint8_t> data) : bytes_(data) { parse(); }

  const BtfType* type(std::uint32_t id) const {
    return id > 0 && id <= types_.size() ? &types_[id - 1] : nullptr;
  }
  // Skips typedefs and qualifiers.
  const BtfType* resolve(std::uint32_t id) const {
    for (int depth = 0; depth < 32; ++depth) {
      const BtfType* t = type(id);
      if (!t) return nullptr;
      if (t->kind != kTypedef && t->kind != kVolatile && t->kind != kConst &&
          t->kind != kRestrict && t->kind != kTypeTag)
        return t;
      id = t->size_or_type;
    }
    return nullptr;
  }
  template <typename T>
  std::optional<T> read(std::uint64_t offset) const {
    return bytes_.read<T>(offset);
  }
  std::string name_at(std::uint32_t offset) const {
    if (offset >= strings_.size()) return "";
    const char* begin = reinterpret_cast<const char*>(strings_.data()) + offset;
    return std::string(begin, strnlen(begin, strings_.size() - offset));
  }
  const std::vector<BtfType>& types() const { return types_; }

 private:
  void parse() {
    auto magic = bytes_.read<std::uint16_t>(0);
    auto hdr_len = bytes_.read<std::uint32_t>(4);
    auto type_off = bytes_.read<std::uint32_t>(8);
    auto type_len = bytes_.read<std::uint32_t>(12);
    auto str_off = bytes_.read<std::uint32_t>(16);
    auto str_len = bytes_.read<std::uint32_t>(20);
    if (!magic || *magic != 0xeb9f || !hdr_len || !type_off || !type_len || !str_off || !str_len)
      return;
    std::uint64_t types_begin = std::uint64_t{*hdr_len} + *type_off;
    std::uint64_t types_end = types_begin + *type_len;
    strings_ = bytes_.slice(std::uint64_t{*hdr_len} + *str_off, *str_len);
    if (!bytes_.has(types_begin, *type_len)) return;
    for (std::uint64_t at = types_begin; at + 12 <= types_end;) {
      BtfType t;
      t.name = name_at(*bytes_.read<std::uint32_t>(at));
      std::uint32_t info = *bytes_.read<std::uint32_t>(at + 4);
      t.kind = (info >> 24) & 0x1f;
      t.vlen = info & 0xffff;
      t.size_or_type = *bytes_.read<std::uint32_t>(at + 8);
      t.extra = at + 12;
      std::uint64_t extra_size = 0;
      switch (t.kind) {
        case kInt:
        case kVar:
        case kDeclTag:
          extra_size = 4;
          break;
        case kArray:
          extra_size = 12;
          break;
        case kStruct:
        case kUnion:
        case kDatasec:
        case kEnum64:
          extra_size = 12ull * t.vlen;
          break;
        case kEnum:
        case kFuncProto:
          extra_size = 8ull * t.vlen;
          break;
        case kPtr:
        case kFwd:
        case kTypedef:
        case kVolatile:
        case kConst:
        case kRestrict:
        case kFunc:
        case kFloat:
        case kTypeTag:
          break;
        default:
          return;  // unknown kind: its size is unknown, stop here
      }
      at = t.extra + extra_size;
      if (at > types_end) return;
      types_.push_back(std::move(t));
    }
  }

  Bytes bytes_;
  std::span<const std::uint8_t> strings_;
  std::vector<BtfType> types_;
};

// `__uint(type, BPF_MAP_TYPE_X)` is a member `type` of type `int (*)[X]`.
std::optional<std::uint32_t> map_type_of(const Btf& btf, std::uint32_t struct_id) {
  const BtfType* def = btf.resolve(struct_id);
  if (!def || def->kind != kStruct) return std::nullopt;
  for (std::uint32_t i = 0; i < def->vlen; ++i) {
    std::uint64_t member = def->extra + 12ull * i;
    auto name = btf.read<std::uint32_t>(member);
    auto type = btf.read<std::uint32_t>(member + 4);
    if (!name || !type || btf.name_at(*name) != "type") continue;
    const BtfType* ptr = btf.resolve(*type);
    if (!ptr || ptr->kind != kPtr) return std::nullopt;
    const BtfType* array = btf.resolve(ptr->size_or_type);
    if (!array || array->kind != kArray) return std::nullopt;
    return btf.read<std::uint32_t>(array->extra + 8);  // nelems
  }
  return std::nullopt;
}

// Offsets of the data symbols (globals) by name: clang leaves DATASEC offsets to the linker,
// the symbol table has them.
std::map<std::string, std::uint64_t> symbol_offsets(const std::vector<Section>& sections) {
  std::map<std::string, std::uint64_t> offsets;
  for (const Section& symtab : sections) {
    if (symtab.type != kSymtab || symtab.link >= sections.size()) continue;
    Bytes symbols(symtab.data);
    std::span<const std::uint8_t> names = sections[symtab.link].data;
    for (std::uint64_t at = 0; symbols.has(at, 24); at += 24) {
      std::uint32_t name = *symbols.read<std::uint32_t>(at);
      constexpr std::uint8_t kObject = 1;  // STT_OBJECT
      if ((*symbols.read<std::uint8_t>(at + 4) & 0xf) != kObject || name >= names.size()) continue;
      const char* begin = reinterpret_cast<const char*>(names.data()) + name;
      offsets[std::string(begin, strnlen(begin, names.size() - name))] =
          *symbols.read<std::uint64_t>(at + 8);
    }
  }
  return offsets;
}

}  // namespace

ObjectFacts read_object_facts(std::span<const std::uint8_t> elf) {
  ObjectFacts facts;
  std::vector<Section> sections = read_sections(Bytes(elf));
  const Section* btf_section = nullptr;
  for (const Section& s : sections)
    if (s.name == ".BTF") btf_section = &s;
  if (!btf_section) return facts;
  Btf btf(btf_section->data);
  std::map<std::string, std::uint64_t> symbols = symbol_offsets(sections);
  for (const BtfType& datasec : btf.types()) {
    if (datasec.kind != kDatasec) continue;
    const Section* data = nullptr;
    for (const Section& s : sections)
      if (s.name == datasec.name) data = &s;
    for (std::uint32_t i = 0; i < datasec.vlen; ++i) {
      std::uint64_t info = datasec.extra + 12ull * i;
      auto var_id = btf.read<std::uint32_t>(info);
      auto offset = btf.read<std::uint32_t>(info + 4);
      auto size = btf.read<std::uint32_t>(info + 8);
      const BtfType* var = var_id ? btf.type(*var_id) : nullptr;
      if (!var || var->kind != kVar || !offset || !size) continue;
      if (datasec.name == ".maps") {
        if (auto type = map_type_of(btf, var->size_or_type)) facts.map_types[var->name] = *type;
        continue;
      }
      std::uint64_t at = *offset;
      if (auto symbol = symbols.find(var->name); symbol != symbols.end()) at = symbol->second;
      if (data && at <= data->data.size() && *size <= data->data.size() - at) {
        auto bytes = data->data.subspan(at, *size);
        facts.initial_values[var->name].assign(bytes.begin(), bytes.end());
      }
    }
  }
  return facts;
}

std::string map_type_name(std::uint32_t type) {
  static constexpr std::string_view kNames[] = {"unspec",
                                                "hash",
                                                "array",
                                                "prog_array",
                                                "perf_event_array",
                                                "percpu_hash",
                                                "percpu_array",
                                                "stack_trace",
                                                "cgroup_array",
                                                "lru_hash",
                                                "lru_percpu_hash",
                                                "lpm_trie",
                                                "array_of_maps",
                                                "hash_of_maps",
                                                "devmap",
                                                "sockmap",
                                                "cpumap",
                                                "xskmap",
                                                "sockhash",
                                                "cgroup_storage",
                                                "reuseport_sockarray",
                                                "percpu_cgroup_storage",
                                                "queue",
                                                "stack",
                                                "sk_storage",
                                                "devmap_hash",
                                                "struct_ops",
                                                "ringbuf",
                                                "inode_storage",
                                                "task_storage",
                                                "bloom_filter",
                                                "user_ringbuf",
                                                "cgrp_storage"};
  if (type < std::size(kNames)) return std::string(kNames[type]);
  return "type " + std::to_string(type);
}

}  // namespace lmp::hub
