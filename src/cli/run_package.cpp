// `lmp run` of a package.json / package.yaml: the native pipeline, its order written here
// once; each stage lives in src/loader or src/output.
#include <bpf/libbpf.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "cli/command.h"
#include "cli/metrics_server.h"
#include "cli/run.h"
#include "common/file.h"
#include "common/log.h"
#include "compiler/event_types.h"
#include "compiler/object_package.h"
#include "loader/attach.h"
#include "loader/attach_targets.h"
#include "loader/bpf_object_handle.h"
#include "loader/check.h"
#include "loader/initial_values.h"
#include "loader/iterator.h"
#include "loader/map_autoprint.h"
#include "loader/map_sampler.h"
#include "loader/map_sizes.h"
#include "loader/poller.h"
#include "loader/privileges.h"
#include "loader/program_select.h"
#include "loader/run_loop.h"
#include "loader/trace_pipe.h"
#include "loader/tracefs.h"
#include "output/map_autoprint.h"
#include "output/metrics.h"
#include "output/output.h"
#include "output/writer.h"
#include "package/package.h"
#include "package/program_options.h"
#include "package/yaml_convert.h"

namespace lmp::cli {
namespace {

// How long --quiet lets events gather between rounds (loader::RunLoopOptions::min_round_ms).
constexpr int kQuietRoundMs = 1;

namespace fs = std::filesystem;

std::string program_name(const package::Package& package, const fs::path& path) {
  if (!package.meta.bpf_skel.obj_name.empty()) return package.meta.bpf_skel.obj_name;
  return path.parent_path().filename().string();
}

// The labelled event counters for package `name`: config.json's "metrics" beside the package,
// then --metrics-config FILE (JSON or YAML).
Result<std::vector<output::EventCounterSpec>> event_counter_specs(const fs::path& package_path,
                                                                  const std::string& config_file,
                                                                  const std::string& name) {
  std::vector<output::EventCounterSpec> specs;
  std::error_code ec;
  fs::path beside = package_path.parent_path() / "config.json";
  if (fs::is_regular_file(beside, ec)) {
    std::string text = LMP_TRY(read_file(beside, 1 << 20));
    nlohmann::json config = nlohmann::json::parse(text, nullptr, false);
    if (config.is_object() && config.contains("metrics")) {
      auto found = output::parse_metrics_config(config["metrics"], name);
      if (!found)
        return fail(ExitCode::kBadPackage, beside.string() + ": " + found.error().message,
                    found.error().hint);
      specs = std::move(*found);
    }
  }
  if (!config_file.empty()) {
    std::string text = LMP_TRY(read_file(config_file, 1 << 20));
    auto config = package::yaml_to_json(text);  // JSON is YAML too
    if (!config)
      return fail(ExitCode::kUsage,
                  "--metrics-config " + config_file + ": " + config.error().message);
    auto found = output::parse_metrics_config(*config, name);
    if (!found)
      return fail(ExitCode::kUsage,
                  "--metrics-config " + config_file + ": " + found.error().message,
                  found.error().hint);
    specs.insert(specs.end(), found->begin(), found->end());
  }
  return specs;
}

// What the packages of one run share: stdout, the metrics registry, the first poll round.
struct SharedRun {
  SharedRun(output::OutputWriter& w, std::ostream& o) : writer(w), out(o) {}
  output::OutputWriter& writer;
  std::ostream& out;
  output::MetricsRegistry* metrics = nullptr;
  bool several = false;     // lmp run A -- B: a PACKAGE column, package names in messages
  bool first_round = true;  // events of lmp's own pid are dropped in it
  int64_t own_pid = ::getpid();
  std::map<std::string, uint64_t> kernel_lost;  // by buffer (PACKAGE/BUFFER when several)
};

// One package of a run, from its package.json to its attached programs. Kept on the heap:
// the callbacks given to its poller point at it.
struct PackageSession {
  std::string name;  // obj_name: the PACKAGE column, metrics' package label
  std::string ref;
  RunFlags own;  // lmp's flags with those given after this package's REF
  package::Package package;
  std::optional<loader::BpfObjectHandle> object;
  std::function<bool(std::string_view)> program_has;
  std::map<std::string, std::unique_ptr<output::EventPrinter>> type_printers;  // by struct
  std::map<std::string, output::EventPrinter*> event_printers;                 // by buffer
  std::map<std::string, std::unique_ptr<output::EventMetrics>> event_metrics;  // by buffer
  std::map<std::string, bool> warned;
  std::unique_ptr<loader::Poller> poller;
  std::vector<loader::MapSampler> samplers;
  std::vector<std::unique_ptr<output::MapPrinter>> map_printers;  // one per sampler
  loader::Attachments attachments;
  std::string globals;  // a .bss/.data map whose results lmp does not print
};

// How a package's own arguments ended the run before loading (-h, --version).
struct EarlyExit {
  int code = 0;
};

// Opens the package, parses its arguments and loads it: nothing is attached yet.
Result<std::variant<std::unique_ptr<PackageSession>, EarlyExit>> open_session(
    const RunFlags& flags, const Resolved& resolved, SharedRun& shared) {
  auto session = std::make_unique<PackageSession>();
  PackageSession& s = *session;
  const fs::path& path = resolved.path;
  s.ref = flags.ref;
  // A plain compiled object (ELF magic) runs as the package lmp build would make of it; its
  // bytes are vetted first, as a package's are before libbpf reads them.
  if (compiler::is_elf_file(path)) {
    std::string bytes = LMP_TRY(read_file(path, package::kMaxBpfObjectBytes));
    LMP_CHECK(
        loader::vet_object(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()),
                           path.stem().string(), flags.btf));
  }
  s.package = LMP_TRY(compiler::read_package_or_object(path));
  const package::Meta& meta = s.package.meta;
  s.name = program_name(s.package, path);

  // Opening only parses the object; its initializers give the help texts their defaults.
  std::string btf_flag = flags.btf;
  if (btf_flag.empty())
    if (const char* env = std::getenv("BTF_FILE_PATH"); env && *env) btf_flag = env;
  auto object =
      loader::BpfObjectHandle::open(s.package.bpf_object, meta.bpf_skel.obj_name, btf_flag);
  package::ObjectDefaults defaults;
  if (object) defaults = loader::read_object_defaults(object->get(), meta);

  auto options = LMP_TRY(package::ProgramOptions::create(meta, s.name, defaults));
  // `lmp run opensnoop --json`: lmp's options the program does not have are lmp's.
  auto long_names = std::make_shared<std::vector<std::string>>();
  for (const auto& o : options.options()) long_names->push_back(o.long_name);
  s.program_has = [long_names](std::string_view option) {
    return std::find(long_names->begin(), long_names->end(), option) != long_names->end();
  };
  s.own = flags;
  std::vector<std::string> program_args =
      LMP_TRY(take_lmp_options(s.own, flags.program_args, s.program_has));
  auto parsed = LMP_TRY(options.parse(program_args));
  if (s.own.verbose && !flags.verbose) log::set_level(log::Level::kDebug);
  if (parsed.action == package::ParsedArgs::Action::kHelp) {
    print_help(options.help_text());
    return EarlyExit{0};
  }
  if (parsed.action == package::ParsedArgs::Action::kVersion) {
    std::fputs(options.version_text().c_str(), stdout);
    return EarlyExit{0};
  }

  // Preconditions, then open → initial values → load.
  LMP_CHECK(loader::check_privileges());
  LMP_TRY(loader::resolve_btf_path(flags.btf));
  if (!object) return std::unexpected(object.error());
  s.object.emplace(std::move(*object));
  // Sizes the tool's own user space would set (--map-size, defaults for unsized maps).
  auto map_sizes = LMP_TRY(loader::parse_map_sizes(s.own.map_sizes));
  // Which programs load (alternatives, --programs, autoload); reopens to fall back.
  auto prepare = [&](bpf_object* o) -> Result<void> {
    loader::prepare_programs(o);
    if (loader::needs_tracefs(o, meta.bpf_skel.progs)) LMP_CHECK(loader::ensure_tracefs());
    LMP_CHECK(loader::apply_initial_values(o, parsed.assignments));
    for (const auto& note : LMP_TRY(loader::apply_map_sizes(o, map_sizes))) log::debug(note);
    return {};
  };
  if (auto loaded = loader::load_programs(*s.object, meta.bpf_skel.progs,
                                          {s.own.programs, s.own.skip_programs}, prepare);
      !loaded)  // in the words of lmp check, when one of its checks says why
    return std::unexpected(loader::explain_run_failure(s.package, btf_flag, loaded.error()));
  bpf_object* obj = s.object->get();

  // Printers: stdout is data only, written without ever blocking on its reader.
  output::PrintOptions print_options = LMP_TRY(make_print_options(s.own));
  print_options.metrics = shared.metrics;
  print_options.package = s.name;
  print_options.quiet = s.own.quiet;
  print_options.package_column = shared.several;
  // lmp's --pid/--comm filter what is printed; the tool's own filter in the kernel.
  for (const auto& [lmp_value, option] :
       {std::pair{s.own.pid, "pid"}, std::pair{s.own.comm, "comm"}})
    if (!lmp_value.empty() && s.program_has(option))
      log::info(s.name + " has its own --" + option +
                " (it filters in the kernel, cheaper): lmp run " + flags.ref + " --" + option +
                " " + lmp_value + "; lmp's --" + option +
                " before the package only filters what is printed");
  const btf* btf = bpf_object__btf(obj);
  std::vector<output::EventCounterSpec> counter_specs;
  if (shared.metrics)
    counter_specs = LMP_TRY(event_counter_specs(path, s.own.metrics_config, s.name));
  PackageSession* self = &s;
  SharedRun* run = &shared;
  // Events lmp itself caused while attaching (libbpf reads tracefs, so opensnoop would
  // start with lmp's own opens) are in the buffers before the first poll: that round
  // leaves out events whose pid is lmp's. Later events of lmp's pid are shown.
  auto on_sample = [self, run](std::string_view map, std::span<const uint8_t> data) {
    auto it = self->event_printers.find(std::string(map));
    if (it != self->event_printers.end()) {
      if (run->first_round && it->second->pid_of(data) == run->own_pid) return;
      if (run->metrics)
        if (auto counted = self->event_metrics.find(std::string(map));
            counted != self->event_metrics.end())
          counted->second->count(data);
      if (!self->own.quiet) it->second->print(data);
      return;
    }
    if (!self->warned[std::string(map)])
      log::warn("no export type for buffer " + std::string(map) + " of " + self->name +
                "; its events are not printed (rebuild naming the header of the event struct: "
                "lmp build SRC.bpf.c HEADER.h)");
    self->warned[std::string(map)] = true;
  };
  // Samples the kernel dropped because a perf buffer was full: warned once, totalled at exit.
  auto on_lost = [self, run](std::string_view map, uint64_t count) {
    if (run->metrics)
      run->metrics->add("lmp_events_lost_total",
                        {{"package", self->name}, {"buffer", std::string(map)}},
                        static_cast<double>(count));
    std::string buffer = run->several ? self->name + "/" + std::string(map) : std::string(map);
    uint64_t& total = run->kernel_lost[buffer];
    if (total == 0)
      log::warn("perf buffer " + buffer +
                " is full: the kernel drops events (the total is reported at exit)");
    total += count;
  };
  s.poller = LMP_TRY(loader::Poller::create(obj, meta.perf_buffer_pages, on_sample, on_lost));
  // Which struct each buffer carries: export_config, record sizes, then the package's order.
  for (const auto& [buffer, type] : compiler::export_types_for_buffers(
           obj, s.package.bpf_object, meta, s.poller->buffer_names())) {
    auto& printer = s.type_printers[type.name];
    if (!printer)
      printer = LMP_TRY(output::EventPrinter::create(btf, type, print_options,
                                                     /*print_header=*/false, shared.out));
    s.event_printers[buffer] = printer.get();
    if (shared.metrics) {
      s.event_metrics[buffer] = LMP_TRY(
          output::EventMetrics::create(btf, type, s.name, buffer, counter_specs, *shared.metrics));
      shared.metrics->add("lmp_events_total", {{"package", s.name}, {"buffer", buffer}}, 0);
    }
  }

  s.samplers = LMP_TRY(loader::MapSampler::create_all(obj, meta.bpf_skel.maps, s.own.interval));
  for (const auto& sampler : s.samplers)
    s.map_printers.push_back(LMP_TRY(output::MapPrinter::create(
        btf, sampler.name(), sampler.key_type_id(), sampler.value_type_id(), sampler.sample(),
        print_options, shared.out)));
  // Maps nobody configured, printed at exit (and every --interval) when nothing else prints.
  for (auto& sampler :
       loader::automatic_samplers(obj, !s.poller->empty(), meta.bpf_skel.maps, s.own.interval)) {
    s.map_printers.push_back(LMP_TRY(
        output::create_automatic_map_printer(btf, sampler.name(), sampler.key_type_id(),
                                             sampler.value_type_id(), print_options, shared.out)));
    s.samplers.push_back(std::move(sampler));
  }
  // Results may also sit in writable globals (.bss/.data), which lmp does not print yet.
  bpf_map* map = nullptr;
  bpf_object__for_each_map(map, obj) {
    std::string_view map_name = bpf_map__name(map);
    if (s.globals.empty() && (map_name.ends_with(".bss") || map_name.ends_with(".data")))
      s.globals = std::string(map_name);
  }
  return session;
}

// Attaches the session's programs (--attach, --cgroup, --interface apply).
Result<void> attach_session(PackageSession& s) {
  bpf_object* obj = s.object->get();
  loader::AttachContext attach_context;
  attach_context.targets = LMP_TRY(loader::parse_attach_targets(s.own.attach_targets));
  attach_context.cgroup = s.own.cgroup;
  attach_context.interface = s.own.interface;
  LMP_CHECK(loader::check_attach_targets(obj, attach_context));
  auto attached = loader::attach_programs(obj, s.package.meta.bpf_skel.progs, attach_context);
  if (!attached)  // in the words of lmp check, when one of its checks says why
    return std::unexpected(
        loader::explain_run_failure(s.package, s.own.btf, std::move(attached.error())));
  s.attachments = std::move(*attached);
  std::string programs;
  bpf_program* program = nullptr;
  bpf_object__for_each_program(program, obj) {
    if (!bpf_program__autoload(program)) continue;
    programs += (programs.empty() ? "" : ", ") + std::string(bpf_program__name(program));
  }
  log::debug("Running " + programs + " of " + s.name + "... Ctrl-C to stop");
  return {};
}

}  // namespace

Result<int> run_packages(const RunFlags& flags, const std::vector<RunTarget>& targets) {
  // --metrics: the port is bound before anything loads (a port in use fails early).
  std::unique_ptr<output::MetricsRegistry> metrics;
  std::unique_ptr<MetricsServer> metrics_server;
  if (!flags.metrics.empty() || std::any_of(targets.begin(), targets.end(), [](const auto& t) {
        return !t.flags.metrics.empty();
      })) {
    metrics = std::make_unique<output::MetricsRegistry>();
    output::declare_run_metrics(*metrics);
    output::update_process_metrics(*metrics);
  }
  output::OutputWriter writer(STDOUT_FILENO);
  std::ostream out(&writer);
  SharedRun shared(writer, out);
  shared.metrics = metrics.get();
  shared.several = targets.size() > 1;

  // Every package loads before any attaches, so a failure in one leaves none attached.
  std::vector<std::unique_ptr<PackageSession>> sessions;
  for (const RunTarget& target : targets) {
    auto opened = open_session(target.flags, target.resolved, shared);
    if (!opened) {
      if (!shared.several) return std::unexpected(opened.error());
      return fail(opened.error().code, target.flags.ref + ": " + opened.error().message,
                  opened.error().hint);
    }
    if (auto* early = std::get_if<EarlyExit>(&*opened)) return early->code;
    sessions.push_back(std::move(std::get<std::unique_ptr<PackageSession>>(*opened)));
  }
  const std::string& listen = !flags.metrics.empty() ? flags.metrics : sessions[0]->own.metrics;
  for (const auto& s : sessions)
    if (!s->own.metrics_config.empty() && listen.empty())
      return fail(ExitCode::kUsage, "--metrics-config without --metrics",
                  "add --metrics HOST:PORT (e.g. 127.0.0.1:9464)");
  if (!listen.empty()) {
    metrics_server = LMP_TRY(MetricsServer::start(listen, *metrics));
    log::info("serving metrics on " + metrics_server->url());
  }

  const output::Format format = LMP_TRY(make_print_options(sessions[0]->own)).format;
  // --trace-pipe: lines already waiting in trace_pipe are older than this run; drop them.
  std::optional<loader::TracePipe> trace_pipe;
  if (std::any_of(sessions.begin(), sessions.end(),
                  [](const auto& s) { return s->own.trace_pipe; })) {
    trace_pipe = LMP_TRY(loader::TracePipe::open());
    trace_pipe->drain([](std::string_view) {});
  }
  for (auto& s : sessions) {
    auto attached = attach_session(*s);
    if (!attached) {
      if (!shared.several) return std::unexpected(attached.error());
      return fail(attached.error().code, s->ref + ": " + attached.error().message,
                  attached.error().hint);  // the sessions' links go with them
    }
  }
  // Headers once everything is attached: a run that fails before prints no table.
  for (auto& s : sessions)
    if (s->package.meta.print_header && !s->own.quiet)
      for (auto& [type, printer] : s->type_printers) printer->print_header();
  const uint64_t headers = writer.records();  // table headers: not events
  // Iterators are read once, now, into stdout; a run of iterators only ends there.
  bool only_iterators = true;
  for (auto& s : sessions) {
    auto print_iterator = [&](std::string_view iterator, std::string_view line) {
      nlohmann::json fields = {{"iterator", iterator}, {"line", line}};
      if (shared.several) fields["package"] = s->name;
      std::string text = output::text_line_record(format, line, fields);
      if (writer.pending() + text.size() > output::OutputWriter::kDefaultCapacity)
        (void)writer.finish(std::chrono::seconds(1), std::chrono::seconds(10));  // make room
      out.write(text.data(), static_cast<std::streamsize>(text.size()));
    };
    std::size_t iterators = LMP_TRY(loader::read_iterators(s->attachments, print_iterator));
    only_iterators = only_iterators && iterators > 0 && iterators == s->attachments.size();
  }
  if (only_iterators) return finish_run(writer, headers, {}, shared.kernel_lost, "iterator line");

  std::vector<loader::Poller*> pollers;
  std::vector<loader::MapSampler> samplers;
  std::vector<output::MapPrinter*> sampler_printers;  // parallel to samplers
  for (auto& s : sessions) {
    pollers.push_back(s->poller.get());
    for (std::size_t i = 0; i < s->samplers.size(); ++i) {
      samplers.push_back(std::move(s->samplers[i]));
      sampler_printers.push_back(s->map_printers[i].get());
    }
    if (s->poller->empty() && s->samplers.empty() && !trace_pipe) {
      log::info(s->name + " has no ring buffer, perf buffer or map to print" +
                (s->globals.empty() ? std::string()
                                    : "; results kept in its global variables are not printed "
                                      "(bpftool map dump name " +
                                          s->globals + " shows them)") +
                "; bpf_printk output, if any, goes to " +
                (loader::tracefs_dir().empty() ? std::string("/sys/kernel/tracing")
                                               : loader::tracefs_dir()) +
                "/trace_pipe (lmp run --trace-pipe shows it)");
    }
  }
  const char* what = samplers.empty() ? "event" : "event or map sample";
  const RunFlags& first = sessions[0]->own;
  if (first.duration && first.duration->count() == 0) {
    // --duration 0: everything is attached; detach and exit (used by benchmarks)
    return finish_run(writer, headers, {}, shared.kernel_lost, what);
  }

  loader::RunLoopOptions loop;
  uint32_t poll_ms = 0;
  for (const auto& s : sessions) {
    uint32_t mine = s->package.meta.poll_timeout_ms ? s->package.meta.poll_timeout_ms : 100;
    poll_ms = poll_ms == 0 ? mine : std::min(poll_ms, mine);
  }
  loop.poll_timeout_ms = static_cast<int>(poll_ms);
  // Nothing is shown with --quiet: let events gather 1 ms between rounds (fewer wake-ups for
  // the producer; a 256 KiB ring of 64-byte records holds ~4 ms at 1 M events/s).
  if (std::ranges::all_of(sessions, [](const auto& s) { return s->own.quiet; }))
    loop.min_round_ms = kQuietRoundMs;
  loop.duration = first.duration;
  loop.on_map_sample = [&](const loader::MapSampler& sampler,
                           std::vector<loader::MapEntryBytes> entries) {
    std::vector<output::MapEntry> converted;
    converted.reserve(entries.size());
    for (auto& e : entries) converted.push_back({std::move(e.key), std::move(e.value)});
    sampler_printers[static_cast<std::size_t>(&sampler - samplers.data())]->print(converted);
  };
  loop.after_round = [&]() -> Result<bool> {
    shared.first_round = false;
    if (metrics) metrics->add("lmp_poll_rounds_total", {}, 1);
    LMP_CHECK(writer.flush());
    return !writer.closed();  // the reader closed stdout: nothing more can be shown
  };
  loop.busy = [&writer] { return writer.pending() > 0; };
  loop.trace_pipe = trace_pipe ? &*trace_pipe : nullptr;
  loop.on_trace_line = [&out, format](std::string_view line) {
    std::string text = output::text_line_record(format, line, {{"trace_pipe", line}});
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
  };
  auto ran = loader::run_until_stopped(pollers, samplers, loop);
  for (const auto& s : sessions)
    if (ran && s->poller->empty() && !s->map_printers.empty() && !s->globals.empty() &&
        writer.records() == headers)
      log::info(s->name + " printed nothing: no map held results; results kept in its global " +
                "variables are not printed (bpftool map dump name " + s->globals + " shows them)");
  auto code = finish_run(writer, headers, std::move(ran), shared.kernel_lost, what);
  // Teardown in reverse: links first, then buffers, then the objects.
  for (auto it = sessions.rbegin(); it != sessions.rend(); ++it)
    while (!(*it)->attachments.empty()) (*it)->attachments.pop_back();
  return code;
}

Result<int> run_package(const RunFlags& flags, const Resolved& resolved) {
  return run_packages(flags, {RunTarget{flags, resolved}});
}

}  // namespace lmp::cli
