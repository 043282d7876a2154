// `lmp run [OPTIONS] REF [PROGRAM ARGS...]`: parses lmp's options, resolves REF and hands
// it to the runner for its kind (run_package.cpp, run_wasm.cpp).
#include "cli/run.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "cli/command.h"
#include "common/listen_address.h"
#include "common/log.h"
#include "common/terminal.h"
#include "loader/libbpf_log.h"
#include "output/writer.h"
#include "package/config.h"
#include "registry/cache.h"
#include "registry/dependency_fetch.h"
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
    "  --metrics ADDR    serve Prometheus metrics on http://ADDR/metrics (HOST:PORT)\n"
    "  --metrics-config F  labelled event counters (docs/metrics.md)\n"
    "  -q, --quiet       print no events or map rounds (with --metrics: only export)\n"
    "  --width N         cut table lines at N columns (default: the terminal's; 0: never)\n"
    "  --duration S      stop after S seconds (0: exit once everything is attached)\n"
    "  --pull POLICY     always | missing (default) | never: when to download REF\n"
    "  --verify MODE     off | warn | require: check signatures (docs/signing.md;\n"
    "                    also LMP_VERIFY; default: $LMP_HOME/trust.json, else warn)\n"
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

// Parses lmp run's option at args[i] into `flags`, advancing `i` past a separate value.
// False when args[i] is not one of lmp's options.
Result<bool> parse_lmp_option(RunFlags& flags, std::span<const std::string> args, std::size_t& i) {
  std::string_view arg = args[i];
  // `--name` or `--name=VALUE`.
  auto is = [&](std::string_view name) {
    return arg == name || (arg.starts_with(name) && arg.size() > name.size() &&
                           arg[name.size()] == '=' && name.starts_with("--"));
  };
  auto value_of = [&](std::string_view name) -> Result<std::string> {
    if (arg.size() > name.size() && arg[name.size()] == '=')
      return std::string(arg.substr(name.size() + 1));
    if (i + 1 >= args.size())
      return fail(ExitCode::kUsage, "option " + std::string(name) + " needs a value",
                  "run 'lmp run --help'");
    return args[++i];
  };
  if (arg == "-j" || arg == "--json") {
    flags.json = true;
  } else if (arg == "--yaml") {
    flags.yaml = true;
  } else if (arg == "-o" || is("--output")) {
    LMP_CHECK(apply_output_flag(flags, LMP_TRY(value_of(arg == "-o" ? "-o" : "--output"))));
  } else if (is("--timestamp")) {
    flags.timestamp = LMP_TRY(value_of("--timestamp"));
  } else if (is("--fields")) {
    append_list(flags.fields, LMP_TRY(value_of("--fields")));
  } else if (is("--filter")) {
    flags.filters.push_back(LMP_TRY(value_of("--filter")));
  } else if (is("--comm")) {
    flags.comm = LMP_TRY(value_of("--comm"));
  } else if (is("--pid")) {
    flags.pid = LMP_TRY(value_of("--pid"));
  } else if (is("--top")) {
    flags.top = LMP_TRY(parse_count(LMP_TRY(value_of("--top")), "--top"));
  } else if (arg == "-q" || arg == "--quiet") {
    flags.quiet = true;
  } else if (is("--metrics")) {
    flags.metrics = LMP_TRY(value_of("--metrics"));
    LMP_TRY(parse_listen_address(flags.metrics, "--metrics"));
  } else if (is("--metrics-config")) {
    flags.metrics_config = LMP_TRY(value_of("--metrics-config"));
  } else if (is("--width")) {
    flags.width = LMP_TRY(parse_count(LMP_TRY(value_of("--width")), "--width"));
  } else if (arg == "-v" || arg == "--verbose") {
    flags.verbose = true;
  } else if (arg == "--force") {
    flags.force = true;
  } else if (arg == "-h" || arg == "--help") {
    flags.help = true;
  } else if (is("--duration")) {
    flags.duration = LMP_TRY(parse_seconds(LMP_TRY(value_of("--duration")), "--duration"));
  } else if (is("--verify")) {
    flags.verify = LMP_TRY(registry::parse_verify_mode(LMP_TRY(value_of("--verify"))));
  } else if (is("--pull")) {
    flags.pull = LMP_TRY(registry::parse_pull_policy(LMP_TRY(value_of("--pull"))));
  } else if (is("--btf")) {
    flags.btf = LMP_TRY(value_of("--btf"));
  } else if (is("--wasm-engine")) {
    flags.wasm_engine = LMP_TRY(wasm::parse_engine(LMP_TRY(value_of("--wasm-engine"))));
  } else if (is("--wasm-dir")) {
    flags.wasm_dirs.push_back(LMP_TRY(wasm::parse_preopen(LMP_TRY(value_of("--wasm-dir")))));
  } else if (is("--wasm-max-memory")) {
    flags.wasm_max_memory =
        LMP_TRY(wasm::parse_memory_size(LMP_TRY(value_of("--wasm-max-memory"))));
  } else if (is("--programs")) {
    append_list(flags.programs, LMP_TRY(value_of("--programs")));
  } else if (is("--skip-program")) {
    append_list(flags.skip_programs, LMP_TRY(value_of("--skip-program")));
  } else if (is("--attach")) {
    flags.attach_targets.push_back(LMP_TRY(value_of("--attach")));
  } else if (is("--cgroup")) {
    flags.cgroup = LMP_TRY(value_of("--cgroup"));
  } else if (is("--interface")) {
    flags.interface = LMP_TRY(value_of("--interface"));
  } else if (is("--map-size")) {
    flags.map_sizes.push_back(LMP_TRY(value_of("--map-size")));
  } else if (is("--interval")) {
    auto interval = LMP_TRY(parse_seconds(LMP_TRY(value_of("--interval")), "--interval"));
    if (interval.count() == 0)
      return fail(ExitCode::kUsage, "--interval must be more than 0 seconds");
    flags.interval = interval;
  } else if (arg == "--trace-pipe") {
    flags.trace_pipe = true;
  } else {
    return false;
  }
  return true;
}

// lmp's own options come before REF; everything after REF belongs to the program (run_package
// takes back lmp's output options the program does not have: take_lmp_options).
Result<RunFlags> parse_run_flags(Args raw) {
  std::vector<std::string> args(raw.begin(), raw.end());
  RunFlags flags;
  std::size_t i = 1;
  for (; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "--") {
      ++i;
      break;
    }
    if (arg.empty() || arg[0] != '-') break;
    if (LMP_TRY(parse_lmp_option(flags, args, i))) {
      if (flags.help) return flags;
      continue;
    }
    // Not lmp's: most likely the program's, given before the package.
    std::string ref, value;
    for (std::size_t j = i + 1; j < args.size() && ref.empty(); ++j) {
      if (args[j].empty() || args[j][0] == '-') continue;
      // A number right after the option is its value (--pid 1), not the package.
      if (j == i + 1 && args[j].find_first_not_of("0123456789") == std::string::npos &&
          arg.find('=') == std::string_view::npos) {
        value = " " + args[j];
        continue;
      }
      ref = args[j];
    }
    return fail(ExitCode::kUsage, "unknown option '" + std::string(arg) + "' for lmp run",
                ref.empty() ? "lmp's options come before the package, the program's after it"
                            : "if it is an option of the program, put it after the package: "
                              "lmp run " +
                                  ref + " " + std::string(arg) + value + " (lmp run " + ref +
                                  " -h lists them)");
  }
  if (i >= args.size())
    return fail(ExitCode::kUsage, "lmp run needs a package",
                "usage: lmp run [OPTIONS] REF [ARGS...]");
  flags.ref = args[i];
  // A lone `--` after REF ends its arguments and starts the next package's REF.
  std::vector<std::string>* current = &flags.program_args;
  for (++i; i < args.size(); ++i) {
    if (std::string_view(args[i]) == "--") {
      if (i + 1 >= args.size())
        return fail(ExitCode::kUsage, "'--' after a package needs another package after it",
                    "lmp run A [ARGS] -- B [ARGS]: '--' separates packages");
      flags.more.emplace_back(args[++i], std::vector<std::string>{});
      current = &flags.more.back().second;
      continue;
    }
    current->emplace_back(args[i]);
  }
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

std::string count_of(uint64_t n, const char* what) {
  return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

}  // namespace

// The package file REF names: a local file or directory as given (a directory runs its
// app.wasm when it has one, as a package with both is meant to run); names, URLs and OCI
// references through the registry (cache, then LMP_REPOSITORY, then the bundled catalog).
// (A local app.wasm is checked against the package.json beside it by check_local_wasm, once
// its signature is.)
Result<Resolved> resolve_reference(const std::string& text, registry::PullPolicy policy) {
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
  } else {
    path = LMP_TRY(registry::resolve_to_local(ref, policy));
  }
  Resolved resolved{path, {}};
  if (path.extension() == ".wasm") resolved.module_name = module_name(ref, path);
  return resolved;
}

Result<output::PrintOptions> make_print_options(const RunFlags& flags) {
  if (flags.json && flags.yaml)
    return fail(ExitCode::kUsage, "--json and --yaml together", "choose one output format");
  output::PrintOptions options(flags.json   ? output::Format::kJson
                               : flags.yaml ? output::Format::kYaml
                                            : output::Format::kTable);
  static constexpr std::pair<std::string_view, output::TimestampMode> kModes[] = {
      {"none", output::TimestampMode::kNone}, {"time", output::TimestampMode::kTime},
      {"iso", output::TimestampMode::kIso},   {"relative", output::TimestampMode::kRelative},
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
  for (const auto& text : flags.filters)
    options.filters.push_back(LMP_TRY(output::parse_filter(text)));
  if (!flags.comm.empty())
    options.filters.push_back({"comm", output::FieldFilter::Op::kEqual, flags.comm});
  if (!flags.pid.empty())
    options.filters.push_back({"pid", output::FieldFilter::Op::kEqual, flags.pid});
  options.top = flags.top;
  if (options.format == output::Format::kTable) {
    options.width = flags.width ? *flags.width : terminal::width(STDOUT_FILENO);
    options.color = terminal::color_enabled(STDOUT_FILENO);
  }
  return options;
}

Result<std::vector<std::string>> take_lmp_options(
    RunFlags& flags, const std::vector<std::string>& program_args,
    const std::function<bool(std::string_view)>& program_has) {
  std::vector<std::string> rest;
  for (std::size_t i = 0; i < program_args.size(); ++i) {
    std::string_view arg = program_args[i];
    if (arg == "--") {  // the program's own end of options: the rest is its, untouched
      rest.insert(rest.end(), program_args.begin() + static_cast<std::ptrdiff_t>(i),
                  program_args.end());
      break;
    }
    std::string_view name = arg.substr(0, arg.find('='));
    bool candidate = name.starts_with("--") && !program_has(name.substr(2));
    for (std::string_view kept : {"--pull", "--verify", "--btf", "--force", "--wasm-engine",
                                  "--wasm-dir", "--wasm-max-memory", "--help"})
      if (name == kept) candidate = false;
    RunFlags taken = flags;
    std::size_t at = i;
    if (candidate && LMP_TRY(parse_lmp_option(taken, program_args, at))) {
      log::debug(std::string(name) +
                 " after the package is lmp's (the program has no such option)");
      flags = std::move(taken);
      i = at;
      continue;
    }
    rest.emplace_back(arg);
  }
  return rest;
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

namespace {

// lmp run A [ARGS] -- B [ARGS]...: every package resolved (a module runs as the package.json
// beside it), then run together.
Result<int> run_several(const RunFlags& flags) {
  std::vector<RunTarget> targets;
  std::vector<fs::path> resolved_paths;  // before a module is swapped for its package.json
  std::vector<std::pair<std::string, std::vector<std::string>>> all = {
      {flags.ref, flags.program_args}};
  all.insert(all.end(), flags.more.begin(), flags.more.end());
  for (const auto& [ref, args] : all) {
    RunTarget target{flags, {}};
    target.flags.ref = ref;
    target.flags.program_args = args;
    target.flags.more.clear();
    target.resolved = LMP_TRY(resolve_reference(ref, flags.pull));
    resolved_paths.push_back(target.resolved.path);
    if (target.resolved.path.extension() == ".wasm") {
      fs::path beside = target.resolved.path.parent_path() / "package.json";
      std::error_code ec;
      if (!fs::is_regular_file(beside, ec))
        return fail(ExitCode::kUsage,
                    ref +
                        " is a WebAssembly module without a package.json beside it: it runs "
                        "on its own, not with other packages",
                    "run it alone: lmp run " + ref);
      log::info(ref +
                ": running its package.json beside app.wasm (lmp prints it with the "
                "other packages)");
      target.resolved = {beside, {}};
    }
    targets.push_back(std::move(target));
  }
  std::vector<fs::path> files;
  for (const auto& target : targets) files.push_back(target.resolved.path);
  LMP_CHECK(verify_before_run(flags, files));
  for (std::size_t i = 0; i < all.size(); ++i)
    LMP_CHECK(check_local_wasm(all[i].first, resolved_paths[i], flags.force));
  return run_packages(flags, targets);
}

// lmp run SUITE: every dependency of its config.json (resolved and fetched, lmp.lock followed)
// runs with it, as `lmp run DEP1 -- DEP2 -- SUITE` would.
Result<int> run_suite(const RunFlags& flags, const fs::path& dir) {
  auto packages = LMP_TRY(registry::resolve_and_fetch(dir));
  std::vector<RunTarget> targets;
  std::string names;
  for (const auto& p : packages) {
    if (p.main_file.empty()) continue;  // a suite that is only a config.json
    RunTarget target{flags, {p.main_file, {}}};
    bool root = &p == &packages.back();
    target.flags.ref = root ? flags.ref : p.name;
    target.flags.program_args = root ? flags.program_args : std::vector<std::string>{};
    target.flags.more.clear();
    if (p.main_file.extension() == ".wasm") {
      fs::path beside = p.main_file.parent_path() / "package.json";
      std::error_code ec;
      if (!fs::is_regular_file(beside, ec))
        return fail(ExitCode::kUsage,
                    p.name +
                        " is a WebAssembly module without a package.json beside it: it "
                        "cannot run in a suite",
                    "run it alone: lmp run " + p.name);
      target.resolved = {beside, {}};
    }
    names += (names.empty() ? "" : ", ") + p.name + (p.version.empty() ? "" : ":" + p.version);
    targets.push_back(std::move(target));
  }
  if (targets.empty())
    return fail(ExitCode::kBadPackage, dir.string() + ": nothing to run",
                "its config.json lists no dependency that has a package");
  std::vector<fs::path> files;
  for (const auto& target : targets) files.push_back(target.resolved.path);
  LMP_CHECK(verify_before_run(flags, files));
  log::info("running the suite " + dir.filename().string() + ": " + names);
  if (targets.size() == 1) return run_package(targets[0].flags, targets[0].resolved);
  return run_packages(flags, targets);
}

}  // namespace

std::optional<fs::path> suite_dir(const fs::path& dir) {
  std::error_code ec;
  fs::path config = dir / "config.json";
  if (!fs::is_regular_file(config, ec)) return std::nullopt;
  auto parsed = package::read_config_file(config);
  if (!parsed || parsed->dependencies.empty()) return std::nullopt;
  return dir;
}

std::optional<fs::path> suite_only_dir(const std::string& ref) {
  std::error_code ec;
  fs::path dir(ref);
  if (!fs::is_directory(dir, ec) || fs::exists(dir / "package.json", ec) ||
      fs::exists(dir / "app.wasm", ec) || fs::exists(dir / "package.yaml", ec))
    return std::nullopt;
  return suite_dir(dir);
}

Result<int> run_command(Args args) {
  RunFlags flags = LMP_TRY(parse_run_flags(args));
  if (flags.help) {
    print_help(kRunUsage);
    return 0;
  }
  if (flags.verbose) log::set_level(log::Level::kDebug);
  loader::install_libbpf_log(flags.verbose);
  // The time zone is read now, not at the first event's local time: that open of
  // /etc/localtime would be lmp's own event in open tracers, after their filter of lmp's pid.
  ::tzset();

  if (!flags.more.empty()) return run_several(flags);
  // A directory that is only a suite (config.json with dependencies, nothing built).
  if (auto suite = suite_only_dir(flags.ref)) return run_suite(flags, *suite);
  Resolved resolved = LMP_TRY(resolve_reference(flags.ref, flags.pull));
  if (auto suite = suite_dir(resolved.path.parent_path()); suite && !flags.help) {
    LMP_CHECK(check_local_wasm(flags.ref, resolved.path, flags.force));
    return run_suite(flags, *suite);
  }
  LMP_CHECK(verify_before_run(flags, {resolved.path}));
  LMP_CHECK(check_local_wasm(flags.ref, resolved.path, flags.force));
  if (resolved.path.extension() == ".wasm") {
    // lmp's output options shape what lmp prints: a module prints its own text. With a
    // package.json beside it, that (the eBPF side, printed by lmp) runs instead.
    bool shaped = flags.json || flags.yaml || !flags.fields.empty() || !flags.filters.empty() ||
                  !flags.timestamp.empty() || !flags.comm.empty() || !flags.pid.empty() ||
                  !flags.metrics.empty();
    fs::path beside = resolved.path.parent_path() / "package.json";
    std::error_code ec;
    if (shaped && fs::is_regular_file(beside, ec)) {
      log::info("running " + beside.string() + " instead of its app.wasm: lmp's output options (" +
                std::string(flags.json               ? "--json"
                            : flags.yaml             ? "--yaml"
                            : !flags.metrics.empty() ? "--metrics"
                                                     : "--fields/--filter") +
                ") apply to events lmp prints, and a WebAssembly module prints its own");
      return run_package(flags, {beside, {}});
    }
    return run_wasm(flags, resolved);
  }
  return run_package(flags, resolved);
}

}  // namespace lmp::cli
