// What the host functions of one run share, whatever engine runs the guest: its memory, its
// callbacks, its arguments and streams, the bpf host and the eBPF objects it holds. The
// imports (wasm_bpf_abi.cpp, wasi.cpp) are plain functions over a Guest; each engine has a
// thin glue that calls them (interp_engine.cpp, compiled_engine.cpp). Internal to src/wasm.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "wasm/bpf_host.h"
#include "wasm/guest_memory.h"
#include "wasm/wasi_fs.h"

namespace lmp::wasm {

// The index that names the guest's exported "go-callback" instead of a table entry: the
// callback of the `callback-wrapper` poll wasm-bpf's Go SDK imports.
inline constexpr uint32_t kExportedCallback = UINT32_MAX;

// The guest's buffer callbacks, reached through the engine: `__indirect_function_table[index]`
// (or the export "go-callback" for kExportedCallback), which must be (i32, i32, i32) -> i32.
// A test seam between the host functions and the two engines.
class GuestCallbacks {
 public:
  virtual ~GuestCallbacks() = default;
  // True when `index` names a function of the callback signature.
  virtual bool has(uint32_t index) = 0;
  // Calls it; its result, or the message of the trap it ended with. The trap is contained:
  // the engine unwinds the callback's frames only, never the host's.
  virtual std::expected<int32_t, std::string> call(uint32_t index, uint32_t ctx, uint32_t buf,
                                                   uint32_t size) = 0;
};

struct Guest {
  Guest(BpfHost& host, std::ostream& out, std::ostream& err, std::vector<std::string> args)
      : host(host), out(out), err(err), args(std::move(args)) {}

  BpfHost& host;
  std::ostream& out;
  std::ostream& err;
  std::vector<std::string> args;
  GuestMemory memory;
  GuestCallbacks* callbacks = nullptr;   // set by the engine once the guest is instantiated
  std::set<int64_t> objects;             // eBPF objects loaded and not yet closed
  std::map<int, int64_t> map_fds;        // map fds handed to the guest -> their object
  std::optional<int> exit_code;          // set by proc_exit
  FdTable files;                         // --wasm-dir preopens and what the guest opened
  bool polling = false;                  // a buffer poll is running (no re-entry)
  std::function<bool()> stop_requested;  // RunOptions::stop_requested
  std::optional<std::chrono::milliseconds> duration;              // RunOptions::duration
  std::optional<std::chrono::steady_clock::time_point> deadline;  // set by start_clock

  // Starts the duration: engines call it once the module is ready to instantiate, so neither
  // reading nor a first compile counts.
  void start_clock() {
    if (duration) deadline = std::chrono::steady_clock::now() + *duration;
  }
  // When the guest last finished loading or attaching: the grace for a guest that does not
  // wait (below) runs from here, so --duration 0 never cuts a slow load or attach short.
  std::chrono::steady_clock::time_point setup_done{};
  bool stopped = false;  // a stop was seen; the guest is being unwound

  // True once a stop was requested or the run's duration is over. `waiting`: the guest waits
  // (buffer poll, poll_oneoff, sched_yield), where the deadline ends it at once; at other
  // host calls and periodic checks it ends it kBusyGrace later (a guest that never waits).
  bool should_stop(bool waiting) {
    if (!stopped && stop_requested && stop_requested()) stopped = true;
    if (!stopped && deadline) {
      auto now = std::chrono::steady_clock::now();
      if (now >= *deadline && (waiting || now >= std::max(*deadline, setup_done) + kBusyGrace))
        stopped = true;
    }
    return stopped;
  }

  static constexpr std::chrono::milliseconds kBusyGrace{1000};
};

// Waits are cut into slices this long so stop requests are seen promptly.
inline constexpr std::chrono::milliseconds kWaitSlice{50};

// The trap message proc_exit unwinds with.
inline constexpr std::string_view kProcExitTrap = "lmp: proc_exit";
// The trap message a stop request (Ctrl-C, --duration) unwinds with.
inline constexpr std::string_view kStopTrap = "lmp: stopped";

}  // namespace lmp::wasm
