// lmp lock [DIR]: resolve DIR/config.json's dependencies and write DIR/lmp.lock
// (docs/dependencies.md).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>

#include "cli/command.h"
#include "common/log.h"
#include "common/text_escape.h"
#include "registry/dependency_fetch.h"

namespace lmp::cli {

Result<std::size_t> lock_package_dir(const std::filesystem::path& dir, bool keep_matching_lock) {
  registry::Puller puller = LMP_TRY(registry::make_puller());
  registry::FetchOptions options;
  options.use_lock = keep_matching_lock;
  registry::DependencyGraph graph = LMP_TRY(registry::resolve_package_dir(dir, puller, options));
  registry::LockFile lock = registry::make_lock(graph.root, graph.resolution);
  auto old = registry::read_lock_file(dir);
  if (!old || !*old || **old != lock) LMP_CHECK(registry::write_lock_file(dir, lock));
  return lock.packages.size();
}

Result<int> lock_command(Args args) {
  CLI::App app{
      "Resolve the dependencies listed in DIR/config.json (default: .): for each package the\n"
      "highest version every range on it allows, fetched into the cache. Prints the tree and\n"
      "writes DIR/lmp.lock, which lmp pull, info, run and build then follow while\n"
      "config.json's dependencies stay the same (docs/dependencies.md).",
      "lmp lock"};
  std::string dir = ".";
  app.add_option("DIR", dir, "the package directory (default: .)");
  try {
    app.parse(static_cast<int>(args.size()), args.data());
  } catch (const CLI::ParseError& e) {
    return parse_error(app, e);
  }
  registry::Puller puller = LMP_TRY(registry::make_puller());
  registry::FetchOptions options;
  options.use_lock = false;  // resolve afresh: that is what the command is for
  registry::DependencyGraph graph = LMP_TRY(registry::resolve_package_dir(dir, puller, options));
  registry::LockFile lock = registry::make_lock(graph.root, graph.resolution);
  LMP_CHECK(registry::write_lock_file(dir, lock));
  std::fputs(escape_lines(registry::render_dependency_tree(graph.root, graph.resolution)).c_str(),
             stdout);
  std::filesystem::path file = std::filesystem::path(dir) / registry::kLockFileName;
  log::info("wrote " + escape_text(file.string()) + " (" + std::to_string(lock.packages.size()) +
            (lock.packages.size() == 1 ? " package)" : " packages)"));
  return 0;
}

}  // namespace lmp::cli
