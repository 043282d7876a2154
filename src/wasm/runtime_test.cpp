// What the runtime checks before and while it runs a module: the signatures of what it
// calls, the memory and table caps, and stops (Ctrl-C, --duration) of guests that never wait.
#include "wasm/runtime.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <sstream>

#include "wasm/engine_for_test.h"
#include "wasm/wat_for_test.h"

namespace lmp::wasm {
namespace {

// A host with no eBPF objects: every load fails.
struct NoObjectsHost : BpfHost {
  int64_t load_object(std::span<const uint8_t>) override { return -EINVAL; }
  int attach(int64_t, const std::string&, const std::string&) override { return -EINVAL; }
  int map_fd_by_name(int64_t, const std::string&) override { return -EINVAL; }
  int buffer_poll(int64_t, int, const SampleCallback&, int) override { return -EINVAL; }
  int map_operate(int, int, std::span<uint8_t>, std::span<uint8_t>, std::span<uint8_t>,
                  uint64_t) override {
    return -EINVAL;
  }
  int close(int64_t) override { return -EINVAL; }
  int map_key_size(int) override { return -EINVAL; }
  int map_value_size(int) override { return -EINVAL; }
};

struct Outcome {
  Result<int> result;
  std::string out;
};

Outcome run_guest(std::string_view wat, const RunOptions& options) {
  NoObjectsHost host;
  std::ostringstream out, err;
  auto wasm = wat_to_wasm(wat);
  Result<int> result = run_module(wasm, {"x.wasm"}, host, out, err, options);
  return {std::move(result), out.str()};
}

void expect_error(const Outcome& run, ExitCode code, std::string_view text) {
  ASSERT_FALSE(run.result);
  EXPECT_EQ(run.result.error().code, code);
  EXPECT_NE(run.result.error().message.find(text), std::string::npos) << run.result.error().message;
  EXPECT_EQ(run.result.error().message.find('\n'), std::string::npos);
}

// Every test that runs a module runs it on both engines.
class WasmRuntime : public testing::TestWithParam<Engine> {
 protected:
  Outcome run_wat(std::string_view wat, const RunOptions& options = {}) const {
    return run_guest(wat, on_engine(GetParam(), options));
  }
};
LMP_WASM_ON_BOTH_ENGINES(WasmRuntime);

// ../shared/repro/wasm_start_with_param.wat: wabt asserted inside Func::Call.
TEST_P(WasmRuntime, StartWithTheWrongSignatureIsABadModule) {
  expect_error(run_wat(R"((module (memory (export "memory") 1)
                            (func (export "_start") (param i32))))"),
               ExitCode::kBadPackage, "_start is (i32) -> (), but lmp calls it as () -> ()");
  expect_error(run_wat(R"((module (func (export "_start") (result i32) (i32.const 7))))"),
               ExitCode::kBadPackage, "_start is () -> (i32)");
}

TEST_P(WasmRuntime, AStartThatIsNotAFunctionIsMissing) {
  expect_error(run_wat(R"((module (global (export "_start") i32 (i32.const 0))))"),
               ExitCode::kBadPackage, "does not export _start");
}

TEST_P(WasmRuntime, DeclaredMemoryOverTheCapIsRefusedBeforeItIsAllocated) {
  // 4097 pages: 64 KiB over the default 256 MiB.
  expect_error(run_wat(R"((module (memory 4097) (func (export "_start"))))"), ExitCode::kBadPackage,
               "needs 262208 KiB of memory to start, more than the limit of 256 MiB");
}

TEST_P(WasmRuntime, MemoryGrowPastTheCapFails) {
  RunOptions options;
  options.max_memory_bytes = 3 * 65536 + 100;  // rounded down to 3 pages
  // Exit code: the page count after growing by 1, then 1, then the -1 of a refused grow.
  auto run = run_wat(R"((module
    (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
    (memory (export "memory") 1 100)
    (func (export "_start")
      (drop (memory.grow (i32.const 1)))
      (drop (memory.grow (i32.const 1)))
      (if (i32.ne (memory.grow (i32.const 1)) (i32.const -1)) (then unreachable))
      (if (i32.ne (memory.grow (i32.const 1000)) (i32.const -1)) (then unreachable))
      (call $exit (memory.size)))))",
                     options);
  ASSERT_TRUE(run.result) << run.result.error().message;
  EXPECT_EQ(*run.result, 3);
}

TEST_P(WasmRuntime, MemoryWithoutAMaximumIsCappedToo) {
  RunOptions options;
  options.max_memory_bytes = 2 * 65536;
  auto run = run_wat(R"((module
    (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
    (memory (export "memory") 2)
    (func (export "_start") (call $exit (i32.add (memory.grow (i32.const 1)) (i32.const 10))))))",
                     options);
  ASSERT_TRUE(run.result) << run.result.error().message;
  EXPECT_EQ(*run.result, 9);  // -1 + 10
}

TEST_P(WasmRuntime, HugeTablesAreRefused) {
  expect_error(run_wat(R"((module (table 2000000 funcref) (func (export "_start"))))"),
               ExitCode::kBadPackage, "table of 2000000 elements");
}

TEST(WasmRuntimeOptions, ParseMemorySize) {
  EXPECT_EQ(parse_memory_size("256M"), uint64_t{256} << 20);
  EXPECT_EQ(parse_memory_size("512MiB"), uint64_t{512} << 20);
  EXPECT_EQ(parse_memory_size("64k"), uint64_t{64} << 10);
  EXPECT_EQ(parse_memory_size("4G"), uint64_t{4} << 30);
  EXPECT_EQ(parse_memory_size("1048576"), uint64_t{1} << 20);
  for (std::string_view bad :
       {"", "M", "1T", "4097M", "5G", "1K", "12x", "-1M", "99999999999999999999"}) {
    auto size = parse_memory_size(bad);
    ASSERT_FALSE(size) << bad;
    EXPECT_EQ(size.error().code, ExitCode::kUsage);
  }
}

// A guest that spins on a host call that does not wait is stopped by the duration: at once
// for sched_yield and a failing poll (waits), after the grace for others (fd_write).
TEST_P(WasmRuntime, DurationStopsAGuestSpinningOnSchedYield) {
  RunOptions options;
  options.duration = std::chrono::milliseconds(0);
  auto run = run_wat(R"((module
    (import "wasi_snapshot_preview1" "sched_yield" (func $yield (result i32)))
    (func (export "_start") (loop $l (drop (call $yield)) (br $l)))))",
                     options);
  ASSERT_TRUE(run.result) << run.result.error().message;
  EXPECT_EQ(*run.result, kStoppedExitCode);
}

TEST_P(WasmRuntime, DurationStopsAGuestSpinningOnAFailingPoll) {
  RunOptions options;
  options.duration = std::chrono::milliseconds(0);
  auto run = run_wat("(module " + std::string(kWasmBpfImportsWat) + R"(
    (func (export "_start")
      (loop $l (drop (call $poll (i64.const 1) (i32.const 1) (i32.const 0) (i32.const 0)
                                 (i32.const 0) (i32.const 0) (i32.const 0))) (br $l)))))",
                     options);
  ASSERT_TRUE(run.result) << run.result.error().message;
  EXPECT_EQ(*run.result, kStoppedExitCode);
}

TEST_P(WasmRuntime, DurationStopsAGuestSpinningOnFdWriteAfterTheGrace) {
  RunOptions options;
  options.duration = std::chrono::milliseconds(0);
  auto start = std::chrono::steady_clock::now();
  auto run = run_wat(R"((module
    (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
    (memory (export "memory") 1)
    (func (export "_start")
      (loop $l (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 8))) (br $l)))))",
                     options);
  ASSERT_TRUE(run.result) << run.result.error().message;
  EXPECT_EQ(*run.result, kStoppedExitCode);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

// A guest that never calls the host is interrupted through the stop checks the runtime
// adds to every function entry and loop (wasm/stop_checks.h).
TEST_P(WasmRuntime, StopInterruptsALoopThatNeverCallsTheHost) {
  RunOptions options;
  int asked = 0;
  options.stop_requested = [&] { return ++asked > 3; };
  auto run = run_wat(R"((module (func (export "_start") (loop $l (br $l)))))", options);
  ASSERT_TRUE(run.result) << run.result.error().message;
  EXPECT_EQ(*run.result, kStoppedExitCode);
}

TEST_P(WasmRuntime, StopInterruptsRecursionWithoutLoops) {
  RunOptions options;
  int asked = 0;
  options.stop_requested = [&] { return ++asked > 3; };
  // 2^60 calls, never deeper than 60.
  auto run = run_wat(R"((module
    (func $f (param i32) (if (local.get 0) (then
      (call $f (i32.sub (local.get 0) (i32.const 1)))
      (call $f (i32.sub (local.get 0) (i32.const 1))))))
    (func (export "_start") (call $f (i32.const 60)))))",
                     options);
  ASSERT_TRUE(run.result) << run.result.error().message;
  EXPECT_EQ(*run.result, kStoppedExitCode);
}

TEST_P(WasmRuntime, DurationStopsALoopThatNeverCallsTheHostAfterTheGrace) {
  RunOptions options;
  options.duration = std::chrono::milliseconds(0);
  auto run = run_wat(R"((module (func (export "_start") (loop $l (br $l)))))", options);
  ASSERT_TRUE(run.result) << run.result.error().message;
  EXPECT_EQ(*run.result, kStoppedExitCode);
}

// The checks must not change what a module computes: loops, a start function that runs long
// before the check is installed, call_indirect through the module's own table.
TEST_P(WasmRuntime, StopChecksKeepTheModulesBehaviour) {
  auto run = run_wat(R"((module
    (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
    (type $t (func (param i32) (result i32)))
    (table 2 funcref)
    (elem (i32.const 1) $double)
    (global $sum (mut i32) (i32.const 0))
    (func $double (param i32) (result i32) (i32.shl (local.get 0) (i32.const 1)))
    (func $init (local $i i32)
      (loop $l
        (global.set $sum (i32.add (global.get $sum) (i32.const 1)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (i32.const 100000)))))
    (start $init)
    (func (export "_start")
      (call $exit (i32.sub (call_indirect (type $t) (global.get $sum) (i32.const 1))
                           (i32.const 199958))))))");
  ASSERT_TRUE(run.result) << run.result.error().message;
  EXPECT_EQ(*run.result, 42);
}

TEST_P(WasmRuntime, ProcExitInTheStartFunctionIsTheExitCode) {
  auto run = run_wat(R"((module
    (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
    (func $init (call $exit (i32.const 7)))
    (start $init)
    (func (export "_start") unreachable)))");
  ASSERT_TRUE(run.result) << run.result.error().message;
  EXPECT_EQ(*run.result, 7);
}

}  // namespace
}  // namespace lmp::wasm
