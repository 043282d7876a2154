#include "loader/btf_check.h"

#include <linux/btf.h>

#include <cstring>
#include <expected>
#include <string>
#include <utility>

namespace lmp::loader {
namespace {

constexpr uint16_t kBtfMagic = 0xeB9F;
constexpr uint32_t kMaxTypes = 0x000fffff;  // BTF_MAX_TYPE in the kernel
constexpr uint32_t kMaxStringBytes = 0x7fffffff;
constexpr uint32_t kInsnBytes = 8;
constexpr uint32_t kMaxCoreReloKind = 12;  // BPF_CORE_TYPE_MATCHES
constexpr std::size_t kMaxAccessString = 1024;

std::unexpected<Error> malformed(const std::string& what) {
  return fail(ExitCode::kBadPackage, "malformed eBPF object: " + what,
              "the package is damaged or was not made by a compiler; rebuild it with lmp build");
}

uint32_t u32_at(std::span<const uint8_t> bytes, std::size_t offset) {
  uint32_t v;
  std::memcpy(&v, bytes.data() + offset, sizeof v);
  return v;
}

uint16_t u16_at(std::span<const uint8_t> bytes, std::size_t offset) {
  uint16_t v;
  std::memcpy(&v, bytes.data() + offset, sizeof v);
  return v;
}

// Bytes that follow the 12-byte btf_type of `kind`, or -1 for an unknown kind.
int64_t extra_bytes(uint32_t kind, uint32_t vlen) {
  switch (kind) {
    case BTF_KIND_INT:
    case BTF_KIND_VAR:
    case BTF_KIND_DECL_TAG:
      return 4;
    case BTF_KIND_PTR:
    case BTF_KIND_FWD:
    case BTF_KIND_TYPEDEF:
    case BTF_KIND_VOLATILE:
    case BTF_KIND_CONST:
    case BTF_KIND_RESTRICT:
    case BTF_KIND_FUNC:
    case BTF_KIND_FLOAT:
    case BTF_KIND_TYPE_TAG:
      return 0;
    case BTF_KIND_ARRAY:
      return 12;
    case BTF_KIND_STRUCT:
    case BTF_KIND_UNION:
    case BTF_KIND_DATASEC:
    case BTF_KIND_ENUM64:
      return int64_t{12} * vlen;
    case BTF_KIND_ENUM:
    case BTF_KIND_FUNC_PROTO:
      return int64_t{8} * vlen;
    default:
      return -1;
  }
}

// One parsed type: its header fields and the bytes after the header.
struct RawType {
  uint32_t name_off;
  uint32_t kind;
  uint32_t vlen;
  uint32_t size_or_type;
  std::span<const uint8_t> extra;
};

RawType raw_type(std::span<const uint8_t> types, std::size_t offset) {
  uint32_t info = u32_at(types, offset + 4);
  RawType t{u32_at(types, offset),
            BTF_INFO_KIND(info),
            BTF_INFO_VLEN(info),
            u32_at(types, offset + 8),
            {}};
  t.extra = types.subspan(offset + 12, static_cast<std::size_t>(extra_bytes(t.kind, t.vlen)));
  return t;
}

class TypeChecker {
 public:
  TypeChecker(const BtfLayout& layout, std::span<const uint8_t> types,
              const std::vector<std::size_t>& offsets)
      : layout_(layout), types_(types), offsets_(offsets) {}

  Result<void> check(uint32_t id) {
    RawType t = raw_type(types_, offsets_[id]);
    id_ = id;
    LMP_CHECK(name(t.name_off, "name"));
    switch (t.kind) {
      case BTF_KIND_INT: {
        uint32_t encoding = u32_at(t.extra, 0);
        uint32_t bits = BTF_INT_BITS(encoding), offset = BTF_INT_OFFSET(encoding);
        if (t.size_or_type != 1 && t.size_or_type != 2 && t.size_or_type != 4 &&
            t.size_or_type != 8 && t.size_or_type != 16)
          return bad("an integer of " + std::to_string(t.size_or_type) + " bytes");
        if (bits > 128 || offset + bits > t.size_or_type * 8) return bad("integer bits");
        return {};
      }
      case BTF_KIND_FLOAT:
        if (t.size_or_type != 2 && t.size_or_type != 4 && t.size_or_type != 8 &&
            t.size_or_type != 12 && t.size_or_type != 16)
          return bad("a float of " + std::to_string(t.size_or_type) + " bytes");
        return {};
      case BTF_KIND_FWD:
        return {};
      case BTF_KIND_PTR:
      case BTF_KIND_TYPEDEF:
      case BTF_KIND_VOLATILE:
      case BTF_KIND_CONST:
      case BTF_KIND_RESTRICT:
      case BTF_KIND_TYPE_TAG:
      case BTF_KIND_VAR:
        return type(t.size_or_type, "its type");
      case BTF_KIND_DECL_TAG:
        if (static_cast<int32_t>(u32_at(t.extra, 0)) < -1) return bad("a tag's component index");
        return type(t.size_or_type, "its type");
      case BTF_KIND_FUNC:
        LMP_CHECK(type(t.size_or_type, "its prototype"));
        if (layout_.kinds[t.size_or_type] != BTF_KIND_FUNC_PROTO)
          return bad("a function whose prototype is not a FUNC_PROTO");
        return {};
      case BTF_KIND_ARRAY:
        LMP_CHECK(type(u32_at(t.extra, 0), "its element type"));
        return type(u32_at(t.extra, 4), "its index type");
      case BTF_KIND_STRUCT:
      case BTF_KIND_UNION:
        for (uint32_t i = 0; i < t.vlen; ++i) {
          LMP_CHECK(name(u32_at(t.extra, i * 12), "member name"));
          LMP_CHECK(type(u32_at(t.extra, i * 12 + 4), "member", i));
        }
        return {};
      case BTF_KIND_ENUM:
      case BTF_KIND_ENUM64:
        for (uint32_t i = 0; i < t.vlen; ++i)
          LMP_CHECK(name(u32_at(t.extra, i * (t.kind == BTF_KIND_ENUM ? 8 : 12)), "enumerator"));
        return {};
      case BTF_KIND_FUNC_PROTO:
        LMP_CHECK(type(t.size_or_type, "its return type"));
        for (uint32_t i = 0; i < t.vlen; ++i) {
          LMP_CHECK(name(u32_at(t.extra, i * 8), "parameter name"));
          LMP_CHECK(type(u32_at(t.extra, i * 8 + 4), "parameter", i));
        }
        return {};
      case BTF_KIND_DATASEC:
        for (uint32_t i = 0; i < t.vlen; ++i) {
          uint32_t var = u32_at(t.extra, i * 12);
          LMP_CHECK(type(var, "variable", i));
          if (layout_.kinds[var] != BTF_KIND_VAR && layout_.kinds[var] != BTF_KIND_FUNC)
            return bad("a section entry that is not a variable or function");
        }
        return {};
      default:
        return bad("kind " + std::to_string(t.kind));
    }
  }

 private:
  std::unexpected<Error> bad(const std::string& what) const {
    return malformed(".BTF type [" + std::to_string(id_) + "] has " + what);
  }
  Result<void> name(uint32_t offset, const char* what) const {
    if (!layout_.string_at(offset))
      return bad(std::string("a ") + what + " outside the string section (offset " +
                 std::to_string(offset) + ")");
    return {};
  }
  // `what` (and `index` when >= 0) name the reference; text is built only for an error.
  Result<void> type(uint32_t id, const char* what, int64_t index = -1) const {
    if (id < layout_.kinds.size()) return {};
    std::string where = what;
    if (index >= 0) where += " " + std::to_string(index);
    return bad(where + " = type " + std::to_string(id) + ", but the object has " +
               std::to_string(layout_.kinds.size() - 1) + " types");
  }

  const BtfLayout& layout_;
  std::span<const uint8_t> types_;
  const std::vector<std::size_t>& offsets_;
  uint32_t id_ = 0;
};

// Types a type holds by value (or names through a modifier): a cycle among these has no
// size and sends libbpf's resolvers round forever. Pointers count separately: a chain made
// only of pointers and modifiers must end too.
void contained_types(const RawType& t, bool with_pointers, std::vector<uint32_t>& out) {
  out.clear();
  switch (t.kind) {
    case BTF_KIND_PTR:
      if (with_pointers) out.push_back(t.size_or_type);
      break;
    case BTF_KIND_TYPEDEF:
    case BTF_KIND_VOLATILE:
    case BTF_KIND_CONST:
    case BTF_KIND_RESTRICT:
    case BTF_KIND_TYPE_TAG:
    case BTF_KIND_VAR:
    case BTF_KIND_DECL_TAG:
      out.push_back(t.size_or_type);
      break;
    case BTF_KIND_ARRAY:
      out.push_back(u32_at(t.extra, 0));
      break;
    case BTF_KIND_STRUCT:
    case BTF_KIND_UNION:
      if (!with_pointers)
        for (uint32_t i = 0; i < t.vlen; ++i) out.push_back(u32_at(t.extra, i * 12 + 4));
      break;
    default:
      break;
  }
}

// Iterative depth-first search (objects may nest deeply; no recursion on untrusted input).
Result<void> check_acyclic(std::span<const uint8_t> types, const std::vector<std::size_t>& offsets,
                           bool with_pointers) {
  enum : uint8_t { kNew, kOnPath, kDone };
  std::vector<uint8_t> state(offsets.size(), kNew);
  std::vector<std::pair<uint32_t, std::vector<uint32_t>>> stack;
  for (uint32_t root = 1; root < offsets.size(); ++root) {
    if (state[root] != kNew) continue;
    state[root] = kOnPath;
    stack.push_back({root, {}});
    contained_types(raw_type(types, offsets[root]), with_pointers, stack.back().second);
    while (!stack.empty()) {
      auto& children = stack.back().second;
      if (children.empty()) {
        state[stack.back().first] = kDone;
        stack.pop_back();
        continue;
      }
      uint32_t next = children.back();
      children.pop_back();
      if (next == 0 || state[next] == kDone) continue;
      if (state[next] == kOnPath)
        return malformed(".BTF type [" + std::to_string(next) + "] contains itself");
      state[next] = kOnPath;
      stack.push_back({next, {}});
      contained_types(raw_type(types, offsets[next]), with_pointers, stack.back().second);
    }
  }
  return {};
}

// Minimum record sizes of the .BTF.ext subsections.
constexpr uint32_t kFuncInfoBytes = 8;
constexpr uint32_t kLineInfoBytes = 16;
constexpr uint32_t kCoreReloBytes = 16;

enum class ExtKind { kFuncInfo, kLineInfo, kCoreRelo };

// What is wrong with one record (" names type 7, ..."), or nothing.
std::expected<void, std::string> check_ext_record(ExtKind kind, std::span<const uint8_t> record,
                                                  const BtfLayout& btf) {
  switch (kind) {
    case ExtKind::kFuncInfo: {
      uint32_t type = u32_at(record, 4);
      if (type >= btf.kinds.size() || btf.kinds[type] != BTF_KIND_FUNC)
        return std::unexpected(" names type " + std::to_string(type) + ", not a function");
      return {};
    }
    case ExtKind::kLineInfo:
      if (!btf.string_at(u32_at(record, 4)) || !btf.string_at(u32_at(record, 8)))
        return std::unexpected(" has a string outside .BTF");
      return {};
    case ExtKind::kCoreRelo: {
      uint32_t type = u32_at(record, 4);
      if (type >= btf.kinds.size())
        return std::unexpected(" names type " + std::to_string(type) + ", which is not in .BTF");
      auto access = btf.string_at(u32_at(record, 8));
      if (!access || access->empty() || access->size() > kMaxAccessString ||
          access->find_first_not_of("0123456789:") != std::string_view::npos)
        return std::unexpected(" has a bad access string");
      if (u32_at(record, 12) > kMaxCoreReloKind)
        return std::unexpected(" has relocation kind " + std::to_string(u32_at(record, 12)));
      return {};
    }
  }
  return {};
}

// One subsection: record size, then per ELF section its name, record count and records.
Result<void> check_ext_subsection(ExtKind kind, std::span<const uint8_t> data, const BtfLayout& btf,
                                  const SectionSize& section_size) {
  static constexpr const char* kNames[] = {"func_info", "line_info", "CO-RE relocation"};
  static constexpr uint32_t kMinimum[] = {kFuncInfoBytes, kLineInfoBytes, kCoreReloBytes};
  std::string what = std::string(".BTF.ext ") + kNames[static_cast<int>(kind)];
  if (data.size() < 4) return malformed(what + " has no record size");
  uint32_t record_size = u32_at(data, 0);
  if (record_size < kMinimum[static_cast<int>(kind)] || record_size % 4 != 0)
    return malformed(what + " records of " + std::to_string(record_size) + " bytes");
  std::size_t at = 4;
  while (at < data.size()) {
    if (data.size() - at < 8) return malformed(what + " is truncated");
    auto section = btf.string_at(u32_at(data, at));
    uint64_t count = u32_at(data, at + 4);
    at += 8;
    if (!section || section->empty()) return malformed(what + " names no section");
    if (count == 0 || count * record_size > data.size() - at)
      return malformed(what + " for " + std::string(*section) + " has a bad record count");
    auto size = section_size(*section);
    if (!size) return malformed(what + " for " + std::string(*section) + ": no such section");
    for (uint64_t i = 0; i < count; ++i, at += record_size) {
      auto record = data.subspan(at, record_size);
      auto where = [&] { return what + " " + std::to_string(i) + " of " + std::string(*section); };
      uint32_t insn = u32_at(record, 0);
      if (insn % kInsnBytes != 0 || insn >= *size)
        return malformed(where() + " points outside its section (offset " + std::to_string(insn) +
                         ")");
      if (auto checked = check_ext_record(kind, record, btf); !checked)
        return malformed(where() + checked.error());
    }
  }
  return {};
}

}  // namespace

std::optional<std::string_view> BtfLayout::string_at(uint32_t offset) const {
  if (offset >= strings.size()) return std::nullopt;
  // The section ends in NUL (checked), so every offset inside starts a terminated string.
  return std::string_view(reinterpret_cast<const char*>(strings.data()) + offset);
}

Result<BtfLayout> check_btf(std::span<const uint8_t> section) {
  if (section.size() < sizeof(btf_header)) return malformed(".BTF is shorter than its header");
  btf_header header;
  std::memcpy(&header, section.data(), sizeof header);
  if (header.magic != kBtfMagic)
    return malformed(".BTF has a bad magic number (or the other byte order)");
  if (header.version != BTF_VERSION || header.flags != 0)
    return malformed(".BTF version " + std::to_string(header.version) + " flags " +
                     std::to_string(header.flags));
  if (header.hdr_len < sizeof(btf_header) || header.hdr_len > section.size())
    return malformed(".BTF header length " + std::to_string(header.hdr_len));
  uint64_t body = section.size() - header.hdr_len;
  uint64_t types_end = uint64_t{header.type_off} + header.type_len;
  uint64_t strings_end = uint64_t{header.str_off} + header.str_len;
  if (header.type_off % 4 != 0 || types_end > header.str_off || strings_end > body)
    return malformed(".BTF type and string sections overlap or run past the section");
  auto data = section.subspan(header.hdr_len);
  BtfLayout layout;
  layout.strings = data.subspan(header.str_off, header.str_len);
  if (layout.strings.empty() || layout.strings.size() - 1 > kMaxStringBytes ||
      layout.strings.front() != 0 || layout.strings.back() != 0)
    return malformed(".BTF strings must start and end with NUL");

  auto types = data.subspan(header.type_off, header.type_len);
  std::vector<std::size_t> offsets{0};  // id 0 is void
  layout.kinds.push_back(BTF_KIND_UNKN);
  for (std::size_t at = 0; at < types.size();) {
    if (types.size() - at < 12) return malformed(".BTF type section is truncated");
    uint32_t info = u32_at(types, at + 4);
    int64_t extra = extra_bytes(BTF_INFO_KIND(info), BTF_INFO_VLEN(info));
    if (extra < 0)
      return malformed(".BTF type [" + std::to_string(offsets.size()) + "] has unknown kind " +
                       std::to_string(BTF_INFO_KIND(info)));
    if (static_cast<uint64_t>(extra) > types.size() - at - 12)
      return malformed(".BTF type [" + std::to_string(offsets.size()) + "] is truncated");
    if (offsets.size() > kMaxTypes) return malformed(".BTF has too many types");
    offsets.push_back(at);
    layout.kinds.push_back(static_cast<uint8_t>(BTF_INFO_KIND(info)));
    at += 12 + static_cast<std::size_t>(extra);
  }
  TypeChecker checker(layout, types, offsets);
  for (uint32_t id = 1; id < offsets.size(); ++id) LMP_CHECK(checker.check(id));
  LMP_CHECK(check_acyclic(types, offsets, /*with_pointers=*/false));
  LMP_CHECK(check_acyclic(types, offsets, /*with_pointers=*/true));
  return layout;
}

Result<void> check_btf_ext(std::span<const uint8_t> section, const BtfLayout& btf,
                           const SectionSize& section_size) {
  // magic u16, version u8, flags u8, hdr_len u32, then (offset, length) pairs relative to
  // the end of the header: func_info, line_info and, when hdr_len allows, CO-RE relocations.
  constexpr std::size_t kBaseHeader = 24;
  if (section.size() < kBaseHeader) return malformed(".BTF.ext is shorter than its header");
  if (u16_at(section, 0) != kBtfMagic) return malformed(".BTF.ext has a bad magic number");
  if (section[2] != 1 || section[3] != 0) return malformed(".BTF.ext version or flags");
  uint32_t header_len = u32_at(section, 4);
  if (header_len < kBaseHeader || header_len > section.size())
    return malformed(".BTF.ext header length " + std::to_string(header_len));
  auto data = section.subspan(header_len);
  const ExtKind kinds[] = {ExtKind::kFuncInfo, ExtKind::kLineInfo, ExtKind::kCoreRelo};
  for (int i = 0; i < 3; ++i) {
    std::size_t field = 8 + 8 * static_cast<std::size_t>(i);
    if (field + 8 > header_len) break;  // an older header without CO-RE relocations
    uint32_t offset = u32_at(section, field), length = u32_at(section, field + 4);
    if (length == 0) continue;
    if (offset % 4 != 0 || uint64_t{offset} + length > data.size())
      return malformed(".BTF.ext subsection runs past the section");
    LMP_CHECK(check_ext_subsection(kinds[i], data.subspan(offset, length), btf, section_size));
  }
  return {};
}

}  // namespace lmp::loader
