// `lmp run`, in three files: run.cpp parses the command line, resolves REF and picks the
// runner; run_package.cpp runs a package.json (the native pipeline, stage by stage);
// run_wasm.cpp runs a WebAssembly module. This header is what they share.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "registry/puller.h"
#include "registry/signing.h"
#include "wasm/runtime.h"

#include "output/output.h"

namespace lmp::output {
class OutputWriter;
}

namespace lmp::cli {

// lmp's own options of `lmp run` (they come before REF) and what follows REF.
struct RunFlags {
  bool json = false;  // -j/--json or -o json
  bool yaml = false;  // --yaml or -o yaml
  bool verbose = false;
  bool help = false;
  bool force = false;  // run a stale app.wasm (registry/stale_wasm.h)
  std::optional<std::chrono::milliseconds> duration;
  registry::PullPolicy pull = registry::PullPolicy::kMissing;
  std::optional<registry::VerifyMode> verify;  // --verify MODE (docs/signing.md)
  std::string btf;
  uint64_t wasm_max_memory = wasm::kDefaultMaxMemoryBytes;
  wasm::Engine wasm_engine = wasm::Engine::kAuto;
  std::vector<wasm::Preopen> wasm_dirs;

  // Which programs load, and where those without a target in their section attach
  // (docs/run.md, "Programs").
  std::vector<std::string> programs;        // --programs A,B: only these (autoload)
  std::vector<std::string> skip_programs;   // --skip-program NAME, repeatable
  std::vector<std::string> attach_targets;  // --attach PROGRAM=TARGET, repeatable
  std::string cgroup;                       // --cgroup PATH (cgroup programs)
  std::string interface;                    // --interface IFACE (socket filters)

  // Maps (docs/run.md, "Maps").
  std::vector<std::string> map_sizes;                 // --map-size NAME=N, repeatable
  std::optional<std::chrono::milliseconds> interval;  // --interval S: print maps every S
  bool trace_pipe = false;                            // --trace-pipe: stream bpf_printk

  // Output (docs/output.md): which fields, which events, which time.
  std::string timestamp;             // --timestamp MODE (empty: the default)
  std::vector<std::string> fields;   // --fields A,B / -o columns=A,B
  std::vector<std::string> filters;  // --filter EXPR, repeatable
  std::string comm;                  // --comm NAME: filter comm=NAME
  std::string pid;                   // --pid PID: filter pid=PID
  std::size_t top = 0;               // --top N: N largest map entries
  std::optional<std::size_t> width;  // --width N: table width (0: no limit)
  bool quiet = false;                // --quiet: print no events or map rounds

  // Metrics (docs/metrics.md).
  std::string metrics;         // --metrics HOST:PORT: serve Prometheus text on /metrics
  std::string metrics_config;  // --metrics-config FILE: labelled event counters

  std::string ref;
  std::vector<std::string> program_args;
  // The packages after a lone `--` (lmp run A -- B --pid 1 -- C): each REF with its args.
  std::vector<std::pair<std::string, std::vector<std::string>>> more;
};

// What REF names: the file to run, and for a WebAssembly module the name it runs as.
struct Resolved {
  std::filesystem::path path;
  std::string module_name;  // argv[0] of a .wasm module
};

// The package file REF names, as lmp run resolves it (run.cpp): a local file or directory
// (its app.wasm, else package.json/package.yaml), else through the registry (cache,
// LMP_REPOSITORY, the bundled catalog; pulled per `policy`). lmp check resolves REF the same
// way. (lmp run checks a local app.wasm against the package.json beside it afterwards, once
// its signature is verified: check_local_wasm.)
Result<Resolved> resolve_reference(const std::string& text, registry::PullPolicy policy);

// The printers' options from lmp run's flags: format, --timestamp, --fields, --filter,
// --comm/--pid, --top, and stdout's terminal width and colour. Errors (kUsage) for bad values.
Result<output::PrintOptions> make_print_options(const RunFlags& flags);

// lmp's own options given after the package that the program does not have
// (`lmp run opensnoop --json`): moved into `flags`; the program's arguments are returned.
// `program_has` says whether the program has a long option of that name (without "--").
Result<std::vector<std::string>> take_lmp_options(
    RunFlags& flags, const std::vector<std::string>& program_args,
    const std::function<bool(std::string_view)>& program_has);

// Checks the signatures of the packages whose main files are `files` against the trust
// policy (--verify, else LMP_VERIFY, else $LMP_HOME/trust.json; docs/signing.md) before any
// loads, and prints the warnings (run_verify.cpp). Errors are one line naming package and key.
Result<void> verify_before_run(const RunFlags& flags,
                               const std::vector<std::filesystem::path>& files);

// A local app.wasm (REF `text` resolved to `path`) with a package.json beside it must embed
// that package's eBPF object, unless `force` (run_verify.cpp). Checked after the signatures,
// so a module changed after signing is reported as that.
Result<void> check_local_wasm(const std::string& text, const std::filesystem::path& path,
                              bool force);

// The directory a config.json with dependencies makes a suite of: `dir` itself (a project or
// a cached package), when its config.json lists any dependency (run.cpp; lmp check too).
std::optional<std::filesystem::path> suite_dir(const std::filesystem::path& dir);

// A suite REF names without anything to resolve: a directory holding a config.json with
// dependencies and no package of its own (package.json, app.wasm, package.yaml).
std::optional<std::filesystem::path> suite_only_dir(const std::string& ref);

// Runs a package.json / package.yaml (run_package.cpp). Its exit code is lmp's.
Result<int> run_package(const RunFlags& flags, const Resolved& resolved);

// One package of `lmp run A [ARGS] -- B [ARGS]`: its flags (ref and program_args its own).
struct RunTarget {
  RunFlags flags;
  Resolved resolved;
};

// Runs several packages as one (run_package.cpp): all load, then all attach (a failure in
// one leaves none attached), one merged output with a PACKAGE column, one metrics server,
// one Ctrl-C stops them all. The first package's lmp options (--json, --duration, ...) are
// the run's.
Result<int> run_packages(const RunFlags& flags, const std::vector<RunTarget>& targets);

// Runs a WebAssembly user-space program (run_wasm.cpp, docs/wasm.md). Its exit code is lmp's.
Result<int> run_wasm(const RunFlags& flags, const Resolved& resolved);

// The end of a run: writes what stdout's reader still takes, then reports on stderr what was
// lost: events the kernel dropped (full perf buffers) and records lmp received but did not
// write. A failed write is the run's error (exit code 1), unless the run failed first.
// `what` names the records: "event", "event or map sample", a guest's "write".
Result<int> finish_run(output::OutputWriter& writer, uint64_t headers, Result<void> ran,
                       const std::map<std::string, uint64_t>& kernel_lost, const char* what);

}  // namespace lmp::cli
