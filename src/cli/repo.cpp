// lmp repo build SRC_DIR OUT_DIR: write a static repository (index.json) from built packages.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>

#include "cli/command.h"
#include "common/log.h"
#include "registry/repo_builder.h"

namespace lmp::cli {

Result<int> repo_command(Args args) {
  CLI::App app{"Write and maintain static repositories (see docs/repositories.md)", "lmp repo"};
  app.require_subcommand(1);
  CLI::App* build =
      app.add_subcommand("build", "write a static repository from a directory of built packages");
  build->footer(
      "Writes OUT_DIR/index.json, OUT_DIR/NAME/VERSION/ and OUT_DIR/NAME/ (the latest version)\n"
      "from SRC_DIR's packages: directories holding package.json or app.wasm with config.json\n"
      "(name, version), optionally README.md. A package whose app.wasm does not embed its\n"
      "package.json's eBPF object (a stale module: rerun lmp gen-wasm-skel and lmp\n"
      "build-wasm) is refused unless --force.");
  std::string source, out;
  bool force = false;
  build->add_option("src_dir", source, "directory of built packages")->required();
  build->add_option("out_dir", out, "where the repository is written")->required();
  build->add_flag("--force", force, "include stale WebAssembly modules");
  try {
    app.parse(static_cast<int>(args.size()), args.data());
  } catch (const CLI::ParseError& e) {
    return parse_error(app, e);
  }
  auto built = LMP_TRY(registry::build_repository(source, out, force));
  for (const auto& b : built) std::printf("%s %s\n", b.name.c_str(), b.version.c_str());
  log::info("wrote " + std::to_string(built.size()) + " package version(s) to " + out);
  return 0;
}

}  // namespace lmp::cli
