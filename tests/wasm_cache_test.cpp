// The compiled engine's cache on the real lmp binary: compiled once and reused, compiled again
// when the module changes, safe under concurrent first runs, cleaned of what killed compiles
// left, a stop while compiling, a failing compiler. Needs wasm2c and cc (Debian's wabt, gcc).
#include <memory>

#include "wasm_process.h"

namespace lmp::test {
namespace {

// The compiled engine's cache (LMP_HOME/wasm-cache): each test has its own LMP_HOME.
class WasmTestCache : public ::testing::Test {
 protected:
  fs::path home() const { return dir_.path() / "home"; }
  fs::path cache() const { return home() / "wasm-cache"; }
  std::vector<std::string> env() const { return {"LMP_HOME=" + home().string()}; }
  Ran run(const fs::path& module, const std::vector<std::string>& env_extra = {},
          const std::string& engine = "compiled") const {
    std::vector<std::string> all = env();
    all.insert(all.end(), env_extra.begin(), env_extra.end());
    return run_process({"run", "-v", "--wasm-engine=" + engine, module.string(), "exit", "4"},
                       "/dev/null", all);
  }
  // The names in the cache directory.
  std::vector<std::string> cached() const {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(cache(), ec))
      names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }
  static int objects(const std::vector<std::string>& names) {
    return static_cast<int>(std::count_if(names.begin(), names.end(),
                                          [](const std::string& n) { return n.ends_with(".so"); }));
  }

  TempDir dir_;
  fs::path home_ = private_dir(home());
};

constexpr const char* kCompiling = "compiling abi.wasm to native code, once... ";

TEST_F(WasmTestCache, CompiledOnceThenReused) {
  Ran first = run(guest("abi"));
  EXPECT_EQ(first.exit_code, 4) << first;
  EXPECT_NE(first.err.find(kCompiling), std::string::npos) << first;
  EXPECT_NE(first.err.find("wasm engine: compiled, cache miss"), std::string::npos) << first;
  EXPECT_EQ(objects(cached()), 1) << testing::PrintToString(cached());

  Ran second = run(guest("abi"));
  EXPECT_EQ(second.exit_code, 4) << second;
  EXPECT_EQ(second.err.find("compiling"), std::string::npos) << second;
  EXPECT_NE(second.err.find("wasm engine: compiled, cache hit"), std::string::npos) << second;
  EXPECT_EQ(cached().size(), 1u) << testing::PrintToString(cached());

  // Without -v and without a terminal, nothing is said at all.
  Ran quiet = run_process({"run", "--wasm-engine=compiled", guest("abi").string(), "exit", "4"},
                          "/dev/null", env());
  EXPECT_EQ(quiet.exit_code, 4) << quiet;
  EXPECT_EQ(quiet.err, "") << quiet;
}

TEST_F(WasmTestCache, PullCompilesAModuleSoItsFirstRunHitsTheCache) {
  Ran pull = run_process({"pull", "file://" + guest("abi").string()}, "/dev/null", env());
  ASSERT_EQ(pull.exit_code, 0) << pull;
  EXPECT_EQ(objects(cached()), 1) << testing::PrintToString(cached());
  Ran first = run(guest("abi"));
  EXPECT_EQ(first.exit_code, 4) << first;
  EXPECT_NE(first.err.find("wasm engine: compiled, cache hit"), std::string::npos) << first;
}

TEST_F(WasmTestCache, ChangedModuleIsCompiledAgain) {
  fs::path module = dir_.path() / "abi.wasm";
  fs::copy_file(guest("abi"), module);
  Ran first = run(module);
  EXPECT_EQ(first.exit_code, 4) << first;
  write_file(module, with_custom_section(slurp(guest("abi")), "changed", "1"));
  Ran changed = run(module);
  EXPECT_EQ(changed.exit_code, 4) << changed;
  EXPECT_NE(changed.err.find(kCompiling), std::string::npos) << changed;
  EXPECT_NE(changed.err.find("cache miss"), std::string::npos) << changed;
  EXPECT_EQ(objects(cached()), 2) << testing::PrintToString(cached());
}

TEST_F(WasmTestCache, TwoConcurrentFirstRunsBothSucceedAndLeaveOneObject) {
  std::vector<std::string> args{"run",  "-v", "--wasm-engine=compiled", guest("abi").string(),
                                "exit", "4"};
  LmpProcess a(args, "/dev/null", env()), b(args, "/dev/null", env());
  Ran ran_a{a.wait(), a.out(), a.err()}, ran_b{b.wait(), b.out(), b.err()};
  EXPECT_EQ(ran_a.exit_code, 4) << ran_a;
  EXPECT_EQ(ran_b.exit_code, 4) << ran_b;
  std::vector<std::string> names = cached();
  ASSERT_EQ(names.size(), 1u) << testing::PrintToString(names);
  EXPECT_TRUE(names[0].ends_with(".so")) << names[0];
}

// What a killed compile leaves (a temporary object, a build directory) is removed by the
// next compile once it is an hour old; a younger one may be another lmp's, and stays.
TEST_F(WasmTestCache, StaleTemporaryFilesAreRemovedAtTheNextCompile) {
  private_dir(cache());
  auto old = fs::file_time_type::clock::now() - std::chrono::hours(2);
  write_file(cache() / "0123.so.tmp.99.1", "half an object");
  fs::last_write_time(cache() / "0123.so.tmp.99.1", old);
  fs::create_directory(cache() / ".build-old123");
  write_file(cache() / ".build-old123" / "app.c", "int x;");
  fs::last_write_time(cache() / ".build-old123", old);
  write_file(cache() / "4567.so.tmp.98.2", "another lmp's, compiling now");
  Ran ran = run(guest("abi"));
  EXPECT_EQ(ran.exit_code, 4) << ran;
  std::vector<std::string> names = cached();
  EXPECT_EQ(objects(names), 1) << testing::PrintToString(names);
  EXPECT_EQ(std::count(names.begin(), names.end(), "0123.so.tmp.99.1"), 0);
  EXPECT_EQ(std::count(names.begin(), names.end(), ".build-old123"), 0);
  EXPECT_EQ(std::count(names.begin(), names.end(), "4567.so.tmp.98.2"), 1);
}

// Ctrl-C while the module compiles (here: a compiler that takes a minute) kills the compiler
// and ends the run at once, caching nothing.
TEST_F(WasmTestCache, CtrlCWhileCompilingStopsAtOnce) {
  fs::path slow_cc = dir_.path() / "slow-cc";
  write_file(slow_cc, "#!/bin/sh\nsleep 60\n");
  fs::permissions(slow_cc, fs::perms(0755));
  std::vector<std::string> environment = env();
  environment.push_back("CC=" + slow_cc.string());
  LmpProcess process({"run", "-v", "--wasm-engine=compiled", guest("abi").string(), "exit", "4"},
                     "/dev/null", environment);
  auto deadline = Clock::now() + 20s;
  while (process.err().find("compiling") == std::string::npos && Clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  std::this_thread::sleep_for(300ms);  // wasm2c is done, the compiler runs
  auto sent = Clock::now();
  process.signal(SIGINT);
  int code = process.wait(10s);
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - sent);
  Ran ran{code, process.out(), process.err()};
  EXPECT_EQ(code, 0) << ran;
  EXPECT_LT(took.count(), 1000) << "took " << took.count() << " ms to stop\n" << ran;
  EXPECT_EQ(ran.out, "") << "the module started: " << ran;
  EXPECT_EQ(objects(cached()), 0) << testing::PrintToString(cached());
}

// A compile that fails (here: a C compiler that always fails) ends its progress line; auto
// then interprets the module, compiled says why it cannot run it.
TEST_F(WasmTestCache, FailedCompileEndsItsLineAndAutoInterprets) {
  Ran automatic = run(guest("abi"), {"CC=false"}, "auto");
  EXPECT_EQ(automatic.exit_code, 4) << automatic;
  size_t at = automatic.err.find(kCompiling);
  ASSERT_NE(at, std::string::npos) << automatic;
  std::string line = automatic.err.substr(at, automatic.err.find('\n', at) - at);
  EXPECT_EQ(line, std::string(kCompiling) + "failed") << automatic;
  EXPECT_NE(automatic.err.find("interpreting"), std::string::npos) << automatic;

  Ran compiled = run_process({"run", "--wasm-engine=compiled", guest("abi").string(), "exit", "4"},
                             "/dev/null", {env()[0], "CC=false"});
  EXPECT_EQ(compiled.exit_code, 1) << compiled;
  EXPECT_NE(compiled.err.find("the C compiler cannot compile the module"), std::string::npos)
      << compiled;
  EXPECT_EQ(line_count(compiled.err), 1) << compiled;
  EXPECT_EQ(objects(cached()), 0) << testing::PrintToString(cached());
}

}  // namespace
}  // namespace lmp::test
