// Runs a WebAssembly user-space program (wasm-bpf compatible) in wabt's interpreter or as
// native code compiled once with wasm2c and the system C compiler (docs/wasm.md).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "wasm/bpf_host.h"

namespace lmp::wasm {

// The exit code of a run ended by a stop request or the duration, as Ctrl-C ends `lmp run`.
inline constexpr int kStoppedExitCode = 0;

// The default cap on a guest's linear memory (`lmp run --wasm-max-memory`).
inline constexpr uint64_t kDefaultMaxMemoryBytes = uint64_t{256} << 20;
// The most a wasm32 memory can hold (65536 pages of 64 KiB).
inline constexpr uint64_t kMaxWasm32MemoryBytes = uint64_t{4} << 30;
// The cap on a guest's tables (elements of 8 bytes each, committed up front like memory).
inline constexpr uint64_t kMaxTableElements = uint64_t{1} << 20;

// Which engine runs the guest: wabt's interpreter, native code (wasm2c, then cc), or native
// code when wasm2c and a C compiler are found, else the interpreter.
enum class Engine { kInterp, kCompiled, kAuto };

// "interp", "compiled" or "auto" (`lmp run --wasm-engine`).
Result<Engine> parse_engine(std::string_view text);

// A directory lent to the guest read-only (`lmp run --wasm-dir HOST[:GUEST]`): the guest
// sees `host_dir` as preopen `guest_path`, the fds from 3 on in order (wasi_fs.h).
struct Preopen {
  std::filesystem::path host_dir;
  std::string guest_path;
};

// Parses --wasm-dir's HOST[:GUEST] (GUEST defaults to HOST); HOST must be a directory.
Result<Preopen> parse_preopen(std::string_view text);

struct RunOptions {
  // Asked at every host call and every ~50 ms while the guest waits (wasm_bpf_buffer_poll,
  // poll_oneoff sleeps). Once true, the guest is unwound with a trap it cannot catch and the
  // run returns kStoppedExitCode. Must be cheap; may be called from a signal-free context only.
  std::function<bool()> stop_requested;
  // Stops the guest at its first wait once this much time has passed (0: at its first wait,
  // i.e. once it has loaded and attached what it wanted to).
  std::optional<std::chrono::milliseconds> duration;
  // The guest's linear memory never exceeds this (rounded down to whole 64 KiB pages): a
  // module declaring a larger minimum is refused (kBadPackage), and memory.grow past it
  // returns -1 to the guest. At most kMaxWasm32MemoryBytes.
  uint64_t max_memory_bytes = kDefaultMaxMemoryBytes;
  // Directories the guest may read (none: it sees no file system).
  std::vector<Preopen> preopens;
  Engine engine = Engine::kInterp;
  // Where compiled modules are cached (LMP_HOME/wasm-cache); required by Engine::kCompiled
  // and kAuto (without it kAuto interprets).
  std::filesystem::path native_cache;
  // The module as the "compiling NAME to native code, once" line names it.
  std::string module_label = "app.wasm";
  // Show that line (and how long the compile took) on `err`: lmp run does on a terminal or
  // with -v.
  bool show_progress = false;
};

// Parses a memory size for --wasm-max-memory: a number of bytes with an optional suffix
// K, M or G (KiB, MiB, GiB; "MiB" and "MB" are read the same), from 64K to 4G.
Result<uint64_t> parse_memory_size(std::string_view text);

// Validates `wasm`, resolves its imports (wasm_bpf and a wasi_snapshot_preview1 subset; any
// other import refuses to instantiate) and calls its `_start`. `args[0]` is the module name.
// Returns the guest's exit code (proc_exit, or 0 when _start returns). A trap is a kFailure
// "wasm module trapped: <reason>". Every eBPF object the guest loaded and did not close is
// closed through `host` before returning.
// Compiles `wasm` to native code into `cache_dir` as the compiled engine's first run would,
// so that later runs start from the cached object (`lmp pull`, `lmp build-wasm`). False when
// no toolchain is installed (then runs interpret). Errors: an invalid module (kBadPackage),
// wasm2c or the compiler failing (kFailure).
Result<bool> precompile_module(std::span<const uint8_t> wasm,
                               const std::filesystem::path& cache_dir, const std::string& label,
                               bool show_progress, std::ostream& err);

Result<int> run_module(std::span<const uint8_t> wasm, std::vector<std::string> args, BpfHost& host,
                       std::ostream& out, std::ostream& err, const RunOptions& options = {});

}  // namespace lmp::wasm
