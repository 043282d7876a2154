// lmp rm REF...: remove packages from the cache (NAME removes every cached version).
#include <cstdio>
#include <string>

#include "cli/command.h"
#include "common/text_escape.h"
#include "registry/cache.h"
#include "registry/oci_pull.h"
#include "registry/reference.h"

namespace lmp::cli {

Result<int> rm_command(Args args) {
  if (args.size() < 2 || std::string_view(args[1]) == "-h" ||
      std::string_view(args[1]) == "--help") {
    std::fputs(
        "Usage: lmp rm REF...\n\nRemoves NAME (every version), NAME:VERSION or a package "
        "pulled by URL from the cache.\n",
        args.size() < 2 ? stderr : stdout);
    return args.size() < 2 ? static_cast<int>(ExitCode::kUsage) : 0;
  }
  registry::Cache cache = LMP_TRY(registry::Cache::open(LMP_TRY(registry::lmp_home())));
  for (std::size_t i = 1; i < args.size(); ++i) {
    registry::Reference ref =
        LMP_TRY(registry::parse_reference(args[i], [](const auto&) { return false; }));
    std::vector<registry::CachedPackage> removed;
    if (ref.kind == registry::ReferenceKind::kName) {
      removed = LMP_TRY(cache.remove(ref.name, ref.version));
    } else if (ref.kind == registry::ReferenceKind::kUrl) {
      removed = LMP_TRY(cache.remove(ref.url, "", /*by_url=*/true));
    } else if (ref.kind == registry::ReferenceKind::kOci) {
      removed = LMP_TRY(cache.remove(registry::oci_source(ref), "", /*by_url=*/true));
    } else {
      return fail(ExitCode::kUsage, "lmp rm: '" + ref.text + "' is not a cached package reference",
                  "use NAME, NAME:VERSION or the URL it was pulled from");
    }
    if (removed.empty())
      return fail(ExitCode::kNotFound, "'" + ref.text + "' is not in the cache", "see 'lmp list'");
    for (const auto& r : removed)
      std::printf("removed %s\n",
                  escape_text(r.name + (r.version.empty() ? "" : ":" + r.version)).c_str());
  }
  return 0;
}

}  // namespace lmp::cli
