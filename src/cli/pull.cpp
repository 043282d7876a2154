// lmp pull REF|DIR...: download packages, and the packages they depend on, into the cache
// (see docs/references.md and docs/dependencies.md).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "cli/command.h"
#include "common/log.h"
#include "common/text_escape.h"
#include "registry/cache_reference.h"
#include "registry/dependency_fetch.h"
#include "registry/progress.h"
#include "registry/puller.h"

namespace lmp::cli {
namespace {

// Fetches the dependencies of the package in `dir` (a project or a cached package), when
// its config.json has any, and prints each one's main file.
Result<void> pull_dependencies(const std::filesystem::path& dir, registry::Puller& puller) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(dir / "config.json", ec)) return {};
  registry::FetchOptions options;
  options.refresh = true;
  registry::DependencyGraph graph = LMP_TRY(registry::resolve_package_dir(dir, puller, options));
  for (const auto& p : graph.resolution.packages)
    std::printf("%s\n", escape_text(p.main_file.string()).c_str());
  if (!graph.resolution.packages.empty())
    log::info(escape_text(graph.root.name) + ": " +
              std::to_string(graph.resolution.packages.size()) +
              (graph.resolution.packages.size() == 1 ? " dependency" : " dependencies") +
              (graph.locked ? " (as lmp.lock pins them)" : ""));
  return {};
}

}  // namespace

Result<int> pull_command(Args args) {
  CLI::App app{
      "Download packages into the cache and print the path of each. REF is NAME[:TAG], a URL\n"
      "or an OCI image reference (docs/references.md), or a package directory (./DIR). The\n"
      "packages a package depends on (its config.json's dependencies) are pulled too, as\n"
      "DIR/lmp.lock pins them when there is one. The source is always asked: a cached copy\n"
      "that is still current is kept and reported as up to date.",
      "lmp pull"};
  std::vector<std::string> refs;
  app.add_option("REF", refs, "what to pull")->required();
  try {
    app.parse(static_cast<int>(args.size()), args.data());
  } catch (const CLI::ParseError& e) {
    return parse_error(app, e);
  }
  registry::Puller puller = LMP_TRY(registry::make_puller());
  for (const auto& text : refs) {
    registry::Reference ref = LMP_TRY(registry::parse_reference(text));
    std::error_code ec;
    if (ref.kind == registry::ReferenceKind::kLocalPath &&
        std::filesystem::is_directory(ref.path, ec)) {
      if (!std::filesystem::is_regular_file(ref.path / "config.json", ec))
        return fail(ExitCode::kUsage, text + " has no config.json; there is nothing to pull",
                    "a package directory lists its dependencies in config.json");
      LMP_CHECK(pull_dependencies(ref.path, puller));
      continue;
    }
    registry::PullOutcome pulled = LMP_TRY(puller.update(ref));
    const registry::CachedPackage& package = pulled.package;
    std::string what = escape_text(registry::reference_of(package));
    if (pulled.up_to_date) {
      log::info(what + ": up to date");
    } else {
      log::info("pulled " + what + " (" + registry::human_size(package.size) + ") from " +
                escape_text(package.source));
      if (package.main_file().extension() == ".wasm") precompile_wasm(package.main_file());
    }
    LMP_CHECK(pull_dependencies(package.dir, puller));
    std::printf("%s\n", escape_text(package.main_file().string()).c_str());
  }
  return 0;
}

}  // namespace lmp::cli
