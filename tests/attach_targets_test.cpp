// Attach targets given on `lmp run`'s command line (docs/run.md, "Attach targets from the
// command line"): uprobes and USDT probes in this test binary (--attach), a task iterator,
// a socket filter on lo (--interface) and a cgroup program on a cgroup the test creates
// (--cgroup). Every event is one the test causes itself.
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <netinet/in.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#if __has_include(<sys/sdt.h>)
#include <sys/sdt.h>
#define LMP_TEST_HAS_SDT 1
#endif

#include "harness.h"

// The uprobe target: a function of this binary that the test calls.
extern "C" __attribute__((noinline, noipa, used)) int lmp_attach_targets_probe(int value) {
  asm volatile("" : "+r"(value));
  return value;
}

// The USDT target: a probe (provider lmp_test, name tick) in this binary, when sys/sdt.h
// (Debian's systemtap-sdt-dev) was there to compile it.
extern "C" __attribute__((noinline, noipa, used)) void lmp_attach_targets_tick(long value) {
#ifdef LMP_TEST_HAS_SDT
  DTRACE_PROBE1(lmp_test, tick, value);
#endif
  asm volatile("" : : "r"(value));
}

namespace lmp::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class AttachTargetsTest : public ProgramSuite<AttachTargetsTest> {
 public:
  static std::vector<std::string> programs() {
    return {"target_uprobe", "target_uretprobe", "target_usdt",
            "target_iter",   "target_socket",    "target_cgroup"};
  }
};

std::vector<nlohmann::json> events(const std::string& out) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) lines.push_back(nlohmann::json::parse(line, nullptr, false));
  return lines;
}

// Events with `key` == `value` (and pid == `pid` when given).
int count_events(const std::string& out, const char* key, long value, pid_t pid = 0) {
  int count = 0;
  for (const auto& e : events(out))
    if (e.is_object() && e.value(key, -1L) == value && (!pid || e.value("pid", 0) == pid)) ++count;
  return count;
}

std::string self_exe() {
  return fs::read_symlink("/proc/self/exe").string();
}

// A new cgroup for the test, in the first cgroup2 mount that takes one (a container's may be
// read-only), else in a cgroup2 mounted here; removed (and unmounted) at destruction.
class TestCgroup {
 public:
  TestCgroup() {
    std::string name = "lmp-attach-test-" + std::to_string(getpid());
    std::ifstream mounts("/proc/mounts");
    std::string device, dir, type, rest;
    while (mounts >> device >> dir >> type && std::getline(mounts, rest)) {
      if (type != "cgroup2") continue;
      std::error_code ec;
      if (fs::create_directory(fs::path(dir) / name, ec)) {
        path_ = fs::path(dir) / name;
        return;
      }
    }
    if (mount("none", temp_.path().c_str(), "cgroup2", 0, nullptr) != 0) return;
    mounted_ = true;
    std::error_code ec;
    if (fs::create_directory(temp_.path() / name, ec)) path_ = temp_.path() / name;
  }
  ~TestCgroup() {
    std::error_code ec;
    if (!path_.empty()) fs::remove(path_, ec);
    if (mounted_) umount(temp_.path().c_str());
  }
  const fs::path& path() const { return path_; }  // empty when none could be made

 private:
  TempDir temp_;
  fs::path path_;
  bool mounted_ = false;
};

TEST_F(AttachTargetsTest, UprobeWithoutTargetSaysWhatToPass) {
  Outcome o = run_lmp({"run", package("target_uprobe")});
  EXPECT_EQ(o.exit_code, 2) << o.err;
  EXPECT_NE(o.err.find("program on_call to uprobe"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("pass --attach on_call=BINARY:FUNCTION"), std::string::npos) << o.err;
}

TEST_F(AttachTargetsTest, UprobeOnFunctionOfThisBinaryCountsEveryCall) {
  std::string target = "on_call=" + self_exe() + ":lmp_attach_targets_probe";
  Background run({"run", "--json", "--attach", target, package("target_uprobe")});
  // Attached once a call shows; then exactly five more calls with another value.
  bool attached = run.wait_for(
      [](const std::string& out) { return count_events(out, "value", 4242, getpid()) > 0; }, 15s,
      [] { lmp_attach_targets_probe(4242); });
  for (int i = 0; i < 5; ++i) lmp_attach_targets_probe(777);
  bool counted = attached && run.wait_for(
                                 [](const std::string& out) {
                                   return count_events(out, "value", 777, getpid()) >= 5;
                                 },
                                 5s);
  Outcome o = run.stop();
  ASSERT_TRUE(attached) << o.out.substr(0, 2000) << o.err;
  EXPECT_TRUE(counted) << o.out.substr(0, 2000);
  EXPECT_EQ(count_events(o.out, "value", 777, getpid()), 5);
  EXPECT_EQ(o.exit_code, 0) << o.err;
}

// The section names /nonexistent/lmp-test-binary; --attach overrides it.
TEST_F(AttachTargetsTest, AttachOverridesTheSectionsTargetOfAUretprobe) {
  Outcome section = run_lmp({"run", package("target_uretprobe")});
  EXPECT_NE(section.err.find("binary /nonexistent/lmp-test-binary not found"), std::string::npos)
      << section.err;
  std::string target = "on_return=" + self_exe() + ":lmp_attach_targets_probe";
  Background run({"run", "--json", "--attach", target, package("target_uretprobe")});
  bool seen = run.wait_for(
      [](const std::string& out) { return count_events(out, "returned", 5150, getpid()) > 0; }, 15s,
      [] { lmp_attach_targets_probe(5150); });
  Outcome o = run.stop();
  EXPECT_TRUE(seen) << o.out.substr(0, 2000) << o.err;
}

TEST_F(AttachTargetsTest, UprobeTargetErrorsNameWhatIsMissing) {
  Outcome function = run_lmp(
      {"run", "--attach", "on_call=/bin/true:no_such_function_here", package("target_uprobe")});
  EXPECT_EQ(function.exit_code, 7) << function.err;
  EXPECT_NE(function.err.find("no function no_such_function_here in /bin/true"), std::string::npos)
      << function.err;
  Outcome library =
      run_lmp({"run", "--attach", "on_call=libnosuch.so.9:f", package("target_uprobe")});
  EXPECT_NE(library.err.find("library libnosuch.so.9 not found"), std::string::npos) << library.err;
  Outcome program = run_lmp({"run", "--attach", "nope=/bin/true:main", package("target_uprobe")});
  EXPECT_EQ(program.exit_code, 2);
  EXPECT_NE(program.err.find("no program named nope"), std::string::npos) << program.err;
}

TEST_F(AttachTargetsTest, UsdtProbeThatIsNotThereSaysSo) {
  Outcome o =
      run_lmp({"run", "--attach", "on_tick=/bin/true:lmp_test:nope", package("target_usdt")});
  EXPECT_EQ(o.exit_code, 7) << o.err;
  EXPECT_NE(o.err.find("no USDT probe lmp_test:nope in /bin/true"), std::string::npos) << o.err;
  Outcome bare = run_lmp({"run", package("target_usdt")});
  EXPECT_NE(bare.err.find("pass --attach on_tick=BINARY:PROVIDER:NAME"), std::string::npos)
      << bare.err;
}

TEST_F(AttachTargetsTest, UsdtProbeOfThisBinaryFires) {
#ifndef LMP_TEST_HAS_SDT
  // scripts/setup.sh installs it for the tests; CI (LMP_REQUIRE_BPF=1) must run this test.
  const char* required = std::getenv("LMP_REQUIRE_BPF");
  if (required && std::string(required) == "1")
    FAIL() << "sys/sdt.h was not installed when this test was built (systemtap-sdt-dev)";
  GTEST_SKIP() << "sys/sdt.h was not installed when this test was built (systemtap-sdt-dev)";
#else
  std::string target = "on_tick=" + self_exe() + ":lmp_test:tick";
  Background run({"run", "--json", "--attach", target, package("target_usdt")});
  bool seen = run.wait_for(
      [](const std::string& out) { return count_events(out, "value", 31337, getpid()) > 0; }, 15s,
      [] { lmp_attach_targets_tick(31337); });
  Outcome o = run.stop();
  EXPECT_TRUE(seen) << o.out.substr(0, 2000) << o.err;
#endif
}

TEST_F(AttachTargetsTest, TaskIteratorPrintsThisProcessAndEnds) {
  Outcome o = run_lmp({"run", package("target_iter")}, {.timeout = 20s});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  std::string mine = "\n" + std::to_string(getpid()) + " lmp_integration";
  EXPECT_NE(("\n" + o.out).find(mine), std::string::npos) << o.out.substr(0, 2000);
  EXPECT_GT(std::count(o.out.begin(), o.out.end(), '\n'), 2) << "one line per process";
  // --json: one object per line, naming the iterator's program.
  Outcome json = run_lmp({"run", "--json", package("target_iter")}, {.timeout = 20s});
  EXPECT_EQ(json.exit_code, 0) << json.err;
  nlohmann::json expected = {{"iterator", "list_tasks"},
                             {"line", std::to_string(getpid()) + " lmp_integration"}};
  auto lines = events(json.out);
  EXPECT_NE(std::find(lines.begin(), lines.end(), expected), lines.end())
      << json.out.substr(0, 2000);
}

TEST_F(AttachTargetsTest, SocketFilterNeedsAnInterface) {
  Outcome o = run_lmp({"run", package("target_socket")});
  EXPECT_EQ(o.exit_code, 2) << o.err;
  EXPECT_NE(o.err.find("udp_packets to socket"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("pass --interface IFACE"), std::string::npos) << o.err;
}

TEST_F(AttachTargetsTest, SocketFilterOnLoopbackSeesUdpPacketsSent) {
  int port = 20000 + getpid() % 20000;
  int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(sock, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(port));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  Background run({"run", "--json", "--interface", "lo", package("target_socket")});
  bool seen = run.wait_for(
      [&](const std::string& out) { return count_events(out, "port", port) > 0; }, 15s,
      [&] { sendto(sock, "lmp", 3, 0, reinterpret_cast<sockaddr*>(&to), sizeof(to)); });
  close(sock);
  Outcome o = run.stop();
  EXPECT_TRUE(seen) << o.out.substr(0, 2000) << o.err;
  EXPECT_EQ(o.exit_code, 0) << o.err;
}

TEST_F(AttachTargetsTest, CgroupProgramSeesSocketsOfProcessesInTheCgroup) {
  TestCgroup test_cgroup;
  const fs::path& cgroup = test_cgroup.path();
  ASSERT_FALSE(cgroup.empty()) << "cannot create a cgroup v2 cgroup (nor mount cgroup2)";
  std::vector<pid_t> children;
  {
    Background run({"run", "--json", "--cgroup", cgroup.string(), package("target_cgroup")});
    bool seen = run.wait_for(
        [&](const std::string& out) {
          for (pid_t child : children)
            if (count_events(out, "pid", child) > 0) return true;
          return false;
        },
        15s,
        [&] {
          std::string procs = (cgroup / "cgroup.procs").string();
          pid_t child = fork();
          if (child == 0) {  // only system calls: the parent may have threads
            int fd = open(procs.c_str(), O_WRONLY);
            if (fd < 0 || write(fd, "0", 1) != 1) _exit(1);  // "0": the writing process
            close(fd);
            _exit(socket(AF_INET, SOCK_DGRAM, 0) >= 0 ? 0 : 1);
          }
          waitpid(child, nullptr, 0);
          children.push_back(child);
        });
    Outcome o = run.stop();
    EXPECT_TRUE(seen) << o.out.substr(0, 2000) << o.err;
    // Sockets of this process (outside the cgroup) are not reported.
    EXPECT_EQ(count_events(o.out, "pid", getpid()), 0);
  }
}

// Without --cgroup: the cgroup v2 root, said at -v (attached and at once detached).
TEST_F(AttachTargetsTest, CgroupDefaultsToTheV2Root) {
  Outcome o = run_lmp({"run", "-v", "--duration", "0", package("target_cgroup")});
  struct statfs fs {};
  bool has_root = false;
  for (const char* root : {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"})
    has_root |= statfs(root, &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
  if (!has_root) {
    EXPECT_NE(o.err.find("no --cgroup given"), std::string::npos) << o.err;
    return;
  }
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.err.find("attaching to the cgroup v2 root /sys/fs/cgroup"), std::string::npos)
      << o.err.substr(o.err.size() > 2000 ? o.err.size() - 2000 : 0);
}

TEST_F(AttachTargetsTest, CgroupThatIsNotV2IsRefusedByName) {
  TempDir dir;
  Outcome plain = run_lmp({"run", "--cgroup", dir.path().string(), package("target_cgroup")});
  EXPECT_EQ(plain.exit_code, 2) << plain.err;
  EXPECT_NE(plain.err.find(dir.path().string() + " is not a cgroup v2 directory"),
            std::string::npos)
      << plain.err;
  // A cgroup v1 hierarchy, when this machine has one.
  std::ifstream mounts("/proc/mounts");
  std::string device, path, type, rest;
  while (mounts >> device >> path >> type && std::getline(mounts, rest)) {
    if (type != "cgroup") continue;
    Outcome v1 = run_lmp({"run", "--cgroup", path, package("target_cgroup")});
    EXPECT_NE(v1.err.find(path + " is a cgroup v1 directory"), std::string::npos) << v1.err;
    break;
  }
}

}  // namespace
}  // namespace lmp::test
