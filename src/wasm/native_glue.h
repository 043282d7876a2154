// The C glue compiled with a module's wasm2c output into one shared object: trampolines that
// pass each import's values to lmp's host through 64-bit slots, the memory and table caps,
// and entry points lmp calls through dlsym, each of which catches the module's traps
// (wasm-rt's setjmp/longjmp) itself, so a trap never unwinds past a C++ frame.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace lmp::wasm {

// The host as the glue sees it (a C struct, the same layout on both sides).
extern "C" {
struct LmpNativeHost {
  // Runs import `import` (its index in module order; kNativeStopCheck for the stop check) on
  // `slots`; non-zero when the guest must trap (the host keeps the message).
  int (*call)(LmpNativeHost* host, uint32_t import, uint64_t* slots);
  void* context;
};
}

inline constexpr uint32_t kNativeStopCheck = UINT32_MAX;

// The import (module, name) pairs of the module in import order, as lmp resolved them.
struct ImportName {
  std::string module, name;
};

// The glue for wasm2c's header `header` (of a module translated with `-n app` into app.c).
// Fails (kFailure) when the header does not read as wasm2c 1.0.32 writes it.
Result<std::string> native_glue(std::string_view header, const std::vector<ImportName>& imports);

}  // namespace lmp::wasm
