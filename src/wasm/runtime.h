// Runs a WebAssembly user-space program (wasm-bpf compatible) in wabt's interpreter.
#pragma once

#include <cstdint>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "wasm/bpf_host.h"

namespace lmp::wasm {

// Validates `wasm`, resolves its imports (wasm_bpf and a wasi_snapshot_preview1 subset; any
// other import refuses to instantiate) and calls its `_start`. `args[0]` is the module name.
// Returns the guest's exit code (proc_exit, or 0 when _start returns). A trap is a kFailure
// "wasm module trapped: <reason>". Every eBPF object the guest loaded and did not close is
// closed through `host` before returning.
Result<int> run_module(std::span<const uint8_t> wasm, std::vector<std::string> args, BpfHost& host,
                       std::ostream& out, std::ostream& err);

}  // namespace lmp::wasm
