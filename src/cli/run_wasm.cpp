// `lmp run` of a WebAssembly module (docs/wasm.md).
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <iostream>
#include <span>
#include <string>
#include <vector>

#include "cli/run.h"
#include "common/file.h"
#include "common/log.h"
#include "loader/bpf_object_handle.h"
#include "loader/stop_signals.h"
#include "output/writer.h"
#include "registry/cache.h"
#include "wasm/libbpf_host.h"
#include "wasm/runtime.h"

namespace lmp::cli {
namespace {

namespace fs = std::filesystem;

// Larger modules are refused before they are read.
constexpr std::uintmax_t kMaxWasmBytes = 64u << 20;

}  // namespace

Result<int> run_wasm(const RunFlags& flags, const Resolved& resolved) {
  const fs::path& path = resolved.path;
  if (flags.json || flags.yaml || !flags.fields.empty() || !flags.filters.empty() ||
      !flags.timestamp.empty() || !flags.comm.empty() || !flags.pid.empty() || flags.top != 0)
    log::warn(
        "lmp's output options (--json, --yaml, --fields, --filter, --timestamp, --top) do "
        "not apply to a WebAssembly module without a package.json beside it: it prints "
        "its own output");
  if (!flags.metrics.empty())
    return fail(ExitCode::kUsage,
                "--metrics needs the package's eBPF side (a package.json beside " +
                    path.filename().string() + "): a WebAssembly module reads its own maps",
                "run the package.json, or the module without --metrics");
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
  // WASI has no time zone: times a module formats itself are UTC. Said when it matters.
  std::time_t now = std::time(nullptr);
  std::tm local{};
  if (localtime_r(&now, &local) && local.tm_gmtoff != 0) {
    char zone[16];
    std::strftime(zone, sizeof zone, "%z", &local);
    log::info("times " + resolved.module_name +
              " prints itself are UTC (WebAssembly has no time zone; this machine's is " + zone +
              ")");
  }
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

}  // namespace lmp::cli
