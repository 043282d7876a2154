// lmp check REF [--no-load] [--json] [--report [--hub URL]]: will this package run on this
// kernel? (docs/check.md). REF resolves as for lmp run; the checks are loader/check.h's.
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

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
#include "registry/dependency_fetch.h"
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

// The report of one package file (package.json, package.yaml, an object or an app.wasm).
Result<package::CheckReport> check_file(const fs::path& file, const loader::CheckOptions& options) {
  if (file.extension() == ".wasm") return check_wasm(file, options);
  package::Package pkg = LMP_TRY(compiler::read_package_or_object(file));
  return loader::check_package(pkg, "", "", options);
}

// 0 when every report passes; else 4 when privileges are all that failed, else 5.
int exit_code_of(const std::vector<package::CheckReport>& reports) {
  bool passed = true, only_privileges = true;
  for (const auto& r : reports) {
    if (r.passed()) continue;
    passed = false;
    auto failed = r.failed_ids();
    only_privileges = only_privileges && failed.size() == 1 && failed[0] == "privileges";
  }
  if (passed) return 0;
  return static_cast<int>(only_privileges ? ExitCode::kPermission : ExitCode::kKernel);
}

// lmp check SUITE: every package of the suite (its dependencies, fetched as lmp run fetches
// them, then the suite's own package when it has one), one report each. --json prints
// {"suite", "passed", "reports": [...]}; --report uploads each report that has a version.
Result<int> check_suite(const fs::path& dir, const loader::CheckOptions& options, bool json,
                        const std::string* hub) {
  auto packages = LMP_TRY(registry::resolve_and_fetch(dir));
  std::vector<package::CheckReport> reports;
  for (const auto& p : packages) {
    if (p.main_file.empty()) continue;  // a suite that is only a config.json
    package::CheckReport r = LMP_TRY(check_file(p.main_file, options));
    r.package = p.name;
    r.version = p.version;
    reports.push_back(std::move(r));
  }
  if (reports.empty())
    return fail(ExitCode::kBadPackage, dir.string() + ": nothing to check",
                "its config.json lists no dependency that has a package");
  std::string name = dir.filename().string();
  if (auto config = package::read_config_file(dir / "config.json"); config && !config->name.empty())
    name = config->name;
  int code = exit_code_of(reports);
  if (json) {
    nlohmann::ordered_json out = {
        {"suite", name}, {"passed", code == 0}, {"reports", nlohmann::ordered_json::array()}};
    for (const auto& r : reports) out["reports"].push_back(package::check_report_json(r));
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    bool color = terminal::color_enabled(STDOUT_FILENO);
    std::size_t failing = 0;
    for (const auto& r : reports) {
      std::printf("== %s%s\n", escape_text(r.package).c_str(),
                  r.version.empty() ? "" : (" " + escape_text(r.version)).c_str());
      std::fputs(output::render_check_report(r, color).c_str(), stdout);
      std::fputs("\n", stdout);
      failing += r.passed() ? 0 : 1;
    }
    std::printf("suite %s: %zu of %zu package(s) pass\n", escape_text(name).c_str(),
                reports.size() - failing, reports.size());
  }
  std::fflush(stdout);
  if (hub)
    for (const auto& r : reports)
      if (!r.version.empty()) LMP_CHECK(upload(r, *hub));
  return code;
}

}  // namespace

Result<int> check_command(Args args) {
  CLI::App app{
      "Check whether a package will run on this kernel, without running it: kernel and BTF,\n"
      "privileges, each program's type and attach point, map types, CO-RE relocations against\n"
      "this kernel's BTF, then (as root, unless --no-load) a trial load, unloaded at once.\n"
      "REF is any reference lmp run takes; a suite (config.json with dependencies) is checked\n"
      "package by package. Exit code 0 when every check passes, 5 when one fails (4 when only\n"
      "privileges are missing). See docs/check.md.",
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
  loader::CheckOptions options{no_load, btf};

  // A suite (a config.json with dependencies): every package lmp run would run with it.
  std::optional<fs::path> suite = suite_only_dir(text);
  std::optional<Resolved> resolved;
  if (!suite) {
    resolved = LMP_TRY(resolve_reference(text, policy));
    suite = suite_dir(resolved->path.parent_path());
  }
  if (suite) return check_suite(*suite, options, json, report ? &hub : nullptr);

  package::CheckReport result = LMP_TRY(check_file(resolved->path, options));
  name_and_version(resolved->path, result.package, result.version);
  if (json)
    std::printf("%s\n", package::check_report_json(result).dump(2).c_str());
  else
    std::fputs(output::render_check_report(result, terminal::color_enabled(STDOUT_FILENO)).c_str(),
               stdout);
  std::fflush(stdout);
  if (report) LMP_CHECK(upload(result, hub));
  return exit_code_of({result});
}

}  // namespace lmp::cli
