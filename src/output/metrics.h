// Prometheus metrics of a run (`lmp run --metrics`, docs/metrics.md): a registry of counter,
// gauge and histogram families with a per-family series limit, rendered in Prometheus's text
// exposition format 0.0.4, and what feeds it from events. The printers feed sampled maps
// (PrintOptions::metrics); serving the text over HTTP is the caller's.
//
// A small module of our own rather than prometheus-cpp: a histogram here is read whole from a
// kernel map (bucket counts, cumulative or per interval), not observed value by value, and
// every family needs a series limit with an overflow series; the format itself is short.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "package/package.h"

struct btf;

namespace lmp::output {

// Label names and values of one series, in the order given (names must be valid).
using Labels = std::vector<std::pair<std::string, std::string>>;

// "lmp_runqlat_hists" from parts: every character not in [a-zA-Z0-9_:] becomes '_', and a
// leading digit gets a '_' in front.
std::string metric_name(std::string_view text);

class MetricsRegistry {
 public:
  enum class Type { kCounter, kGauge, kHistogram };

  // `max_series`: the most series a family keeps (a label value set past it is counted in
  // one series whose every label value is "other", with one warning).
  explicit MetricsRegistry(std::size_t max_series = 1000) : max_series_(max_series) {}

  // Declares a family (again: the existing one). `bounds` (histograms): the upper bounds of
  // the finite buckets, ascending; +Inf is added. `max_series` 0: the registry's.
  void declare(const std::string& name, Type type, std::string help,
               std::vector<double> bounds = {}, std::size_t max_series = 0);

  // Counters and gauges. add() creates the series at 0 first.
  void add(const std::string& name, const Labels& labels, double delta);
  void set(const std::string& name, const Labels& labels, double value);
  // Histograms: `counts` per bucket (not cumulative; the last is +Inf's own), added to the
  // series (`accumulate`) or replacing it; `sum` likewise.
  void observe_buckets(const std::string& name, const Labels& labels,
                       std::span<const uint64_t> counts, double sum, bool accumulate);
  // Drops every series of a family (a gauge family rebuilt each round).
  void clear(const std::string& name);

  // A function render() calls first (to set gauges or counters kept elsewhere, e.g. in an
  // atomic on a hot path); removed by its id. remove_collector waits for a running render.
  std::size_t add_collector(std::function<void()> collector);
  void remove_collector(std::size_t id);

  // The text exposition of every family, in declaration order (after the collectors ran).
  std::string render() const;

  // Series of a family (for tests and limits).
  std::size_t series_count(const std::string& name) const;

 private:
  struct Series {
    double value = 0;
    std::vector<uint64_t> buckets;  // histograms: per bucket, +Inf last
    double sum = 0;
    bool overflow = false;  // the "other" series of a family past its limit
  };
  struct Family {
    Type type = Type::kCounter;
    std::string help;
    std::vector<double> bounds;
    std::size_t max_series = 0;
    bool warned = false;
    std::map<Labels, Series> series;
  };
  // The series `labels` names in `family`, or the overflow series; nullptr for no family.
  Series* find_series(const std::string& name, const Labels& labels);

  mutable std::mutex collectors_mutex_;  // held while collectors run; taken before mutex_
  std::map<std::size_t, std::function<void()>> collectors_;
  std::size_t next_collector_ = 0;
  mutable std::mutex mutex_;
  std::size_t max_series_;
  std::vector<std::string> order_;
  std::map<std::string, Family> families_;
};

// A counter of events labelled by decoded fields (config.json `metrics`, --metrics-config):
// `name` is the metric's name, `labels` map label names to the event fields they come from.
struct EventCounterSpec {
  std::string name;
  std::string help;
  std::string buffer;  // only events of this buffer; empty: every buffer of the package
  std::vector<std::pair<std::string, std::string>> labels;  // label name -> field
  std::size_t max_series = 0;                               // 0: the registry's limit
};

// Parses the `metrics` object of a config.json or of a --metrics-config file for `package`:
// {"counters": [{"name": "...", "help": "...", "buffer": "events",
//   "labels": ["comm", {"name": "file", "from": "fname"}], "max_series": 100}]}; a
// --metrics-config file may instead hold {"programs": [{"name": PACKAGE, "metrics": {...}}]}
// (eunomia-exporter's shape), whose entry for `package` is taken. Errors (kUsage) name the
// field that is wrong.
Result<std::vector<EventCounterSpec>> parse_metrics_config(const nlohmann::json& config,
                                                           std::string_view package);

// Counts the events of one buffer: lmp_events_total{package,buffer} and each spec's counter.
class EventMetrics {
 public:
  // Errors (kUsage) for a spec naming a field the event struct does not have.
  static Result<std::unique_ptr<EventMetrics>> create(const btf* btf,
                                                      const package::ExportType& type,
                                                      std::string package, std::string buffer,
                                                      const std::vector<EventCounterSpec>& specs,
                                                      MetricsRegistry& registry);
  virtual ~EventMetrics() = default;
  virtual void count(std::span<const uint8_t> data) = 0;
};

// Declares the families every run has (events, lost events, process, poll rounds).
void declare_run_metrics(MetricsRegistry& registry);

// Process metrics (RSS, CPU seconds, start time) read now from /proc/self.
void update_process_metrics(MetricsRegistry& registry);

}  // namespace lmp::output
