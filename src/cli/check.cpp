// lmp check REF [--no-load] [--json] [--report [--hub URL]]: will this package run on this
// kernel? (docs/check.md). REF resolves as for lmp run; the checks are loader/check.h's.
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <string>

#include "cli/command.h"
#include "cli/run.h"
#include "common/file.h"
#include "common/log.h"
#include "common/terminal.h"
#include "common/text_escape.h"
#include "compiler/object_package.h"
#include "loader/bpf_object_handle.h"
#include "loader/check.h"
#include "loader/libbpf_log.h"
#include "output/check_printer.h"
#include "package/config.h"
#include "registry/cache.h"
#include "registry/hub_check_report.h"
#include "registry/hub_client.h"

namespace lmp::cli {
namespace {

namespace fs = std::filesystem;

// Name and version from the config.json beside the package file (cached packages and built
// projects have one), else the object's name and no version.
void name_and_version(const fs::path& file, std::string& name, std::string& version) {
  std::error_code ec;
  fs::path config = file.parent_path() / "config.json";
  if (!fs::is_regular_file(config, ec)) return;
  if (auto parsed = package::read_config_file(config)) {
    name = parsed->name;
    version = parsed->version;
  }
}

// The report of a WebAssembly module: its package.json beside it, else the eBPF object it
// embeds; the module itself is not checked (it may load other objects at run time).
Result<package::CheckReport> check_wasm(const fs::path& wasm, const loader::CheckOptions& options) {
  std::error_code ec;
  fs::path beside = wasm.parent_path() / "package.json";
  package::CheckItem note{"wasm",
                          package::CheckStatus::kSkip,
                          "the WebAssembly user space " + wasm.filename().string(),
                          {},
                          {},
                          {}};
  package::Package pkg;
  if (fs::is_regular_file(beside, ec)) {
    pkg = LMP_TRY(compiler::read_package_or_object(beside));
    note.reason = "not checked: lmp checked the package.json beside it, the object it loads";
  } else {
    std::string bytes = LMP_TRY(read_file(wasm, package::kMaxPackageBytes));
    pkg.bpf_object = loader::embedded_bpf_object(
        std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
    note.reason = pkg.bpf_object.empty()
                      ? "carries no eBPF object lmp can find; only the kernel was checked"
                      : "not checked: lmp checked the eBPF object embedded in it";
    if (pkg.bpf_object.empty()) {
      note.hint = "build it with lmp build-wasm beside its package.json";
      package::CheckReport report = loader::check_package(pkg, "", "", options);
      // Without an object only the kernel-wide checks mean anything.
      std::erase_if(report.checks, [](const auto& c) { return c.id == "object"; });
      report.checks.push_back(std::move(note));
      return report;
    }
  }
  package::CheckReport report = loader::check_package(pkg, "", "", options);
  report.checks.push_back(std::move(note));
  return report;
}

Result<void> upload(const package::CheckReport& report, std::string hub_url) {
  if (report.package.empty() || report.version.empty())
    return fail(ExitCode::kUsage, "--report needs a package with a name and a version",
                "check a published package (NAME or NAME:VERSION), or a project with config.json");
  auto home = LMP_TRY(registry::lmp_home());
  if (hub_url.empty()) hub_url = LMP_TRY(registry::current_hub(home));
  std::string token = LMP_TRY(registry::hub_token(home, registry::normalize_hub_url(hub_url)));
  auto transport = registry::make_curl_transport();
  auto uploaded =
      LMP_TRY(registry::upload_check_report(*transport, hub_url, token, report.package,
                                            report.version, package::check_report_json(report)));
  log::info("reported to " + registry::normalize_hub_url(hub_url) + ": " + report.package + " " +
            report.version + " on Linux " + report.kernel_release + " " + report.arch + " " +
            (report.passed() ? "passes" : "fails") +
            (uploaded.url.empty() ? std::string() : " (" + escape_text(uploaded.url) + ")"));
  return {};
}

}  // namespace

Result<int> check_command(Args args) {
  CLI::App app{
      "Check whether a package will run on this kernel, without running it: kernel and BTF,\n"
      "privileges, each program's type and attach point, map types, CO-RE relocations against\n"
      "this kernel's BTF, then (as root, unless --no-load) a trial load, unloaded at once.\n"
      "REF is any reference lmp run takes. Exit code 0 when every check passes, 5 when one\n"
      "fails (4 when only privileges are missing). See docs/check.md.",
      "lmp check"};
  std::string text, hub, pull = "missing", btf;
  bool no_load = false, json = false, report = false, verbose = false;
  app.add_option("ref", text, "the package")->required()->type_name("REF");
  app.add_flag("--no-load", no_load, "load nothing: no trial load, no probe program");
  app.add_flag("-j,--json", json, "print the report as JSON (docs/check.md)");
  app.add_flag("--report", report, "upload the report to a hub (needs lmp login)");
  app.add_option("--hub", hub, "the hub for --report (default: LMP_HUB, else the last login)")
      ->type_name("URL");
  app.add_option("--pull", pull, "always | missing (default) | never: when to download REF")
      ->type_name("POLICY");
  app.add_option("--btf", btf, "BTF of the kernel, when it has no /sys/kernel/btf/vmlinux")
      ->type_name("FILE");
  app.add_flag("-v,--verbose", verbose, "print debug messages, including libbpf's");
  try {
    app.parse(static_cast<int>(args.size()), args.data());
  } catch (const CLI::ParseError& e) {
    return parse_error(app, e);
  }
  if (!hub.empty() && !report)
    return fail(ExitCode::kUsage, "--hub without --report", "add --report to upload the report");
  if (verbose) log::set_level(log::Level::kDebug);
  loader::install_libbpf_log(verbose);
  auto policy = LMP_TRY(registry::parse_pull_policy(pull));
  Resolved resolved = LMP_TRY(resolve_reference(text, policy));
  loader::CheckOptions options{no_load, btf};

  package::CheckReport result;
  if (resolved.path.extension() == ".wasm") {
    result = LMP_TRY(check_wasm(resolved.path, options));
  } else {
    package::Package pkg = LMP_TRY(compiler::read_package_or_object(resolved.path));
    result = loader::check_package(pkg, "", "", options);
  }
  name_and_version(resolved.path, result.package, result.version);

  if (json)
    std::printf("%s\n", package::check_report_json(result).dump(2).c_str());
  else
    std::fputs(output::render_check_report(result, terminal::color_enabled(STDOUT_FILENO)).c_str(),
               stdout);
  std::fflush(stdout);
  if (report) LMP_CHECK(upload(result, hub));
  if (result.passed()) return 0;
  auto failed = result.failed_ids();
  bool only_privileges = failed.size() == 1 && failed[0] == "privileges";
  return static_cast<int>(only_privileges ? ExitCode::kPermission : ExitCode::kKernel);
}

}  // namespace lmp::cli
