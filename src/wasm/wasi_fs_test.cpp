#include "wasm/wasi_fs.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "wasm/engine_for_test.h"
#include "wasm/runtime.h"
#include "wasm/wat_for_test.h"

namespace lmp::wasm {
namespace {

namespace fs = std::filesystem;

// A host with no eBPF: these guests never reach it.
struct NoBpfHost : BpfHost {
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

constexpr std::string_view kImports = R"(
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $prestat (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name"
    (func $prestat_name (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_readdir" (func $readdir (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_get" (func $fstat (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_get"
    (func $pstat (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 1000) "hello.txt")
  (data (i32.const 1020) "../secret.txt")
  (data (i32.const 1040) "/etc/passwd")
  (data (i32.const 1060) "out")
  (data (i32.const 1070) "new.txt")
  (data (i32.const 1080) "sub/../hello.txt")
  (func $print (param i32 i32)
    (i32.store (i32.const 0) (local.get 0))
    (i32.store (i32.const 4) (local.get 1))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  ;; path_open beneath fd 3: path, length, oflags, rights, lookupflags; the new fd at 12.
  (func $open (param i32 i32 i32 i64 i32) (result i32)
    (call $path_open (i32.const 3) (local.get 4) (local.get 0) (local.get 1) (local.get 2)
      (local.get 3) (i64.const 0) (i32.const 0) (i32.const 12)))
  ;; Result byte i, written at 2000 + i.
  (func $rc (param i32 i32) (i32.store8 (i32.add (i32.const 2000) (local.get 0)) (local.get 1)))
)";

// Prints the preopen's name, hello.txt, 24 result bytes, then a listing of the directory.
constexpr std::string_view kReader = R"(
  (func (export "_start") (local $fd i32)
    (call $rc (i32.const 0) (call $prestat (i32.const 3) (i32.const 16)))
    (call $rc (i32.const 1) (i32.load8_u (i32.const 16)))
    (call $rc (i32.const 2) (call $prestat_name (i32.const 3) (i32.const 24) (i32.load (i32.const 20))))
    (call $print (i32.const 24) (i32.load (i32.const 20)))
    (call $rc (i32.const 3) (call $open (i32.const 1000) (i32.const 9) (i32.const 0) (i64.const 2) (i32.const 1)))
    (local.set $fd (i32.load (i32.const 12)))
    (call $rc (i32.const 4) (local.get $fd))
    (i32.store (i32.const 40) (i32.const 3000))
    (i32.store (i32.const 44) (i32.const 100))
    (call $rc (i32.const 5) (call $fd_read (local.get $fd) (i32.const 40) (i32.const 1) (i32.const 48)))
    (call $print (i32.const 3000) (i32.load (i32.const 48)))
    (call $rc (i32.const 6) (call $fstat (local.get $fd) (i32.const 3200)))
    (call $rc (i32.const 7) (i32.load8_u (i32.const 3216)))
    (call $rc (i32.const 8) (i32.load8_u (i32.const 3232)))
    (call $rc (i32.const 9) (call $fd_close (local.get $fd)))
    (call $rc (i32.const 10) (call $fd_close (local.get $fd)))
    (call $rc (i32.const 11) (call $open (i32.const 1020) (i32.const 13) (i32.const 0) (i64.const 2) (i32.const 1)))
    (call $rc (i32.const 12) (call $open (i32.const 1040) (i32.const 11) (i32.const 0) (i64.const 2) (i32.const 1)))
    (call $rc (i32.const 13) (call $open (i32.const 1060) (i32.const 3) (i32.const 0) (i64.const 2) (i32.const 1)))
    (call $rc (i32.const 14) (call $open (i32.const 1060) (i32.const 3) (i32.const 0) (i64.const 2) (i32.const 0)))
    (call $rc (i32.const 15) (call $open (i32.const 1070) (i32.const 7) (i32.const 1) (i64.const 2) (i32.const 1)))
    (call $rc (i32.const 16) (call $open (i32.const 1000) (i32.const 9) (i32.const 0) (i64.const 66) (i32.const 1)))
    (call $rc (i32.const 17) (call $open (i32.const 1000) (i32.const 9) (i32.const 8) (i64.const 2) (i32.const 1)))
    (call $rc (i32.const 18) (call $open (i32.const 1080) (i32.const 16) (i32.const 0) (i64.const 2) (i32.const 1)))
    (drop (call $fd_close (i32.load (i32.const 12))))
    (call $rc (i32.const 19) (call $pstat (i32.const 3) (i32.const 1) (i32.const 1020) (i32.const 13) (i32.const 3200)))
    (call $rc (i32.const 20) (call $fd_write (i32.const 3) (i32.const 0) (i32.const 1) (i32.const 8)))
    (call $rc (i32.const 21) (call $prestat (i32.const 4) (i32.const 16)))
    (drop (call $readdir (i32.const 3) (i32.const 4000) (i32.const 4096) (i64.const 0) (i32.const 52)))
    (drop (call $readdir (i32.const 3) (i32.const 5000) (i32.const 30) (i64.const 0) (i32.const 56)))
    (call $rc (i32.const 22) (i32.eq (i32.load (i32.const 56)) (i32.const 30)))
    (drop (call $readdir (i32.const 3) (i32.const 5100) (i32.const 4096) (i64.const 1) (i32.const 60)))
    (call $rc (i32.const 23) (i32.eq (i32.add (i32.load (i32.const 60))
      (i32.add (i32.const 24) (i32.load (i32.const 4016)))) (i32.load (i32.const 52))))
    (call $print (i32.const 2000) (i32.const 24))
    (call $print (i32.const 4000) (i32.load (i32.const 52))))
)";

// Opens hello.txt until path_open fails: exits with 100 * opened + the errno.
constexpr std::string_view kHoarder = R"(
  (func (export "_start") (local $n i32) (local $rc i32)
    (loop $again
      (local.set $rc (call $open (i32.const 1000) (i32.const 9) (i32.const 0) (i64.const 2) (i32.const 1)))
      (if (i32.eqz (local.get $rc))
        (then (local.set $n (i32.add (local.get $n) (i32.const 1))) (br $again))))
    (call $exit (i32.add (i32.mul (local.get $n) (i32.const 100)) (local.get $rc))))
)";

// Without a preopen: prestat, path_open, readdir and path_filestat_get as result bytes.
constexpr std::string_view kProber = R"(
  (func (export "_start")
    (call $rc (i32.const 0) (call $prestat (i32.const 3) (i32.const 16)))
    (call $rc (i32.const 1) (call $open (i32.const 1000) (i32.const 9) (i32.const 0) (i64.const 2) (i32.const 1)))
    (call $rc (i32.const 2) (call $readdir (i32.const 3) (i32.const 4000) (i32.const 100) (i64.const 0) (i32.const 52)))
    (call $rc (i32.const 3) (call $pstat (i32.const 3) (i32.const 1) (i32.const 1000) (i32.const 9) (i32.const 3200)))
    (call $print (i32.const 2000) (i32.const 4)))
)";

class WasiFs : public testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "lmp-wasi-fs-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    fs::create_directories(root_ / "dir" / "sub");
    std::ofstream(root_ / "dir" / "hello.txt") << "hi there\n";
    std::ofstream(root_ / "secret.txt") << "secret\n";
    fs::create_symlink("../secret.txt", root_ / "dir" / "out");
  }
  void TearDown() override { fs::remove_all(root_); }

  // Runs `body` with the directory lent as /data when `lend`; its exit code and stdout.
  std::pair<Result<int>, std::string> run(std::string_view body, bool lend = true) {
    NoBpfHost host;
    std::ostringstream out, err;
    auto wasm = wat_to_wasm("(module " + std::string(kImports) + std::string(body) + ")");
    RunOptions options = on_engine(GetParam());
    if (lend) options.preopens.push_back(Preopen{root_ / "dir", "/data"});
    auto result = run_module(wasm, {"fs.wasm"}, host, out, err, options);
    return {std::move(result), out.str()};
  }

  fs::path root_;
};
LMP_WASM_ON_BOTH_ENGINES(WasiFs);

TEST_P(WasiFs, ReadsAndListsAPreopenedDirectoryButNothingOutsideIt) {
  auto [result, out] = run(kReader);
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_EQ(out.substr(0, 14), "/datahi there\n");
  ASSERT_GE(out.size(), 14u + 24u);
  std::vector<int> rc(out.begin() + 14, out.begin() + 38);
  // prestat, its tag, its name; open, fd 4, read, fstat, regular file, 9 bytes, close twice;
  // ../, absolute, a symlink out (followed: ENOTCAPABLE; not: ELOOP); O_CREAT, fd_write
  // right, O_TRUNC (EROFS); sub/../ inside; path_filestat_get out; fd_write on the
  // directory; no fd 4 preopen; readdir truncates at the buffer and resumes at a cookie.
  std::vector<int> want{0,  0,  0,  0,  4,  0,  0, 4,  9,  0, 8, 76,
                        76, 76, 32, 69, 69, 69, 0, 76, 76, 8, 1, 1};
  EXPECT_EQ(rc, want);
  std::map<std::string, int> listed;
  std::string dirents = out.substr(38);
  for (size_t at = 0; at + 24 <= dirents.size();) {
    auto u32 = [&](size_t i) {
      return uint32_t(uint8_t(dirents[i])) | uint32_t(uint8_t(dirents[i + 1])) << 8 |
             uint32_t(uint8_t(dirents[i + 2])) << 16 | uint32_t(uint8_t(dirents[i + 3])) << 24;
    };
    EXPECT_EQ(u32(at), listed.size() + 1);  // d_next: the next entry's cookie
    uint32_t namlen = u32(at + 16);
    listed[dirents.substr(at + 24, namlen)] = dirents[at + 20];
    at += 24 + namlen;
  }
  std::map<std::string, int> want_listed{
      {".", 3}, {"..", 3}, {"hello.txt", 4}, {"out", 7}, {"sub", 3}};
  EXPECT_EQ(listed, want_listed);
}

TEST_P(WasiFs, OpenFilesAreBounded) {
  auto [result, out] = run(kHoarder);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(*result, int(FdTable::kMaxOpen) * 100 + 33);  // then EMFILE
}

TEST_P(WasiFs, WithoutWasmDirNothingIsReachable) {
  auto [result, out] = run(kProber, /*lend=*/false);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(out, std::string({8, 76, 76, 76}));  // no preopen; the file system not capable
}

TEST(WasiFsOption, ParsesHostAndGuestDirectories) {
  auto both = parse_preopen("/tmp:/data");
  ASSERT_TRUE(both) << both.error().message;
  EXPECT_EQ(both->host_dir, "/tmp");
  EXPECT_EQ(both->guest_path, "/data");
  auto host_only = parse_preopen("/tmp");
  ASSERT_TRUE(host_only);
  EXPECT_EQ(host_only->guest_path, "/tmp");
  auto missing = parse_preopen("/no/such/dir");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ExitCode::kUsage);
  EXPECT_FALSE(parse_preopen("/etc/passwd"));
  EXPECT_FALSE(parse_preopen(""));
}

}  // namespace
}  // namespace lmp::wasm
