#include "output/metrics.h"

#include <sys/resource.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "common/log.h"
#include "output/event_cells.h"
#include "output/event_columns.h"

namespace lmp::output {
namespace {

const char* type_name(MetricsRegistry::Type type) {
  switch (type) {
    case MetricsRegistry::Type::kCounter:
      return "counter";
    case MetricsRegistry::Type::kGauge:
      return "gauge";
    case MetricsRegistry::Type::kHistogram:
      return "histogram";
  }
  return "untyped";
}

// A sample value: integers without a fraction, others shortest round-trip, and the
// exposition format's +Inf / -Inf / NaN.
void append_number(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else if (v == std::floor(v) && std::fabs(v) < 9.007199254740992e15) {
    out += std::to_string(static_cast<long long>(v));
  } else {
    char text[32];
    auto [end, ec] = std::to_chars(text, text + sizeof text, v);  // shortest exact
    out.append(text, ec == std::errc() ? end : text);
  }
}

// HELP text escapes backslash and newline; label values also the double quote.
void append_escaped(std::string& out, std::string_view text, bool label) {
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && label) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

void append_labels(std::string& out, const Labels& labels, std::string_view extra_name = {},
                   std::string_view extra_value = {}) {
  if (labels.empty() && extra_name.empty()) return;
  out += '{';
  bool first = true;
  for (const auto& [name, value] : labels) {
    if (!first) out += ',';
    first = false;
    out += name;
    out += "=\"";
    append_escaped(out, value, true);
    out += '"';
  }
  if (!extra_name.empty()) {
    if (!first) out += ',';
    out += extra_name;
    out += "=\"";
    out += extra_value;
    out += '"';
  }
  out += '}';
}

std::string bound_text(double bound) {
  std::string text;
  append_number(text, bound);
  return text;
}

}  // namespace

std::string metric_name(std::string_view text) {
  std::string name;
  for (char c : text) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == ':';
    name += ok ? c : '_';
  }
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) name.insert(name.begin(), '_');
  return name;
}

void MetricsRegistry::declare(const std::string& name, Type type, std::string help,
                              std::vector<double> bounds, std::size_t max_series) {
  std::lock_guard lock(mutex_);
  if (families_.contains(name)) return;
  Family family;
  family.type = type;
  family.help = std::move(help);
  family.bounds = std::move(bounds);
  family.max_series = max_series != 0 ? max_series : max_series_;
  families_.emplace(name, std::move(family));
  order_.push_back(name);
}

MetricsRegistry::Series* MetricsRegistry::find_series(const std::string& name,
                                                      const Labels& labels) {
  auto it = families_.find(name);
  if (it == families_.end()) return nullptr;
  Family& family = it->second;
  if (auto found = family.series.find(labels); found != family.series.end()) return &found->second;
  if (family.series.size() < family.max_series) return &family.series[labels];
  // Past the limit: one series with every value "other" counts the rest.
  Labels other = labels;
  for (auto& [label, value] : other) value = "other";
  if (!family.warned) {
    family.warned = true;
    log::warn("metric " + name + " has " + std::to_string(family.max_series) +
              " series, its limit: further label values are counted as \"other\" (a label with "
              "fewer values, or a larger max_series, avoids it; docs/metrics.md)");
  }
  Series& overflow = family.series[other];  // one past the limit: the overflow series
  overflow.overflow = true;
  return &overflow;
}

void MetricsRegistry::add(const std::string& name, const Labels& labels, double delta) {
  std::lock_guard lock(mutex_);
  if (Series* s = find_series(name, labels)) s->value += delta;
}

void MetricsRegistry::set(const std::string& name, const Labels& labels, double value) {
  std::lock_guard lock(mutex_);
  if (Series* s = find_series(name, labels)) s->value = value;
}

void MetricsRegistry::observe_buckets(const std::string& name, const Labels& labels,
                                      std::span<const uint64_t> counts, double sum,
                                      bool accumulate) {
  std::lock_guard lock(mutex_);
  auto family = families_.find(name);
  if (family == families_.end()) return;
  Series* s = find_series(name, labels);
  if (!s) return;
  std::size_t buckets = family->second.bounds.size() + 1;
  if (s->buckets.size() != buckets) s->buckets.assign(buckets, 0);
  // Counts past the last bound fall into +Inf.
  std::vector<uint64_t> incoming(buckets, 0);
  for (std::size_t i = 0; i < counts.size(); ++i) incoming[std::min(i, buckets - 1)] += counts[i];
  // The overflow series sums every label set past the limit, so it always adds.
  bool add = accumulate || s->overflow;
  for (std::size_t i = 0; i < buckets; ++i)
    s->buckets[i] = add ? s->buckets[i] + incoming[i] : incoming[i];
  s->sum = add ? s->sum + sum : sum;
}

void MetricsRegistry::clear(const std::string& name) {
  std::lock_guard lock(mutex_);
  if (auto it = families_.find(name); it != families_.end()) it->second.series.clear();
}

std::size_t MetricsRegistry::series_count(const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto it = families_.find(name);
  return it == families_.end() ? 0 : it->second.series.size();
}

std::size_t MetricsRegistry::add_collector(std::function<void()> collector) {
  std::lock_guard lock(collectors_mutex_);
  collectors_.emplace(next_collector_, std::move(collector));
  return next_collector_++;
}

void MetricsRegistry::remove_collector(std::size_t id) {
  std::lock_guard lock(collectors_mutex_);
  collectors_.erase(id);
}

std::string MetricsRegistry::render() const {
  {
    std::lock_guard collecting(collectors_mutex_);
    for (const auto& [id, collector] : collectors_) collector();
  }
  std::lock_guard lock(mutex_);
  std::string out;
  out.reserve(4096);
  for (const std::string& name : order_) {
    const Family& family = families_.at(name);
    out += "# HELP " + name + " ";
    append_escaped(out, family.help, false);
    out += "\n# TYPE " + name + " " + type_name(family.type) + "\n";
    for (const auto& [labels, series] : family.series) {
      if (family.type != Type::kHistogram) {
        out += name;
        append_labels(out, labels);
        out += ' ';
        append_number(out, series.value);
        out += '\n';
        continue;
      }
      uint64_t cumulative = 0;
      for (std::size_t i = 0; i < series.buckets.size(); ++i) {
        cumulative += series.buckets[i];
        out += name + "_bucket";
        append_labels(out, labels, "le",
                      i < family.bounds.size() ? bound_text(family.bounds[i]) : "+Inf");
        out += ' ' + std::to_string(cumulative) + '\n';
      }
      out += name + "_sum";
      append_labels(out, labels);
      out += ' ';
      append_number(out, series.sum);
      out += '\n' + name + "_count";
      append_labels(out, labels);
      out += ' ' + std::to_string(cumulative) + '\n';
    }
  }
  return out;
}

Result<std::vector<EventCounterSpec>> parse_metrics_config(const nlohmann::json& config,
                                                           std::string_view package) {
  using nlohmann::json;
  std::vector<EventCounterSpec> specs;
  if (!config.is_object())
    return fail(ExitCode::kUsage, "metrics configuration: expected a JSON object",
                "see docs/metrics.md");
  const json* metrics = &config;
  if (auto programs = config.find("programs"); programs != config.end()) {
    if (!programs->is_array())
      return fail(ExitCode::kUsage, "metrics configuration: \"programs\" must be an array");
    metrics = nullptr;
    for (const json& program : *programs) {
      if (!program.is_object() || !program.contains("name") || !program["name"].is_string())
        return fail(ExitCode::kUsage,
                    "metrics configuration: each of \"programs\" needs a \"name\" string");
      if (program["name"].get<std::string>() != package) continue;
      auto found = program.find("metrics");
      if (found == program.end() || !found->is_object())
        return fail(ExitCode::kUsage, "metrics configuration: program " + std::string(package) +
                                          " needs a \"metrics\" object");
      metrics = &*found;
    }
    if (!metrics) return specs;
  }
  auto counters = metrics->find("counters");
  if (counters == metrics->end()) return specs;
  if (!counters->is_array())
    return fail(ExitCode::kUsage, "metrics configuration: \"counters\" must be an array");
  for (std::size_t i = 0; i < counters->size(); ++i) {
    const json& c = (*counters)[i];
    std::string where = "metrics configuration: counters[" + std::to_string(i) + "]";
    if (!c.is_object()) return fail(ExitCode::kUsage, where + ": expected an object");
    EventCounterSpec spec;
    if (!c.contains("name") || !c["name"].is_string() || c["name"].get<std::string>().empty())
      return fail(ExitCode::kUsage, where + ": \"name\" must be a non-empty string");
    spec.name = metric_name(c["name"].get<std::string>());
    for (const char* key : {"help", "description"})
      if (c.contains(key)) {
        if (!c[key].is_string())
          return fail(ExitCode::kUsage, where + ": \"" + key + "\" must be a string");
        spec.help = c[key].get<std::string>();
      }
    if (c.contains("buffer")) {
      if (!c["buffer"].is_string())
        return fail(ExitCode::kUsage, where + ": \"buffer\" must be a string");
      spec.buffer = c["buffer"].get<std::string>();
    }
    if (c.contains("max_series")) {
      if (!c["max_series"].is_number_unsigned() || c["max_series"].get<uint64_t>() == 0 ||
          c["max_series"].get<uint64_t>() > 1000000)
        return fail(ExitCode::kUsage,
                    where + ": \"max_series\" must be a number from 1 to 1000000");
      spec.max_series = c["max_series"].get<std::size_t>();
    }
    if (c.contains("labels")) {
      if (!c["labels"].is_array())
        return fail(ExitCode::kUsage, where + ": \"labels\" must be an array");
      for (const json& label : c["labels"]) {
        std::string name, from;
        if (label.is_string()) {
          name = from = label.get<std::string>();
        } else if (label.is_object() && label.contains("name") && label["name"].is_string()) {
          name = label["name"].get<std::string>();
          from = name;
          if (label.contains("from")) {
            if (!label["from"].is_string())
              return fail(ExitCode::kUsage, where + ": a label's \"from\" must be a string");
            from = label["from"].get<std::string>();
          }
        } else {
          return fail(ExitCode::kUsage,
                      where + ": a label is a field name or {\"name\": ..., \"from\": ...}");
        }
        if (name.empty() || from.empty())
          return fail(ExitCode::kUsage, where + ": a label needs a name and a field");
        spec.labels.emplace_back(metric_name(name), from);
      }
    }
    if (spec.help.empty()) spec.help = "events of " + std::string(package) + " counted by lmp";
    specs.push_back(std::move(spec));
  }
  return specs;
}

namespace {

class EventMetricsImpl final : public EventMetrics {
 public:
  struct Counter {
    std::string name;
    std::vector<std::pair<std::string, std::size_t>> labels;  // label -> column
  };

  EventMetricsImpl(const btf* btf, std::vector<detail::Column> columns, std::string package,
                   std::string buffer, std::vector<Counter> counters, MetricsRegistry& registry)
      : btf_(btf),
        columns_(std::move(columns)),
        events_labels_{{"package", std::move(package)}, {"buffer", std::move(buffer)}},
        counters_(std::move(counters)),
        registry_(registry) {
    family_ = detail::find_family_column(columns_);
    // The event count is an atomic on the hot path, copied into the registry at each scrape.
    collector_ = registry_.add_collector([this] {
      registry_.set("lmp_events_total", events_labels_,
                    static_cast<double>(events_.load(std::memory_order_relaxed)));
    });
  }
  ~EventMetricsImpl() override { registry_.remove_collector(collector_); }
  EventMetricsImpl(const EventMetricsImpl&) = delete;
  EventMetricsImpl& operator=(const EventMetricsImpl&) = delete;

  void count(std::span<const uint8_t> data) override {
    events_.fetch_add(1, std::memory_order_relaxed);
    for (const Counter& counter : counters_) {
      labels_.clear();
      for (const auto& [label, column] : counter.labels)
        labels_.emplace_back(label, text_of(columns_[column], data));
      registry_.add(counter.name, labels_, 1);
    }
  }

 private:
  std::string text_of(const detail::Column& column, std::span<const uint8_t> data) const {
    if (data.size() < column.offset + column.size) return {};  // cut before this member
    const detail::Column* family = family_ ? &columns_[*family_] : nullptr;
    if (auto decoded = detail::decoded_text(column, data, family)) return std::move(*decoded);
    std::string text;
    detail::append_raw(text, btf_, column, data, false);
    return text;
  }

  const btf* btf_;
  std::vector<detail::Column> columns_;
  std::optional<std::size_t> family_;
  Labels events_labels_;
  std::vector<Counter> counters_;
  MetricsRegistry& registry_;
  Labels labels_;  // reused per event
  std::atomic<uint64_t> events_{0};
  std::size_t collector_ = 0;
};

}  // namespace

Result<std::unique_ptr<EventMetrics>> EventMetrics::create(
    const btf* btf, const package::ExportType& type, std::string package, std::string buffer,
    const std::vector<EventCounterSpec>& specs, MetricsRegistry& registry) {
  std::vector<detail::Column> columns;
  std::vector<EventMetricsImpl::Counter> counters;
  bool need_columns = std::any_of(specs.begin(), specs.end(), [&](const EventCounterSpec& s) {
    return s.buffer.empty() || s.buffer == buffer;
  });
  if (need_columns) {
    if (btf == nullptr)
      return fail(ExitCode::kBadPackage, "the program has no BTF to decode events with");
    uint32_t id = LMP_TRY(detail::find_export_struct(btf, type));
    columns = LMP_TRY(detail::plan_columns(btf, id, type));
  }
  for (const EventCounterSpec& spec : specs) {
    if (!spec.buffer.empty() && spec.buffer != buffer) continue;
    EventMetricsImpl::Counter counter{spec.name, {}};
    for (const auto& [label, field] : spec.labels) {
      auto found = std::find_if(columns.begin(), columns.end(),
                                [&](const detail::Column& c) { return c.name == field; });
      if (found == columns.end()) {
        std::string names;
        for (const auto& c : columns) names += (names.empty() ? "" : ", ") + c.name;
        return fail(ExitCode::kUsage,
                    "metric " + spec.name + ": the events of " + type.name + " have no field '" +
                        field + "'",
                    "their fields: " + names);
      }
      counter.labels.emplace_back(label, static_cast<std::size_t>(found - columns.begin()));
    }
    registry.declare(spec.name, MetricsRegistry::Type::kCounter, spec.help, {}, spec.max_series);
    counters.push_back(std::move(counter));
  }
  return std::make_unique<EventMetricsImpl>(btf, std::move(columns), std::move(package),
                                            std::move(buffer), std::move(counters), registry);
}

void declare_run_metrics(MetricsRegistry& registry) {
  using Type = MetricsRegistry::Type;
  registry.declare("lmp_events_total", Type::kCounter,
                   "Events read from each event buffer (ring or perf buffer) of each package.");
  registry.declare("lmp_events_lost_total", Type::kCounter,
                   "Events the kernel dropped because a perf buffer was full.");
  registry.declare("lmp_poll_rounds_total", Type::kCounter,
                   "Rounds of lmp's polling loop (waits for events, map samples).");
  registry.declare("process_resident_memory_bytes", Type::kGauge,
                   "Resident memory of the lmp process in bytes.");
  registry.declare("process_cpu_seconds_total", Type::kCounter,
                   "User and system CPU time of the lmp process in seconds.");
  registry.declare("process_start_time_seconds", Type::kGauge,
                   "When the lmp process started, in seconds since the Unix epoch.");
}

void update_process_metrics(MetricsRegistry& registry) {
  static const double started = [] {
    timeval now{};
    gettimeofday(&now, nullptr);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_usec) / 1e6;
  }();
  std::ifstream statm("/proc/self/statm");
  long pages_total = 0, pages_resident = 0;
  if (statm >> pages_total >> pages_resident)
    registry.set("process_resident_memory_bytes", {},
                 static_cast<double>(pages_resident) * static_cast<double>(sysconf(_SC_PAGESIZE)));
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) == 0) {
    auto seconds = [](const timeval& t) {
      return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    registry.set("process_cpu_seconds_total", {},
                 seconds(usage.ru_utime) + seconds(usage.ru_stime));
  }
  registry.set("process_start_time_seconds", {}, started);
}

}  // namespace lmp::output
