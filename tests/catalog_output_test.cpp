// What `lmp run` prints for people and scripts, checked on catalog tools with events this
// test causes: decoded values (signal, syscall and address names), timestamps, --fields,
// --filter, YAML, the last interval of a histogram tool, lmp's options after the package, and
// tables at 40 and 200 terminal columns (a pseudo-terminal made by script(1)).
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "catalog_fixture.h"

namespace lmp::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// RFC 3339 with milliseconds and a zone offset, as docs/output.md promises.
const std::regex kRfc3339(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d)");

// Lines of `text` without the carriage returns a terminal adds.
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

// Columns a line takes on a terminal: UTF-8 code points (the output has no wide characters),
// ANSI colour sequences left out.
size_t display_width(const std::string& line) {
  size_t width = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\x1b') {
      while (i < line.size() && line[i] != 'm') ++i;
      continue;
    }
    if ((static_cast<unsigned char>(line[i]) & 0xC0) != 0x80) ++width;
  }
  return width;
}

// Sends SIGUSR1 to a child until sigsnoop (run with `args`) prints a line holding `wanted`.
Outcome sigsnoop_until(const std::string& package_path, const std::vector<std::string>& lmp_args,
                       const std::vector<std::string>& tool_args, const std::string& wanted) {
  SignalTarget target;
  std::vector<std::string> argv = {"run"};
  argv.insert(argv.end(), lmp_args.begin(), lmp_args.end());
  argv.push_back(package_path);
  argv.insert(argv.end(), tool_args.begin(), tool_args.end());
  Background run(argv);
  run.wait_for([&](const std::string& out) { return out.find(wanted) != std::string::npos; }, 20s,
               [&] { kill(target.pid(), SIGUSR1); });
  return run.stop();
}

TEST_F(CatalogTest, SigsnoopJsonKeepsNumbersAndAddsSignalNames) {
  SignalTarget target;
  auto [seen, o] = run_until(
      "sigsnoop", {"-p", std::to_string(getpid())},  // -p: the sender, this test
      [&](const json& e) { return field(e, "sig") == SIGUSR1; },
      [&] { kill(target.pid(), SIGUSR1); });
  ASSERT_TRUE(seen) << show(o);
  for (const json& e : json_objects(o.out)) {
    if (field(e, "sig") != SIGUSR1) continue;
    EXPECT_EQ(field(e, "sig_name"), "SIGUSR1") << e.dump();
    ASSERT_TRUE(field(e, "time").is_string()) << e.dump();
    EXPECT_TRUE(std::regex_match(field(e, "time").get<std::string>(), kRfc3339)) << e.dump();
  }
  for (const std::string& line : lines_of(o.out))  // json sorts keys: the text keeps the order
    if (line.find("\"sig_name\"") != std::string::npos) {
      EXPECT_EQ(line.rfind("{\"time\":", 0), 0u) << "time comes first: " << line;
    }
}

TEST_F(CatalogTest, SigsnoopTableShowsSignalNameAndTakesNamesOnInput) {
  // -s SIGUSR1: the tool's own option takes a signal name as well as its number.
  Outcome o = sigsnoop_until(package("sigsnoop"), {}, {"-s", "SIGUSR1"}, "SIGUSR1");
  EXPECT_EQ(o.exit_code, 0) << show(o);
  EXPECT_NE(o.out.find("SIGUSR1"), std::string::npos) << show(o);
  for (const std::string& line : lines_of(o.out))
    if (line.find("SIG") != std::string::npos && line.rfind("TIME", 0) != 0) {
      EXPECT_NE(line.find("SIGUSR1"), std::string::npos) << line;
    }
}

TEST_F(CatalogTest, FieldsAndFiltersShapeTheTable) {
  SignalTarget target;
  const std::string tpid = std::to_string(target.pid());
  Background run({"run", "--fields", "tpid,sig", "--filter", "sig=SIGUSR1", "--filter",
                  "tpid=" + tpid, "--timestamp", "none", package("sigsnoop")});
  bool seen =
      run.wait_for([&](const std::string& out) { return out.find(tpid) != std::string::npos; }, 20s,
                   [&] {
                     kill(target.pid(), SIGUSR1);
                     kill(target.pid(), SIGCONT);  // another signal: filtered out
                   });
  Outcome o = run.stop();
  ASSERT_TRUE(seen) << show(o);
  auto lines = lines_of(o.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_TRUE(std::regex_match(lines[0], std::regex(R"(TPID\s+SIG\s*)"))) << lines[0];
  for (size_t i = 1; i < lines.size(); ++i)
    EXPECT_TRUE(std::regex_match(lines[i], std::regex(tpid + R"(\s+SIGUSR1\s*)"))) << lines[i];
}

TEST_F(CatalogTest, BadFieldsAndFiltersAreUsageErrors) {
  Outcome o = run_lmp({"run", "--fields", "nosuch", package("sigsnoop")});
  EXPECT_EQ(o.exit_code, 2) << show(o);
  EXPECT_NE(o.err.find("nosuch"), std::string::npos) << show(o);
  EXPECT_NE(o.err.find("tpid"), std::string::npos) << "lists the fields there are: " << show(o);
  o = run_lmp({"run", "--filter", "comm~(", package("sigsnoop")});
  EXPECT_EQ(o.exit_code, 2) << show(o);
  o = run_lmp({"run", "--filter", "justtext", package("sigsnoop")});
  EXPECT_EQ(o.exit_code, 2) << show(o);
  o = run_lmp({"run", "--timestamp", "sometimes", package("sigsnoop")});
  EXPECT_EQ(o.exit_code, 2) << show(o);
}

TEST_F(CatalogTest, TimestampModes) {
  Outcome iso = sigsnoop_until(package("sigsnoop"), {"--timestamp", "iso"}, {}, "SIGUSR1");
  bool any = false;
  for (const std::string& line : lines_of(iso.out))
    if (line.find("SIGUSR1") != std::string::npos) {
      any = true;
      EXPECT_TRUE(std::regex_search(line, std::regex(std::string("^") + R"(\d{4}-\d\d-\d\dT)")))
          << line;
    }
  EXPECT_TRUE(any) << show(iso);
  Outcome relative =
      sigsnoop_until(package("sigsnoop"), {"--timestamp", "relative"}, {}, "SIGUSR1");
  for (const std::string& line : lines_of(relative.out))
    if (line.find("SIGUSR1") != std::string::npos) {
      EXPECT_TRUE(std::regex_search(line, std::regex(R"(^\d+\.\d{6} )"))) << line;
    }
  Outcome none = sigsnoop_until(package("sigsnoop"), {"--timestamp", "none"}, {}, "SIGUSR1");
  auto lines = lines_of(none.out);
  ASSERT_FALSE(lines.empty()) << show(none);
  EXPECT_EQ(lines[0].rfind("PID", 0), 0u) << lines[0];
}

TEST_F(CatalogTest, YamlDocumentsCarryDecodedNames) {
  Outcome o = sigsnoop_until(package("sigsnoop"), {"--yaml"}, {}, "sig_name: SIGUSR1");
  EXPECT_NE(o.out.find("---\n"), std::string::npos) << show(o);
  EXPECT_NE(o.out.find("sig_name: SIGUSR1"), std::string::npos) << show(o);
  EXPECT_NE(o.out.find("\nsig: 10\n"), std::string::npos) << show(o);
}

TEST_F(CatalogTest, LmpOptionsAfterThePackageApplyWhenTheToolHasNone) {
  // sigsnoop has no --json: after the package it is lmp's. Its own -p stays its own.
  SignalTarget target;
  Outcome o = sigsnoop_until(package("sigsnoop"), {}, {"--json", "-p", std::to_string(getpid())},
                             "\"tpid\"");
  EXPECT_TRUE(any_event(o.out, [](const json&) { return true; })) << show(o);
  // lmp's --pid before the package filters the output; the tool has its own -p/--pid.
  o = run_lmp({"run", "--pid", "1", "--duration", "0", package("sigsnoop")});
  EXPECT_EQ(o.exit_code, 0) << show(o);
  EXPECT_NE(o.err.find("has its own --pid"), std::string::npos) << show(o);
  // An option of the tool before the package: the hint shows where it goes.
  o = run_lmp({"run", "-x", package("sigsnoop")});
  EXPECT_EQ(o.exit_code, 2) << show(o);
  EXPECT_NE(o.err.find("put it after the package: lmp run " + package("sigsnoop") + " -x"),
            std::string::npos)
      << show(o);
}

TEST_F(CatalogTest, SyscountNamesSystemCalls) {
  Background run({"run", "--json", package("syscount"), "-p", std::to_string(getpid())});
  bool seen = run.wait_for(
      [](const std::string& out) {
        return out.find("\"syscall_id_name\":\"getppid\"") != std::string::npos;
      },
      20s,
      [] {
        for (int i = 0; i < 100; ++i) syscall(SYS_getppid);
      });
  Outcome o = run.stop();
  EXPECT_TRUE(seen) << show(o);
  // The table shows the name.
  Background table({"run", package("syscount"), "-p", std::to_string(getpid())});
  seen = table.wait_for(
      [](const std::string& out) { return out.find("getppid") != std::string::npos; }, 20s,
      [] {
        for (int i = 0; i < 100; ++i) syscall(SYS_getppid);
      });
  o = table.stop();
  EXPECT_TRUE(seen) << show(o);
}

TEST_F(CatalogTest, TcpstatesShowsDottedAddresses) {
  LoopbackListener listener;
  const int port = listener.port();
  ASSERT_GT(port, 0);
  auto [seen, o] = run_until(
      "tcpstates", {"-D", std::to_string(port)},
      [&](const json& e) {
        return field(e, "dport") == port && field(e, "daddr_text") == "127.0.0.1" &&
               field(e, "daddr") == json::array({127, 0, 0, 1});
      },
      [&] { listener.connect_once(); });
  EXPECT_TRUE(seen) << show(o);
}

TEST_F(CatalogTest, ShortRunOfAnIntervalToolPrintsItsLastInterval) {
  // runqlat prints every second; stopped after 0.9 s it prints its histogram once (bcc
  // prints the final histogram too), and on SIGINT after 1.5 s, twice.
  Outcome o = run_lmp({"run", "--duration", "0.9", package("runqlat")});
  EXPECT_EQ(o.exit_code, 0) << show(o);
  size_t headers = 0;
  for (size_t at = o.out.find("distribution"); at != std::string::npos;
       at = o.out.find("distribution", at + 1))
    ++headers;
  EXPECT_EQ(headers, 1u) << show(o);

  Background run({"run", "--json", package("runqlat")});
  ASSERT_TRUE(run.wait_for([](const std::string& out) { return !json_objects(out).empty(); }, 20s))
      << show(run.stop());
  std::this_thread::sleep_for(300ms);
  o = run.stop(SIGINT);
  EXPECT_EQ(json_objects(o.out).size(), 2u) << "a round, then the last part: " << show(o);
}

// Runs `lmp run ARGS` on a pseudo-terminal `columns` wide until `wanted` shows.
Outcome run_on_terminal(size_t columns, const std::vector<std::string>& args,
                        const std::string& wanted, const std::function<void()>& action) {
  std::string command = "stty cols " + std::to_string(columns) + " rows 50; exec " LMP_BINARY;
  for (const std::string& arg : args) command += " '" + arg + "'";
  auto run = Background::program({"/usr/bin/script", "-qefc", command, "/dev/null"},
                                 {.env = {"NO_COLOR=1", "TERM=xterm"}});
  run->wait_for([&](const std::string& out) { return out.find(wanted) != std::string::npos; }, 20s,
                action);
  return run->stop();
}

TEST_F(CatalogTest, TableRowsFitTheTerminal) {
  TempDir dir;
  const std::string name = "fit-" + std::to_string(getpid()) + "-" + std::string(60, 'x');
  const fs::path file = dir.path() / name;
  auto open_file = [&] {
    run_child([&] {
      prctl(PR_SET_NAME, "lmpfit");
      std::ofstream(file) << "x";
    });
  };
  for (size_t columns : {40u, 200u}) {
    SCOPED_TRACE(columns);
    Outcome o = run_on_terminal(
        columns, {"run", "--comm", "lmpfit", "--fields", "comm,fname", package("opensnoop")},
        "lmpfit", open_file);
    bool row = false;
    for (const std::string& line : lines_of(o.out)) {
      EXPECT_LE(display_width(line), columns) << line;
      if (line.find("lmpfit") == std::string::npos) continue;
      row = true;
      if (columns == 40)
        EXPECT_NE(line.find("\u2026"), std::string::npos) << "cut with a marker: " << line;
      else
        EXPECT_NE(line.find(name), std::string::npos) << "whole at 200 columns: " << line;
    }
    EXPECT_TRUE(row) << show(o);
  }
}

TEST_F(CatalogTest, HelpTextsFitTheTerminal) {
  // lmp's help, a subcommand's (CLI11) and a tool's generated options, at 40 and 200 columns.
  for (size_t columns : {40u, 200u}) {
    SCOPED_TRACE(columns);
    for (const std::vector<std::string>& args : {std::vector<std::string>{"--help"},
                                                 {"run", "--help"},
                                                 {"pull", "--help"},
                                                 {"run", package("sigsnoop"), "-h"}}) {
      Outcome o = run_on_terminal(columns, args, "\x01", [] {});  // runs to its end
      EXPECT_EQ(o.exit_code, 0) << show(o);
      EXPECT_NE(o.out.find("-h"), std::string::npos) << show(o);
      for (const std::string& line : lines_of(o.out)) {
        // Only a word longer than the width (a URL, an option's spelled-out choices) may
        // stick out; a line that is all one word is such a word.
        if (display_width(line) > columns) {
          std::string trimmed = line.substr(line.find_first_not_of(' '));
          EXPECT_EQ(trimmed.find(' '), std::string::npos) << "too wide: " << line;
        }
      }
    }
  }
}

TEST_F(CatalogTest, ABareNameIsAPackageEvenBesideADirectoryOfThatName) {
  TempDir dir;
  fs::create_directories(dir.path() / "sigsnoop");
  Outcome o = run_lmp({"run", "sigsnoop", "-h"}, {.cwd = dir.path()});
  EXPECT_EQ(o.exit_code, 0) << show(o);
  EXPECT_NE(o.out.find("Usage: sigsnoop"), std::string::npos) << show(o);
  EXPECT_NE(o.err.find("./sigsnoop is a directory too; lmp uses the package sigsnoop"),
            std::string::npos)
      << show(o);
  // ./NAME is the directory (an empty one: nothing to run there).
  Outcome path = run_lmp({"run", "./sigsnoop"}, {.cwd = dir.path()});
  EXPECT_NE(path.exit_code, 0) << show(path);
  EXPECT_EQ(path.err.find("Usage: sigsnoop"), std::string::npos) << show(path);
}

}  // namespace
}  // namespace lmp::test
