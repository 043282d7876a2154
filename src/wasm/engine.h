// The two engines behind run_module (runtime.h) and what they share: reading and validating
// a module with wabt, the caps on its memories and tables, and how an ended run reads.
// Internal to src/wasm.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include <wabt/interp/interp.h>

#include "common/result.h"
#include "wasm/guest.h"
#include "wasm/host_import.h"
#include "wasm/runtime.h"

namespace lmp::wasm {

inline constexpr uint64_t kPageBytes = 65536;

// Reads and validates `wasm` (kBadPackage "invalid wasm module: ..." when it is not), then
// caps its memories at `max_memory_bytes` and its tables at kMaxTableElements: a declared
// minimum over a cap refuses the module, and the cap becomes the maximum.
Result<wabt::interp::ModuleDesc> read_module(std::span<const uint8_t> wasm,
                                             uint64_t max_memory_bytes);

// A wabt function type as a FuncSig; nullopt when it has a type lmp cannot pass (references).
std::optional<FuncSig> sig_of(const wabt::interp::FuncType& type);

// Every import of `desc` resolved (import_policy.cpp), in import order; anything but a
// function import refuses the module.
Result<std::vector<HostImport>> resolve_imports(const wabt::interp::ModuleDesc& desc);

// The result of a run the guest left with a trap: proc_exit's code, a stop, or kFailure
// "<what><message>".
Result<int> ended_by_trap(const Guest& guest, const std::string& what, const std::string& message);

// Runs the module in wabt's interpreter (interp_engine.cpp).
Result<int> run_interpreted(std::span<const uint8_t> wasm, Guest& guest, const RunOptions& options);
// Runs the module as native code compiled with wasm2c and cc (compiled_engine.cpp).
Result<int> run_compiled(std::span<const uint8_t> wasm, Guest& guest, const RunOptions& options);

}  // namespace lmp::wasm
