#include "registry/stale_wasm.h"

#include <algorithm>
#include <functional>
#include <string>

#include "common/file.h"
#include "package/package.h"

namespace lmp::registry {

namespace fs = std::filesystem;

bool wasm_embeds_object(std::string_view wasm, const std::vector<std::uint8_t>& object) {
  if (object.empty()) return true;
  std::string_view needle(reinterpret_cast<const char*>(object.data()), object.size());
  auto it = std::search(wasm.begin(), wasm.end(),
                        std::boyer_moore_horspool_searcher(needle.begin(), needle.end()));
  return it != wasm.end();
}

Error stale_wasm_error(const fs::path& dir, std::string_view package_file,
                       std::string_view forced_command) {
  fs::path wasm = dir / "app.wasm";
  return Error{ExitCode::kBadPackage,
               wasm.string() + " does not embed the eBPF object of " + std::string(package_file) +
                   " beside it: the module is stale",
               "run 'lmp gen-wasm-skel' and 'lmp build-wasm' there first, or '" +
                   std::string(forced_command) + "' to use it anyway"};
}

Result<void> check_wasm_matches_package(const fs::path& dir, std::string_view forced_command) {
  std::error_code ec;
  fs::path wasm_path = dir / "app.wasm";
  if (!fs::is_regular_file(wasm_path, ec)) return {};
  fs::path package_path;
  for (const char* name : {"package.json", "package.yaml", "package.yml"}) {
    if (package_path.empty() && fs::is_regular_file(dir / name, ec)) package_path = dir / name;
  }
  if (package_path.empty()) return {};
  package::Package pkg = LMP_TRY(package::read_package_file(package_path));
  std::string wasm = LMP_TRY(read_file(wasm_path, package::kMaxPackageBytes));
  if (wasm_embeds_object(wasm, pkg.bpf_object)) return {};
  return std::unexpected(stale_wasm_error(dir, package_path.filename().string(), forced_command));
}

}  // namespace lmp::registry
