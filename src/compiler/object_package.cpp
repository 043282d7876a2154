#include "compiler/object_package.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <elf.h>

#include <cstring>
#include <fstream>

#include "common/file.h"
#include "compiler/event_types.h"
#include "compiler/object_meta.h"

namespace lmp::compiler {
namespace {

// Structs lmp build marked as export types: it keeps each in BTF through a variable
// `__lmp_export_NAME` (build_package.cpp), which survives in the object.
std::vector<std::string> marked_exports(const btf* b) {
  constexpr std::string_view kPrefix = "__lmp_export_";
  std::vector<std::string> names;
  for (uint32_t id = 1; b && id < btf__type_cnt(b); ++id) {
    const btf_type* t = btf__type_by_id(b, id);
    if (!btf_is_var(t)) continue;
    std::string_view name = btf__name_by_offset(b, t->name_off);
    if (name.starts_with(kPrefix)) names.emplace_back(name.substr(kPrefix.size()));
  }
  return names;
}

std::string object_stem(const std::filesystem::path& path) {
  std::string name = path.filename().string();
  for (std::string_view suffix : {".bpf.o", ".o"})
    if (name.size() > suffix.size() && name.ends_with(suffix))
      return name.substr(0, name.size() - suffix.size());
  return name;
}

}  // namespace

bool is_elf_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[SELFMAG] = {};
  return in.read(magic, SELFMAG) && std::memcmp(magic, ELFMAG, SELFMAG) == 0;
}

Result<package::Package> package_from_object(std::vector<uint8_t> elf, const std::string& name) {
  package::Package pkg;
  pkg.bpf_object = std::move(elf);
  BpfObjectPtr obj = LMP_TRY(open_bpf_object(pkg.bpf_object, name));
  ObjectSummary summary = LMP_TRY(describe_object(obj.get(), name, pkg.bpf_object));
  pkg.meta.bpf_skel = std::move(summary.skel);
  LMP_CHECK(plan_export_types(obj.get(), pkg.bpf_object, marked_exports(bpf_object__btf(obj.get())),
                              pkg.meta));
  return pkg;
}

Result<package::Package> read_package_or_object(const std::filesystem::path& path) {
  if (!is_elf_file(path)) return package::read_package_file(path);
  std::string bytes = LMP_TRY(read_file(path, package::kMaxBpfObjectBytes));
  return package_from_object(std::vector<uint8_t>(bytes.begin(), bytes.end()), object_stem(path));
}

}  // namespace lmp::compiler
