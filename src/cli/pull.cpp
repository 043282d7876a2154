// lmp pull REF...: download packages into the cache (see docs/references.md).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "cli/command.h"
#include "common/log.h"
#include "common/text_escape.h"
#include "registry/cache_reference.h"
#include "registry/progress.h"
#include "registry/puller.h"

namespace lmp::cli {

Result<int> pull_command(Args args) {
  CLI::App app{
      "Download packages into the cache and print the path of each. REF is NAME[:TAG], a URL\n"
      "or an OCI image reference (docs/references.md). The source is always asked: a cached\n"
      "copy that is still current is kept and reported as up to date.",
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
    std::printf("%s\n", escape_text(package.main_file().string()).c_str());
  }
  return 0;
}

}  // namespace lmp::cli
