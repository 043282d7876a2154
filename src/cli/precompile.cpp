// precompile_wasm (command.h): `lmp pull` and `lmp build-wasm` compile a module to native
// code once, so that its first `lmp run` does not wait for wasm2c and the compiler.
#include <unistd.h>

#include <iostream>
#include <span>
#include <string>

#include "cli/command.h"
#include "common/file.h"
#include "common/log.h"
#include "registry/cache.h"
#include "wasm/runtime.h"

namespace lmp::cli {

constexpr std::size_t kMaxModuleBytes = 64u << 20;  // as lmp run reads modules

void precompile_wasm(const std::filesystem::path& path) {
  auto home = registry::lmp_home();
  auto bytes = read_file(path, kMaxModuleBytes);
  if (!home || !bytes) return;  // pull and build-wasm already said what went wrong, if anything
  auto wasm = std::span(reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size());
  auto done = wasm::precompile_module(wasm, *home / "wasm-cache", path.filename().string(),
                                      isatty(STDERR_FILENO) != 0, std::cerr);
  if (!done)
    log::warn("could not compile " + path.string() + " to native code (" + done.error().message +
              "); lmp run will try again or interpret it");
  else if (!*done)
    log::debug("no wasm2c or C compiler: " + path.string() + " will run interpreted");
}

}  // namespace lmp::cli
