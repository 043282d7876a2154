// lmp run --metrics scraped by a real Prometheus server (Debian's prometheus package) on
// loopback, the exposition checked by promtool, label cardinality limits, and several packages
// in one run (docs/metrics.md, docs/run.md).
#include <sys/prctl.h>

#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

#include "catalog_fixture.h"

namespace lmp::test {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr const char* kPrometheus = "/usr/bin/prometheus";
constexpr const char* kPromtool = "/usr/bin/promtool";

// Fails (LMP_REQUIRE_BPF=1, as in CI) or skips when Debian's prometheus is missing.
#define REQUIRE_PROMETHEUS_OR_SKIP()                                                            \
  do {                                                                                          \
    if (!fs::exists(kPrometheus) || !fs::exists(kPromtool)) {                                   \
      if (const char* r = std::getenv("LMP_REQUIRE_BPF"); r && std::string(r) == "1")           \
        FAIL() << "prometheus/promtool missing: apt-get install prometheus (scripts/setup.sh)"; \
      GTEST_SKIP() << "prometheus is not installed";                                            \
    }                                                                                           \
  } while (0)

// GET http://127.0.0.1:PORT/metrics; empty when it does not answer 200.
std::string scrape(int port) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(2);
  auto response = client.Get("/metrics");
  return response && response->status == 200 ? response->body : std::string();
}

// Waits until lmp's exporter answers.
bool wait_for_exporter(Background& run, int port) {
  for (int i = 0; i < 200; ++i) {
    if (!scrape(port).empty()) return true;
    if (!run.running()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

// A Prometheus server on loopback scraping one target every second, with its own storage.
class PrometheusServer {
 public:
  explicit PrometheusServer(int target_port) : port_(free_port()) {
    spit(dir_.path() / "prometheus.yml",
         "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
         "scrape_configs:\n  - job_name: lmp\n    static_configs:\n"
         "      - targets: ['127.0.0.1:" +
             std::to_string(target_port) + "']\n");
    process_ = Background::program(
        {kPrometheus, "--config.file=" + (dir_.path() / "prometheus.yml").string(),
         "--storage.tsdb.path=" + (dir_.path() / "data").string(),
         "--web.listen-address=127.0.0.1:" + std::to_string(port_), "--log.level=warn"});
    httplib::Client client("127.0.0.1", port_);
    for (int i = 0; i < 300 && !ready_; ++i) {
      if (auto r = client.Get("/-/ready"); r && r->status == 200) ready_ = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  bool ready() const { return ready_; }
  std::string log() { return process_->stop(SIGTERM).err; }

  // The first sample's value of an instant query through the HTTP API; nullopt when the
  // result is empty or the query failed.
  std::optional<double> query(const std::string& promql) {
    httplib::Client client("127.0.0.1", port_);
    auto response = client.Get("/api/v1/query", httplib::Params{{"query", promql}}, {});
    if (!response || response->status != 200) return std::nullopt;
    json body = json::parse(response->body, nullptr, false);
    if (!body.is_object() || body.value("status", "") != "success") return std::nullopt;
    const json& result = body["data"]["result"];
    if (!result.is_array() || result.empty()) return std::nullopt;
    return std::stod(result[0]["value"][1].get<std::string>());
  }

 private:
  TempDir dir_;
  int port_;
  std::unique_ptr<Background> process_;
  bool ready_ = false;
};

// A child named `comm` that opens `file`.
void open_as(const char* comm, const fs::path& file) {
  run_child([&] {
    prctl(PR_SET_NAME, comm);
    std::ofstream(file) << "x";
  });
}

TEST_F(CatalogTest, PrometheusScrapesEventCountersAndHistogramsOfSeveralPackages) {
  REQUIRE_PROMETHEUS_OR_SKIP();
  TempDir dir;
  const int port = free_port();
  // eunomia-exporter's shape: the counters of each program by name.
  spit(dir.path() / "metrics.json", R"({"programs": [{"name": "opensnoop", "metrics":
      {"counters": [{"name": "lmp_test_opens_total", "help": "opens by command",
                     "labels": ["comm"]}]}}]})");
  Background run({"run", "--metrics", "127.0.0.1:" + std::to_string(port), "--metrics-config",
                  (dir.path() / "metrics.json").string(), "--quiet", package("opensnoop"), "--",
                  package("runqlat")});
  ASSERT_TRUE(wait_for_exporter(run, port)) << show(run.stop());
  PrometheusServer prometheus(port);
  ASSERT_TRUE(prometheus.ready()) << prometheus.log();

  std::optional<double> opens, runq, events, rss;
  for (int i = 0; i < 60 && !(opens && runq && events && rss); ++i) {
    open_as("lmpmetrics", dir.path() / ("f" + std::to_string(i)));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    opens = prometheus.query(R"(lmp_test_opens_total{comm="lmpmetrics"} > 0)");
    runq = prometheus.query("sum(lmp_runqlat_hists_usecs_count) > 0");
    events = prometheus.query(R"(sum(lmp_events_total{package="opensnoop"}) > 0)");
    rss = prometheus.query("process_resident_memory_bytes > 0");
  }
  EXPECT_TRUE(opens) << "the labelled counter of the child's opens";
  EXPECT_TRUE(runq) << "runqlat's histogram";
  EXPECT_TRUE(events) << "opensnoop's event counter";
  EXPECT_TRUE(rss);
  // The histogram has cumulative buckets: +Inf holds every count.
  EXPECT_TRUE(prometheus.query(
      R"(sum(lmp_runqlat_hists_usecs_bucket{le="+Inf"}) - sum(lmp_runqlat_hists_usecs_count) == 0)"));

  // promtool accepts the exposition as it is.
  spit(dir.path() / "scraped.txt", scrape(port));
  Outcome check = run_program(
      {"/bin/sh", "-c",
       std::string(kPromtool) + " check metrics < " + (dir.path() / "scraped.txt").string()});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;

  Outcome o = run.stop();
  EXPECT_EQ(o.exit_code, 0) << show(o);
  EXPECT_EQ(o.out, "") << "--quiet prints nothing";
  EXPECT_NE(o.err.find("serving metrics on http://127.0.0.1:" + std::to_string(port)),
            std::string::npos)
      << o.err;
}

TEST_F(CatalogTest, MetricLabelsPastTheLimitGoToOneOtherSeries) {
  TempDir dir;
  const int port = free_port();
  spit(dir.path() / "metrics.yaml",
       "counters:\n  - name: lmp_test_files_total\n    labels: [fname]\n"
       "    max_series: 3\n");
  Background run({"run", "--metrics", "127.0.0.1:" + std::to_string(port), "--metrics-config",
                  (dir.path() / "metrics.yaml").string(), "--quiet", package("opensnoop")});
  ASSERT_TRUE(wait_for_exporter(run, port)) << show(run.stop());
  std::string text;
  for (int i = 0; i < 100 && text.find("fname=\"other\"") == std::string::npos; ++i) {
    open_as("lmpcardinal", dir.path() / ("file-" + std::to_string(i)));
    text = scrape(port);
  }
  Outcome o = run.stop();
  size_t series = 0;
  for (size_t at = text.find("\nlmp_test_files_total{"); at != std::string::npos;
       at = text.find("\nlmp_test_files_total{", at + 1))
    ++series;
  EXPECT_EQ(series, 4u) << "three, then the overflow series\n" << text;
  EXPECT_NE(text.find("lmp_test_files_total{fname=\"other\"}"), std::string::npos) << text;
  EXPECT_NE(o.err.find("lmp_test_files_total has 3 series, its limit"), std::string::npos) << o.err;
}

TEST_F(CatalogTest, SeveralPackagesPrintOneStreamWithTheirNames) {
  SignalTarget target;
  TempDir dir;
  const fs::path file = dir.path() / "several";
  Background run(
      {"run", "--json", package("opensnoop"), "--", package("sigsnoop"), "-s", "SIGUSR1"});
  bool seen = run.wait_for(
      [&](const std::string& out) {
        return out.find("\"package\":\"sigsnoop\"") != std::string::npos &&
               out.find(file.string()) != std::string::npos;
      },
      20s,
      [&] {
        kill(target.pid(), SIGUSR1);
        open_as("lmpseveral", file);
      });
  Outcome o = run.stop();
  ASSERT_TRUE(seen) << show(o);
  EXPECT_EQ(o.exit_code, 0) << show(o);
  for (const json& e : json_objects(o.out)) {
    ASSERT_TRUE(e.contains("package")) << e.dump();
    if (e["package"] == "sigsnoop") {
      EXPECT_EQ(field(e, "sig_name"), "SIGUSR1") << "sigsnoop's own -s applies: " << e.dump();
    } else {
      EXPECT_EQ(e["package"], "opensnoop") << e.dump();
    }
  }
  // The table has a PACKAGE column.
  Outcome table =
      run_lmp({"run", "--duration", "0.5", package("opensnoop"), "--", package("sigsnoop")});
  EXPECT_EQ(table.exit_code, 0) << show(table);
  EXPECT_NE(table.out.find("TIME     PACKAGE"), std::string::npos) << show(table);
}

TEST_F(CatalogTest, OneBadPackageStopsTheRunBeforeAnythingAttaches) {
  Outcome o = run_lmp({"run", package("opensnoop"), "--", package("sigsnoop"), "--no-such"});
  EXPECT_EQ(o.exit_code, 2) << show(o);
  EXPECT_NE(o.err.find("unknown option '--no-such' for sigsnoop"), std::string::npos) << show(o);
  EXPECT_EQ(o.out, "") << "nothing ran";
  Outcome trailing = run_lmp({"run", package("opensnoop"), "--"});
  EXPECT_EQ(trailing.exit_code, 2) << show(trailing);
  EXPECT_NE(trailing.err.find("needs another package after it"), std::string::npos)
      << show(trailing);
  Outcome busy = run_lmp({"run", "--metrics", "127.0.0.1:notaport", package("opensnoop")});
  EXPECT_EQ(busy.exit_code, 2) << show(busy);
  EXPECT_NE(busy.err.find("--metrics: '127.0.0.1:notaport' is not HOST:PORT"), std::string::npos)
      << show(busy);
}

TEST_F(CatalogTest, ASuiteRunsEveryPackageItDependsOn) {
  // A config.json whose dependencies name catalog tools, and nothing built: a suite.
  TempDir dir;
  fs::path suite = dir.path() / "observe";
  fs::create_directories(suite);
  spit(suite / "config.json", R"({"name": "observe", "version": "1.0.0",
      "author": "tests", "description": "opens and signals",
      "dependencies": {"opensnoop": "^1", "sigsnoop": {"version": ">=1.0.0 <2"}}})");
  const fs::path file = dir.path() / "suite-file";
  Background run({"run", "--json", suite.string()});
  bool seen = run.wait_for(
      [&](const std::string& out) {
        return out.find("\"package\":\"opensnoop\"") != std::string::npos &&
               out.find(file.string()) != std::string::npos;
      },
      20s, [&] { open_as("lmpsuite", file); });
  Outcome o = run.stop();
  ASSERT_TRUE(seen) << show(o);
  EXPECT_EQ(o.exit_code, 0) << show(o);
  EXPECT_NE(o.err.find("running the suite observe: opensnoop:1.0.0, sigsnoop:1.0.0"),
            std::string::npos)
      << show(o);
  // A range nothing satisfies is one error line before anything loads.
  spit(suite / "config.json", R"({"name": "observe", "version": "1.0.0",
      "author": "tests", "description": "x", "dependencies": {"opensnoop": "^9"}})");
  Outcome bad = run_lmp({"run", suite.string()});
  EXPECT_NE(bad.exit_code, 0) << show(bad);
  EXPECT_EQ(bad.out, "");
  EXPECT_NE(bad.err.find("opensnoop"), std::string::npos) << show(bad);
}

}  // namespace
}  // namespace lmp::test
