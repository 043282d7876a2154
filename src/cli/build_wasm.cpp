// lmp build-wasm [DIR] [-v]
#include <CLI/CLI.hpp>

#include <string>

#include "cli/command.h"
#include "common/log.h"
#include "compiler/wasm_build.h"

namespace lmp::cli {

Result<int> build_wasm_command(Args args) {
  CLI::App app{
      "Compile DIR/app.c, and the C files DIR/config.json lists in \"wasm\": {\"sources\": "
      "[...]},\n"
      "into DIR/app.wasm with clang for wasm32-wasi",
      "lmp build-wasm"};
  std::string dir = ".";
  bool verbose = false;
  app.add_option("dir", dir, "project directory holding app.c (default: .)");
  app.add_flag("-v,--verbose", verbose, "show clang's command line");
  try {
    app.parse(static_cast<int>(args.size()), args.data());
  } catch (const CLI::ParseError& e) {
    return parse_error(app, e);
  }
  if (verbose) log::set_level(log::Level::kDebug);
  auto output = LMP_TRY(compiler::build_wasm(dir));
  precompile_wasm(output);  // the first `lmp run` then starts from native code
  log::info("Built " + output.string() + "; run it with: sudo lmp run " + output.string());
  return 0;
}

}  // namespace lmp::cli
