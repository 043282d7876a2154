// lmp repo build SRC_DIR OUT_DIR: write a static repository (index.json) from built packages.
#include <cstdio>
#include <string>
#include <vector>

#include "cli/command.h"
#include "common/log.h"
#include "registry/repo_builder.h"

namespace lmp::cli {

Result<int> repo_command(Args args) {
  constexpr const char* kUsage =
      "Usage: lmp repo build [--force] SRC_DIR OUT_DIR\n\n"
      "Writes a static repository to OUT_DIR (index.json, NAME/VERSION/ and NAME/ for the\n"
      "latest version) from SRC_DIR's packages: directories holding package.json or app.wasm\n"
      "with config.json (name, version), optionally README.md. See docs/repositories.md.\n"
      "A package whose app.wasm does not embed its package.json's eBPF object (a stale\n"
      "module: rerun lmp gen-wasm-skel and lmp build-wasm) is refused unless --force.\n";
  if (args.size() >= 2 &&
      (std::string_view(args[1]) == "-h" || std::string_view(args[1]) == "--help")) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  std::vector<std::string> words;
  bool force = false;
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (std::string_view(args[i]) == "--force")
      force = true;
    else
      words.emplace_back(args[i]);
  }
  if (words.size() != 3 || words[0] != "build") {
    std::fputs(kUsage, stderr);
    return static_cast<int>(ExitCode::kUsage);
  }
  auto built = LMP_TRY(registry::build_repository(words[1], words[2], force));
  for (const auto& b : built) std::printf("%s %s\n", b.name.c_str(), b.version.c_str());
  log::info("wrote " + std::to_string(built.size()) + " package version(s) to " + words[2]);
  return 0;
}

}  // namespace lmp::cli
