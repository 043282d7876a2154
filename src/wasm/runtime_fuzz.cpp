// libFuzzer target for the wasm runtime's host side (see cmake/fuzz.cmake).
//
// Random bytes rarely make a module that reaches the host functions, so each input is read
// as a program: a memory size, samples for the fake ring buffer, then up to 64 operations.
// The target writes that program out as WAT (straight-line calls of every wasm_bpf import
// and most WASI imports with fuzzed pointers, lengths, handles, fds and commands; stores;
// memory.grow; callbacks that re-enter, stop, grow memory or trap; proc_exit; unreachable),
// compiles it with wabt and runs it against a fake BpfHost. The first byte also picks the
// memory cap (a declared minimum above it is refused, memory.grow past it fails) and now and
// then a _start of the wrong signature.
//
// An input that starts with "\0asm" is run as the module itself (the seeds include the
// modules of ../shared/repro: a _start with a parameter, guests spinning on sched_yield and
// with a slow callback), stopped after 100 ms if it does not end by itself.
//
// Checked besides "no crash" (the target is built with ASan and UBSan):
//   - the host only sees buffers of the map's exact key and value sizes;
//   - a failed run has a one-line message;
//   - every object the guest loaded is closed when run_module returns.
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "wasm/runtime.h"
#include "wasm/wat.h"

namespace {

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "runtime_fuzz: %s\n", what.c_str());
  std::abort();
}

// Reads the input front to back; past the end everything is zero.
class Input {
 public:
  Input(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }
  uint32_t u32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= uint32_t(byte()) << (8 * i);
    return v;
  }
  bool done() const { return pos_ >= size_; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

constexpr uint32_t kPage = 65536;

// Object 5 has map "counts" (fd 7: 4-byte key, 8-byte value) and ring buffer "events"
// (fd 9) yielding `samples`; a second load gives object 6 with the same maps.
struct FakeHost final : lmp::wasm::BpfHost {
  std::vector<std::vector<uint8_t>> samples;
  std::set<int64_t> open;
  int64_t next = 5;

  int64_t load_object(std::span<const uint8_t> object) override {
    if (object.empty()) return -EINVAL;
    if (next > 6) return -ENOMEM;
    open.insert(next);
    return next++;
  }
  int attach(int64_t handle, const std::string&, const std::string&) override {
    if (!open.contains(handle)) die("attach on a closed object");
    return 0;
  }
  int map_fd_by_name(int64_t handle, const std::string& name) override {
    if (!open.contains(handle)) die("map_fd_by_name on a closed object");
    return name == "counts" ? 7 : name == "events" ? 9 : -ENOENT;
  }
  int buffer_poll(int64_t handle, int, const lmp::wasm::SampleCallback& callback, int) override {
    if (!open.contains(handle)) die("buffer_poll on a closed object");
    for (const auto& s : samples) {
      if (int rc = callback(s)) return rc;
      if (!open.contains(handle)) die("the object was closed while its buffer was polled");
    }
    return static_cast<int>(samples.size());
  }
  int map_operate(int fd, int cmd, std::span<uint8_t> key, std::span<uint8_t> value,
                  std::span<uint8_t> next_key, uint64_t) override {
    if (fd != 7) return -EINVAL;
    if (!key.empty() && key.size() != 4) die("key buffer of the wrong size");
    if (!value.empty() && value.size() != 8) die("value buffer of the wrong size");
    if (!next_key.empty() && next_key.size() != 4) die("next-key buffer of the wrong size");
    if (cmd == 1 && !value.empty()) std::memset(value.data(), 0x5a, value.size());
    if (cmd == 4 && !next_key.empty()) std::memset(next_key.data(), 1, next_key.size());
    return 0;
  }
  int close(int64_t handle) override {
    if (!open.erase(handle)) die("close of an object that is not open");
    return 0;
  }
  int map_key_size(int fd) override { return fd == 7 ? 4 : -EINVAL; }
  int map_value_size(int fd) override { return fd == 7 ? 8 : -EINVAL; }
};

constexpr const char* kPreludeRest = R"(
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $env_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fdstat (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $prestat (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (data (i32.const 16) "ELF!\00counts\00events\00prog\00tp/x\00")
  (global $h (mut i64) (i64.const 0))
  (global $fd (mut i32) (i32.const 0))
  (func $cb_ok (param i32 i32 i32) (result i32) (i32.const 0))
  (func $cb_stop (param i32 i32 i32) (result i32) (local.get 2))
  (func $cb_reenter (param i32 i32 i32) (result i32)
    (drop (call $poll (global.get $h) (global.get $fd) (i32.const 1) (i32.const 0)
                      (local.get 1) (local.get 2) (i32.const 0)))
    (drop (call $map_op (global.get $fd) (i32.const 1) (local.get 1) (local.get 1)
                        (i32.const 0) (i64.const 0)))
    (drop (memory.grow (i32.const 1)))
    (drop (call $close (global.get $h)))
    (i32.const 0))
  (func $cb_trap (param i32 i32 i32) (result i32) (unreachable))
  (func $cb_wrong (param i32) (result i32) (i32.const 0))
  (table (export "__indirect_function_table") 6 funcref)
  (elem (i32.const 1) $cb_ok $cb_stop $cb_reenter $cb_trap $cb_wrong)
)";

class ProgramWriter {
 public:
  ProgramWriter(Input& in, uint32_t pages) : in_(in), pages_(pages) {}

  // A pointer or length: mostly near interesting places, sometimes anything.
  std::string i32() {
    uint32_t end = pages_ * kPage;
    uint32_t v;
    switch (in_.byte() % 8) {
      case 0:
        v = 0;
        break;
      case 1:
        v = 16 + in_.byte() % 32;
        break;  // the strings of the data segment
      case 2:
        v = end - in_.byte();
        break;  // the last bytes of memory
      case 3:
        v = end + in_.byte();
        break;  // just past it
      case 4:
        v = in_.byte();
        break;
      case 5:
        v = 0xffffffffu - in_.byte();
        break;
      case 6:
        v = 1024 + in_.byte() * 16;
        break;
      default:
        v = in_.u32();
        break;
    }
    return "(i32.const " + std::to_string(static_cast<int32_t>(v)) + ")";
  }
  std::string handle() {
    uint8_t b = in_.byte();
    if (b % 4 != 0) return "(global.get $h)";
    return "(i64.const " + std::to_string(static_cast<int64_t>(b / 4) - 8) + ")";
  }
  std::string fd() { return in_.byte() % 4 ? "(global.get $fd)" : i32(); }

  std::string op() {
    switch (in_.byte() % 16) {
      case 0:
        return "(global.set $h (call $load " + i32() + " " + i32() + "))";
      case 1:
        return "(drop (call $attach " + handle() + " " + i32() + " " + i32() + "))";
      case 2:
        return "(global.set $fd (call $map_fd " + handle() + " " + i32() + "))";
      case 3:
        return "(drop (call $poll " + handle() + " " + fd() + " (i32.const " +
               std::to_string(in_.byte() % 8) + ") " + i32() + " " + i32() + " " + i32() +
               " (i32.const 0)))";
      case 4:
        return "(drop (call $map_op " + fd() + " (i32.const " + std::to_string(in_.byte() % 6) +
               ") " + i32() + " " + i32() + " " + i32() + " (i64.const " +
               std::to_string(in_.byte()) + ")))";
      case 5:
        return "(drop (call $close " + handle() + "))";
      case 6:
        return "(i32.store8 (i32.const " + std::to_string(in_.u32() % (pages_ * kPage)) +
               ") (i32.const " + std::to_string(in_.byte()) + "))";
      case 7:
        return "(drop (memory.grow (i32.const " + std::to_string(in_.byte() % 3) + ")))";
      case 8:
        return "(drop (call $fd_write (i32.const " + std::to_string(in_.byte() % 4) + ") " + i32() +
               " " + i32() + " " + i32() + "))";
      case 9:
        return "(drop (call $args_sizes " + i32() + " " + i32() + ")) (drop (call $args_get " +
               i32() + " " + i32() + ")) (drop (call $env_sizes " + i32() + " " + i32() + "))";
      case 10:
        return "(drop (call $clock (i32.const " + std::to_string(in_.byte() % 6) +
               ") (i64.const 1) " + i32() + "))";
      case 11:
        return "(drop (call $random " + i32() + " " + i32() + "))";
      case 12:
        return "(drop (call $fdstat " + i32() + " " + i32() + ")) (drop (call $prestat " + i32() +
               " " + i32() + ")) (drop (call $seek " + i32() + " (i64.const 0) (i32.const 0) " +
               i32() + "))";
      case 13:
        return in_.byte() % 8 == 0 ? "(call $exit (i32.const " + std::to_string(in_.byte()) + "))"
                                   : "(nop)";
      case 14:
        return in_.byte() % 8 == 0 ? "(unreachable)" : "(nop)";
      default:
        return "(drop (i32.load (i32.const " + std::to_string(in_.u32() % (pages_ * kPage - 3)) +
               ")))";
    }
  }

 private:
  Input& in_;
  uint32_t pages_;
};

void check(const lmp::Result<int>& result, const FakeHost& host) {
  if (!result &&
      (result.error().message.empty() || result.error().message.find('\n') != std::string::npos))
    die("error message is empty or not one line: " + result.error().message);
  if (!host.open.empty()) die("run_module returned with an object still open");
}

// The input is a module: run as it is, with a 16 MiB cap and at most 100 ms.
void run_raw_module(std::span<const uint8_t> wasm) {
  FakeHost host;
  host.samples = {std::vector<uint8_t>(64, 1), std::vector<uint8_t>(8, 2)};
  lmp::wasm::RunOptions options;
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(100);
  options.stop_requested = [until] { return std::chrono::steady_clock::now() >= until; };
  options.max_memory_bytes = 16 << 20;
  std::ostringstream out, err;
  check(lmp::wasm::run_module(wasm, {"fuzz.wasm"}, host, out, err, options), host);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size >= 4 && std::memcmp(data, "\0asm", 4) == 0) {
    run_raw_module({data, size});
    return 0;
  }
  Input in(data, size);
  uint8_t setup = in.byte();
  uint32_t pages = 1 + setup % 2;
  uint32_t start_kind = (setup >> 1) & 7;  // 5, 6: _start of the wrong signature
  uint32_t cap_pages = (setup >> 4) & 7;   // 0: the default cap, else that many pages
  FakeHost host;
  for (int n = in.byte() % 4; n > 0; --n)
    host.samples.emplace_back(in.byte() * 3, static_cast<uint8_t>(n));

  ProgramWriter writer(in, pages);
  std::string body;
  for (int i = 0; i < 64 && !in.done(); ++i) body += "    " + writer.op() + "\n";
  std::string wat = "(module " + std::string(lmp::wasm::kWasmBpfImportsWat) + kPreludeRest +
                    "  (memory (export \"memory\") " + std::to_string(pages) +
                    " 4)\n  (func (export \"_start\")" +
                    (start_kind == 5   ? " (param i32)"
                     : start_kind == 6 ? " (result i32)"
                                       : "") +
                    "\n" + body + (start_kind == 6 ? "  (i32.const 0)" : "") + "  ))";
  auto wasm = lmp::wasm::compile_wat(wat);
  if (!wasm) die("generated WAT does not compile: " + wasm.error() + "\n" + wat);

  std::ostringstream out, err;
  int host_calls = 0;
  lmp::wasm::RunOptions options;
  options.stop_requested = [&] { return ++host_calls > 10000; };
  if (cap_pages) options.max_memory_bytes = cap_pages * kPage;
  auto result = lmp::wasm::run_module(*wasm, {"fuzz.wasm", "--x"}, host, out, err, options);
  check(result, host);
  if (result && start_kind >= 5 && start_kind <= 6) die("a _start of the wrong type ran");
  if (result && cap_pages && cap_pages < pages) die("a memory over the cap was allocated");
  return 0;
}
