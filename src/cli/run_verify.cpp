// `lmp run`'s checks between resolving the packages and loading them: their signatures
// (docs/signing.md) and a local app.wasm against the package.json beside it.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "cli/run.h"
#include "common/log.h"
#include "common/text_escape.h"
#include "registry/cache.h"
#include "registry/reference.h"
#include "registry/signing_run.h"
#include "registry/stale_wasm.h"

namespace lmp::cli {

namespace fs = std::filesystem;

Result<void> check_local_wasm(const std::string& text, const fs::path& path, bool force) {
  if (force || path.filename() != "app.wasm") return {};
  auto ref = registry::parse_reference(text);
  if (!ref || ref->kind != registry::ReferenceKind::kLocalPath) return {};
  fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  return registry::check_wasm_matches_package(dir, "lmp run --force");
}

Result<void> verify_before_run(const RunFlags& flags, const std::vector<fs::path>& files) {
  std::optional<registry::VerifyMode> mode = flags.verify;
  if (!mode) mode = LMP_TRY(registry::verify_mode_from_env());
  if (mode == registry::VerifyMode::kOff) return {};
  auto start = std::chrono::steady_clock::now();
  fs::path home = LMP_TRY(registry::lmp_home());
  std::vector<registry::RunPackage> packages;
  for (const fs::path& file : files)
    packages.push_back(LMP_TRY(registry::describe_run_package(file, home)));
  for (const std::string& warning : LMP_TRY(registry::verify_run_packages(packages, home, mode)))
    log::warn(escape_text(warning));
  auto spent = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start);
  log::debug("verified " + std::to_string(files.size()) + " package(s) in " +
             std::to_string(static_cast<long>(spent.count())) + " us (bench/verify.sh)");
  return {};
}

}  // namespace lmp::cli
