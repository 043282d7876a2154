#include "loader/check_core.h"

#include <bpf/btf.h>
#include <elf.h>

#include <cstring>
#include <map>
#include <optional>
#include <string_view>

namespace lmp::loader {
namespace {

// Relocation kinds of .BTF.ext (enum bpf_core_relo_kind in the kernel's uapi).
enum RelocKind : uint32_t {
  kFieldByteOffset = 0,
  kFieldByteSize = 1,
  kFieldExists = 2,
  kFieldSigned = 3,
  kFieldLshift = 4,
  kFieldRshift = 5,
  kTypeIdLocal = 6,
  kTypeIdTarget = 7,
  kTypeExists = 8,
  kTypeSize = 9,
  kEnumvalExists = 10,
  kEnumvalValue = 11,
  kTypeMatches = 12,
};

const char* kind_name(uint32_t kind) {
  static constexpr const char* kNames[] = {
      "field byte offset", "field byte size",   "field exists",      "field signedness",
      "field left shift",  "field right shift", "local type id",     "target type id",
      "type exists",       "type size",         "enum value exists", "enum value",
      "type matches"};
  return kind < std::size(kNames) ? kNames[kind] : "unknown relocation";
}

bool is_existence(uint32_t kind) {
  return kind == kFieldExists || kind == kTypeExists || kind == kEnumvalExists ||
         kind == kTypeMatches;
}
bool is_field(uint32_t kind) {
  return kind <= kFieldRshift;
}
bool is_enumval(uint32_t kind) {
  return kind == kEnumvalExists || kind == kEnumvalValue;
}

uint32_t u32_at_check_core(std::span<const uint8_t> bytes, std::size_t offset) {
  uint32_t value = 0;
  std::memcpy(&value, bytes.data() + offset, sizeof(value));
  return value;
}

std::optional<std::span<const uint8_t>> elf_section(std::span<const uint8_t> elf,
                                                    std::string_view wanted) {
  if (elf.size() < sizeof(Elf64_Ehdr)) return std::nullopt;
  Elf64_Ehdr header;
  std::memcpy(&header, elf.data(), sizeof(header));
  if (header.e_shentsize != sizeof(Elf64_Shdr) || header.e_shstrndx >= header.e_shnum ||
      header.e_shoff > elf.size() ||
      (elf.size() - header.e_shoff) / sizeof(Elf64_Shdr) < header.e_shnum)
    return std::nullopt;
  auto section = [&](std::size_t i) {
    Elf64_Shdr s;
    std::memcpy(&s, elf.data() + header.e_shoff + i * sizeof(Elf64_Shdr), sizeof(s));
    return s;
  };
  auto data = [&](const Elf64_Shdr& s) -> std::optional<std::span<const uint8_t>> {
    if (s.sh_type == SHT_NOBITS || s.sh_offset > elf.size() || s.sh_size > elf.size() - s.sh_offset)
      return std::nullopt;
    return elf.subspan(s.sh_offset, s.sh_size);
  };
  auto names = data(section(header.e_shstrndx));
  if (!names) return std::nullopt;
  for (std::size_t i = 0; i < header.e_shnum; ++i) {
    Elf64_Shdr s = section(i);
    if (s.sh_name >= names->size()) continue;
    const char* name = reinterpret_cast<const char*>(names->data() + s.sh_name);
    std::size_t room = names->size() - s.sh_name;
    if (strnlen(name, room) == room) continue;
    if (wanted == name) return data(s);
  }
  return std::nullopt;
}

const btf_type* skip_mods_and_typedefs(const btf* b, uint32_t id, uint32_t* out_id = nullptr) {
  const btf_type* t = btf__type_by_id(b, id);
  while (t && (btf_is_mod(t) || btf_is_typedef(t))) {
    id = t->type;
    t = btf__type_by_id(b, id);
  }
  if (out_id) *out_id = id;
  return t;
}

std::string name_of(const btf* b, const btf_type* t) {
  const char* name = t ? btf__name_by_offset(b, t->name_off) : nullptr;
  return name ? name : "";
}

bool kinds_compatible(const btf_type* local, const btf_type* target) {
  if (btf_kind(local) == btf_kind(target)) return true;
  return (btf_is_any_enum(local) && btf_is_any_enum(target));
}

// libbpf's field compatibility: composites with composites, enums/ints/pointers/floats with
// their own kind, arrays by element.
bool fields_compatible(const btf* local, uint32_t local_id, const btf* target, uint32_t target_id) {
  for (int depth = 0; depth < 32; ++depth) {
    const btf_type* l = skip_mods_and_typedefs(local, local_id, &local_id);
    const btf_type* t = skip_mods_and_typedefs(target, target_id, &target_id);
    if (!l || !t) return false;
    if (btf_is_composite(l) && btf_is_composite(t)) return true;
    if (btf_is_fwd(l) || btf_is_fwd(t)) return btf_is_fwd(l) || btf_is_composite(l);
    if (!kinds_compatible(l, t)) return false;
    if (btf_is_array(l)) {
      local_id = btf_array(l)->type;
      target_id = btf_array(t)->type;
      continue;
    }
    return true;
  }
  return false;
}

// One step of a field access: a named member (with the local member's type) or an index.
struct Access {
  std::string member;  // empty: an array index
  uint32_t local_type = 0;
  uint32_t index = 0;
};

// The member `name` of composite `t` (searching anonymous members), as its type id.
std::optional<uint32_t> find_member(const btf* b, const btf_type* t, const std::string& name,
                                    int depth = 0) {
  if (!btf_is_composite(t) || depth > 32) return std::nullopt;
  const btf_member* members = btf_members(t);
  for (int i = 0; i < btf_vlen(t); ++i) {
    const char* member_name = btf__name_by_offset(b, members[i].name_off);
    if (member_name && *member_name) {
      if (name == member_name) return members[i].type;
      continue;
    }
    const btf_type* inner = skip_mods_and_typedefs(b, members[i].type);
    if (auto found = inner ? find_member(b, inner, name, depth + 1) : std::nullopt) return found;
  }
  return std::nullopt;
}

// The kernel's types of the essential names `wanted`, found in one pass over its BTF (the
// kernel has some 100,000 types; indexing them all took most of lmp check's time).
class Candidates {
 public:
  Candidates(const btf* target, const std::set<std::string, std::less<>>& wanted)
      : target_(target) {
    uint32_t count = btf__type_cnt(target);
    for (uint32_t id = 1; id < count; ++id) {
      const char* name = btf__name_by_offset(target, btf__type_by_id(target, id)->name_off);
      if (!name || !*name) continue;
      std::string_view view(name);
      auto flavor = view.rfind("___");
      if (flavor != std::string_view::npos) view = view.substr(0, flavor);
      if (auto it = wanted.find(view); it != wanted.end()) by_name_.emplace(*it, id);
    }
  }
  // Target types named like local type `t` with a compatible kind.
  std::vector<uint32_t> of(const btf* local, const btf_type* t) const {
    std::vector<uint32_t> ids;
    auto [first, last] = by_name_.equal_range(essential_name(name_of(local, t)));
    for (auto it = first; it != last; ++it) {
      const btf_type* candidate = btf__type_by_id(target_, it->second);
      if (kinds_compatible(t, candidate) || (btf_is_composite(t) && btf_is_composite(candidate) &&
                                             btf_kind(t) == btf_kind(candidate)))
        ids.push_back(it->second);
    }
    return ids;
  }

 private:
  const btf* target_;
  std::multimap<std::string, uint32_t> by_name_;
};

// Parses a field access string ("0:2:1") on local type `root` into named/indexed steps and
// describes it ("struct task_struct___x.made_up"). False for a malformed string.
bool field_accesses(const btf* local, uint32_t root, const std::string& spec,
                    std::vector<Access>& steps, std::string& what) {
  const btf_type* t = skip_mods_and_typedefs(local, root, &root);
  if (!t) return false;
  what = std::string(btf_is_union(t) ? "union " : "struct ") + name_of(local, t);
  std::size_t at = spec.find(':');
  if (at == std::string::npos) return true;  // only the root
  uint32_t current = root;
  while (at != std::string::npos) {
    std::size_t next = spec.find(':', at + 1);
    std::string number =
        spec.substr(at + 1, next == std::string::npos ? std::string::npos : next - at - 1);
    char* end = nullptr;
    unsigned long index = std::strtoul(number.c_str(), &end, 10);
    if (number.empty() || *end) return false;
    const btf_type* ct = skip_mods_and_typedefs(local, current, &current);
    if (!ct) return false;
    if (btf_is_composite(ct)) {
      if (index >= btf_vlen(ct)) return false;
      const btf_member& m = btf_members(ct)[index];
      const char* name = btf__name_by_offset(local, m.name_off);
      if (name && *name) {
        steps.push_back({name, m.type, 0});
        what += "." + std::string(name);
      }
      current = m.type;
    } else if (btf_is_array(ct)) {
      steps.push_back({{}, btf_array(ct)->type, static_cast<uint32_t>(index)});
      what += "[" + number + "]";
      current = btf_array(ct)->type;
    } else {
      return false;
    }
    at = next;
  }
  return true;
}

// Whether the steps resolve in target type `id`.
bool field_matches(const btf* local, const btf* target, uint32_t id,
                   const std::vector<Access>& steps) {
  for (const Access& step : steps) {
    const btf_type* t = skip_mods_and_typedefs(target, id, &id);
    if (!t) return false;
    if (step.member.empty()) {
      if (!btf_is_array(t)) return false;
      uint32_t nelems = btf_array(t)->nelems;
      if (nelems != 0 && step.index >= nelems) return false;
      id = btf_array(t)->type;
      continue;
    }
    auto member = find_member(target, t, step.member);
    if (!member || !fields_compatible(local, step.local_type, target, *member)) return false;
    id = *member;
  }
  return true;
}

}  // namespace

std::string essential_name(std::string_view name) {
  auto flavor = name.rfind("___");
  return std::string(flavor == std::string_view::npos ? name : name.substr(0, flavor));
}

Result<CoreResult> check_core_relocations(std::span<const uint8_t> elf, const btf* local,
                                          const btf* target,
                                          const std::set<std::string>& sections) {
  CoreResult result;
  auto ext = elf_section(elf, ".BTF.ext");
  if (!ext || !local || !target || ext->size() < 32) return result;
  auto bad = [] {
    return fail(ExitCode::kBadPackage, "malformed eBPF object: .BTF.ext CO-RE records",
                "rebuild the package with lmp build");
  };
  uint32_t header_len = u32_at_check_core(*ext, 4);
  if (header_len < 32 || header_len > ext->size()) return result;  // no CO-RE records
  uint64_t offset = uint64_t{header_len} + u32_at_check_core(*ext, 24);
  uint64_t length = u32_at_check_core(*ext, 28);
  if (length == 0) return result;
  if (offset > ext->size() || length > ext->size() - offset || length < 4) return bad();
  std::span<const uint8_t> records = ext->subspan(offset, length);
  uint32_t record_size = u32_at_check_core(records, 0);
  if (record_size < 16) return bad();

  struct Record {
    std::string section;
    uint32_t type_id, access, kind;
  };
  std::vector<Record> all;
  for (std::size_t at = 4; at < records.size();) {
    if (records.size() - at < 8) return bad();
    const char* section = btf__name_by_offset(local, u32_at_check_core(records, at));
    uint64_t count = u32_at_check_core(records, at + 4);
    at += 8;
    if (count > (records.size() - at) / record_size) return bad();
    for (uint64_t i = 0; i < count; ++i, at += record_size)
      all.push_back({section ? section : "", u32_at_check_core(records, at + 4),
                     u32_at_check_core(records, at + 8), u32_at_check_core(records, at + 12)});
  }

  std::set<std::string, std::less<>> wanted;
  for (const Record& r : all)
    if (const btf_type* t = skip_mods_and_typedefs(local, r.type_id))
      wanted.insert(essential_name(name_of(local, t)));
  const Candidates candidates(target, wanted);
  std::set<uint32_t> checked_types;  // local types an existence relocation asks about
  for (const Record& r : all)
    if (is_existence(r.kind)) checked_types.insert(r.type_id);
  for (const Record& r : all) {
    if (!sections.empty() && !sections.contains(r.section) && r.section != ".text") continue;
    ++result.relocations;
    if (is_existence(r.kind) || r.kind == kTypeIdLocal) continue;  // these never fail
    const btf_type* t = skip_mods_and_typedefs(local, r.type_id);
    const char* access_text = btf__name_by_offset(local, r.access);
    std::string spec = access_text ? access_text : "";
    CoreFailure failure{r.section, kind_name(r.kind), {}, checked_types.contains(r.type_id)};
    if (!t) {
      failure.what = "type #" + std::to_string(r.type_id);
      result.failures.push_back(std::move(failure));
      continue;
    }
    bool resolved = false;
    if (is_field(r.kind)) {
      std::vector<Access> steps;
      if (!field_accesses(local, r.type_id, spec, steps, failure.what)) {
        failure.what = name_of(local, t) + " (access " + spec + ")";
      } else {
        for (uint32_t id : candidates.of(local, t))
          resolved = resolved || field_matches(local, target, id, steps);
      }
    } else if (is_enumval(r.kind)) {
      unsigned long index = std::strtoul(spec.c_str(), nullptr, 10);
      std::string value;
      if (btf_is_enum(t) && index < btf_vlen(t))
        value = btf__name_by_offset(local, btf_enum(t)[index].name_off);
      else if (btf_is_enum64(t) && index < btf_vlen(t))
        value = btf__name_by_offset(local, btf_enum64(t)[index].name_off);
      failure.what = "enum " + name_of(local, t) + "::" + value;
      for (uint32_t id : candidates.of(local, t)) {
        const btf_type* c = btf__type_by_id(target, id);
        for (int i = 0; i < btf_vlen(c) && !resolved; ++i) {
          const char* name = btf__name_by_offset(
              target, btf_is_enum(c) ? btf_enum(c)[i].name_off : btf_enum64(c)[i].name_off);
          resolved = name && essential_name(name) == essential_name(value);
        }
      }
    } else {  // type id in the target, type size
      failure.what = "type " + name_of(local, t);
      resolved = !candidates.of(local, t).empty();
    }
    if (!resolved) result.failures.push_back(std::move(failure));
  }
  return result;
}

}  // namespace lmp::loader
