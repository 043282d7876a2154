// WebAssembly user space on the real kernel: guests from tests/wasm_guests (compiled at build
// time for wasm32-wasi) run under `lmp run` and call the wasm_bpf imports directly on
// tests/programs/wasm_abi, built with `lmp build`. Guests have no file system, so they read
// the eBPF object from stdin; they print one "name=value" line per result. Every WasmTest runs
// on both engines (--wasm-engine=interp and compiled); wasm_cache_test.cpp checks the
// compiled engine's cache.
#include <memory>

#include "wasm_process.h"

namespace lmp::test {
namespace {

// `bpftool net show dev lo`: lists tc and xdp programs attached to lo.
std::string programs_on_lo() {
  return run_program({"bpftool", "net", "show", "dev", "lo"}).out;
}

void open_file(const fs::path& path) {
  int fd = open(path.c_str(), O_CREAT | O_RDONLY, 0600);
  if (fd >= 0) close(fd);
}

// Every test runs on both engines; the suite shares one LMP_HOME, so each module is compiled
// once.
class WasmTest : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() {
    packages_ = new PackageSet(source_dir() / "tests/programs", {"wasm_abi"});
    dir_ = new TempDir;
    private_dir(dir_->path() / "home");
    private_dir(dir_->path() / "nobody-home", 65534);
  }
  static void TearDownTestSuite() {
    delete packages_;
    packages_ = nullptr;
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override { LMP_REQUIRE_BPF_OR_SKIP(); }

  // The eBPF object `lmp build` wrote beside the package.json.
  static fs::path object() {
    return fs::path(packages_->path("wasm_abi")).parent_path() / "wasm_abi.bpf.o";
  }
  // `args` with this test's engine after "run".
  std::vector<std::string> lmp_args(std::vector<std::string> args) const {
    if (!args.empty() && args[0] == "run")
      args.insert(args.begin() + 1, "--wasm-engine=" + GetParam());
    return args;
  }
  static std::vector<std::string> env() { return {"LMP_HOME=" + (dir_->path() / "home").string()}; }
  Ran run(const std::vector<std::string>& args, const fs::path& stdin_file = "/dev/null") const {
    return run_process(lmp_args(args), stdin_file, env());
  }
  std::unique_ptr<LmpProcess> start(const std::vector<std::string>& args,
                                    const fs::path& stdin_file = "/dev/null") const {
    return std::make_unique<LmpProcess>(lmp_args(args), stdin_file, env());
  }
  Ran abi(const std::vector<std::string>& guest_args) const {
    std::vector<std::string> args{"run", guest("abi").string()};
    args.insert(args.end(), guest_args.begin(), guest_args.end());
    return run(args, object());
  }
  void expect_own_event(const std::string& mode, const std::string& map) const;
  void expect_prompt_stop(const std::string& mode, int sig) const;

  static PackageSet* packages_;
  static TempDir* dir_;
};

PackageSet* WasmTest::packages_ = nullptr;
TempDir* WasmTest::dir_ = nullptr;

INSTANTIATE_TEST_SUITE_P(Engines, WasmTest, ::testing::Values("interp", "compiled"),
                         [](const auto& info) { return info.param; });

TEST_P(WasmTest, ProcExitCodeIsLmpExitCodeAndArgv0IsTheModuleName) {
  Ran ran = run({"run", guest("abi").string(), "exit", "7"});
  EXPECT_EQ(ran.exit_code, 7) << ran;
  EXPECT_EQ(value_of(ran.out, "argv0"), "abi") << ran;
  ran = run({"run", guest("abi").string(), "exit", "0"});
  EXPECT_EQ(ran.exit_code, 0) << ran;
  EXPECT_EQ(ran.err, "");
}

// Privileges are checked at the first load: what the guest does before (usage, option
// errors) works for anyone; the load ends the run with lmp's permission error, exit 4.
TEST_P(WasmTest, UnprivilegedUserRunsTheGuestUntilItLoads) {
  RunOptions nobody;
  nobody.as_nobody = true;
  nobody.env = {"LMP_HOME=" + (dir_->path() / "nobody-home").string()};
  Outcome before = run_lmp(lmp_args({"run", guest("abi").string(), "exit", "3"}), nobody);
  EXPECT_EQ(before.exit_code, 3) << before.err;
  EXPECT_EQ(before.err, "");
  Outcome load = run_lmp(lmp_args({"run", guest("abi").string(), "load"}), nobody);
  EXPECT_EQ(load.exit_code, 4) << load.err;
  EXPECT_NE(load.err.find("needs root or CAP_BPF"), std::string::npos) << load.err;
  EXPECT_EQ(load.out.find("load failed"), std::string::npos) << load.out;
}

TEST_P(WasmTest, DirectoryWithPackageJsonAndAppWasmRunsTheModule) {
  TempDir dir;
  fs::path tool = dir.path() / "mytool";
  fs::create_directories(tool);
  fs::copy_file(packages_->path("wasm_abi"), tool / "package.json");
  // As lmp build-wasm makes it: the module carries the package's eBPF object (else lmp
  // refuses it as stale).
  write_file(tool / "app.wasm",
             with_custom_section(slurp(guest("abi")), "lmp.test.object", slurp(object())));
  Ran ran = run({"run", tool.string(), "exit", "5"});
  EXPECT_EQ(ran.exit_code, 5) << ran;
  EXPECT_EQ(value_of(ran.out, "argv0"), "mytool") << ran;
}

TEST_P(WasmTest, JsonFlagDoesNotApplyAndSaysSo) {
  Ran ran = run({"run", "--json", guest("abi").string(), "exit", "0"});
  EXPECT_EQ(ran.exit_code, 0) << ran;
  EXPECT_NE(ran.err.find("do not apply to a WebAssembly module"), std::string::npos) << ran;
  EXPECT_EQ(line_count(ran.err), 1) << ran;
}

TEST_P(WasmTest, TrapIsOneLineErrorWithExitCode1) {
  Ran ran = run({"run", guest("abi").string(), "trap"});
  EXPECT_EQ(ran.exit_code, 1) << ran;
  EXPECT_NE(ran.err.find("wasm module trapped"), std::string::npos) << ran;
  EXPECT_EQ(line_count(ran.err), 1) << ran;
}

// A trap with programs attached (tc on lo, which outlives a process, and a tracepoint):
// one line, exit 1, everything detached.
TEST_P(WasmTest, TrapsWithProgramsAttachedEndCleanly) {
  for (std::string how : {"unreachable", "oob", "recurse"}) {
    Ran ran = abi({"crash", how});
    EXPECT_EQ(ran.exit_code, 1) << how << ": " << ran;
    EXPECT_EQ(value_of(ran.out, "tc_target"), "0") << how << ": " << ran;
    EXPECT_EQ(ran.err.rfind("error: ", 0), 0u) << how << ": " << ran;
    EXPECT_NE(ran.err.find("wasm module trapped: "), std::string::npos) << how << ": " << ran;
    EXPECT_EQ(line_count(ran.err), 1) << how << ": " << ran;
    EXPECT_EQ(programs_on_lo().find("wasm_tc_ingress"), std::string::npos)
        << how << ": tc program still attached after the trap";
  }
}

// A module linked against WASI functions lmp does not implement loads; the calls fail.
TEST_P(WasmTest, UnimplementedWasiFunctionsLoadAndFailWhenCalled) {
  Ran ran = run({"run", guest("wasi_unimpl").string()});
  EXPECT_EQ(ran.exit_code, 0) << ran;
  EXPECT_EQ(value_of(ran.out, "path_open"), "76") << ran;  // ENOTCAPABLE
  EXPECT_EQ(value_of(ran.out, "path_filestat_get"), "76") << ran;
  EXPECT_EQ(value_of(ran.out, "fd_readdir"), "76") << ran;
  EXPECT_EQ(value_of(ran.out, "sock_accept"), "52") << ran;  // ENOSYS
  EXPECT_EQ(value_of(ran.out, "proc_raise"), "52") << ran;
}

TEST_P(WasmTest, MissingImportIsRefused) {
  Ran ran = run({"run", guest("missing_import").string()});
  EXPECT_EQ(ran.exit_code, 3) << ran;
  EXPECT_NE(ran.err.find("module imports env.foo, which lmp does not provide"), std::string::npos)
      << ran;
  EXPECT_EQ(line_count(ran.err), 1) << ran;
}

TEST_P(WasmTest, NotAModuleAndTruncatedModuleAreRefused) {
  TempDir dir;
  fs::path garbage = dir.path() / "garbage.wasm";
  std::ofstream(garbage) << "this is not wasm";
  Ran ran = run({"run", garbage.string()});
  EXPECT_EQ(ran.exit_code, 3) << ran;
  EXPECT_NE(ran.err.find("is not a WebAssembly module"), std::string::npos) << ran;
  EXPECT_EQ(line_count(ran.err), 1) << ran;

  fs::path truncated = dir.path() / "truncated.wasm";
  std::ofstream(truncated, std::ios::binary) << slurp(guest("abi")).substr(0, 200);
  ran = run({"run", truncated.string()});
  EXPECT_EQ(ran.exit_code, 3) << ran;
  EXPECT_NE(ran.err.find("invalid wasm module"), std::string::npos) << ran;
}

TEST_P(WasmTest, LoadsARealObject) {
  Ran ran = abi({"load"});
  EXPECT_EQ(ran.exit_code, 0) << ran;
  EXPECT_EQ(value_of(ran.out, "loaded"), "1") << ran;
}

TEST_P(WasmTest, BadArgumentsReturnErrorsWithoutEndingTheRun) {
  Ran ran = abi({"bad"});
  EXPECT_EQ(ran.exit_code, 0) << ran;
  EXPECT_EQ(value_of(ran.out, "garbage_load"), "0") << ran;
  EXPECT_EQ(value_of(ran.out, "bad_pointer_load"), "0") << ran;
  EXPECT_EQ(value_of(ran.out, "too_long_load"), "0") << ran;
  EXPECT_EQ(value_of(ran.out, "unknown_handle_attach"), "-22") << ran;
  EXPECT_EQ(value_of(ran.out, "unknown_handle_map"), "-22") << ran;
  EXPECT_EQ(value_of(ran.out, "unknown_handle_close"), "-22") << ran;
  EXPECT_EQ(value_of(ran.out, "unknown_fd_map_operate"), "-9") << ran;
  EXPECT_EQ(value_of(ran.out, "bad_pointer_name"), "-14") << ran;
  EXPECT_EQ(value_of(ran.out, "too_long_poll"), "-14") << ran;
  EXPECT_EQ(value_of(ran.out, "bad_callback_poll"), "-22") << ran;
  EXPECT_EQ(value_of(ran.out, "bad_key_pointer"), "-14") << ran;
  EXPECT_EQ(value_of(ran.out, "bad_cmd"), "-22") << ran;
  EXPECT_EQ(value_of(ran.out, "tc_target"), "0") << ran;
  EXPECT_EQ(value_of(ran.out, "bad_pointer_attach"), "-14") << ran;
  EXPECT_EQ(value_of(ran.out, "bad_target_attach"), "-14") << ran;
  EXPECT_EQ(value_of(ran.out, "bad_buffer_poll"), "-14") << ran;
  EXPECT_EQ(value_of(ran.out, "bad_go_poll"), "-14") << ran;
  EXPECT_EQ(value_of(ran.out, "bad_value_pointer"), "-14") << ran;
  EXPECT_EQ(value_of(ran.out, "bad_next_key_pointer"), "-14") << ran;
  EXPECT_EQ(programs_on_lo().find("wasm_tc_ingress"), std::string::npos)
      << "tc program still attached after the run";
  // The garbage object is explained in one line.
  EXPECT_NE(ran.err.find("warning: wasm_load_bpf_object: "), std::string::npos) << ran;
}

TEST_P(WasmTest, AttachBySectionAndByTarget) {
  Ran ran = abi({"attach"});
  EXPECT_EQ(ran.exit_code, 0) << ran;
  EXPECT_EQ(value_of(ran.out, "unknown_prog"), "-2") << ran;
  EXPECT_EQ(value_of(ran.out, "by_section"), "0") << ran;
  EXPECT_EQ(value_of(ran.out, "tracepoint_target"), "0") << ran;
  EXPECT_LT(std::stoi(value_of(ran.out, "bad_tracepoint_target")), 0) << ran;
  EXPECT_EQ(value_of(ran.out, "tc_target"), "0") << ran;
  EXPECT_LT(std::stoi(value_of(ran.out, "bad_tc_target")), 0) << ran;
  EXPECT_NE(ran.err.find("no program named 'no_such_prog'"), std::string::npos) << ran;
  EXPECT_EQ(programs_on_lo().find("wasm_tc_ingress"), std::string::npos)
      << "tc program still attached after the run";
}

TEST_P(WasmTest, MapOperationsOnHashArrayAndPerCpuMaps) {
  Ran ran = abi({"maps"});
  EXPECT_EQ(ran.exit_code, 0) << ran;
  EXPECT_EQ(value_of(ran.out, "fds_ok"), "1") << ran;
  EXPECT_EQ(value_of(ran.out, "unknown_map"), "-2") << ran;
  EXPECT_EQ(value_of(ran.out, "hash_update1"), "0") << ran;
  EXPECT_EQ(value_of(ran.out, "hash_update2"), "0") << ran;
  EXPECT_EQ(value_of(ran.out, "hash_noexist"), "-17") << ran;
  EXPECT_EQ(value_of(ran.out, "hash_lookup1"), "0") << ran;
  EXPECT_NE(ran.out.find("hash_lookup1=0 value=11\n"), std::string::npos) << ran;
  EXPECT_NE(ran.out.find("hash_keys=2 sum=3\n"), std::string::npos) << ran;
  EXPECT_EQ(value_of(ran.out, "hash_delete"), "0") << ran;
  EXPECT_EQ(value_of(ran.out, "hash_lookup_deleted"), "-2") << ran;
  EXPECT_EQ(value_of(ran.out, "hash_delete_again"), "-2") << ran;
  EXPECT_EQ(value_of(ran.out, "array_update"), "0") << ran;
  EXPECT_NE(ran.out.find("array_lookup=0 value=33\n"), std::string::npos) << ran;
  EXPECT_EQ(value_of(ran.out, "array_out_of_range"), "-2") << ran;
  EXPECT_EQ(value_of(ran.out, "array_delete"), "-22") << ran;
  EXPECT_EQ(value_of(ran.out, "array_keys"), "4") << ran;
  EXPECT_EQ(value_of(ran.out, "percpu_update"), "0") << ran;
  EXPECT_NE(ran.out.find("percpu_lookup=0 first=7\n"), std::string::npos) << ran;
}

// The guest polls `mode`'s buffer until it sees an open of a path only this test opens.
void WasmTest::expect_own_event(const std::string& mode, const std::string& map) const {
  TempDir dir;
  fs::path target = dir.path() / ("lmp-wasm-" + mode + "-" + std::to_string(getpid()));
  auto process = start({"run", guest("abi").string(), mode, target.string()}, object());
  ASSERT_TRUE(process->wait_for_output("ready\n", 20s)) << process->err();
  bool seen = process->wait_for_output(map + " event: " + target.string() + "\n", 20s,
                                       [&] { open_file(target); });
  int code = process->wait(10s);
  Ran ran{code, process->out(), process->err()};
  EXPECT_TRUE(seen) << ran;
  EXPECT_EQ(code, 0) << ran;
  EXPECT_EQ(value_of(ran.out, "attach"), "0") << ran;
  // The callback returned 1 for the event: the poll stopped and returned that.
  EXPECT_EQ(value_of(ran.out, "poll_result"), "1") << ran;
}

TEST_P(WasmTest, RingBufferPollDeliversOwnEvent) {
  expect_own_event("ring", "ring_events");
}

TEST_P(WasmTest, PerfBufferPollDeliversOwnEvent) {
  expect_own_event("perf", "perf_events");
}

// wasm-bpf's Go SDK polls through callback-wrapper.wasm_bpf_buffer_poll, whose callback is
// the guest's export "go-callback".
TEST_P(WasmTest, CallbackWrapperPollCallsTheGoCallback) {
  expect_own_event("go-ring", "ring_events");
}

TEST_P(WasmTest, ClosedObjectIsUnusable) {
  Ran ran = abi({"close"});
  EXPECT_EQ(ran.exit_code, 0) << ran;
  EXPECT_EQ(value_of(ran.out, "close"), "0") << ran;
  EXPECT_EQ(value_of(ran.out, "attach_after_close"), "-22") << ran;
  EXPECT_EQ(value_of(ran.out, "map_fd_after_close"), "-22") << ran;
  EXPECT_EQ(value_of(ran.out, "map_operate_after_close"), "-9") << ran;
  EXPECT_EQ(value_of(ran.out, "close_again"), "-22") << ran;
}

// SIGINT/SIGTERM while the guest waits: lmp exits promptly with the Ctrl-C exit code (0), and
// the tc program it attached to lo (which, unlike links, outlives a process) is detached.
void WasmTest::expect_prompt_stop(const std::string& mode, int sig) const {
  auto started = start({"run", guest("abi").string(), mode}, object());
  LmpProcess& process = *started;
  ASSERT_TRUE(process.wait_for_output("ready\n", 20s)) << process.err();
  if (mode == "hold") {
    ASSERT_NE(programs_on_lo().find("wasm_tc_ingress"), std::string::npos)
        << "tc program not attached: " << process.out();
  }
  std::this_thread::sleep_for(300ms);  // well inside the wait
  auto sent = Clock::now();
  process.signal(sig);
  int code = process.wait(10s);
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - sent);
  Ran ran{code, process.out(), process.err()};
  EXPECT_EQ(code, 0) << ran;
  EXPECT_LT(took.count(), 1000) << "took " << took.count() << " ms to stop\n" << ran;
  EXPECT_EQ(ran.err, "");
  EXPECT_EQ(programs_on_lo().find("wasm_tc_ingress"), std::string::npos)
      << "tc program still attached after Ctrl-C";
}

TEST_P(WasmTest, CtrlCDuringBufferPollStopsAndDetaches) {
  expect_prompt_stop("hold", SIGINT);
}

TEST_P(WasmTest, SigtermDuringSleepStops) {
  expect_prompt_stop("sleep", SIGTERM);
}

TEST_P(WasmTest, DurationStopsAGuestThatWaits) {
  auto start = Clock::now();
  Ran ran = run({"run", "--duration", "0.5", guest("abi").string(), "sleep"});
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  EXPECT_EQ(ran.exit_code, 0) << ran;
  EXPECT_EQ(value_of(ran.out, "argv0"), "abi") << ran;
  EXPECT_GE(took.count(), 450) << ran;
  EXPECT_LT(took.count(), 5000) << ran;
}

// A child that opens files as fast as it can (each open is an event for ring_openat).
class Flooder {
 public:
  Flooder() {
    pid_ = fork();
    if (pid_ == 0) {  // ends by itself after 30 s should the test process die first
      for (auto until = Clock::now() + std::chrono::seconds(30); Clock::now() < until;)
        for (int i = 0; i < 1000; ++i) {
          int fd = open("/nonexistent/lmp-flood", O_RDONLY);
          if (fd >= 0) close(fd);
        }
      _exit(0);
    }
  }
  ~Flooder() {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }

 private:
  pid_t pid_;
};

// The guest's callback is slow, so the ring buffer never runs empty: the poll must still
// give way to the stop (a single libbpf poll would otherwise consume forever and the run
// would end only with the flood).
TEST_P(WasmTest, DurationStopsAGuestFloodedWithEvents) {
  Ran ran;
  auto start = Clock::now();
  {
    Flooder flooder;
    ran = run({"run", "--duration", "1", guest("abi").string(), "flood"}, object());
  }
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  EXPECT_EQ(ran.exit_code, 0) << ran;
  EXPECT_EQ(value_of(ran.out, "by_section"), "0") << ran;
  EXPECT_LT(took.count(), 10000) << "the run outlasted --duration 1 by far: " << ran;
}

// Ctrl-C while the guest's callback takes about a second per event: the stop is seen
// inside the callback (its loop's stop check) or after it, not after 64 of them.
TEST_P(WasmTest, CtrlCDuringASlowCallbackStopsWithinASecond) {
  Flooder flooder;
  auto started = start({"run", guest("abi").string(), "slow"}, object());
  LmpProcess& process = *started;
  ASSERT_TRUE(process.wait_for_output("ready\n", 20s)) << process.err();
  std::this_thread::sleep_for(1500ms);  // inside a callback by now
  auto sent = Clock::now();
  process.signal(SIGINT);
  int code = process.wait(30s);
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - sent);
  Ran ran{code, process.out(), process.err()};
  EXPECT_EQ(code, 0) << ran;
  EXPECT_LT(took.count(), 1000) << "took " << took.count() << " ms to stop\n" << ran;
}

// The first Ctrl-C stops a guest that loops without ever calling the host: lmp adds stop
// checks to its loops (src/wasm/stop_checks.h).
TEST_P(WasmTest, CtrlCStopsAGuestThatNeverCallsTheHost) {
  auto started = start({"run", guest("abi").string(), "spin"});
  LmpProcess& process = *started;
  ASSERT_TRUE(process.wait_for_output("ready\n", 20s)) << process.err();
  std::this_thread::sleep_for(300ms);
  auto sent = Clock::now();
  process.signal(SIGINT);
  int code = process.wait(10s);
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - sent);
  Ran ran{code, process.out(), process.err()};
  EXPECT_EQ(code, 0) << ran;
  EXPECT_LT(took.count(), 1000) << "took " << took.count() << " ms to stop\n" << ran;
}

// --duration ends guests that never wait: at once when they spin on sched_yield (a wait),
// one second later when they spin on other host calls or on nothing.
TEST_P(WasmTest, DurationStopsGuestsThatNeverWait) {
  for (std::string mode : {"yield", "write", "spin"}) {
    auto start = Clock::now();
    Ran ran = run({"run", "--duration", "0.5", guest("abi").string(), mode});
    auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    EXPECT_EQ(ran.exit_code, 0) << mode << ": " << ran;
    EXPECT_GE(took.count(), 450) << mode << ": " << ran;
    EXPECT_LT(took.count(), 5000) << mode << ": " << ran;
  }
}

// ../shared/repro/wasm_start_with_param.wasm: wabt aborted lmp (134) calling it.
TEST_P(WasmTest, StartOfTheWrongSignatureIsABadModule) {
  TempDir dir;
  fs::path module = dir.path() / "start_with_param.wasm";
  const unsigned char bytes[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01,
                                 0x60, 0x01, 0x7f, 0x00, 0x03, 0x02, 0x01, 0x00, 0x05, 0x03, 0x01,
                                 0x00, 0x01, 0x07, 0x13, 0x02, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72,
                                 0x79, 0x02, 0x00, 0x06, 0x5f, 0x73, 0x74, 0x61, 0x72, 0x74, 0x00,
                                 0x00, 0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b};
  std::ofstream(module, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes), sizeof(bytes));
  Ran ran = run({"run", module.string()});
  EXPECT_EQ(ran.exit_code, 3) << ran;
  EXPECT_NE(ran.err.find("_start is (i32) -> (), but lmp calls it as () -> ()"), std::string::npos)
      << ran;
}

// --wasm-max-memory: a module needing more to start is refused; malloc past it fails in the
// guest (memory.grow returns -1) instead of growing lmp.
TEST_P(WasmTest, MaxMemoryCapsTheGuest) {
  Ran small = run({"run", "--wasm-max-memory", "64K", guest("abi").string(), "exit", "0"});
  EXPECT_EQ(small.exit_code, 3) << small;
  EXPECT_NE(small.err.find("more than the limit of 64 KiB"), std::string::npos) << small;
  EXPECT_EQ(std::count(small.err.begin(), small.err.end(), '\n'), 1) << small;

  Ran capped = run({"run", "--wasm-max-memory", "8M", guest("abi").string(), "grow"});
  EXPECT_EQ(capped.exit_code, 0) << capped;
  int blocks = std::stoi("0" + value_of(capped.out, "blocks"));
  EXPECT_GE(blocks, 4) << capped;
  EXPECT_LT(blocks, 8) << capped;

  Ran usage = run({"run", "--wasm-max-memory", "1T", guest("abi").string(), "exit", "0"});
  EXPECT_EQ(usage.exit_code, 2) << usage;
}

}  // namespace
}  // namespace lmp::test
