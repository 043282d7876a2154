// Which imports a module may have. lmp knows three modules: wasm_bpf, callback-wrapper (the
// poll wasm-bpf's Go SDK imports) and wasi_snapshot_preview1. Every function of the last one
// resolves, implemented or not, so a module linked against a full wasi-libc loads: what
// lmp does not implement returns an error when called (ENOTCAPABLE for the file system,
// of which the guest gets only read-only --wasm-dir access, ENOSYS for the rest). Only an
// unknown module is refused.
#include <algorithm>
#include <array>

#include "wasm/host_import.h"
#include "wasm/wasi_errno.h"

namespace lmp::wasm {
namespace {

// The WASI errno values returned by functions lmp does not implement: kNosys, kNotcapable.
using namespace wasi_errno_values;

// wasi_snapshot_preview1 functions that reach files or directories. Those wasi_fs.cpp
// implements (the read-only ones) resolve there first and never reach this list.
constexpr std::array<std::string_view, 24> kFileSystem{"fd_advise",
                                                       "fd_allocate",
                                                       "fd_datasync",
                                                       "fd_fdstat_set_flags",
                                                       "fd_fdstat_set_rights",
                                                       "fd_filestat_get",
                                                       "fd_filestat_set_size",
                                                       "fd_filestat_set_times",
                                                       "fd_pread",
                                                       "fd_pwrite",
                                                       "fd_readdir",
                                                       "fd_renumber",
                                                       "fd_sync",
                                                       "fd_tell",
                                                       "path_create_directory",
                                                       "path_filestat_get",
                                                       "path_filestat_set_times",
                                                       "path_link",
                                                       "path_open",
                                                       "path_readlink",
                                                       "path_remove_directory",
                                                       "path_rename",
                                                       "path_symlink",
                                                       "path_unlink_file"};

std::string type_name(char c) {
  switch (c) {
    case 'i':
      return "i32";
    case 'I':
      return "i64";
    case 'f':
      return "f32";
    default:
      return "f64";
  }
}

}  // namespace

std::string describe(const FuncSig& sig) {
  auto list = [](const std::string& types) {
    std::string text;
    for (size_t i = 0; i < types.size(); ++i) text += (i ? ", " : "") + type_name(types[i]);
    return text;
  };
  return "(" + list(sig.params) + ") -> (" + list(sig.results) + ")";
}

// An import lmp does not implement: an errno result set to `errno_value`, or, for a
// function without a result, nothing.
static HostImport unimplemented(const FuncSig& wanted, uint64_t errno_value) {
  if (wanted.results != "i")
    return HostImport{wanted, [](Guest&, uint64_t*) { return std::optional<std::string>(); }};
  if (errno_value == kNotcapable)
    return HostImport{wanted, [](Guest&, uint64_t* s) {
                        s[0] = kNotcapable;
                        return std::optional<std::string>();
                      }};
  return HostImport{wanted, [](Guest&, uint64_t* s) {
                      s[0] = kNosys;
                      return std::optional<std::string>();
                    }};
}

Result<HostImport> resolve_import(std::string_view module, std::string_view name,
                                  const FuncSig& wanted) {
  std::string full = std::string(module) + "." + std::string(name);
  std::optional<HostImport> import;
  if (module == "wasm_bpf") import = wasm_bpf_import(name);
  if (module == "callback-wrapper" && name == "wasm_bpf_buffer_poll")
    import = callback_wrapper_poll();
  if (module == "wasi_snapshot_preview1") {
    import = wasi_import(name);
    if (!import && (wanted.params.size() > kMaxSlots || wanted.results.size() > kMaxSlots))
      return fail(ExitCode::kBadPackage, "module imports " + full + " as " + describe(wanted) +
                                             ", which has too many values for lmp");
    // Not implemented: resolves with the module's own signature and fails when called.
    if (!import)
      import = unimplemented(
          wanted, std::ranges::find(kFileSystem, name) != kFileSystem.end() ? kNotcapable : kNosys);
  }
  if (!import)
    return fail(ExitCode::kBadPackage, "module imports " + full + ", which lmp does not provide",
                "lmp provides wasm_bpf, callback-wrapper and wasi_snapshot_preview1; see "
                "docs/wasm.md");
  if (import->sig != wanted)
    return fail(ExitCode::kBadPackage, "module imports " + full + " as " + describe(wanted) +
                                           ", but lmp provides " + describe(import->sig));
  return *import;
}

}  // namespace lmp::wasm
