// One host function as both engines see it: its signature and a plain function over a Guest
// and a row of 64-bit value slots (params in, results out: an i32 is its low 32 bits).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "wasm/guest.h"

namespace lmp::wasm {

// A function type as a string per side: 'i' i32, 'I' i64, 'f' f32, 'F' f64.
struct FuncSig {
  std::string params, results;
  bool operator==(const FuncSig&) const = default;
};

// "(i32, i64) -> (i32)", as messages show a signature.
std::string describe(const FuncSig& sig);

// Runs one import: reads `slots[0..params)`, writes `slots[0..results)`; returns a trap
// message to unwind the guest (proc_exit, a trapping callback), else nothing.
using HostFn = std::optional<std::string> (*)(Guest& guest, uint64_t* slots);

struct HostImport {
  FuncSig sig;
  HostFn fn = nullptr;
};

// The most params or results an import has (path_open: 9).
inline constexpr size_t kMaxSlots = 16;

// What lmp provides for import `module`.`name` that the guest declares as `wanted`
// (import_policy.cpp): wasm_bpf, the callback-wrapper poll, the WASI subset, and every other
// wasi_snapshot_preview1 function as one that returns an error when called. A module lmp
// does not know, or a signature other than lmp's, refuses the module (kBadPackage).
Result<HostImport> resolve_import(std::string_view module, std::string_view name,
                                  const FuncSig& wanted);

// The imports lmp implements, by name; empty when it has none of that name.
std::optional<HostImport> wasi_import(std::string_view name);
std::optional<HostImport> wasm_bpf_import(std::string_view name);
// The file-system part of the WASI subset (wasi_fs.cpp): preopens, path_open and reading.
std::optional<HostImport> wasi_fs_import(std::string_view name);
// callback-wrapper.wasm_bpf_buffer_poll (wasm-bpf's Go SDK).
HostImport callback_wrapper_poll();

// Calls `import` and then checks for a stop: what every engine's glue does per host call.
inline std::optional<std::string> call_host(Guest& guest, const HostImport& import,
                                            uint64_t* slots) {
  auto trap = import.fn(guest, slots);
  if (!trap && guest.should_stop(false)) trap = std::string(kStopTrap);
  return trap;
}

}  // namespace lmp::wasm
