#include "compiler/object_link.h"

#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "compiler/str_cat.h"

namespace lmp::compiler {
namespace {

struct LinkerDeleter {
  void operator()(bpf_linker* linker) const { bpf_linker__free(linker); }
};

std::unexpected<Error> link_error(const char* step, int err, const std::filesystem::path& input) {
  return fail(ExitCode::kBuild,
              str_cat("libbpf could not link ", input.string(), " (", step,
                      "): ", std::strerror(err < 0 ? -err : err)),
              "run with -v to see libbpf's messages");
}

}  // namespace

Result<void> link_bpf_object(const std::filesystem::path& input,
                             const std::filesystem::path& output) {
  std::unique_ptr<bpf_linker, LinkerDeleter> linker(bpf_linker__new(output.c_str(), nullptr));
  if (!linker) return link_error("new", errno, input);
  if (int err = bpf_linker__add_file(linker.get(), input.c_str(), nullptr); err != 0) {
    return link_error("add", err, input);
  }
  if (int err = bpf_linker__finalize(linker.get()); err != 0) {
    return link_error("finalize", err, input);
  }
  return {};
}

}  // namespace lmp::compiler
