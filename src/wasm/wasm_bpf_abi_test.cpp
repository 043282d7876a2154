#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include "wasm/engine_for_test.h"
#include "wasm/runtime.h"
#include "wasm/wat_for_test.h"

namespace lmp::wasm {
namespace {

// Records every call; object 5 has map "counts" (fd 7, 4-byte key, 8-byte value) and ring
// buffer "events" (fd 9) that yields the samples in `samples`.
struct FakeHostWasmBpfAbi : BpfHost {
  std::vector<std::string> calls;
  std::vector<std::string> samples;
  std::vector<int> callback_results;
  int samples_seen = 0;

  int64_t load_object(std::span<const uint8_t> object) override {
    calls.push_back("load " + std::string(object.begin(), object.end()));
    return 5;
  }
  int attach(int64_t handle, const std::string& prog, const std::string& target) override {
    calls.push_back("attach " + std::to_string(handle) + " " + prog + " " + target);
    return 0;
  }
  int map_fd_by_name(int64_t handle, const std::string& name) override {
    calls.push_back("map_fd " + std::to_string(handle) + " " + name);
    return name == "counts" ? 7 : name == "events" ? 9 : -ENOENT;
  }
  int buffer_poll(int64_t handle, int fd, const SampleCallback& callback, int timeout) override {
    calls.push_back("poll " + std::to_string(handle) + " " + std::to_string(fd) + " " +
                    std::to_string(timeout));
    for (const auto& s : samples) {
      ++samples_seen;
      int rc = callback({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
      callback_results.push_back(rc);
      if (rc) return rc;
    }
    return static_cast<int>(samples.size());
  }
  int map_operate(int fd, int cmd, std::span<uint8_t> key, std::span<uint8_t> value,
                  std::span<uint8_t> next_key, uint64_t flags) override {
    uint32_t k = 0;
    if (key.size() == 4) std::memcpy(&k, key.data(), 4);
    calls.push_back("map_operate " + std::to_string(fd) + " " + std::to_string(cmd) +
                    " key=" + std::to_string(k) + " value=" + std::to_string(value.size()) +
                    " next=" + std::to_string(next_key.size()) + " flags=" + std::to_string(flags));
    if (cmd == 1) {
      uint64_t v = 42;
      std::memcpy(value.data(), &v, 8);
    }
    return 0;
  }
  int close(int64_t handle) override {
    calls.push_back("close " + std::to_string(handle));
    return 0;
  }
  int map_key_size(int fd) override { return fd == 7 ? 4 : -EINVAL; }
  int map_value_size(int fd) override { return fd == 7 ? 8 : -EINVAL; }
};

// After the wasm_bpf imports (wasm/wat.h): fd_write, proc_exit and data the tests point at.
constexpr std::string_view kPreludeRest = R"(
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "ELF!")
  (data (i32.const 200) "handle_exec\00")
  (data (i32.const 220) "tp/sched\00")
  (data (i32.const 240) "counts\00")
  (data (i32.const 250) "events\00")
  (data (i32.const 300) "\03\00\00\00")
  (global $obj (mut i64) (i64.const 0))
  ;; Stores result i at 1024 + 4 * i.
  (func $r (param i32 i32) (i32.store (i32.add (i32.const 1024) (i32.shl (local.get 0) (i32.const 2))) (local.get 1)))
  ;; Writes the n results to stdout.
  (func $dump (param i32)
    (i32.store (i32.const 0) (i32.const 1024))
    (i32.store (i32.const 4) (i32.shl (local.get 0) (i32.const 2)))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
)";

struct GuestRunWasmBpfAbi {
  Result<int> result;
  std::string out;
  std::vector<int32_t> results;
};

GuestRunWasmBpfAbi run_guest_wasm_bpf_abi(FakeHostWasmBpfAbi& host, std::string_view body,
                                          const RunOptions& options) {
  std::ostringstream out, err;
  auto wasm = wat_to_wasm("(module " + std::string(kWasmBpfImportsWat) + std::string(kPreludeRest) +
                          std::string(body) + ")");
  GuestRunWasmBpfAbi run{run_module(wasm, {"app.wasm"}, host, out, err, options), out.str(), {}};
  for (size_t i = 0; i + 4 <= run.out.size(); i += 4) {
    int32_t v;
    std::memcpy(&v, run.out.data() + i, 4);
    run.results.push_back(v);
  }
  return run;
}

// Every test runs on both engines.
class WasmBpfAbi : public testing::TestWithParam<Engine> {
 protected:
  GuestRunWasmBpfAbi run_wat(FakeHostWasmBpfAbi& host, std::string_view body,
                             const RunOptions& options = {}) const {
    return run_guest_wasm_bpf_abi(host, body, on_engine(GetParam(), options));
  }
};
LMP_WASM_ON_BOTH_ENGINES(WasmBpfAbi);

TEST_P(WasmBpfAbi, LoadAttachMapOperateCloseRoundTrip) {
  FakeHostWasmBpfAbi host;
  auto run = run_wat(host, R"(
    (func (export "_start") (local $fd i32)
      (global.set $obj (call $load (i32.const 100) (i32.const 4)))
      (call $r (i32.const 0) (i32.wrap_i64 (global.get $obj)))
      (call $r (i32.const 1) (call $attach (global.get $obj) (i32.const 200) (i32.const 220)))
      (local.set $fd (call $map_fd (global.get $obj) (i32.const 240)))
      (call $r (i32.const 2) (local.get $fd))
      (call $r (i32.const 3) (call $map_op (local.get $fd) (i32.const 1) (i32.const 300) (i32.const 400) (i32.const 0) (i64.const 0)))
      (call $r (i32.const 4) (i32.load (i32.const 400)))
      (call $r (i32.const 5) (call $map_op (local.get $fd) (i32.const 2) (i32.const 300) (i32.const 400) (i32.const 0) (i64.const 1)))
      (call $r (i32.const 6) (call $map_op (local.get $fd) (i32.const 4) (i32.const 0) (i32.const 0) (i32.const 500) (i64.const 0)))
      (call $r (i32.const 7) (call $close (global.get $obj)))
      (call $dump (i32.const 8)))
  )");
  ASSERT_TRUE(run.result) << run.result.error().message;
  EXPECT_EQ(run.results, (std::vector<int32_t>{5, 0, 7, 0, 42, 0, 0, 0}));
  EXPECT_EQ(host.calls, (std::vector<std::string>{
                            "load ELF!", "attach 5 handle_exec tp/sched", "map_fd 5 counts",
                            "map_operate 7 1 key=3 value=8 next=0 flags=0",
                            "map_operate 7 2 key=3 value=8 next=0 flags=1",
                            "map_operate 7 4 key=0 value=0 next=4 flags=0", "close 5"}));
}

TEST_P(WasmBpfAbi, BufferPollCallsTheGuestOncePerSampleWithTheSampleCopied) {
  FakeHostWasmBpfAbi host;
  host.samples = {"abc", "defgh"};
  // The callback writes (buf, size) to stdout; ctx is the scratch address for its iovec.
  auto run = run_wat(host, R"(
    (table (export "__indirect_function_table") 2 funcref)
    (elem (i32.const 1) $on_event)
    (func $on_event (param $ctx i32) (param $buf i32) (param $size i32) (result i32)
      (i32.store (local.get $ctx) (local.get $buf))
      (i32.store (i32.add (local.get $ctx) (i32.const 4)) (local.get $size))
      (drop (call $fd_write (i32.const 1) (local.get $ctx) (i32.const 1) (i32.add (local.get $ctx) (i32.const 8))))
      (i32.const 0))
    (func (export "_start")
      (global.set $obj (call $load (i32.const 100) (i32.const 4)))
      (call $exit (call $poll (global.get $obj) (call $map_fd (global.get $obj) (i32.const 250))
        (i32.const 1) (i32.const 600) (i32.const 700) (i32.const 4) (i32.const 100))))
  )");
  ASSERT_TRUE(run.result) << run.result.error().message;
  EXPECT_EQ(*run.result, 2);
  EXPECT_EQ(run.out, "abcdefg");  // the second sample is truncated to max = 4
  EXPECT_EQ(host.callback_results, (std::vector<int>{0, 0}));
  EXPECT_EQ(host.calls.back(), "close 5");  // left open by the guest, closed by the runtime
}

// Found by src/wasm/runtime_fuzz.cpp: a callback closing the object whose buffer is being
// polled would free that buffer under the poll.
TEST_P(WasmBpfAbi, CloseInsideTheCallbackIsBusy) {
  FakeHostWasmBpfAbi host;
  host.samples = {"abc"};
  auto run = run_wat(host, R"(
    (table (export "__indirect_function_table") 2 funcref)
    (elem (i32.const 1) $on_event)
    (func $on_event (param i32 i32 i32) (result i32)
      (call $r (i32.const 0) (call $close (global.get $obj)))
      (i32.const 0))
    (func (export "_start")
      (global.set $obj (call $load (i32.const 100) (i32.const 4)))
      (call $r (i32.const 1) (call $poll (global.get $obj) (call $map_fd (global.get $obj) (i32.const 250))
        (i32.const 1) (i32.const 600) (i32.const 700) (i32.const 4) (i32.const 100)))
      (call $r (i32.const 2) (call $close (global.get $obj)))
      (call $dump (i32.const 3)))
  )");
  ASSERT_TRUE(run.result) << run.result.error().message;
  EXPECT_EQ(run.results, (std::vector<int32_t>{-EBUSY, 1, 0}));
}

TEST_P(WasmBpfAbi, BadPointersLengthsAndHandlesAreCleanErrors) {
  FakeHostWasmBpfAbi host;
  auto run = run_wat(host, R"(
    (func (export "_start")
      (i32.store (i32.const 65532) (i32.const 0x41414141))  ;; no NUL before the end
      (call $r (i32.const 0) (i32.wrap_i64 (call $load (i32.const 65000) (i32.const 1000))))
      (call $r (i32.const 1) (i32.wrap_i64 (call $load (i32.const -16) (i32.const 32))))
      (call $r (i32.const 2) (call $attach (i64.const 12345) (i32.const 200) (i32.const 0)))
      (global.set $obj (call $load (i32.const 100) (i32.const 4)))
      (call $r (i32.const 3) (call $attach (global.get $obj) (i32.const 65532) (i32.const 0)))
      (call $r (i32.const 4) (call $attach (global.get $obj) (i32.const 70000) (i32.const 0)))
      (call $r (i32.const 5) (call $map_op (i32.const 7) (i32.const 1) (i32.const 300) (i32.const 400) (i32.const 0) (i64.const 0)))
      (drop (call $map_fd (global.get $obj) (i32.const 240)))
      (call $r (i32.const 6) (call $map_op (i32.const 7) (i32.const 1) (i32.const 65534) (i32.const 400) (i32.const 0) (i64.const 0)))
      (call $r (i32.const 7) (call $poll (global.get $obj) (i32.const 7) (i32.const 1) (i32.const 0) (i32.const 65000) (i32.const 1000) (i32.const 0)))
      (call $r (i32.const 8) (call $close (i64.const 12345)))
      (call $dump (i32.const 9)))
  )");
  ASSERT_TRUE(run.result) << run.result.error().message;
  EXPECT_EQ(run.results, (std::vector<int32_t>{0, 0, -EINVAL, -EFAULT, -EFAULT, -EBADF, -EFAULT,
                                               -EFAULT, -EINVAL}));
  EXPECT_EQ(host.calls, (std::vector<std::string>{"load ELF!", "map_fd 5 counts", "close 5"}));
}

TEST_P(WasmBpfAbi, TrapClosesEveryObjectTheGuestLoaded) {
  FakeHostWasmBpfAbi host;
  auto run = run_wat(host, R"(
    (func (export "_start")
      (drop (call $load (i32.const 100) (i32.const 4)))
      unreachable)
  )");
  ASSERT_FALSE(run.result);
  EXPECT_EQ(run.result.error().message.rfind("wasm module trapped: ", 0), 0u)
      << run.result.error().message;
  EXPECT_NE(run.result.error().message.find("nreachable"), std::string::npos)
      << run.result.error().message;
  EXPECT_EQ(host.calls, (std::vector<std::string>{"load ELF!", "close 5"}));
}

TEST_P(WasmBpfAbi, TrapInsideTheCallbackEndsTheRun) {
  FakeHostWasmBpfAbi host;
  host.samples = {"abc", "def"};
  auto run = run_wat(host, R"(
    (table (export "__indirect_function_table") 1 funcref)
    (elem (i32.const 0) $on_event)
    (func $on_event (param i32 i32 i32) (result i32) unreachable)
    (func (export "_start")
      (global.set $obj (call $load (i32.const 100) (i32.const 4)))
      (drop (call $poll (global.get $obj) (call $map_fd (global.get $obj) (i32.const 250))
        (i32.const 0) (i32.const 0) (i32.const 700) (i32.const 64) (i32.const 0))))
  )");
  ASSERT_FALSE(run.result);
  EXPECT_EQ(run.result.error().message.rfind("wasm module trapped: ", 0), 0u);
  EXPECT_EQ(host.callback_results.size(), 1u);
  EXPECT_EQ(host.calls.back(), "close 5");
}

// ../shared/repro/cb_slow.wat: a stop waited for up to 64 (slow) callbacks.
TEST_P(WasmBpfAbi, StopIsCheckedAfterEveryCallback) {
  FakeHostWasmBpfAbi host;
  host.samples.assign(200, "abc");
  RunOptions options;
  options.stop_requested = [&host] { return host.samples_seen > 0; };
  auto run = run_wat(host, R"(
    (table (export "__indirect_function_table") 2 funcref)
    (elem (i32.const 1) $on_event)
    (func $on_event (param i32 i32 i32) (result i32) (i32.const 0))
    (func (export "_start")
      (global.set $obj (call $load (i32.const 100) (i32.const 4)))
      (drop (call $poll (global.get $obj) (call $map_fd (global.get $obj) (i32.const 250))
        (i32.const 1) (i32.const 600) (i32.const 700) (i32.const 4) (i32.const -1))))
  )",
                     options);
  ASSERT_TRUE(run.result) << run.result.error().message;
  EXPECT_EQ(*run.result, kStoppedExitCode);
  EXPECT_EQ(host.samples_seen, 1);
  EXPECT_EQ(host.calls.back(), "close 5");
}

// The callback index is checked against the table before wabt is asked to call it: out of
// the table, empty, or of another type is -EINVAL, never a call with the wrong arguments.
TEST_P(WasmBpfAbi, BadCallbackIndexIsEinval) {
  FakeHostWasmBpfAbi host;
  host.samples = {"abc"};
  auto run = run_wat(host, R"(
    (table (export "__indirect_function_table") 4 funcref)
    (elem (i32.const 1) $wrong_params $wrong_result $ok)
    (func $wrong_params (param i32) (result i32) (i32.const 0))
    (func $wrong_result (param i32 i32 i32) (result i64) (i64.const 0))
    (func $ok (param i32 i32 i32) (result i32) (i32.const 0))
    (func $poll_with (param $cb i32) (result i32)
      (call $poll (global.get $obj) (call $map_fd (global.get $obj) (i32.const 250))
        (local.get $cb) (i32.const 600) (i32.const 700) (i32.const 4) (i32.const 0)))
    (func (export "_start")
      (global.set $obj (call $load (i32.const 100) (i32.const 4)))
      (call $r (i32.const 0) (call $poll_with (i32.const 0)))  ;; empty
      (call $r (i32.const 1) (call $poll_with (i32.const 1)))
      (call $r (i32.const 2) (call $poll_with (i32.const 2)))
      (call $r (i32.const 3) (call $poll_with (i32.const 4)))  ;; out of the table
      (call $r (i32.const 4) (call $poll_with (i32.const -1)))
      (call $r (i32.const 5) (call $poll_with (i32.const 3)))
      (call $dump (i32.const 6)))
  )");
  ASSERT_TRUE(run.result) << run.result.error().message;
  EXPECT_EQ(run.results, (std::vector<int32_t>{-EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, 1}));
  EXPECT_EQ(host.samples_seen, 1);
}

}  // namespace
}  // namespace lmp::wasm
