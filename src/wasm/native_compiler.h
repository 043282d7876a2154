// Compiles a module to native code once and caches it: wasm2c (Debian's wabt) translates the
// module, with stop checks added, to C; the system C compiler builds it, lmp's glue
// (native_glue.h) and wasm-rt's runtime (/usr/share/wabt/wasm2c/wasm-rt-impl.c, with explicit
// bounds checks) into one shared object, CACHE/<key>.so. The key covers the module's sha256,
// lmp's version, wasm2c, the compiler (path, size, mtime) and the flags. It is written to a
// temporary name and renamed, so concurrent first runs end with one good object and a killed
// compile leaves only a temporary file behind.
#pragma once

#include <filesystem>
#include <functional>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "wasm/native_glue.h"

namespace lmp::wasm {

// True when wasm2c, wasm-rt's sources and a C compiler (cc) are installed.
bool native_toolchain_found();

struct NativeObject {
  std::filesystem::path path;  // the cached shared object
  bool cache_hit = false;      // it was there already
};

struct NativeCompile {
  std::filesystem::path cache_dir;
  std::string label = "app.wasm";  // named in the progress line
  bool show_progress = false;      // "compiling LABEL to native code, once" and the time, on err
  // Asked every ~10 ms while wasm2c or the compiler runs: once true, the tool is killed and
  // the compile fails (nothing is cached).
  std::function<bool()> stop_requested;
};

// The cached object for `wasm`, compiled first when missing. `imports` are the module's
// imports in order. Errors: kFailure (no toolchain, wasm2c or the compiler failed: their
// last lines of output are in the message).
Result<NativeObject> compile_native(std::span<const uint8_t> wasm,
                                    const std::vector<ImportName>& imports,
                                    const NativeCompile& request, std::ostream& err);

}  // namespace lmp::wasm
