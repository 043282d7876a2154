// Makes a module's own code interruptible. wabt's interpreter runs a call to the end and
// offers no hook between instructions, so a guest that loops without calling the host would
// never see a stop request. The module is rewritten instead: every function entry and loop
// iteration counts down a fuel global it cannot reach, and when that runs out it calls,
// through a table of its own, a host function that checks for a stop and refills the fuel.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace lmp::wasm {

// Function entries and loop iterations between two stop checks.
inline constexpr uint32_t kStopCheckFuel = 10000;

struct StopCheckedModule {
  std::vector<uint8_t> wasm;  // the rewritten module
  uint32_t table_index;       // its table whose element 0 must be the check: () -> i32 (fuel)
  // The module's start function, removed from it so that it runs only once the check is in
  // its table: the caller calls it right after instantiating, as instantiation would have.
  std::optional<uint32_t> start_function;
};

// The module with stop checks added; nullopt when `wasm` does not read and validate as a
// module (it then runs as it is, and the runtime reports why) or nests blocks too deeply to
// be rewritten safely (wabt's IR recurses on nesting). With `export_internals` the check's
// table is also exported as kStopCheckTableExport and the removed start function, if any, as
// kStartExport, so that code compiled from the module (wasm2c) can reach them.
std::optional<StopCheckedModule> add_stop_checks(std::span<const uint8_t> wasm,
                                                 bool export_internals);

inline constexpr std::string_view kStopCheckTableExport = "lmp.stop_checks";
inline constexpr std::string_view kStartExport = "lmp.start";

}  // namespace lmp::wasm
