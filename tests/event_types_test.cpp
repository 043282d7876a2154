// Events decoded as the right type (docs/run.md, "Which export type decodes which buffer"):
// several structs in a header, one struct per buffer, variable-length records through a ring
// or perf buffer, and a plain compiled object run as `lmp run FILE.bpf.o`. Each test execs a
// uniquely named binary and finds its event, decoded, in the JSON output.
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "harness.h"

namespace lmp::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;

class EventTypes : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    fs::path programs = source_dir() / "tests/programs";
    // The header names every struct; before lmp read the object's record sizes, the first
    // (not an event) decoded both buffers.
    build_errors_ = new std::string;
    Outcome multi = run_lmp({"build", (programs / "event_multi/event_multi.bpf.c").string(),
                             (programs / "event_multi/event_multi.h").string(), "-o",
                             (dir_->path() / "multi").string()},
                            {.timeout = 120s});
    if (multi.exit_code != 0) *build_errors_ += "event_multi: " + multi.err;
    Outcome varlen = run_lmp(
        {"build", (programs / "event_varlen").string(), "-o", (dir_->path() / "varlen").string()},
        {.timeout = 120s});
    if (varlen.exit_code != 0) *build_errors_ += "event_varlen: " + varlen.err;
  }
  static void TearDownTestSuite() {
    delete dir_;
    delete build_errors_;
    dir_ = nullptr;
    build_errors_ = nullptr;
  }
  void SetUp() override { LMP_REQUIRE_BPF_OR_SKIP(); }

  static std::string package(const std::string& name) {
    fs::path p = dir_->path() / name / "package.json";
    if (!fs::exists(p)) ADD_FAILURE() << "package " << name << " not built:\n" << *build_errors_;
    return p.string();
  }

  static TempDir* dir_;
  static std::string* build_errors_;
};

TempDir* EventTypes::dir_ = nullptr;
std::string* EventTypes::build_errors_ = nullptr;

void exec_child(const fs::path& binary, const std::vector<std::string>& args) {
  std::vector<char*> argv{const_cast<char*>(binary.c_str())};
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  waitpid(pid, nullptr, 0);
}

std::vector<json> json_lines(const std::string& out) {
  std::vector<json> lines;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(json::parse(line));
  return lines;
}

// Runs `lmp run --json REF ARGS...`, execs `binary` until `wanted` is in stdout, then stops.
Outcome run_until(const std::vector<std::string>& run_args, const fs::path& binary,
                  const std::string& wanted) {
  std::vector<std::string> args = {"run", "--json"};
  args.insert(args.end(), run_args.begin(), run_args.end());
  Background run(args);
  bool seen = run.wait_for(
      [&](const std::string& out) { return out.find(wanted) != std::string::npos; }, 10s,
      [&] {
        exec_child(binary, {"one", "two"});
      });
  Outcome o = run.stop();
  EXPECT_TRUE(seen) << "stdout:\n" << o.out.substr(0, 2000) << "\nstderr:\n" << o.err;
  return o;
}

TEST_F(EventTypes, EachBufferDecodesAsTheStructItCarries) {
  std::ifstream in(package("multi"));
  json meta = json::parse(in)["meta"];
  ASSERT_EQ(meta["export_types"].size(), 2u) << meta["export_types"].dump();
  EXPECT_EQ(meta["export_types"][0]["name"], "exec_event");
  EXPECT_EQ(meta["export_types"][1]["name"], "tag_event");

  TempDir dir;
  fs::path binary = copy_binary(dir.path(), "lmpevmulti", "/bin/true");
  Outcome o = run_until({package("multi")}, binary, "lmpevmulti");
  bool exec_seen = false, tag_seen = false;
  for (const auto& e : json_lines(o.out)) {
    if (e.value("comm", "") == "lmpevmulti") {
      EXPECT_EQ(e["marker"], "execmrk") << e.dump();
      exec_seen = true;
    }
    if (e.contains("tag")) {
      EXPECT_EQ(e["tag"], 0xabc) << e.dump();
      EXPECT_EQ(e["magic"], 42) << e.dump();
      tag_seen = true;
    }
  }
  EXPECT_TRUE(exec_seen && tag_seen) << o.out.substr(0, 2000);
  EXPECT_EQ(o.err.find("skipping"), std::string::npos) << o.err;
}

// A package from before these rules (eunomia's ecc writes the same): several export types,
// the first not the event, no export_config, no enable_multiple_export_types. The record
// sizes in the object still pick each buffer's struct.
TEST_F(EventTypes, OldPackageWithSeveralTypesUsesRecordSizes) {
  std::ifstream in(package("multi"));
  json pkg = json::parse(in);
  json& meta = pkg["meta"];
  for (auto& map : meta["bpf_skel"]["maps"]) map.erase("export_config");
  meta["enable_multiple_export_types"] = false;
  std::swap(meta["export_types"][0], meta["export_types"][1]);  // tag_event first
  TempDir dir;
  fs::path old_package = dir.path() / "package.json";
  std::ofstream(old_package) << pkg.dump();

  fs::path binary = copy_binary(dir.path(), "lmpevold", "/bin/true");
  Outcome o = run_until({old_package.string()}, binary, "lmpevold");
  bool exec_seen = false;
  for (const auto& e : json_lines(o.out)) {
    if (e.value("comm", "") != "lmpevold") continue;
    EXPECT_EQ(e["marker"], "execmrk") << e.dump();
    exec_seen = true;
  }
  EXPECT_TRUE(exec_seen) << o.out.substr(0, 2000) << o.err;
}

void expect_varlen_event(const std::vector<std::string>& run_args) {
  TempDir dir;
  fs::path binary = copy_binary(dir.path(), "lmpevvarlen", "/bin/true");
  Outcome o = run_until(run_args, binary, binary.string());
  bool matched = false;
  for (const auto& e : json_lines(o.out)) {
    if (e.value("args", "") != binary.string()) continue;
    EXPECT_EQ(e["argc"], 3) << e.dump();
    EXPECT_TRUE(e["pid"].is_number_integer());
    matched = true;
  }
  EXPECT_TRUE(matched) << o.out.substr(0, 2000) << o.err;
  EXPECT_EQ(o.err.find("skipping"), std::string::npos) << o.err;
}

TEST_F(EventTypes, VariableLengthRingBufferRecordsAreDecoded) {
  expect_varlen_event({package("varlen")});
}

TEST_F(EventTypes, VariableLengthPerfBufferRecordsAreDecoded) {
  expect_varlen_event({package("varlen"), "--perf"});
}

// A libbpf-tools style object compiled by clang alone, run without a package.json.
TEST_F(EventTypes, PlainObjectRunsWithOptionsFromItsBtf) {
  TempDir dir;
  utsname host{};
  uname(&host);
  fs::path object = dir.path() / "event_plain.bpf.o";
  Outcome cc =
      run_program({"clang", "-O2", "-g", "-target", "bpf",
                   "-I/usr/include/" + std::string(host.machine) + "-linux-gnu", "-c",
                   (source_dir() / "tests/programs/event_plain/event_plain.bpf.c").string(), "-o",
                   object.string()});
  ASSERT_EQ(cc.exit_code, 0) << cc.err;

  // Detected by its ELF magic, whatever its name.
  fs::path renamed = dir.path() / "plain.bin";
  fs::copy_file(object, renamed);
  Outcome help = run_lmp({"run", renamed.string(), "-h"});
  EXPECT_EQ(help.exit_code, 0) << help.err;
  EXPECT_NE(help.out.find("--magic"), std::string::npos) << help.out;

  fs::path binary = copy_binary(dir.path(), "lmpevplain", "/bin/true");
  Outcome o = run_until({object.string(), "--magic", "99"}, binary, "lmpevplain");
  bool matched = false;
  for (const auto& e : json_lines(o.out)) {
    if (e.value("comm", "") != "lmpevplain") continue;
    EXPECT_EQ(e["magic"], 99) << e.dump();
    matched = true;
  }
  EXPECT_TRUE(matched) << o.out.substr(0, 2000) << o.err;
}

}  // namespace
}  // namespace lmp::test
