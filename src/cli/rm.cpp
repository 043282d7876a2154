// lmp rm REF...: remove packages from the cache (NAME removes every cached version).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "cli/command.h"
#include "common/text_escape.h"
#include "registry/cache.h"
#include "registry/cache_reference.h"
#include "registry/oci_pull.h"
#include "registry/reference.h"

namespace lmp::cli {

Result<int> rm_command(Args args) {
  CLI::App app{
      "Remove packages from the cache: NAME (every cached version), NAME:VERSION, or the URL\n"
      "or OCI reference a package was pulled from.",
      "lmp rm"};
  std::vector<std::string> refs;
  app.add_option("refs", refs, "the packages to remove")->required()->type_name("REF");
  try {
    app.parse(static_cast<int>(args.size()), args.data());
  } catch (const CLI::ParseError& e) {
    return parse_error(app, e);
  }
  registry::Cache cache = LMP_TRY(registry::Cache::open(LMP_TRY(registry::lmp_home())));
  for (const auto& text : refs) {
    if (text.starts_with(registry::kGitSourcePrefix)) {  // a git dependency, as lmp list shows it
      auto removed = LMP_TRY(cache.remove(text, "", /*by_url=*/true));
      if (removed.empty())
        return fail(ExitCode::kNotFound, "'" + escape_text(text) + "' is not in the cache",
                    "see 'lmp list'");
      for (const auto& r : removed) std::printf("removed %s\n", escape_text(r.source).c_str());
      continue;
    }
    registry::Reference ref =
        LMP_TRY(registry::parse_reference(text, [](const auto&) { return false; }));
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
