// `lmp run` of a package.json / package.yaml: the native pipeline, its order written here
// once; each stage lives in src/loader or src/output.
#include <bpf/libbpf.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cli/run.h"
#include "common/log.h"
#include "loader/attach.h"
#include "loader/bpf_object_handle.h"
#include "loader/initial_values.h"
#include "loader/map_sampler.h"
#include "loader/poller.h"
#include "loader/privileges.h"
#include "loader/run_loop.h"
#include "loader/tracefs.h"
#include "output/output.h"
#include "output/writer.h"
#include "package/package.h"
#include "package/program_options.h"

namespace lmp::cli {
namespace {

namespace fs = std::filesystem;

std::string program_name(const package::Package& package, const fs::path& path) {
  if (!package.meta.bpf_skel.obj_name.empty()) return package.meta.bpf_skel.obj_name;
  return path.parent_path().filename().string();
}

// Export type per buffer map (an index into meta.export_types): one type serves every
// buffer; several are matched to the buffers in object order when
// enable_multiple_export_types is set, else the first serves all.
std::map<std::string, std::size_t> export_types_by_buffer(const package::Meta& meta,
                                                          const std::vector<std::string>& buffers) {
  std::map<std::string, std::size_t> result;
  if (meta.export_types.empty()) return result;
  for (std::size_t i = 0; i < buffers.size(); ++i)
    result[buffers[i]] =
        meta.enable_multiple_export_types ? std::min(i, meta.export_types.size() - 1) : 0;
  return result;
}

}  // namespace

Result<int> run_package(const RunFlags& flags, const Resolved& resolved) {
  const fs::path& path = resolved.path;
  package::Package package = LMP_TRY(package::read_package_file(path));
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
  auto parsed = LMP_TRY(options.parse(flags.program_args));
  if (parsed.action == package::ParsedArgs::Action::kHelp) {
    std::fputs(options.help_text().c_str(), stdout);
    return 0;
  }
  if (parsed.action == package::ParsedArgs::Action::kVersion) {
    std::fputs(options.version_text().c_str(), stdout);
    return 0;
  }

  // Preconditions, then open → initial values → load → attach.
  LMP_CHECK(loader::check_privileges());
  LMP_TRY(loader::resolve_btf_path(flags.btf));
  if (!object) return std::unexpected(object.error());
  bpf_object* obj = object->get();
  loader::prepare_programs(obj);
  if (loader::needs_tracefs(obj, meta.bpf_skel.progs)) LMP_CHECK(loader::ensure_tracefs());
  LMP_CHECK(loader::apply_initial_values(obj, parsed.assignments));
  LMP_CHECK(object->load());

  // Printers: stdout is data only, written without ever blocking on its reader.
  output::OutputWriter writer(STDOUT_FILENO);
  std::ostream out(&writer);
  auto format = flags.json ? output::Format::kJson : output::Format::kTable;
  const btf* btf = bpf_object__btf(obj);
  // One printer per export type, so buffers sharing a type share one header.
  std::vector<std::unique_ptr<output::EventPrinter>> type_printers(meta.export_types.size());
  std::map<std::string, output::EventPrinter*> event_printers;
  std::map<std::string, bool> warned;
  // Events lmp itself caused while attaching (libbpf reads tracefs, so opensnoop would
  // start with lmp's own opens) are in the buffers before the first poll: that round
  // leaves out events whose pid is lmp's. Later events of lmp's pid are shown.
  bool first_round = true;
  const int64_t own_pid = ::getpid();
  auto on_sample = [&](std::string_view map, std::span<const uint8_t> data) {
    auto it = event_printers.find(std::string(map));
    if (it != event_printers.end()) {
      if (first_round && it->second->pid_of(data) == own_pid) return;
      return it->second->print(data);
    }
    if (!warned[std::string(map)])
      log::warn("no export type for buffer " + std::string(map) + "; its events are not printed");
    warned[std::string(map)] = true;
  };
  // Samples the kernel dropped because a perf buffer was full: warned once, totalled at exit.
  std::map<std::string, uint64_t> kernel_lost;
  auto on_lost = [&kernel_lost](std::string_view map, uint64_t count) {
    uint64_t& total = kernel_lost[std::string(map)];
    if (total == 0)
      log::warn("perf buffer " + std::string(map) +
                " is full: the kernel drops events (the total is reported at exit)");
    total += count;
  };
  auto poller = LMP_TRY(loader::Poller::create(obj, meta.perf_buffer_pages, on_sample, on_lost));
  for (const auto& [buffer, index] : export_types_by_buffer(meta, poller->buffer_names())) {
    if (!type_printers[index])
      type_printers[index] = LMP_TRY(output::EventPrinter::create(btf, meta.export_types[index],
                                                                  format, meta.print_header, out));
    event_printers[buffer] = type_printers[index].get();
  }

  auto samplers = LMP_TRY(loader::MapSampler::create_all(obj, meta.bpf_skel.maps));
  std::map<std::string, std::unique_ptr<output::MapPrinter>> map_printers;
  for (const auto& sampler : samplers)
    map_printers[sampler.name()] =
        LMP_TRY(output::MapPrinter::create(btf, sampler.name(), sampler.key_type_id(),
                                           sampler.value_type_id(), sampler.sample(), format, out));

  const uint64_t headers = writer.records();  // table headers: not events
  loader::AttachContext attach_context;
  attach_context.targets = LMP_TRY(loader::parse_attach_targets(flags.attach_targets));
  attach_context.cgroup = flags.cgroup;
  attach_context.interface = flags.interface;
  loader::Attachments attachments =
      LMP_TRY(loader::attach_programs(obj, meta.bpf_skel.progs, attach_context));

  std::string programs;
  bpf_program* program = nullptr;
  bpf_object__for_each_program(program, obj) {
    programs += (programs.empty() ? "" : ", ") + std::string(bpf_program__name(program));
  }
  log::debug("Running " + programs + "... Ctrl-C to stop");
  if (poller->empty() && samplers.empty())
    log::debug(
        "no ring buffer, perf buffer or sampled map: nothing will be printed here; "
        "bpf_printk output is in " +
        (loader::tracefs_dir().empty() ? std::string("/sys/kernel/tracing")
                                       : loader::tracefs_dir()) +
        "/trace_pipe");

  if (flags.duration && flags.duration->count() == 0) {
    // --duration 0: everything is attached; detach and exit (used by benchmarks)
    return finish_run(writer, headers, {}, kernel_lost,
                      samplers.empty() ? "event" : "event or map sample");
  }

  loader::RunLoopOptions loop;
  loop.poll_timeout_ms = static_cast<int>(meta.poll_timeout_ms ? meta.poll_timeout_ms : 100);
  loop.duration = flags.duration;
  loop.on_map_sample = [&](const loader::MapSampler& sampler,
                           std::vector<loader::MapEntryBytes> entries) {
    std::vector<output::MapEntry> converted;
    converted.reserve(entries.size());
    for (auto& e : entries) converted.push_back({std::move(e.key), std::move(e.value)});
    map_printers[sampler.name()]->print(converted);
  };
  loop.after_round = [&]() -> Result<bool> {
    first_round = false;
    LMP_CHECK(writer.flush());
    return !writer.closed();  // the reader closed stdout: nothing more can be shown
  };
  loop.busy = [&writer] { return writer.pending() > 0; };
  auto ran = loader::run_until_stopped(*poller, samplers, loop);
  auto code = finish_run(writer, headers, std::move(ran), kernel_lost,
                         samplers.empty() ? "event" : "event or map sample");
  // Teardown in reverse: links first, then buffers, then the object.
  while (!attachments.empty()) attachments.pop_back();
  return code;
}

}  // namespace lmp::cli
