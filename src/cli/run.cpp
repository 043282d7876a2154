// `lmp run [OPTIONS] REF [PROGRAM ARGS...]`: parses lmp's options, resolves REF and hands
// it to the runner for its kind (run_package.cpp, run_wasm.cpp).
#include "cli/run.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "cli/command.h"
#include "common/log.h"
#include "common/terminal.h"
#include "loader/libbpf_log.h"
#include "output/writer.h"
#include "registry/cache.h"
#include "registry/reference.h"
#include "registry/stale_wasm.h"

namespace lmp::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* kRunUsage =
    "Usage: lmp run [OPTIONS] REF [PROGRAM ARGS...]\n"
    "\n"
    "Run an eBPF package. REF is a name (opensnoop, opensnoop:1.0.0), a URL, an OCI\n"
    "reference (host/path/name:tag), a package.json / package.yaml, an app.wasm, a\n"
    "compiled FILE.bpf.o, or a directory (its app.wasm, else its package.json).\n"
    "Everything after REF goes to the program; `lmp run REF -h` shows its options.\n"
    "\n"
    "Options (before REF):\n"
    "  -j, --json        print events as JSON lines (not for WebAssembly modules)\n"
    "  --yaml            print events as YAML documents\n"
    "  -o, --output F    table | json | yaml | columns=FIELD,FIELD\n"
    "  --timestamp MODE  time (default: local HH:MM:SS) | iso | relative | ns | none\n"
    "  --fields A,B      show only these fields, in this order\n"
    "  --filter EXPR     show events where FIELD=V, FIELD!=V, FIELD~REGEX, FIELD>N,\n"
    "                    FIELD<N (decoded: sig=SIGKILL); repeatable, all must match\n"
    "  --comm NAME       show events whose comm is NAME (--filter comm=NAME)\n"
    "  --pid PID         show events whose pid is PID (--filter pid=PID)\n"
    "  --top N           print only the N largest entries of counter maps\n"
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
    "\n"
    "Programs and maps (package.json packages):\n"
    "  --programs A,B    load only these programs (the others are not loaded at all)\n"
    "  --skip-program P  do not load program P; repeatable, or a comma list\n"
    "  --attach P=TARGET attach program P to TARGET: BINARY:FUNCTION for uprobes,\n"
    "                    BINARY:PROVIDER:NAME for USDT probes; repeatable\n"
    "  --cgroup PATH     the cgroup (v2) that cgroup programs attach to\n"
    "  --interface IFACE the network interface socket filters attach to\n"
    "  --map-size M=N    create map M with N entries; repeatable\n"
    "  --interval S      print the maps every S seconds (not only at exit)\n"
    "  --trace-pipe      stream bpf_printk output (tracefs trace_pipe) to stdout\n"
    "\n"
    "  -v, --verbose     print debug messages, including libbpf's\n"
    "  -h, --help        show this help\n";

// At a stop, buffered output is still written while stdout's reader takes it: until it
// stalls this long, or for this long in all (docs/output.md).
constexpr std::chrono::milliseconds kFinishIdle{100};
constexpr std::chrono::milliseconds kFinishTotal{1000};

// A number of seconds for `option`, as milliseconds.
Result<std::chrono::milliseconds> parse_seconds(const std::string& text, std::string_view option) {
  char* end = nullptr;
  double seconds = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !(seconds >= 0) || seconds > 1e9)
    return fail(ExitCode::kUsage,
                std::string(option) + ": '" + text + "' is not a number of seconds");
  return std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
}

// A whole number for `option`.
Result<std::size_t> parse_count(const std::string& text, std::string_view option) {
  char* end = nullptr;
  unsigned long long n = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || text[0] == '-' || *end != '\0' || n > 1000000000)
    return fail(ExitCode::kUsage, std::string(option) + ": '" + text + "' is not a count");
  return static_cast<std::size_t>(n);
}

void append_list(std::vector<std::string>& names, const std::string& text);

// -o/--output table | json | yaml | columns=A,B (kubectl's and ig's spelling).
Result<void> apply_output_flag(RunFlags& flags, const std::string& value) {
  if (value == "json") {
    flags.json = true;
  } else if (value == "yaml") {
    flags.yaml = true;
  } else if (value == "table" || value == "columns") {
    flags.json = flags.yaml = false;
  } else if (value.starts_with("columns=")) {
    append_list(flags.fields, value.substr(8));
  } else {
    return fail(ExitCode::kUsage, "-o '" + value + "' is not an output format",
                "use table, json, yaml or columns=FIELD,FIELD");
  }
  return {};
}

// Appends the comma-separated names of `text` to `names`.
void append_list(std::vector<std::string>& names, const std::string& text) {
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) names.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
}

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
    } else if (arg == "--yaml") {
      flags.yaml = true;
    } else if (arg == "-o" || arg.starts_with("--output")) {
      LMP_CHECK(apply_output_flag(flags, LMP_TRY(value_of(arg, arg == "-o" ? "-o" : "--output"))));
    } else if (arg.starts_with("--timestamp")) {
      flags.timestamp = LMP_TRY(value_of(arg, "--timestamp"));
    } else if (arg.starts_with("--fields")) {
      append_list(flags.fields, LMP_TRY(value_of(arg, "--fields")));
    } else if (arg.starts_with("--filter")) {
      flags.filters.push_back(LMP_TRY(value_of(arg, "--filter")));
    } else if (arg.starts_with("--comm")) {
      flags.comm = LMP_TRY(value_of(arg, "--comm"));
    } else if (arg.starts_with("--pid")) {
      flags.pid = LMP_TRY(value_of(arg, "--pid"));
    } else if (arg.starts_with("--top")) {
      flags.top = LMP_TRY(parse_count(LMP_TRY(value_of(arg, "--top")), "--top"));
    } else if (arg == "-v" || arg == "--verbose") {
      flags.verbose = true;
    } else if (arg == "--force") {
      flags.force = true;
    } else if (arg == "-h" || arg == "--help") {
      flags.help = true;
      return flags;
    } else if (arg.starts_with("--duration")) {
      flags.duration = LMP_TRY(parse_seconds(LMP_TRY(value_of(arg, "--duration")), "--duration"));
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
    } else if (arg.starts_with("--programs")) {
      append_list(flags.programs, LMP_TRY(value_of(arg, "--programs")));
    } else if (arg.starts_with("--skip-program")) {
      append_list(flags.skip_programs, LMP_TRY(value_of(arg, "--skip-program")));
    } else if (arg.starts_with("--attach")) {
      flags.attach_targets.push_back(LMP_TRY(value_of(arg, "--attach")));
    } else if (arg.starts_with("--cgroup")) {
      flags.cgroup = LMP_TRY(value_of(arg, "--cgroup"));
    } else if (arg.starts_with("--interface")) {
      flags.interface = LMP_TRY(value_of(arg, "--interface"));
    } else if (arg.starts_with("--map-size")) {
      flags.map_sizes.push_back(LMP_TRY(value_of(arg, "--map-size")));
    } else if (arg.starts_with("--interval")) {
      auto interval = LMP_TRY(parse_seconds(LMP_TRY(value_of(arg, "--interval")), "--interval"));
      if (interval.count() == 0)
        return fail(ExitCode::kUsage, "--interval must be more than 0 seconds");
      flags.interval = interval;
    } else if (arg == "--trace-pipe") {
      flags.trace_pipe = true;
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

std::string count_of(uint64_t n, const char* what) {
  return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

}  // namespace

Result<output::PrintOptions> make_print_options(const RunFlags& flags) {
  if (flags.json && flags.yaml)
    return fail(ExitCode::kUsage, "--json and --yaml together", "choose one output format");
  output::PrintOptions options(flags.json   ? output::Format::kJson
                               : flags.yaml ? output::Format::kYaml
                                            : output::Format::kTable);
  static constexpr std::pair<std::string_view, output::TimestampMode> kModes[] = {
      {"none", output::TimestampMode::kNone},     {"time", output::TimestampMode::kTime},
      {"iso", output::TimestampMode::kIso},       {"relative", output::TimestampMode::kRelative},
      {"ns", output::TimestampMode::kNs},
  };
  if (!flags.timestamp.empty()) {
    auto found = std::find_if(std::begin(kModes), std::end(kModes),
                              [&](const auto& m) { return m.first == flags.timestamp; });
    if (found == std::end(kModes))
      return fail(ExitCode::kUsage, "--timestamp '" + flags.timestamp + "' is not a mode",
                  "use none, time, iso, relative or ns");
    options.timestamp = found->second;
  }
  options.fields = flags.fields;
  for (const auto& text : flags.filters) options.filters.push_back(LMP_TRY(output::parse_filter(text)));
  if (!flags.comm.empty()) options.filters.push_back({"comm", output::FieldFilter::Op::kEqual, flags.comm});
  if (!flags.pid.empty()) options.filters.push_back({"pid", output::FieldFilter::Op::kEqual, flags.pid});
  options.top = flags.top;
  if (options.format == output::Format::kTable) {
    options.width = terminal::width(STDOUT_FILENO);
    options.color = terminal::color_enabled(STDOUT_FILENO);
  }
  return options;
}

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
  return run_package(flags, resolved);
}

}  // namespace lmp::cli
