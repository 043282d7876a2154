// lmp gen-wasm-skel [DIR] [--force]
#include <CLI/CLI.hpp>

#include <string>

#include "cli/command.h"
#include "common/log.h"
#include "compiler/wasm_skel.h"

namespace lmp::cli {

Result<int> gen_wasm_skel_command(Args args) {
  CLI::App app{
      "Write C sources for a WebAssembly user space from DIR/package.json (after lmp build):\n"
      "NAME.skel.h, NAME.wasm.h, lmp-wasm.h and, unless DIR has one, app.c",
      "lmp gen-wasm-skel"};
  std::string dir = ".";
  bool force = false;
  app.add_option("dir", dir, "project directory holding package.json (default: .)");
  app.add_flag("--force", force, "overwrite an existing app.c");
  try {
    app.parse(static_cast<int>(args.size()), args.data());
  } catch (const CLI::ParseError& e) {
    return parse_error(app, e);
  }
  auto result = LMP_TRY(compiler::gen_wasm_skel(dir, force));
  for (const auto& f : result.written) log::info("Wrote " + f.string());
  if (result.kept_app) log::info("Kept the existing app.c (--force overwrites it)");
  log::info("Next: edit app.c if you like, then lmp build-wasm");
  return 0;
}

}  // namespace lmp::cli
