// End-to-end tests of the bundled catalog: every tool under catalog/ is built with `lmp build`,
// run with `lmp run --json`, and must report an event this test causes itself (with the right
// pid, comm or path), or fill its histogram / table.
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "catalog_fixture.h"

namespace lmp::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

// --- files every catalog entry must have (no kernel needed) ---

TEST(CatalogFiles, EveryToolHasSourcesConfigAndReadme) {
  std::vector<std::string> found;
  for (const auto& entry : fs::directory_iterator(catalog_dir()))
    if (entry.is_directory()) found.push_back(entry.path().filename().string());
  std::sort(found.begin(), found.end());
  EXPECT_EQ(found, kTools);

  const std::regex name_pattern("^[a-z0-9][a-z0-9._-]{0,63}$");
  for (const std::string& name : found) {
    fs::path dir = catalog_dir() / name;
    SCOPED_TRACE(name);
    EXPECT_TRUE(fs::exists(dir / (name + ".bpf.c")));
    EXPECT_TRUE(fs::exists(dir / (name + ".h")));

    json config = json::parse(read_text(dir / "config.json"), nullptr, false);
    ASSERT_TRUE(config.is_object());
    EXPECT_EQ(config.value("name", ""), name);
    EXPECT_TRUE(std::regex_match(config.value("name", ""), name_pattern));
    EXPECT_EQ(config.value("version", ""), "1.0.0");
    EXPECT_EQ(config.value("author", ""), "lmp authors");
    EXPECT_EQ(config.value("license", ""), "GPL-2.0");
    EXPECT_FALSE(config.value("description", "").empty());
    EXPECT_FALSE(config.value("category", "").empty());
    EXPECT_TRUE(config["tags"].is_array() && !config["tags"].empty());

    std::string readme = read_text(dir / "README.md");
    ASSERT_EQ(readme.rfind("---\n", 0), 0u) << "README.md must start with front matter";
    size_t end = readme.find("\n---\n", 4);
    ASSERT_NE(end, std::string::npos);
    std::string front = readme.substr(4, end - 4);
    for (const char* key : {"title:", "summary:", "category:", "tags:"})
      EXPECT_NE(front.find(key), std::string::npos) << key;
    EXPECT_GT(readme.size() - end, 200u) << "README.md needs a body";

    // Only tracepoints, raw tracepoints and BTF tracepoints: this is what every kernel we
    // target can attach (no kprobes, no fentry).
    std::string source = read_text(dir / (name + ".bpf.c"));
    std::regex sec(R"re(SEC\("([^"]*)"\))re");
    for (auto it = std::sregex_iterator(source.begin(), source.end(), sec);
         it != std::sregex_iterator(); ++it) {
      std::string section = (*it)[1];
      if (section == "license" || section == ".maps") continue;
      bool allowed = section.rfind("tracepoint/", 0) == 0 || section.rfind("tp/", 0) == 0 ||
                     section.rfind("tp_btf/", 0) == 0 || section.rfind("raw_tp/", 0) == 0 ||
                     section.rfind("raw_tracepoint/", 0) == 0;
      EXPECT_TRUE(allowed) << section;
    }
  }
}

// --- every tool builds and shows its own options ---

TEST_F(CatalogTest, EveryToolBuildsAndShowsHelp) {
  for (const std::string& name : kTools) {
    SCOPED_TRACE(name);
    Outcome o = run_lmp({"run", package(name), "-h"});
    EXPECT_EQ(o.exit_code, 0) << show(o);
    EXPECT_NE(o.out.find("Usage: " + name), std::string::npos) << o.out;
  }
}

TEST_F(CatalogTest, SigsnoopHelpMatchesTheClassicTool) {
  Outcome o = run_lmp({"run", package("sigsnoop"), "-h"});
  EXPECT_EQ(o.exit_code, 0) << show(o);
  for (const char* text : {"Trace standard and real-time signals.", "-x, --failed",
                           "failed signals only", "-k, --killed", "kill only", "-p, --pid=<int>",
                           "target pid", "-s, --signal=<int>", "target signal"})
    EXPECT_NE(o.out.find(text), std::string::npos) << text << "\n" << o.out;
}

// --- event tools: cause an event and find it ---

TEST_F(CatalogTest, OpensnoopShowsUniqueFileWithPidAndComm) {
  TempDir dir;
  fs::path target = dir.path() / ("lmp-catalog-open-" + std::to_string(getpid()));
  std::vector<pid_t> pids;
  auto [seen, o] = run_until(
      "opensnoop", {},
      [&](const json& e) {
        if (e.value("fname", "") != target.string()) return false;
        for (pid_t pid : pids)
          if (field(e, "pid") == pid) return true;
        return false;
      },
      [&] {
        pids.push_back(run_child([&] {
          int fd = open(target.c_str(), O_CREAT | O_RDONLY, 0600);
          if (fd >= 0) close(fd);
        }));
      });
  ASSERT_TRUE(seen) << show(o);
  for (const json& e : json_objects(o.out)) {
    if (e.value("fname", "") != target.string()) continue;
    EXPECT_GE(field(e, "ret").get<int>(), 0) << e.dump();
    EXPECT_TRUE(field(e, "comm").is_string());
    EXPECT_TRUE(field(e, "uid") == 0) << e.dump();
    EXPECT_NE(field(e, "flags").get<int>() & O_CREAT, 0) << e.dump();
    // `/// @format flags:open` in opensnoop.h; errno:ret leaves a descriptor a number.
    EXPECT_EQ(field(e, "flags_name"), "O_RDONLY|O_CREAT") << e.dump();
    EXPECT_FALSE(e.contains("ret_name")) << e.dump();
  }
}

TEST_F(CatalogTest, OpensnoopFailedOnlyShowsTheFailure) {
  TempDir dir;
  fs::path missing = dir.path() / "no-such-file";
  fs::path present = dir.path() / "present-file";
  std::ofstream(present) << "x";
  auto [seen, o] = run_until(
      "opensnoop", {"-x", "-p", std::to_string(getpid())},
      [&](const json& e) { return e.value("fname", "") == missing.string(); },
      [&] {
        int fd = open(present.c_str(), O_RDONLY);
        if (fd >= 0) close(fd);
        fd = open(missing.c_str(), O_RDONLY);
        if (fd >= 0) close(fd);
      });
  ASSERT_TRUE(seen) << show(o);
  for (const json& e : json_objects(o.out)) {
    EXPECT_LT(field(e, "ret").get<int>(), 0) << e.dump();
    EXPECT_EQ(field(e, "pid"), getpid()) << e.dump();
    if (e.value("fname", "") == missing.string()) {
      EXPECT_EQ(field(e, "ret_name"), "ENOENT") << e.dump();
    }
  }
  EXPECT_EQ(o.out.find(present.string()), std::string::npos);
  EXPECT_NE(o.out.find("-2"), std::string::npos);  // -ENOENT
}

TEST_F(CatalogTest, ExecsnoopShowsUniqueBinaryWithArgsAndParent) {
  TempDir dir;
  fs::path binary = copy_binary(dir.path(), "lmpexecsnoopq", "/bin/true");
  std::vector<pid_t> pids, literal_pids;
  bool saw_unique = false, saw_literal = false;
  auto [seen, o] = run_until(
      "execsnoop", {},
      [&](const json& e) {
        for (pid_t pid : pids)
          saw_unique |= field(e, "pid") == pid && field(e, "comm") == "lmpexecsnoopq";
        for (pid_t pid : literal_pids)
          saw_literal |= field(e, "pid") == pid && field(e, "comm") == "true";
        return saw_unique && saw_literal;
      },
      [&] {
        pids.push_back(run_child([&] {
          execl(binary.c_str(), "lmpexecsnoopq", "first-arg", "second-arg", nullptr);
          _exit(127);
        }));
        // Path and arguments in the binary's read-only data, which a fresh fork has not
        // touched: the tool must still show them.
        literal_pids.push_back(run_child([] {
          execl("/bin/true", "true", "literal-arg", nullptr);
          _exit(127);
        }));
      });
  ASSERT_TRUE(seen) << "unique " << saw_unique << " literal " << saw_literal << "\n" << show(o);
  for (const json& e : json_objects(o.out)) {
    if (field(e, "comm") == "lmpexecsnoopq") {
      EXPECT_EQ(field(e, "ppid"), getpid()) << e.dump();
      EXPECT_EQ(field(e, "ret"), 0) << e.dump();
      EXPECT_EQ(field(e, "filename"), binary.string()) << e.dump();
      EXPECT_EQ(field(e, "args"), "lmpexecsnoopq first-arg second-arg") << e.dump();
    }
    for (pid_t pid : literal_pids) {
      if (field(e, "pid") != pid) continue;
      EXPECT_EQ(field(e, "filename"), "/bin/true") << e.dump();
      EXPECT_EQ(field(e, "args"), "true literal-arg") << e.dump();
    }
  }
}

TEST_F(CatalogTest, ExecsnoopFailedExecShowsErrno) {
  TempDir dir;
  fs::path missing = dir.path() / "lmp-no-such-binary";
  auto [seen, o] = run_until(
      "execsnoop", {"-x"},
      [&](const json& e) {
        return field(e, "filename") == missing.string() && field(e, "ret") == -ENOENT;
      },
      [&] {
        run_child([&] {
          execl(missing.c_str(), "lmp-no-such-binary", nullptr);
          _exit(127);
        });
      });
  ASSERT_TRUE(seen) << show(o);
  for (const json& e : json_objects(o.out)) EXPECT_LT(field(e, "ret").get<int>(), 0) << e.dump();
}

TEST_F(CatalogTest, ExitsnoopShowsExitCodeAndSignal) {
  std::vector<pid_t> coded, signalled;
  auto matches = [](const json& e, const std::vector<pid_t>& pids) {
    for (pid_t pid : pids)
      if (field(e, "pid") == pid) return true;
    return false;
  };
  bool saw_code = false, saw_signal = false;
  auto [seen, o] = run_until(
      "exitsnoop", {},
      [&](const json& e) {
        if (matches(e, coded)) saw_code |= field(e, "exit_code") == 42 && field(e, "sig") == 0;
        if (matches(e, signalled)) saw_signal |= field(e, "sig") == SIGUSR2;
        return saw_code && saw_signal;
      },
      [&] {
        coded.push_back(run_child([] { _exit(42); }));
        signalled.push_back(run_child([] {
          signal(SIGUSR2, SIG_DFL);
          raise(SIGUSR2);
          _exit(1);
        }));
      });
  ASSERT_TRUE(seen) << "code " << saw_code << " signal " << saw_signal << "\n" << show(o);
  for (const json& e : json_objects(o.out)) {
    if (!matches(e, coded)) continue;
    EXPECT_EQ(field(e, "ppid"), getpid()) << e.dump();
    EXPECT_TRUE(field(e, "comm").is_string());
    EXPECT_GT(field(e, "duration_ns").get<unsigned long long>(), 0u) << e.dump();
    EXPECT_LT(field(e, "duration_ns").get<unsigned long long>(), 60'000'000'000ull) << e.dump();
  }
}

TEST_F(CatalogTest, SigsnoopShowsSignalSentToChild) {
  SignalTarget target;
  ASSERT_GT(target.pid(), 0);
  auto [seen, o] = run_until(
      "sigsnoop", {},
      [&](const json& e) {
        return field(e, "tpid") == target.pid() && field(e, "sig") == SIGUSR1 &&
               field(e, "pid") == getpid();
      },
      [&] { kill(target.pid(), SIGUSR1); });
  ASSERT_TRUE(seen) << show(o);
  for (const json& e : json_objects(o.out)) {
    if (field(e, "tpid") != target.pid()) continue;
    EXPECT_TRUE(field(e, "comm").is_string());
    EXPECT_TRUE(field(e, "ret").is_number_integer());
  }
}

TEST_F(CatalogTest, SigsnoopKillOnlyReportsKillReturnValues) {
  SignalTarget target;
  ASSERT_GT(target.pid(), 0);
  // A pid that cannot exist (above the kernel's PID_MAX_LIMIT): kill() fails with ESRCH.
  const int absent = 1 << 23;
  bool saw_ok = false, saw_failed = false;
  auto [seen, o] = run_until(
      "sigsnoop", {"-k", "-p", std::to_string(getpid())},
      [&](const json& e) {
        if (field(e, "tpid") == target.pid() && field(e, "sig") == SIGUSR1)
          saw_ok |= field(e, "ret") == 0;
        if (field(e, "tpid") == absent) saw_failed |= field(e, "ret") == -ESRCH;
        return saw_ok && saw_failed;
      },
      [&] {
        kill(target.pid(), SIGUSR1);
        kill(absent, SIGUSR1);
      });
  ASSERT_TRUE(seen) << show(o);
  for (const json& e : json_objects(o.out)) {
    EXPECT_EQ(field(e, "pid"), getpid()) << e.dump();
    EXPECT_NE(field(e, "sig"), SIGCHLD) << e.dump();  // not from kill(), so never shown with -k
  }
}

TEST_F(CatalogTest, BootstrapShowsExecAndExitOfUniqueBinary) {
  TempDir dir;
  fs::path binary = copy_binary(dir.path(), "lmpbootstrapq", "/bin/false");
  std::vector<pid_t> pids;
  auto ours = [&](const json& e) {
    for (pid_t pid : pids)
      if (field(e, "pid") == pid) return true;
    return false;
  };
  bool saw_exec = false, saw_exit = false;
  auto [seen, o] = run_until(
      "bootstrap", {},
      [&](const json& e) {
        if (!ours(e) || e.value("comm", "") != "lmpbootstrapq") return false;
        if (field(e, "kind") == "EXEC") saw_exec |= field(e, "filename") == binary.string();
        if (field(e, "kind") == "EXIT") saw_exit |= field(e, "exit_code") == 1;
        return saw_exec && saw_exit;
      },
      [&] {
        pids.push_back(run_child([&] {
          execl(binary.c_str(), "lmpbootstrapq", nullptr);
          _exit(127);
        }));
      });
  ASSERT_TRUE(seen) << "exec " << saw_exec << " exit " << saw_exit << "\n" << show(o);
  for (const json& e : json_objects(o.out)) {
    if (ours(e)) {
      EXPECT_EQ(field(e, "ppid"), getpid()) << e.dump();
    }
  }
}

TEST_F(CatalogTest, StatsnoopShowsUniquePath) {
  TempDir dir;
  fs::path missing = dir.path() / "lmp-catalog-stat-missing";
  fs::path present = dir.path() / "lmp-catalog-stat-present";
  std::ofstream(present) << "x";
  bool saw_missing = false, saw_present = false;
  auto [seen, o] = run_until(
      "statsnoop", {},
      [&](const json& e) {
        if (field(e, "pid") != getpid()) return false;
        if (e.value("path", "") == missing.string()) saw_missing |= field(e, "ret") == -ENOENT;
        if (e.value("path", "") == present.string()) saw_present |= field(e, "ret") == 0;
        return saw_missing && saw_present;
      },
      [&] {
        struct stat st;
        stat(missing.c_str(), &st);
        stat(present.c_str(), &st);
      });
  ASSERT_TRUE(seen) << "missing " << saw_missing << " present " << saw_present << "\n" << show(o);
  EXPECT_TRUE(any_event(o.out, [&](const json& e) {
    return e.value("path", "") == present.string() && field(e, "call").is_string();
  })) << "the call kind is printed by name";
}

TEST_F(CatalogTest, MountsnoopShowsTmpfsMountAndUmount) {
  if (geteuid() != 0) GTEST_SKIP() << "mounting needs root";
  TempDir dir;
  fs::path point = dir.path() / "mnt";
  fs::create_directory(point);
  const std::string source = "lmp-src-" + std::to_string(getpid());
  bool saw_mount = false, saw_umount = false;
  int mount_errno = 0;
  auto [seen, o] = run_until(
      "mountsnoop", {},
      [&](const json& e) {
        if (field(e, "pid") != getpid() || e.value("target", "") != point.string()) return false;
        if (field(e, "op") == "MOUNT")
          saw_mount |=
              field(e, "ret") == 0 && field(e, "source") == source && field(e, "fstype") == "tmpfs";
        if (field(e, "op") == "UMOUNT") saw_umount |= field(e, "ret") == 0;
        return saw_mount && saw_umount;
      },
      [&] {
        if (mount(source.c_str(), point.c_str(), "tmpfs", MS_NOSUID, "size=1m") != 0) {
          mount_errno = errno;
          return;
        }
        umount2(point.c_str(), 0);
      });
  if (mount_errno == EPERM) GTEST_SKIP() << "mount(2) is not permitted here";
  ASSERT_TRUE(seen) << "mount " << saw_mount << " umount " << saw_umount << " errno " << mount_errno
                    << "\n"
                    << show(o);
  EXPECT_TRUE(any_event(o.out, [&](const json& e) {
    return field(e, "op") == "MOUNT" && e.value("target", "") == point.string() &&
           (field(e, "flags").get<unsigned long long>() & MS_NOSUID) != 0;
  }));
}

TEST_F(CatalogTest, TcpstatesShowsLoopbackConnectWithStateNames) {
  LoopbackListener listener;
  const int port = listener.port();
  ASSERT_GT(port, 0);
  const json loopback = json::array({127, 0, 0, 1});

  bool saw_syn_sent = false, saw_established = false;
  auto [seen, o] = run_until(
      "tcpstates", {"-D", std::to_string(port)},
      [&](const json& e) {
        if (field(e, "dport") != port) return false;
        if (field(e, "oldstate") == "CLOSE" && field(e, "newstate") == "SYN_SENT")
          saw_syn_sent |= field(e, "pid") == getpid() && field(e, "daddr") == loopback;
        if (field(e, "oldstate") == "SYN_SENT" && field(e, "newstate") == "ESTABLISHED")
          saw_established |= field(e, "saddr") == loopback && field(e, "family") == "IPV4";
        return saw_syn_sent && saw_established;
      },
      [&] { listener.connect_once(); });
  ASSERT_TRUE(seen) << "syn_sent " << saw_syn_sent << " established " << saw_established << "\n"
                    << show(o);
  for (const json& e : json_objects(o.out)) EXPECT_EQ(field(e, "dport"), port) << e.dump();
}

// --- map tools: sampled tables and histograms ---

TEST_F(CatalogTest, SyscountCountsGetppidCalls) {
  // Count only this process and call getppid(2) (x86_64 syscall 110) many times a round.
  const int getppid_id = SYS_getppid;
  std::vector<std::string> args = {"run", "--json", package("syscount"), "-p",
                                   std::to_string(getpid())};
  Background run(args);
  bool seen = run.wait_for(
      [&](const std::string& out) {
        return out.find("\"syscall_id\":" + std::to_string(getppid_id)) != std::string::npos;
      },
      20s,
      [&] {
        for (int i = 0; i < 500; ++i) syscall(SYS_getppid);
      });
  Outcome o = run.stop();
  ASSERT_TRUE(seen) << show(o);
  // Somewhere in the output the getppid row carries a count of at least one round's calls.
  std::regex row("\"syscall_id\":" + std::to_string(getppid_id) + "[^\\n]*?\"count\":([0-9]+)");
  std::smatch m;
  unsigned long best = 0;
  for (auto it = o.out.cbegin(); std::regex_search(it, o.out.cend(), m, row); it = m[0].second)
    best = std::max(best, std::stoul(m[1]));
  EXPECT_GE(best, 500u) << show(o);
}

// Waits for a log2 histogram with at least one bar, doing `load` meanwhile.
void expect_histogram(const std::string& package_path, const std::vector<std::string>& extra,
                      const std::function<void()>& load) {
  std::vector<std::string> argv = {"run", package_path};
  argv.insert(argv.end(), extra.begin(), extra.end());
  Background run(argv);
  bool seen = run.wait_for(
      [](const std::string& out) {
        return out.find("usecs") != std::string::npos &&
               out.find("distribution") != std::string::npos && out.find("|*") != std::string::npos;
      },
      20s, load);
  Outcome o = run.stop();
  ASSERT_TRUE(seen) << show(o);
  EXPECT_EQ(o.exit_code, 0) << show(o);
}

TEST_F(CatalogTest, RunqlatFillsHistogramWhileForking) {
  expect_histogram(package("runqlat"), {}, [] {
    for (int i = 0; i < 20; ++i) run_child([] { sched_yield(); });
  });
}

TEST_F(CatalogTest, RunqlatJsonCarriesSlots) {
  Background run({"run", "--json", package("runqlat")});
  bool seen = run.wait_for(
      [](const std::string& out) {
        return out.find("slots") != std::string::npos || out.find("count") != std::string::npos;
      },
      20s,
      [] {
        for (int i = 0; i < 20; ++i) run_child([] {});
      });
  Outcome o = run.stop();
  ASSERT_TRUE(seen) << show(o);
  EXPECT_FALSE(json_objects(o.out).empty()) << show(o);
}

TEST_F(CatalogTest, RunqlatPerProcessHistogramsNameTheProcess) {
  // With -P every histogram is keyed by a process id and carries the command name.
  Background run({"run", package("runqlat"), "-P"});
  const std::regex named(R"(key = [0-9]+ comm = \S)");
  bool seen = run.wait_for(
      [&](const std::string& out) {
        return std::regex_search(out, named) && out.find("|*") != std::string::npos;
      },
      20s,
      [] {
        for (int i = 0; i < 20; ++i) run_child([] { sched_yield(); });
      });
  Outcome o = run.stop();
  ASSERT_TRUE(seen) << show(o);
}

TEST_F(CatalogTest, BiolatencyShowsHistogramAfterSyncedWrites) {
  // The test directory lives on the root file system, a real block device in our VMs;
  // fsync forces requests through block_rq_issue/complete.
  fs::path dir = fs::temp_directory_path() / ("lmp-biolatency-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::string block(64 * 1024, 'x');
  int round = 0;
  expect_histogram(package("biolatency"), {}, [&] {
    fs::path file = dir / ("f" + std::to_string(round++ % 4));
    int fd = open(file.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0600);
    if (fd < 0) return;
    for (int i = 0; i < 4; ++i)
      if (write(fd, block.data(), block.size()) < 0) break;
    fsync(fd);
    close(fd);
  });
  fs::remove_all(dir);
}

// A catalog package with both files: info names the WebAssembly user space and still lists
// the programs and maps of the package.json beside it.
TEST(CatalogInfo, WasmPackageShowsUserSpaceProgramsAndMaps) {
  TempDir home;  // 0777, which lmp refuses as a cache: the cache is a directory inside it
  RunOptions options;
  options.env = {"LMP_HOME=" + (home.path() / "home").string(), "LMP_REPOSITORY="};
  Outcome pull = run_lmp({"pull", "bootstrap"}, options);
  ASSERT_EQ(pull.exit_code, 0) << pull.err;
  Outcome info = run_lmp({"info", "bootstrap"}, options);
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_NE(info.out.find("user space:  app.wasm"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("tp/sched/sched_process_exec"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("events"), std::string::npos) << info.out;
}

}  // namespace
}  // namespace lmp::test
