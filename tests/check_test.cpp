// `lmp check` against this kernel (docs/check.md): every catalog tool passes; packages made to
// fail one check each (a tracepoint that does not exist, a kprobe on a kernel without kprobes,
// a CO-RE field no kernel has, a map type no kernel has, a uprobe on a function its binary
// lacks) fail that check with exit code 5;
// --no-load loads nothing; an unprivileged user gets the privilege check's hint; lmp run of a
// kprobe package says what lmp check says; --report reaches a real lmp-hub's store page.
#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog_fixture.h"
#include "harness.h"
#include "hub_fixture.h"

namespace lmp::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The bundled catalog lmp resolves names in (build/catalog).
fs::path bundled_catalog() {
  return fs::path(LMP_BINARY).parent_path() / "catalog";
}

json parse_report(const Outcome& o) {
  json j = json::parse(o.out, nullptr, false);
  EXPECT_TRUE(j.is_object()) << show(o);
  return j.is_object() ? j : json::object();
}

const json* check_of(const json& report, const std::string& id) {
  if (!report.contains("checks")) return nullptr;
  for (const auto& c : report["checks"])
    if (c.value("id", "") == id) return &c;
  return nullptr;
}

std::string status_of(const json& report, const std::string& id) {
  const json* c = check_of(report, id);
  return c ? c->value("status", "") : "(no check " + id + ")";
}

class CheckTest : public ProgramSuite<CheckTest> {
 public:
  static std::vector<std::string> programs() {
    return {"check_no_tracepoint", "kprobe_only", "check_core_field", "check_map_type",
            "check_uprobe_symbol"};
  }

 protected:
  // Runs lmp check --json on the package built from tests/programs/NAME; expects exit 5
  // and check `id` failed, with a reason and a hint.
  json expect_failure(const std::string& name, const std::string& id,
                      const std::vector<std::string>& flags = {}) {
    std::vector<std::string> args = {"check", "--json"};
    args.insert(args.end(), flags.begin(), flags.end());
    args.push_back(package(name));
    Outcome o = run_lmp(args);
    EXPECT_EQ(o.exit_code, 5) << show(o);
    json report = parse_report(o);
    EXPECT_EQ(status_of(report, id), "fail") << o.out;
    EXPECT_EQ(report.value("passed", true), false);
    const json* c = check_of(report, id);
    if (c) {
      EXPECT_FALSE(c->value("reason", "").empty()) << *c;
      EXPECT_FALSE(c->value("hint", "").empty()) << *c;
      EXPECT_FALSE(c->value("needs", "").empty()) << *c;
    }
    bool listed = false;
    for (const auto& f : report.value("failed", json::array())) listed = listed || f == id;
    EXPECT_TRUE(listed) << o.out;
    return report;
  }
};

TEST_F(CheckTest, MissingTracepointFailsTheAttachCheck) {
  json report = expect_failure("check_no_tracepoint", "attach/on_missing");
  EXPECT_NE(check_of(report, "attach/on_missing")
                ->value("reason", "")
                .find("syscalls/sys_enter_lmp_no_such_call"),
            std::string::npos);
  EXPECT_EQ(status_of(report, "core"), "ok");
  EXPECT_EQ(status_of(report, "privileges"), "ok");
}

// A uprobe on a function its binary does not define fails before any load; one on a
// function it does define passes.
TEST_F(CheckTest, UprobeOnAMissingFunctionFailsTheAttachCheck) {
  json report = expect_failure("check_uprobe_symbol", "attach/on_missing", {"--no-load"});
  std::string reason = check_of(report, "attach/on_missing")->value("reason", "");
  EXPECT_NE(reason.find("has no function lmp_no_such_function"), std::string::npos) << reason;
  EXPECT_NE(reason.find("libc.so.6"), std::string::npos) << reason;
  EXPECT_EQ(status_of(report, "attach/on_malloc"), "ok") << report.dump();
  EXPECT_NE(check_of(report, "attach/on_malloc")->value("reason", "").find("has function malloc"),
            std::string::npos);
}

TEST_F(CheckTest, KprobeFailsOnAKernelWithoutKprobes) {
  std::error_code ec;
  if (fs::exists("/sys/bus/event_source/devices/kprobe", ec))
    GTEST_SKIP() << "this kernel has kprobes";
  json report = expect_failure("kprobe_only", "attach/trace_unlink");
  EXPECT_NE(check_of(report, "attach/trace_unlink")->value("reason", "").find("kprobes"),
            std::string::npos);
}

TEST_F(CheckTest, MissingCoreFieldFailsTheCoreCheckWithoutLoading) {
  json report = expect_failure("check_core_field", "core", {"--no-load"});
  std::string reason = check_of(report, "core")->value("reason", "");
  EXPECT_NE(reason.find("task_struct___lmp.lmp_made_up_field"), std::string::npos) << reason;
  EXPECT_EQ(report.value("trial_load", true), false);
  EXPECT_EQ(status_of(report, "trial-load"), "skip");
}

TEST_F(CheckTest, MissingCoreFieldAlsoFailsTheTrialLoad) {
  json report = expect_failure("check_core_field", "core");
  EXPECT_EQ(report.value("trial_load", false), true);
  EXPECT_EQ(status_of(report, "trial-load"), "fail");
}

TEST_F(CheckTest, UnknownMapTypeFailsTheMapCheck) {
  json report = expect_failure("check_map_type", "map/lmp_odd_map");
  json no_load = expect_failure("check_map_type", "map/lmp_odd_map", {"--no-load"});
  EXPECT_EQ(status_of(no_load, "trial-load"), "skip");
}

TEST_F(CheckTest, TextReportMarksTheFailedCheck) {
  Outcome o =
      run_lmp({"check", "--no-load", package("check_no_tracepoint")}, {.env = {"NO_COLOR=1"}});
  EXPECT_EQ(o.exit_code, 5) << show(o);
  EXPECT_NE(o.out.find("✘ tracepoint syscalls/sys_enter_lmp_no_such_call exists"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("    hint: "), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("✔ kernel BTF is available"), std::string::npos) << o.out;
  // --no-load: the trial load is skipped, not run.
  EXPECT_NE(o.out.find("– the kernel loads the package (loaded, then unloaded): --no-load"),
            std::string::npos)
      << o.out;
  EXPECT_EQ(o.out.find("\x1b["), std::string::npos) << "NO_COLOR is set";
}

TEST_F(CheckTest, RunOfAKprobePackageSaysWhatCheckSays) {
  std::error_code ec;
  if (fs::exists("/sys/bus/event_source/devices/kprobe", ec))
    GTEST_SKIP() << "this kernel has kprobes";
  Outcome o = run_lmp({"run", "--duration", "1", package("kprobe_only")});
  EXPECT_EQ(o.exit_code, 5) << show(o);
  EXPECT_NE(o.err.find("error: cannot attach program trace_unlink: this kernel does not "
                       "support kprobes"),
            std::string::npos)
      << o.err;
  EXPECT_NE(o.err.find("lmp check lists every check"), std::string::npos) << o.err;
}

// A suite is checked package by package: its dependencies (catalog tools, which pass) and its
// own package (which fails here); the exit code and "passed" are the suite's.
TEST_F(CheckTest, SuiteIsCheckedPackageByPackage) {
  TempDir dir;
  fs::path suite = dir.path() / "observe";
  fs::create_directories(suite);
  spit(suite / "config.json", R"({"name": "observe", "version": "1.0.0",
      "author": "tests", "description": "opens and signals",
      "dependencies": {"opensnoop": "^1", "sigsnoop": "^1"}})");
  // Only dependencies: every one passes.
  Outcome ok = run_lmp({"check", "--no-load", "--json", suite.string()});
  EXPECT_EQ(ok.exit_code, 0) << show(ok);
  json all = parse_report(ok);
  EXPECT_EQ(all.value("suite", ""), "observe") << ok.out;
  EXPECT_EQ(all.value("passed", false), true) << ok.out;
  ASSERT_EQ(all.value("reports", json::array()).size(), 2u) << ok.out;
  EXPECT_EQ(all["reports"][0]["package"].value("name", ""), "opensnoop");
  EXPECT_EQ(all["reports"][1]["package"].value("name", ""), "sigsnoop");
  Outcome text = run_lmp({"check", "--no-load", suite.string()});
  EXPECT_EQ(text.exit_code, 0) << show(text);
  EXPECT_NE(text.out.find("== opensnoop 1.0.0"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("suite observe: 2 of 2 package(s) pass"), std::string::npos) << text.out;
  // Its own package fails a check: the suite fails, the dependencies' reports still pass.
  fs::copy_file(package("check_no_tracepoint"), suite / "package.json");
  Outcome bad = run_lmp({"check", "--no-load", "--json", (suite / "package.json").string()});
  EXPECT_EQ(bad.exit_code, 5) << show(bad);
  json failed = parse_report(bad);
  EXPECT_EQ(failed.value("passed", true), false) << bad.out;
  ASSERT_EQ(failed.value("reports", json::array()).size(), 3u) << bad.out;
  EXPECT_EQ(failed["reports"][0].value("passed", false), true);
  EXPECT_EQ(failed["reports"][2]["package"].value("name", ""), "observe");
  EXPECT_EQ(status_of(failed["reports"][2], "attach/on_missing"), "fail") << bad.out;
}

class CheckCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override { LMP_REQUIRE_BPF_OR_SKIP(); }
  TempDir home_;
};

TEST_F(CheckCatalogTest, EveryCatalogToolPassesHere) {
  for (const auto& tool : kTools) {
    for (bool no_load : {false, true}) {
      std::vector<std::string> args = {"check", "--json", tool};
      if (no_load) args.insert(args.begin() + 1, "--no-load");
      Outcome o = run_lmp(args, {.env = {"LMP_HOME=" + (home_.path() / "home").string()}});
      EXPECT_EQ(o.exit_code, 0) << tool << (no_load ? " --no-load\n" : "\n") << show(o);
      json report = parse_report(o);
      EXPECT_EQ(report.value("passed", false), true) << tool << "\n" << o.out;
      EXPECT_EQ(report["package"].value("name", ""), tool);
      EXPECT_EQ(report.value("trial_load", no_load), !no_load) << tool;
      EXPECT_EQ(status_of(report, "trial-load"), no_load ? "skip" : "ok") << o.out;
      EXPECT_EQ(status_of(report, "core"), "ok") << tool << "\n" << o.out;
    }
  }
}

// --no-load loads nothing: not one bpf() system call (strace), where a full check makes some.
TEST_F(CheckCatalogTest, NoLoadMakesNoBpfSystemCall) {
  std::error_code ec;
  if (!fs::exists("/usr/bin/strace", ec)) GTEST_SKIP() << "needs strace";
  std::string package = (bundled_catalog() / "opensnoop" / "package.json").string();
  auto bpf_calls = [&](bool no_load) {
    fs::path trace = home_.path() / (no_load ? "no-load.txt" : "full.txt");
    std::vector<std::string> argv = {"/usr/bin/strace", "-f",       "-e",    "trace=bpf", "-o",
                                     trace.string(),    LMP_BINARY, "check", package};
    if (no_load) argv.push_back("--no-load");
    Outcome o = run_program(argv);
    EXPECT_EQ(o.exit_code, 0) << show(o);
    std::string text = slurp(trace);
    std::size_t calls = 0;
    for (std::size_t at = text.find("bpf("); at != std::string::npos;
         at = text.find("bpf(", at + 1))
      ++calls;
    return calls;
  };
  EXPECT_EQ(bpf_calls(true), 0u);
  EXPECT_GT(bpf_calls(false), 0u);
}

TEST_F(CheckCatalogTest, WasmModuleAloneIsCheckedByItsEmbeddedObject) {
  TempDir dir;
  fs::copy_file(bundled_catalog() / "runqlat" / "app.wasm", dir.path() / "app.wasm");
  Outcome o = run_lmp({"check", "--json", "--no-load", (dir.path() / "app.wasm").string()});
  EXPECT_EQ(o.exit_code, 0) << show(o);
  json report = parse_report(o);
  EXPECT_EQ(status_of(report, "wasm"), "skip") << o.out;
  if (const json* c = check_of(report, "wasm")) {
    EXPECT_NE(c->value("reason", "").find("embedded"), std::string::npos) << *c;
  }
  EXPECT_EQ(status_of(report, "attach/on_switch"), "ok") << o.out;
  EXPECT_EQ(status_of(report, "core"), "ok") << o.out;
}

TEST_F(CheckCatalogTest, UnprivilegedUserGetsThePrivilegeHint) {
  // nobody needs to read the package and write its LMP_HOME.
  TempDir shared;
  fs::permissions(shared.path(), fs::perms::all);
  fs::path dir = shared.path() / "opensnoop";
  fs::create_directories(dir);
  fs::copy_file(bundled_catalog() / "opensnoop" / "package.json", dir / "package.json");
  fs::permissions(dir, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                           fs::perms::others_read | fs::perms::others_exec);
  fs::permissions(dir / "package.json", fs::perms::owner_read | fs::perms::owner_write |
                                            fs::perms::group_read | fs::perms::others_read);
  fs::create_directories(shared.path() / "home");
  fs::permissions(shared.path() / "home", fs::perms::all);
  RunOptions options;
  options.as_nobody = true;
  options.env = {"LMP_HOME=" + (shared.path() / "home").string(), "NO_COLOR=1"};
  Outcome o = run_lmp({"check", "--json", (dir / "package.json").string()}, options);
  EXPECT_LT(o.exit_code, 128) << "crashed\n" << show(o);
  EXPECT_EQ(o.exit_code, 4) << show(o);
  json report = parse_report(o);
  EXPECT_EQ(status_of(report, "privileges"), "fail") << o.out;
  if (const json* c = check_of(report, "privileges")) {
    EXPECT_NE(c->value("hint", "").find("root"), std::string::npos) << *c;
  }
  EXPECT_EQ(status_of(report, "trial-load"), "skip") << o.out;
  EXPECT_EQ(status_of(report, "core"), "ok") << o.out;
  EXPECT_EQ(report.value("failed", json::array()), json::array({"privileges"})) << o.out;
  // The text form too.
  Outcome text = run_lmp({"check", (dir / "package.json").string()}, options);
  EXPECT_EQ(text.exit_code, 4) << show(text);
  EXPECT_NE(text.out.find("✘ privileges to load eBPF"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("hint: run as root"), std::string::npos) << text.out;
}

TEST_F(CheckCatalogTest, ReportReachesTheHubStorePage) {
  TempDir data;
  HubProcess hub(data.path() / "hub");
  Outcome add = hub.admin({"user", "add", "carol", "--password-stdin"}, "carol-password-1\n");
  ASSERT_EQ(add.exit_code, 0) << add.err;
  ASSERT_TRUE(hub.start()) << hub.last_error;
  fs::path home = data.path() / "home";
  Outcome login = lmp_with_hub(hub, home, {"login", hub.url(), "-u", "carol", "--password-stdin"},
                               "carol-password-1\n");
  ASSERT_EQ(login.exit_code, 0) << show(login);
  fs::path dir = data.path() / "pkg";
  make_publish_dir(dir, bundled_catalog() / "opensnoop", "checked", "1.0.0");
  Outcome published = lmp_with_hub(hub, home, {"publish", dir.string()});
  ASSERT_EQ(published.exit_code, 0) << show(published);

  // Without a login the hub refuses the report.
  Outcome anonymous = lmp_with_hub(hub, data.path() / "other-home",
                                   {"check", "--no-load", "--report", "checked:1.0.0"});
  EXPECT_EQ(anonymous.exit_code, 4) << show(anonymous);

  Outcome reported = lmp_with_hub(
      hub, home, {"check", "--no-load", "--report", "--hub", hub.url(), "checked:1.0.0"});
  ASSERT_EQ(reported.exit_code, 0) << show(reported);
  EXPECT_NE(reported.err.find("reported to"), std::string::npos) << reported.err;

  auto client = hub.client();
  auto api = client.Get("/api/v1/packages/checked/versions/1.0.0/check-reports");
  ASSERT_TRUE(api);
  ASSERT_EQ(api->status, 200) << api->body;
  json answer = json::parse(api->body, nullptr, false);
  ASSERT_TRUE(answer.is_object()) << api->body;
  ASSERT_EQ(answer["reports"].size(), 1u) << api->body;
  EXPECT_EQ(answer["reports"][0].value("passed", false), true);
  EXPECT_EQ(answer["reports"][0].value("reporter", ""), "carol");
  std::string summary = answer.value("summary", "");
  EXPECT_NE(summary.find(" ✔"), std::string::npos) << summary;

  auto page = client.Get("/p/checked");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("Runs on"), std::string::npos);
  EXPECT_NE(page->body.find(summary), std::string::npos) << summary;

  // A report of a failed check shows what the package needs; one line per kernel.
  json failing = {{"schema", 1},
                  {"package", {{"name", "checked"}, {"version", "1.0.0"}}},
                  {"kernel", {{"release", "5.4.0-42-generic"}, {"arch", "x86_64"}}},
                  {"passed", false},
                  {"checks",
                   {{{"id", "map/events"},
                     {"status", "fail"},
                     {"title", "map events"},
                     {"reason", "no"},
                     {"needs", "ring buffer"}}}}};
  std::string token = hub_login(hub, "carol", "carol-password-1");
  httplib::Headers auth = {{"Authorization", "Bearer " + token}};
  auto posted = client.Post("/api/v1/packages/checked/versions/1.0.0/check-reports", auth,
                            failing.dump(), "application/json");
  ASSERT_TRUE(posted);
  EXPECT_EQ(posted->status, 201) << posted->body;
  page = client.Get("/p/checked");
  ASSERT_TRUE(page);
  EXPECT_NE(page->body.find("5.4 x86_64 ✘ (needs ring buffer)"), std::string::npos);
  // A report for a version that does not exist is a 404; one naming another version a 400.
  json other = failing;
  other["package"]["version"] = "9.9.9";
  auto missing = client.Post("/api/v1/packages/checked/versions/9.9.9/check-reports", auth,
                             other.dump(), "application/json");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404) << missing->body;
  auto mismatched = client.Post("/api/v1/packages/checked/versions/1.0.0/check-reports", auth,
                                other.dump(), "application/json");
  ASSERT_TRUE(mismatched);
  EXPECT_EQ(mismatched->status, 400) << mismatched->body;
}

}  // namespace
}  // namespace lmp::test
