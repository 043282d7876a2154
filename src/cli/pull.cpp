// lmp pull REF...: download packages into the cache (see docs/references.md).
#include <cstdio>
#include <string>

#include "cli/command.h"
#include "common/log.h"
#include "common/text_escape.h"
#include "registry/progress.h"
#include "registry/puller.h"

namespace lmp::cli {

Result<int> pull_command(Args args) {
  if (args.size() < 2 || std::string_view(args[1]) == "-h" ||
      std::string_view(args[1]) == "--help") {
    std::fputs(
        "Usage: lmp pull REF...\n\nDownloads packages (NAME, NAME:VERSION or URL) into the "
        "cache and prints the path of each.\n",
        args.size() < 2 ? stderr : stdout);
    return args.size() < 2 ? static_cast<int>(ExitCode::kUsage) : 0;
  }
  registry::Puller puller = LMP_TRY(registry::make_puller());
  for (std::size_t i = 1; i < args.size(); ++i) {
    registry::Reference ref = LMP_TRY(registry::parse_reference(args[i]));
    registry::CachedPackage pulled = LMP_TRY(puller.pull(ref));
    std::string what = pulled.name + (pulled.version.empty() ? "" : ":" + pulled.version);
    log::info("pulled " + escape_text(what) + " (" + registry::human_size(pulled.size) + ") from " +
              escape_text(pulled.source));
    if (pulled.main_file().extension() == ".wasm") precompile_wasm(pulled.main_file());
    std::printf("%s\n", escape_text(pulled.main_file().string()).c_str());
  }
  return 0;
}

}  // namespace lmp::cli
