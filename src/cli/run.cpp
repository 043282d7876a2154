// `lmp run [--json|-j] [--duration S] [--btf FILE] [-v] REF [PROGRAM ARGS...]`
// The order of the pipeline is written here once; each stage lives in src/loader or src/output.
#include <bpf/libbpf.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cli/command.h"
#include "common/file.h"
#include "common/log.h"
#include "loader/attach.h"
#include "loader/bpf_object_handle.h"
#include "loader/initial_values.h"
#include "loader/libbpf_log.h"
#include "loader/map_sampler.h"
#include "loader/poller.h"
#include "loader/privileges.h"
#include "loader/run_loop.h"
#include "loader/stop_signals.h"
#include "loader/tracefs.h"
#include "output/output.h"
#include "output/writer.h"
#include "package/package.h"
#include "package/program_options.h"
#include "registry/cache.h"
#include "registry/puller.h"
#include "registry/reference.h"
#include "registry/stale_wasm.h"
#include "wasm/libbpf_host.h"
#include "wasm/runtime.h"

namespace lmp::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* kRunUsage =
    "Usage: lmp run [OPTIONS] REF [PROGRAM ARGS...]\n"
    "\n"
    "Run an eBPF package. REF is a name (opensnoop, opensnoop:1.0.0), a URL, an OCI\n"
    "reference (host/path/name:tag), a package.json / package.yaml, an app.wasm, or a\n"
    "directory (its app.wasm, else its package.json).\n"
    "Everything after REF goes to the program; `lmp run REF -h` shows its options.\n"
    "\n"
    "Options (before REF):\n"
    "  -j, --json        print events as JSON lines (not for WebAssembly modules)\n"
    "  --duration S      stop after S seconds (0: exit once everything is attached)\n"
    "  --pull POLICY     always | missing (default) | never: when to download REF\n"
    "  --btf FILE        BTF of the kernel, when it has no /sys/kernel/btf/vmlinux\n"
    "                    (also BTF_FILE_PATH)\n"
    "  --wasm-max-memory SIZE  cap a WebAssembly module's memory (default 256M)\n"
    "  --wasm-engine E   interp, compiled (native code, cached) or auto (default)\n"
    "  --wasm-dir HOST[:GUEST]  let a WebAssembly module read directory HOST, which\n"
    "                    it sees as GUEST (default HOST); repeatable; read-only\n"
    "  --force           run a directory's app.wasm even when it embeds another eBPF\n"
    "                    object than the package.json beside it (a stale module)\n"
    "  -v, --verbose     print debug messages, including libbpf's\n"
    "  -h, --help        show this help\n";

// Larger modules are refused before they are read.
constexpr std::uintmax_t kMaxWasmBytes = 64u << 20;

// At a stop, buffered output is still written while stdout's reader takes it: until it
// stalls this long, or for this long in all (docs/output.md).
constexpr std::chrono::milliseconds kFinishIdle{100};
constexpr std::chrono::milliseconds kFinishTotal{1000};

struct RunFlags {
  bool json = false;
  bool verbose = false;
  bool help = false;
  bool force = false;  // run a stale app.wasm (registry/stale_wasm.h)
  std::optional<std::chrono::milliseconds> duration;
  registry::PullPolicy pull = registry::PullPolicy::kMissing;
  std::string btf;
  uint64_t wasm_max_memory = wasm::kDefaultMaxMemoryBytes;
  wasm::Engine wasm_engine = wasm::Engine::kAuto;
  std::vector<wasm::Preopen> wasm_dirs;
  std::string ref;
  std::vector<std::string> program_args;
};

// lmp's own options come before REF; everything after REF belongs to the program.
Result<RunFlags> parse_run_flags(Args args) {
  RunFlags flags;
  std::size_t i = 1;
  auto value_of = [&](std::string_view arg, std::string_view name) -> Result<std::string> {
    if (arg.size() > name.size() && arg[name.size()] == '=')
      return std::string(arg.substr(name.size() + 1));
    if (i + 1 >= args.size())
      return fail(ExitCode::kUsage, "option " + std::string(name) + " needs a value",
                  "run 'lmp run --help'");
    return std::string(args[++i]);
  };
  for (; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "--") {
      ++i;
      break;
    }
    if (arg.empty() || arg[0] != '-') break;
    if (arg == "-j" || arg == "--json") {
      flags.json = true;
    } else if (arg == "-v" || arg == "--verbose") {
      flags.verbose = true;
    } else if (arg == "--force") {
      flags.force = true;
    } else if (arg == "-h" || arg == "--help") {
      flags.help = true;
      return flags;
    } else if (arg.starts_with("--duration")) {
      std::string text = LMP_TRY(value_of(arg, "--duration"));
      char* end = nullptr;
      double seconds = std::strtod(text.c_str(), &end);
      if (text.empty() || *end != '\0' || !(seconds >= 0) || seconds > 1e9)
        return fail(ExitCode::kUsage, "--duration: '" + text + "' is not a number of seconds");
      flags.duration = std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
    } else if (arg.starts_with("--pull")) {
      flags.pull = LMP_TRY(registry::parse_pull_policy(LMP_TRY(value_of(arg, "--pull"))));
    } else if (arg.starts_with("--btf")) {
      flags.btf = LMP_TRY(value_of(arg, "--btf"));
    } else if (arg.starts_with("--wasm-engine")) {
      flags.wasm_engine = LMP_TRY(wasm::parse_engine(LMP_TRY(value_of(arg, "--wasm-engine"))));
    } else if (arg.starts_with("--wasm-dir")) {
      flags.wasm_dirs.push_back(LMP_TRY(wasm::parse_preopen(LMP_TRY(value_of(arg, "--wasm-dir")))));
    } else if (arg.starts_with("--wasm-max-memory")) {
      flags.wasm_max_memory =
          LMP_TRY(wasm::parse_memory_size(LMP_TRY(value_of(arg, "--wasm-max-memory"))));
    } else {
      return fail(ExitCode::kUsage, "unknown option '" + std::string(arg) + "' for lmp run",
                  "lmp's options come before the package; the program's come after it");
    }
  }
  if (i >= args.size())
    return fail(ExitCode::kUsage, "lmp run needs a package",
                "usage: lmp run [OPTIONS] REF [ARGS...]");
  flags.ref = args[i];
  for (++i; i < args.size(); ++i) flags.program_args.emplace_back(args[i]);
  return flags;
}

// What REF names: the file to run, and for a WebAssembly module the name it runs as.
struct Resolved {
  fs::path path;
  std::string module_name;  // argv[0] of a .wasm module
};

// The name a module runs as: the package name for registry references, else the directory
// holding app.wasm, else the file's stem.
std::string module_name(const registry::Reference& ref, const fs::path& wasm) {
  if (ref.kind != registry::ReferenceKind::kLocalPath && !ref.name.empty()) return ref.name;
  fs::path absolute = fs::absolute(wasm).lexically_normal();
  if (absolute.filename() != "app.wasm") return absolute.stem().string();
  if (ref.kind != registry::ReferenceKind::kLocalPath)  // cache: packages/NAME/VERSION/app.wasm
    return absolute.parent_path().parent_path().filename().string();
  return absolute.parent_path().filename().string();
}

// The package file REF names: a local file or directory as given (a directory runs its
// app.wasm when it has one, as a package with both is meant to run); names, URLs and OCI
// references through the registry (cache, then LMP_REPOSITORY, then the bundled catalog).
// A local app.wasm with a package.json beside it must embed that package's eBPF object,
// unless `force`.
Result<Resolved> resolve_reference(const std::string& text, registry::PullPolicy policy,
                                   bool force) {
  std::error_code ec;
  registry::Reference ref = LMP_TRY(registry::parse_reference(text));
  fs::path path;
  if (ref.kind == registry::ReferenceKind::kLocalPath) {
    path = ref.path;
    if (fs::is_directory(path, ec)) {
      fs::path found;
      for (const char* name : {"app.wasm", "package.json", "package.yaml", "package.yml"})
        if (found.empty() && fs::is_regular_file(path / name, ec)) found = path / name;
      if (found.empty())
        return fail(ExitCode::kNotFound, "no app.wasm, package.json or package.yaml in " + text,
                    "build one with lmp build");
      path = found;
    } else if (!fs::exists(path, ec)) {
      return fail(ExitCode::kNotFound, "no such file: " + text);
    }
    if (!force && path.filename() == "app.wasm") {
      fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
      LMP_CHECK(registry::check_wasm_matches_package(dir, "lmp run --force"));
    }
  } else {
    path = LMP_TRY(registry::resolve_to_local(ref, policy));
  }
  Resolved resolved{path, {}};
  if (path.extension() == ".wasm") resolved.module_name = module_name(ref, path);
  return resolved;
}

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

std::string count_of(uint64_t n, const char* what) {
  return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

// The end of a run: writes what stdout's reader still takes, then reports on stderr what was
// lost: events the kernel dropped (full perf buffers) and records lmp received but did not
// write. A failed write is the run's error (exit code 1), unless the run failed first.
// `what` names the records: "event", "event or map sample", a guest's "write".
Result<int> finish_run(output::OutputWriter& writer, uint64_t headers, Result<void> ran,
                       const std::map<std::string, uint64_t>& kernel_lost, const char* what) {
  auto written = writer.finish(kFinishIdle, kFinishTotal);
  for (const auto& [map, count] : kernel_lost)
    log::warn("perf buffer " + map + ": the kernel dropped " + count_of(count, "event") +
              " because it was full (a larger perf_buffer_pages helps)");
  uint64_t unwritten = writer.unwritten_after(headers);
  std::string records = count_of(unwritten, what);
  if (!written)  // also when it ended the run
    return fail(written.error().code, written.error().message,
                unwritten ? records + (unwritten == 1 ? " was" : " were") + " not written" : "");
  if (!ran) return std::unexpected(ran.error());
  if (unwritten > 0)
    log::warn(records + (unwritten == 1 ? " was" : " were") + " not written: " +
              (writer.closed() ? "stdout was closed by its reader"
                               : "stdout's reader did not keep up (docs/output.md)"));
  return 0;
}

// Runs a WebAssembly user-space program (docs/wasm.md). Its exit code is lmp's.
Result<int> run_wasm(const RunFlags& flags, const Resolved& resolved) {
  const fs::path& path = resolved.path;
  if (flags.json)
    log::warn("--json does not apply to WebAssembly modules: they print their own output");
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (!ec && size > kMaxWasmBytes)
    return fail(ExitCode::kBadPackage,
                path.string() + " is " + std::to_string(size) +
                    " bytes; lmp runs WebAssembly modules up to " +
                    std::to_string(kMaxWasmBytes >> 20) + " MiB",
                "check that this is the module you meant");
  std::string bytes = LMP_TRY(read_file(path, kMaxWasmBytes));
  if (!bytes.starts_with(std::string_view("\0asm", 4)))
    return fail(ExitCode::kBadPackage, path.string() + " is not a WebAssembly module",
                "rebuild it, e.g. with lmp build-wasm");

  std::string btf = LMP_TRY(loader::resolve_btf_path(flags.btf));
  // Privileges are checked at the module's first load (LibbpfHost::privilege_error), so
  // `lmp run app.wasm -h` works for anyone.
  wasm::LibbpfHost host(btf, resolved.module_name);
  std::vector<std::string> args{resolved.module_name};
  args.insert(args.end(), flags.program_args.begin(), flags.program_args.end());

  // A stop is noticed at the guest's next host call or within ~50 ms of a wait; a second
  // Ctrl-C kills lmp, the way out of a guest that computes without calling the host.
  loader::StopSignals signals(/*once=*/true);
  // The guest's stdout goes through the same bounded writer as events (docs/output.md): a
  // stalled reader never blocks a stop, a failed write or a closed reader ends the run.
  output::OutputWriter writer(STDOUT_FILENO);
  std::ostream out(&writer);
  wasm::RunOptions options;
  options.stop_requested = [&host, &writer] {
    return loader::StopSignals::requested() || host.privilege_error().has_value() ||
           writer.failed() || writer.closed();
  };
  options.duration = flags.duration;
  options.max_memory_bytes = flags.wasm_max_memory;
  options.engine = flags.wasm_engine;
  options.preopens = flags.wasm_dirs;
  if (auto home = registry::lmp_home()) options.native_cache = *home / "wasm-cache";
  options.module_label = path.filename().string();
  options.show_progress = flags.verbose || isatty(STDERR_FILENO);
  auto wasm_bytes = std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  auto result = wasm::run_module(wasm_bytes, std::move(args), host, out, std::cerr, options);
  auto written = finish_run(writer, 0, {}, {}, "write");
  if (host.privilege_error()) return std::unexpected(*host.privilege_error());
  if (!result) return std::unexpected(std::move(result.error()).context(path.string()));
  if (!written) return std::unexpected(written.error());
  return *result;
}

}  // namespace

Result<int> run_command(Args args) {
  RunFlags flags = LMP_TRY(parse_run_flags(args));
  if (flags.help) {
    std::fputs(kRunUsage, stdout);
    return 0;
  }
  if (flags.verbose) log::set_level(log::Level::kDebug);
  loader::install_libbpf_log(flags.verbose);

  Resolved resolved = LMP_TRY(resolve_reference(flags.ref, flags.pull, flags.force));
  if (resolved.path.extension() == ".wasm") return run_wasm(flags, resolved);
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
  loader::Attachments attachments = LMP_TRY(loader::attach_programs(obj, meta.bpf_skel.progs));

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
