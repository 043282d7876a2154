// Runs a WebAssembly user-space program (wasm-bpf compatible) in wabt's interpreter.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "wasm/bpf_host.h"

namespace lmp::wasm {

// The exit code of a run ended by a stop request or the duration, as Ctrl-C ends `lmp run`.
inline constexpr int kStoppedExitCode = 0;

struct RunOptions {
  // Asked at every host call and every ~50 ms while the guest waits (wasm_bpf_buffer_poll,
  // poll_oneoff sleeps). Once true, the guest is unwound with a trap it cannot catch and the
  // run returns kStoppedExitCode. Must be cheap; may be called from a signal-free context only.
  std::function<bool()> stop_requested;
  // Stops the guest at its first wait once this much time has passed (0: at its first wait,
  // i.e. once it has loaded and attached what it wanted to).
  std::optional<std::chrono::milliseconds> duration;
};

// Validates `wasm`, resolves its imports (wasm_bpf and a wasi_snapshot_preview1 subset; any
// other import refuses to instantiate) and calls its `_start`. `args[0]` is the module name.
// Returns the guest's exit code (proc_exit, or 0 when _start returns). A trap is a kFailure
// "wasm module trapped: <reason>". Every eBPF object the guest loaded and did not close is
// closed through `host` before returning.
Result<int> run_module(std::span<const uint8_t> wasm, std::vector<std::string> args, BpfHost& host,
                       std::ostream& out, std::ostream& err, const RunOptions& options = {});

}  // namespace lmp::wasm
