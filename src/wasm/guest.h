// What the host functions of one run share: the guest's memory and table, its arguments and
// streams, the bpf host and the eBPF objects the guest holds. Internal to src/wasm.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <wabt/interp/interp.h>

#include "wasm/bpf_host.h"
#include "wasm/guest_memory.h"

namespace lmp::wasm {

namespace interp = wabt::interp;

struct Guest {
  Guest(interp::Store& store, BpfHost& host, std::ostream& out, std::ostream& err,
        std::vector<std::string> args)
      : store(store), host(host), out(out), err(err), args(std::move(args)) {}

  interp::Store& store;
  BpfHost& host;
  std::ostream& out;
  std::ostream& err;
  std::vector<std::string> args;
  GuestMemory memory;
  interp::Table::Ptr table;              // the exported __indirect_function_table, if any
  std::set<int64_t> objects;             // eBPF objects loaded and not yet closed
  std::map<int, int64_t> map_fds;        // map fds handed to the guest -> their object
  std::optional<int> exit_code;          // set by proc_exit
  bool polling = false;                  // a buffer poll is running (no re-entry)
  std::function<bool()> stop_requested;  // RunOptions::stop_requested
  std::optional<std::chrono::steady_clock::time_point> deadline;  // from RunOptions::duration
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

// Body of a host function: reads params, writes results, or returns a trap message.
using HostBody = std::function<std::optional<std::string>(const interp::Values& params,
                                                          interp::Values& results)>;

// Wraps `body` as a wabt host function of the given signature.
interp::HostFunc::Ptr make_host_func(Guest& guest, interp::ValueTypes params,
                                     interp::ValueTypes results, HostBody body);

// The host function for import `name` of wasi_snapshot_preview1 or wasm_bpf; empty if lmp
// does not provide it.
interp::HostFunc::Ptr make_wasi_import(Guest& guest, std::string_view name);
interp::HostFunc::Ptr make_wasm_bpf_import(Guest& guest, std::string_view name);

// The trap message proc_exit unwinds with.
inline constexpr std::string_view kProcExitTrap = "lmp: proc_exit";
// The trap message a stop request (Ctrl-C, --duration) unwinds with.
inline constexpr std::string_view kStopTrap = "lmp: stopped";

}  // namespace lmp::wasm
