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

}  // namespace

Result<int> run_package(const RunFlags& flags, const Resolved& resolved) {
  const fs::path& path = resolved.path;
  // A plain compiled object (ELF magic) runs as the package lmp build would make of it; its
  // bytes are vetted first, as a package's are before libbpf reads them.
  if (compiler::is_elf_file(path)) {
    std::string bytes = LMP_TRY(read_file(path, package::kMaxBpfObjectBytes));
    LMP_CHECK(
        loader::vet_object(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()),
                           path.stem().string(), flags.btf));
  }
  package::Package package = LMP_TRY(compiler::read_package_or_object(path));
  const package::Meta& meta = package.meta;
  std::string name = program_name(package, path);

  // Opening only parses the object; its initializers give the help texts their defaults.
  std::string btf_flag = flags.btf;
  if (btf_flag.empty())
    if (const char* env = std::getenv("BTF_FILE_PATH"); env && *env) btf_flag = env;
  auto object = loader::BpfObjectHandle::open(package.bpf_object, meta.bpf_skel.obj_name, btf_flag);
  package::ObjectDefaults defaults;
  if (object) defaults = loader::read_object_defaults(object->get(), meta);

  auto options = LMP_TRY(package::ProgramOptions::create(meta, name, defaults));
  // `lmp run opensnoop --json`: lmp's options the program does not have are lmp's.
  auto program_has = [&options](std::string_view option) {
    return std::any_of(options.options().begin(), options.options().end(),
                       [&](const package::ProgramOption& o) { return o.long_name == option; });
  };
  RunFlags own = flags;
  std::vector<std::string> program_args =
      LMP_TRY(take_lmp_options(own, flags.program_args, program_has));
  auto parsed = LMP_TRY(options.parse(program_args));
  if (own.verbose && !flags.verbose) log::set_level(log::Level::kDebug);
  if (parsed.action == package::ParsedArgs::Action::kHelp) {
    print_help(options.help_text());
    return 0;
  }
  if (parsed.action == package::ParsedArgs::Action::kVersion) {
    std::fputs(options.version_text().c_str(), stdout);
    return 0;
  }

  // Preconditions, then open → initial values → load → attach.
  LMP_CHECK(loader::check_privileges());
  // --metrics: the port is bound before anything loads (a port in use fails early).
  std::unique_ptr<output::MetricsRegistry> metrics;
  std::unique_ptr<MetricsServer> metrics_server;
  std::vector<output::EventCounterSpec> counter_specs;
  if (!own.metrics.empty()) {
    metrics = std::make_unique<output::MetricsRegistry>();
    output::declare_run_metrics(*metrics);
    output::update_process_metrics(*metrics);
    counter_specs = LMP_TRY(event_counter_specs(path, own.metrics_config, name));
    metrics_server = LMP_TRY(MetricsServer::start(own.metrics, *metrics));
    log::info("serving metrics on " + metrics_server->url());
  } else if (!own.metrics_config.empty()) {
    return fail(ExitCode::kUsage, "--metrics-config without --metrics",
                "add --metrics HOST:PORT (e.g. 127.0.0.1:9464)");
  }
  LMP_TRY(loader::resolve_btf_path(flags.btf));
  if (!object) return std::unexpected(object.error());
  // Sizes the tool's own user space would set (--map-size, defaults for unsized maps).
  auto map_sizes = LMP_TRY(loader::parse_map_sizes(own.map_sizes));
  // Which programs load (alternatives, --programs, autoload); reopens to fall back.
  auto prepare = [&](bpf_object* o) -> Result<void> {
    loader::prepare_programs(o);
    if (loader::needs_tracefs(o, meta.bpf_skel.progs)) LMP_CHECK(loader::ensure_tracefs());
    LMP_CHECK(loader::apply_initial_values(o, parsed.assignments));
    for (const auto& note : LMP_TRY(loader::apply_map_sizes(o, map_sizes))) log::debug(note);
    return {};
  };
  LMP_CHECK(loader::load_programs(*object, meta.bpf_skel.progs, {own.programs, own.skip_programs},
                                  prepare));
  bpf_object* obj = object->get();

  // Printers: stdout is data only, written without ever blocking on its reader.
  output::OutputWriter writer(STDOUT_FILENO);
  std::ostream out(&writer);
  output::PrintOptions print_options = LMP_TRY(make_print_options(own));
  print_options.metrics = metrics.get();
  print_options.package = name;
  print_options.quiet = own.quiet;
  // lmp's --pid/--comm filter what is printed; the tool's own filter in the kernel.
  for (const auto& [lmp_value, option] : {std::pair{own.pid, "pid"}, std::pair{own.comm, "comm"}})
    if (!lmp_value.empty() && program_has(option))
      log::info(name + " has its own --" + option +
                " (it filters in the kernel, cheaper): lmp run " + flags.ref + " --" + option +
                " " + lmp_value + "; lmp's --" + option +
                " before the package only filters what is printed");
  const output::Format format = print_options.format;
  const btf* btf = bpf_object__btf(obj);
  // One printer per export type, so buffers sharing a type share one header.
  std::map<std::string, std::unique_ptr<output::EventPrinter>> type_printers;  // by struct
  std::map<std::string, output::EventPrinter*> event_printers;
  std::map<std::string, bool> warned;
  std::map<std::string, std::unique_ptr<output::EventMetrics>> event_metrics;  // by buffer
  // Events lmp itself caused while attaching (libbpf reads tracefs, so opensnoop would
  // start with lmp's own opens) are in the buffers before the first poll: that round
  // leaves out events whose pid is lmp's. Later events of lmp's pid are shown.
  bool first_round = true;
  const int64_t own_pid = ::getpid();
  auto on_sample = [&](std::string_view map, std::span<const uint8_t> data) {
    auto it = event_printers.find(std::string(map));
    if (it != event_printers.end()) {
      if (first_round && it->second->pid_of(data) == own_pid) return;
      if (metrics)
        if (auto counted = event_metrics.find(std::string(map)); counted != event_metrics.end())
          counted->second->count(data);
      if (!own.quiet) it->second->print(data);
      return;
    }
    if (!warned[std::string(map)])
      log::warn("no export type for buffer " + std::string(map) +
                "; its events are not printed (rebuild naming the header of the event struct: "
                "lmp build SRC.bpf.c HEADER.h)");
    warned[std::string(map)] = true;
  };
  // Samples the kernel dropped because a perf buffer was full: warned once, totalled at exit.
  std::map<std::string, uint64_t> kernel_lost;
  auto on_lost = [&](std::string_view map, uint64_t count) {
    if (metrics)
      metrics->add("lmp_events_lost_total", {{"package", name}, {"buffer", std::string(map)}},
                   static_cast<double>(count));
    uint64_t& total = kernel_lost[std::string(map)];
    if (total == 0)
      log::warn("perf buffer " + std::string(map) +
                " is full: the kernel drops events (the total is reported at exit)");
    total += count;
  };
  auto poller = LMP_TRY(loader::Poller::create(obj, meta.perf_buffer_pages, on_sample, on_lost));
  // Which struct each buffer carries: export_config, record sizes, then the package's order.
  for (const auto& [buffer, type] :
       compiler::export_types_for_buffers(obj, package.bpf_object, meta, poller->buffer_names())) {
    auto& printer = type_printers[type.name];
    if (!printer)
      printer = LMP_TRY(output::EventPrinter::create(btf, type, print_options,
                                                     meta.print_header && !own.quiet, out));
    event_printers[buffer] = printer.get();
    if (metrics) {
      event_metrics[buffer] =
          LMP_TRY(output::EventMetrics::create(btf, type, name, buffer, counter_specs, *metrics));
      metrics->add("lmp_events_total", {{"package", name}, {"buffer", buffer}}, 0);
    }
  }

  auto samplers = LMP_TRY(loader::MapSampler::create_all(obj, meta.bpf_skel.maps, own.interval));
  std::map<std::string, std::unique_ptr<output::MapPrinter>> map_printers;
  for (const auto& sampler : samplers)
    map_printers[sampler.name()] = LMP_TRY(
        output::MapPrinter::create(btf, sampler.name(), sampler.key_type_id(),
                                   sampler.value_type_id(), sampler.sample(), print_options, out));
  // Maps nobody configured, printed at exit (and every --interval) when nothing else prints.
  for (auto& sampler :
       loader::automatic_samplers(obj, !poller->empty(), meta.bpf_skel.maps, own.interval)) {
    map_printers[sampler.name()] = LMP_TRY(output::create_automatic_map_printer(
        btf, sampler.name(), sampler.key_type_id(), sampler.value_type_id(), print_options, out));
    samplers.push_back(std::move(sampler));
  }
  // --trace-pipe: lines already waiting in trace_pipe are older than this run; drop them.
  std::optional<loader::TracePipe> trace_pipe;
  if (own.trace_pipe) {
    trace_pipe = LMP_TRY(loader::TracePipe::open());
    trace_pipe->drain([](std::string_view) {});
  }

  const uint64_t headers = writer.records();  // table headers: not events
  loader::AttachContext attach_context;
  attach_context.targets = LMP_TRY(loader::parse_attach_targets(own.attach_targets));
  attach_context.cgroup = own.cgroup;
  attach_context.interface = own.interface;
  LMP_CHECK(loader::check_attach_targets(obj, attach_context));
  loader::Attachments attachments =
      LMP_TRY(loader::attach_programs(obj, meta.bpf_skel.progs, attach_context));
  // Iterators are read once, now, into stdout; a tool of iterators only ends there.
  auto print_iterator = [&](std::string_view iterator, std::string_view line) {
    std::string text =
        output::text_line_record(format, line, {{"iterator", iterator}, {"line", line}});
    if (writer.pending() + text.size() > output::OutputWriter::kDefaultCapacity)
      (void)writer.finish(std::chrono::seconds(1), std::chrono::seconds(10));  // make room
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
  };
  std::size_t iterators = LMP_TRY(loader::read_iterators(attachments, print_iterator));
  if (iterators > 0 && iterators == attachments.size())
    return finish_run(writer, headers, {}, kernel_lost, "iterator line");

  std::string programs;
  bpf_program* program = nullptr;
  bpf_object__for_each_program(program, obj) {
    if (!bpf_program__autoload(program)) continue;
    programs += (programs.empty() ? "" : ", ") + std::string(bpf_program__name(program));
  }
  log::debug("Running " + programs + "... Ctrl-C to stop");
  // Results may also sit in writable globals (.bss/.data), which lmp does not print yet.
  std::string globals;
  bpf_map* map = nullptr;
  bpf_object__for_each_map(map, obj) {
    std::string_view map_name = bpf_map__name(map);
    if (globals.empty() && (map_name.ends_with(".bss") || map_name.ends_with(".data")))
      globals = std::string(map_name);
  }
  if (poller->empty() && samplers.empty() && !trace_pipe) {
    log::info(name + " has no ring buffer, perf buffer or map to print" +
              (globals.empty() ? std::string()
                               : "; results kept in its global variables are not printed "
                                 "(bpftool map dump name " +
                                     globals + " shows them)") +
              "; bpf_printk output, if any, goes to " +
              (loader::tracefs_dir().empty() ? std::string("/sys/kernel/tracing")
                                             : loader::tracefs_dir()) +
              "/trace_pipe (lmp run --trace-pipe shows it)");
  }

  if (own.duration && own.duration->count() == 0) {
    // --duration 0: everything is attached; detach and exit (used by benchmarks)
    return finish_run(writer, headers, {}, kernel_lost,
                      samplers.empty() ? "event" : "event or map sample");
  }

  loader::RunLoopOptions loop;
  loop.poll_timeout_ms = static_cast<int>(meta.poll_timeout_ms ? meta.poll_timeout_ms : 100);
  loop.duration = own.duration;
  loop.on_map_sample = [&](const loader::MapSampler& sampler,
                           std::vector<loader::MapEntryBytes> entries) {
    std::vector<output::MapEntry> converted;
    converted.reserve(entries.size());
    for (auto& e : entries) converted.push_back({std::move(e.key), std::move(e.value)});
    map_printers[sampler.name()]->print(converted);
  };
  loop.after_round = [&]() -> Result<bool> {
    first_round = false;
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
  auto ran = loader::run_until_stopped(*poller, samplers, loop);
  if (ran && poller->empty() && !samplers.empty() && !globals.empty() &&
      writer.records() == headers)
    log::info(name + " printed nothing: no map held results; results kept in its global " +
              "variables are not printed (bpftool map dump name " + globals + " shows them)");
  auto code = finish_run(writer, headers, std::move(ran), kernel_lost,
                         samplers.empty() ? "event" : "event or map sample");
  // Teardown in reverse: links first, then buffers, then the object.
  while (!attachments.empty()) attachments.pop_back();
  return code;
}

}  // namespace lmp::cli
