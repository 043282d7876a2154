#include <gtest/gtest.h>

#include <sstream>

#include "wasm/engine_for_test.h"
#include "wasm/runtime.h"
#include "wasm/wat_for_test.h"

namespace lmp::wasm {
namespace {

// A host with no eBPF: WASI tests never reach it.
struct NoBpfHostWasi : BpfHost {
  int64_t load_object(std::span<const uint8_t>) override { return -1; }
  int attach(int64_t, const std::string&, const std::string&) override { return -1; }
  int map_fd_by_name(int64_t, const std::string&) override { return -1; }
  int buffer_poll(int64_t, int, const SampleCallback&, int) override { return -1; }
  int map_operate(int, int, std::span<uint8_t>, std::span<uint8_t>, std::span<uint8_t>,
                  uint64_t) override {
    return -1;
  }
  int close(int64_t) override { return -1; }
  int map_key_size(int) override { return -1; }
  int map_value_size(int) override { return -1; }
};

struct GuestRun {
  Result<int> result;
  std::string out, err;
};

GuestRun run_guest_wasi(std::string_view wat, std::vector<std::string> args,
                        const RunOptions& options) {
  NoBpfHostWasi host;
  std::ostringstream out, err;
  auto wasm = wat_to_wasm(wat);
  auto result = run_module(wasm, std::move(args), host, out, err, options);
  return GuestRun{std::move(result), out.str(), err.str()};
}

// Every test that runs a module runs it on both engines.
class Wasi : public testing::TestWithParam<Engine> {
 protected:
  GuestRun run_wat(std::string_view wat, std::vector<std::string> args = {"test.wasm"}) const {
    return run_guest_wasi(wat, std::move(args), on_engine(GetParam()));
  }
};
LMP_WASM_ON_BOTH_ENGINES(Wasi);

constexpr std::string_view kFdWrite =
    R"((import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32))))";

TEST_P(Wasi, HelloWorldThroughFdWrite) {
  auto run = run_wat(std::string("(module ") + std::string(kFdWrite) + R"(
    (memory (export "memory") 1)
    (data (i32.const 16) "hello, world\n")
    (func (export "_start")
      (i32.store (i32.const 0) (i32.const 16))
      (i32.store (i32.const 4) (i32.const 13))
      (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
      (i32.store (i32.const 4) (i32.const 5))
      (drop (call $fd_write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 8))))))");
  ASSERT_TRUE(run.result) << run.result.error().message;
  EXPECT_EQ(*run.result, 0);
  EXPECT_EQ(run.out, "hello, world\n");
  EXPECT_EQ(run.err, "hello");
}

TEST_P(Wasi, ArgsAreTheModuleNameAndArguments) {
  // argc becomes the exit code; the argv strings are written to stdout.
  auto run = run_wat(std::string("(module ") + std::string(kFdWrite) + R"(
    (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "args_get" (func $get (param i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
    (memory (export "memory") 1)
    (func (export "_start")
      (drop (call $sizes (i32.const 0) (i32.const 4)))
      (drop (call $get (i32.const 100) (i32.const 200)))
      (i32.store (i32.const 8) (i32.load (i32.const 104)))
      (i32.store (i32.const 12) (i32.sub (i32.load (i32.const 4)) (i32.const 10)))
      (drop (call $fd_write (i32.const 1) (i32.const 8) (i32.const 1) (i32.const 16)))
      (call $exit (i32.load (i32.const 0))))))",
                     {"tool.wasm", "-h"});
  ASSERT_TRUE(run.result) << run.result.error().message;
  EXPECT_EQ(*run.result, 2);
  EXPECT_EQ(run.out, std::string("-h\0", 3));
}

TEST_P(Wasi, ProcExitCodeIsTheResultAndStopsTheGuest) {
  auto run = run_wat(R"((module
    (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
    (func (export "_start") (call $exit (i32.const 42)) unreachable)))");
  ASSERT_TRUE(run.result) << run.result.error().message;
  EXPECT_EQ(*run.result, 42);
}

TEST_P(Wasi, BadIovecIsEfaultNotACrash) {
  // iovec length past the end of memory, iovec array outside memory, then fd 7: 21, 21, 8.
  auto run = run_wat(std::string("(module ") + std::string(kFdWrite) + R"(
    (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
    (memory (export "memory") 1)
    (func (export "_start")
      (i32.store (i32.const 0) (i32.const 16))
      (i32.store (i32.const 4) (i32.const 70000))
      (call $exit (i32.add (i32.mul (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)) (i32.const 10000))
        (i32.add (i32.mul (call $fd_write (i32.const 1) (i32.const 65532) (i32.const 1) (i32.const 8)) (i32.const 100))
          (call $fd_write (i32.const 7) (i32.const 0) (i32.const 0) (i32.const 8))))))))");
  ASSERT_TRUE(run.result) << run.result.error().message;
  EXPECT_EQ(*run.result, 21 * 10000 + 21 * 100 + 8);
  EXPECT_EQ(run.out, "");
}

TEST_P(Wasi, NoPreopensAndClocksWork) {
  auto run = run_wat(R"((module
    (import "wasi_snapshot_preview1" "fd_prestat_get" (func $prestat (param i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "clock_time_get" (func $time (param i32 i64 i32) (result i32)))
    (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
    (memory (export "memory") 1)
    (func (export "_start")
      (if (i32.ne (call $time (i32.const 1) (i64.const 1) (i32.const 8)) (i32.const 0))
        (then (call $exit (i32.const 1))))
      (if (i64.eqz (i64.load (i32.const 8))) (then (call $exit (i32.const 2))))
      (call $exit (call $prestat (i32.const 3) (i32.const 0))))))");
  ASSERT_TRUE(run.result) << run.result.error().message;
  EXPECT_EQ(*run.result, 8);  // EBADF: no preopened directories
}

TEST_P(Wasi, PollOneoffSleepsForAClockSubscription) {
  auto run = run_wat(R"((module
    (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
    (memory (export "memory") 1)
    (func (export "_start")
      (i64.store (i32.const 0) (i64.const 77))
      (i32.store8 (i32.const 8) (i32.const 0))
      (i32.store (i32.const 16) (i32.const 1))
      (i64.store (i32.const 24) (i64.const 20000000))
      (drop (call $poll (i32.const 0) (i32.const 100) (i32.const 1) (i32.const 200)))
      (call $exit (i32.add (i32.load (i32.const 200)) (i32.wrap_i64 (i64.load (i32.const 100))))))))");
  ASSERT_TRUE(run.result) << run.result.error().message;
  EXPECT_EQ(*run.result, 78);  // one event, carrying the subscription's userdata
}

TEST_P(Wasi, UnknownModuleIsRefusedByNameButUnimplementedWasiLoads) {
  auto run = run_wat(R"((module (import "env" "foo" (func)) (func (export "_start"))))");
  ASSERT_FALSE(run.result);
  EXPECT_EQ(run.result.error().message, "module imports env.foo, which lmp does not provide");
  // The file system is not capable (76), anything else unimplemented is ENOSYS (52).
  run = run_wat(R"((module
    (import "wasi_snapshot_preview1" "path_open"
      (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "sock_accept" (func $accept (param i32 i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
    (func (export "_start")
      (call $exit (i32.add
        (i32.mul (call $open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 0)
                             (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 0))
                 (i32.const 100))
        (call $accept (i32.const 3) (i32.const 0) (i32.const 0)))))))");
  ASSERT_TRUE(run.result) << run.result.error().message;
  EXPECT_EQ(*run.result, 76 * 100 + 52);
}

TEST_P(Wasi, WrongImportSignatureIsRefused) {
  auto run = run_wat(R"((module (import "wasi_snapshot_preview1" "proc_exit" (func (param i64)))
    (func (export "_start"))))");
  ASSERT_FALSE(run.result);
  EXPECT_NE(run.result.error().message.find("proc_exit"), std::string::npos);
}

TEST_P(Wasi, TrapsAreCleanErrors) {
  auto run = run_wat(R"((module (func (export "_start") unreachable)))");
  ASSERT_FALSE(run.result);
  EXPECT_EQ(run.result.error().message.rfind("wasm module trapped: ", 0), 0u)
      << run.result.error().message;
  run = run_wat(R"((module (func $f (export "_start") (call $f))))");
  ASSERT_FALSE(run.result);
  EXPECT_EQ(run.result.error().message.rfind("wasm module trapped: ", 0), 0u);
  run = run_wat(
      R"((module (memory 1) (func (export "_start") (drop (i32.load (i32.const 70000))))))");
  ASSERT_FALSE(run.result);
  EXPECT_EQ(run.result.error().message.rfind("wasm module trapped: ", 0), 0u);
  run = run_wat(R"((module (type $t (func (param i32))) (table 1 funcref) (elem (i32.const 0) $g)
    (func $g) (func (export "_start") (call_indirect (type $t) (i32.const 1) (i32.const 0)))))");
  ASSERT_FALSE(run.result);
  EXPECT_EQ(run.result.error().message.rfind("wasm module trapped: ", 0), 0u);
}

TEST(WasiModule, GarbageIsNotAModule) {
  NoBpfHostWasi host;
  std::ostringstream out, err;
  std::vector<uint8_t> garbage{0, 'a', 's', 'm', 9, 9};
  auto result = run_module(garbage, {"x.wasm"}, host, out, err);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message.rfind("invalid wasm module", 0), 0u);
  // One line, one "error:" at most (main adds it): wabt's own text has a line per error.
  EXPECT_EQ(result.error().message.find('\n'), std::string::npos) << result.error().message;
  EXPECT_EQ(result.error().message.find("error:"), std::string::npos) << result.error().message;
}

}  // namespace
}  // namespace lmp::wasm
