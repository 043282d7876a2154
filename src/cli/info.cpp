// lmp info REF: what a package is: versions (yanked ones marked), author, description, size,
// digest, from a hub also owners and download counts, and once it is local, its programs,
// maps and options.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "cli/command.h"
#include "common/log.h"
#include "common/text_escape.h"
#include "package/config.h"
#include "package/package.h"
#include "package/program_options.h"
#include "registry/dependency_fetch.h"
#include "registry/hub_client.h"
#include "registry/oci_manifest.h"
#include "registry/oci_pull.h"
#include "registry/progress.h"
#include "registry/puller.h"

namespace lmp::cli {
namespace {

// Values come from indexes, hubs, the cache and packages: escaped before printing.
void field(const char* key, const std::string& value) {
  if (!value.empty()) std::printf("%-12s %s\n", key, escape_text(value).c_str());
}

void print_programs_and_maps(const package::Package& pkg) {
  const auto& skel = pkg.meta.bpf_skel;
  std::printf("programs:\n");
  for (const auto& p : skel.progs) {
    std::string type = p.attach.substr(0, p.attach.find('/'));
    std::printf("  %-24s %-12s %s\n", escape_text(p.name).c_str(), escape_text(type).c_str(),
                escape_text(p.attach).c_str());
  }
  std::printf("maps:\n");
  for (const auto& m : skel.maps)
    std::printf("  %-24s %s\n", escape_text(m.name).c_str(),
                m.sample ? escape_text("sampled: " + m.sample->type).c_str() : "");
}

// Programs, maps and the -h text of a local package.json. An app.wasm's options are its
// own; its programs and maps are those of the package.json beside it, when there is one.
Result<void> print_package(const std::filesystem::path& path) {
  if (path.extension() == ".wasm") {
    std::printf("user space:  %s (WebAssembly; run it with -h for its options)\n",
                escape_text(path.filename().string()).c_str());
    std::error_code ec;
    std::filesystem::path json = path.parent_path() / "package.json";
    if (!std::filesystem::is_regular_file(json, ec)) return {};
    package::Package pkg = LMP_TRY(package::read_package_file(json));
    print_programs_and_maps(pkg);
    return {};
  }
  package::Package pkg = LMP_TRY(package::read_package_file(path));
  print_programs_and_maps(pkg);
  auto options = package::ProgramOptions::create(pkg.meta, pkg.meta.bpf_skel.obj_name);
  if (options) std::printf("options:\n%s", escape_lines(options->help_text()).c_str());
  return {};
}

// The dependency tree of the package in `dir`, when its config.json lists dependencies:
// "  sigsnoop ^0.1 -> 0.1.2", indented by level. Resolving fetches what is not cached yet
// (as lmp run would); a graph that does not resolve is a warning here, not an error.
void print_dependencies(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(dir / "config.json", ec)) return;
  auto config = package::read_config_file(dir / "config.json");
  if (!config || config->dependencies.empty()) return;
  auto graph = [&]() -> Result<registry::DependencyGraph> {
    registry::Puller puller = LMP_TRY(registry::make_puller());
    return registry::resolve_package_dir(dir, puller);
  }();
  if (!graph) {
    log::warn("dependencies do not resolve: " + graph.error().message);
    return;
  }
  std::printf("dependencies:%s\n", graph->locked ? " (lmp.lock)" : "");
  std::string tree = registry::render_dependency_tree(graph->root, graph->resolution);
  std::string indented;
  for (std::size_t at = 0; at < tree.size();) {
    std::size_t end = tree.find('\n', at);
    indented += "  " + tree.substr(at, end - at + 1);
    at = end + 1;
  }
  std::fputs(escape_lines(indented).c_str(), stdout);
}

// "1.2.0, 1.0.0 (yanked)"; with a hub's details each version's downloads too.
std::string version_list(const registry::PackageEntry& pkg, const registry::HubPackage* hub) {
  std::string out;
  for (const auto& s : pkg.sorted_versions()) {
    std::vector<std::string> notes;
    const registry::HubVersion* hv = nullptr;
    if (hub)
      for (const auto& h : hub->versions)
        if (h.version == s) hv = &h;
    if (pkg.versions.at(s).yanked || (hv && hv->yanked)) notes.push_back("yanked");
    if (hv) notes.push_back(std::to_string(hv->downloads) + " downloads");
    std::string item = s;
    for (std::size_t i = 0; i < notes.size(); ++i)
      item += (i == 0 ? " (" : ", ") + notes[i] + (i + 1 == notes.size() ? ")" : "");
    out += (out.empty() ? "" : ", ") + item;
  }
  return out;
}

// The image's manifest from its registry (when reachable), then the cached copy's programs,
// maps and options (when pulled).
Result<int> oci_info(const registry::Reference& ref) {
  registry::Cache cache = LMP_TRY(registry::Cache::open(LMP_TRY(registry::lmp_home())));
  std::optional<registry::CachedPackage> cached =
      LMP_TRY(cache.find_url(registry::oci_source(ref)));
  field("reference:", registry::oci_source(ref));
  auto remote = [&]() -> Result<void> {
    auto session =
        LMP_TRY(registry::open_oci_session(LMP_TRY(registry::lmp_home()), ref.oci.registry));
    std::string wanted = ref.oci.digest.empty() ? ref.oci.tag : ref.oci.digest;
    if (wanted.empty()) wanted = "latest";
    registry::FetchedManifest fetched =
        LMP_TRY(session.client->fetch_manifest(ref.oci.repository, wanted));
    registry::OciManifest manifest =
        LMP_TRY(registry::parse_oci_manifest(fetched.body, fetched.media_type));
    field("digest:", fetched.digest + " (manifest)");
    field("media type:", manifest.media_type);
    std::uint64_t total = 0;
    std::printf("layers:\n");
    for (const auto& layer : manifest.layers) {
      total += layer.size;
      std::string title = layer.title().empty() ? "-" : layer.title();
      std::printf("  %-14s %10s  %s\n", escape_text(title).c_str(),
                  registry::human_size(layer.size).c_str(), escape_text(layer.media_type).c_str());
    }
    field("size:", registry::human_size(total));
    return {};
  };
  if (auto shown = remote(); !shown) {
    if (!cached) return std::unexpected(shown.error());
    log::warn("cannot read the image from its registry: " + shown.error().message +
              "; showing the cached copy");
  }
  if (!cached) {
    std::printf("programs, maps and options: run 'lmp pull %s' first\n",
                escape_text(ref.text).c_str());
    return 0;
  }
  field("name:", cached->name);
  field("version:", cached->version);
  field("cached:", cached->dir.string());
  LMP_CHECK(print_package(cached->main_file()));
  print_dependencies(cached->dir);
  return 0;
}

}  // namespace

Result<int> info_command(Args args) {
  CLI::App app{
      "Show a package's versions, author, description, size and digest; for an OCI image its\n"
      "manifest and layers; programs, maps and options once it is local (see lmp pull); the\n"
      "tree of its dependencies (docs/dependencies.md). REF is any reference lmp run takes: a\n"
      "name, NAME:TAG, a URL, an OCI reference or a path.",
      "lmp info"};
  std::string text;
  app.add_option("ref", text, "the package")->required()->type_name("REF");
  try {
    app.parse(static_cast<int>(args.size()), args.data());
  } catch (const CLI::ParseError& e) {
    return parse_error(app, e);
  }
  registry::Reference ref = LMP_TRY(registry::parse_reference(text));
  std::error_code ec;
  if (ref.kind == registry::ReferenceKind::kLocalPath &&
      std::filesystem::is_directory(ref.path, ec) &&
      !std::filesystem::exists(ref.path / "package.json", ec) &&
      !std::filesystem::exists(ref.path / "app.wasm", ec) &&
      !std::filesystem::exists(ref.path / "package.yaml", ec) &&
      std::filesystem::is_regular_file(ref.path / "config.json", ec)) {
    // A package that only depends on others (nothing built): its config.json and the tree.
    package::Config config = LMP_TRY(package::read_config_file(ref.path / "config.json"));
    field("path:", ref.path.string());
    field("name:", config.name);
    field("version:", config.version);
    field("description:", config.description);
    print_dependencies(ref.path);
    return 0;
  }
  if (ref.kind == registry::ReferenceKind::kLocalPath) {
    auto path = LMP_TRY(registry::resolve_to_local(ref, registry::PullPolicy::kNever));
    field("path:", path.string());
    LMP_CHECK(print_package(path));
    print_dependencies(path.parent_path());
    return 0;
  }
  if (ref.kind == registry::ReferenceKind::kOci) return oci_info(ref);

  registry::Puller puller = LMP_TRY(registry::make_puller());
  auto transport = registry::make_curl_transport();
  bool described = false;
  if (ref.kind == registry::ReferenceKind::kName) {
    for (auto& repo : puller.repositories()) {
      auto index = repo.index();
      if (!index || !*index) continue;
      const registry::PackageEntry* pkg = (*index)->find(ref.name);
      if (!pkg) continue;
      const registry::VersionEntry* v = pkg->find(ref.version);
      if (!v) return fail(ExitCode::kNotFound, "no version " + ref.version + " of " + ref.name);
      std::optional<registry::HubPackage> hub;
      if (registry::is_hub_repository(*transport, repo.url())) {
        auto details = registry::HubClient(*transport, repo.url()).package(ref.name);
        if (details)
          hub = std::move(*details);
        else
          log::warn("no download counts: " + details.error().message);
      }
      std::string tags;
      for (const auto& t : v->tags) tags += (tags.empty() ? "" : ", ") + t;
      field("name:", ref.name);
      field("version:", v->version + (v->yanked ? " (yanked)" : ""));
      field("versions:", version_list(*pkg, hub ? &*hub : nullptr));
      if (hub) {
        std::string owners;
        for (const auto& o : hub->owners) owners += (owners.empty() ? "" : ", ") + o;
        field("owners:", owners);
        field("downloads:", std::to_string(hub->downloads) + " (" +
                                std::to_string(hub->downloads_30d) + " in the last 30 days)");
      }
      field("author:", v->author);
      field("summary:", v->summary);
      field("description:", v->description);
      field("license:", v->license);
      field("tags:", tags);
      field("size:", registry::human_size(v->total_size()));
      for (const char* main : {"app.wasm", "package.json"}) {
        if (const auto* f = v->file(main)) {
          field("digest:", std::string("sha256:") + f->sha256 + " (" + main + ")");
          break;
        }
      }
      field("repository:", repo.url());
      described = true;
      break;
    }
  }
  std::optional<registry::CachedPackage> cached;
  if (ref.kind == registry::ReferenceKind::kName)
    cached = LMP_TRY(puller.cache().find(ref.name, ref.version));
  else
    cached = LMP_TRY(puller.cache().find_url(ref.url));
  if (!cached) {
    if (!described)
      return fail(ExitCode::kNotFound,
                  "no package '" + ref.text + "' in the cache or the repositories",
                  "try 'lmp search'");
    std::printf("programs, maps and options: run 'lmp pull %s' first\n", ref.text.c_str());
    return 0;
  }
  if (!described) {
    field("name:", cached->name);
    field("version:", cached->version);
    field("size:", registry::human_size(cached->size));
  }
  field("cached:", cached->dir.string());
  LMP_CHECK(print_package(cached->main_file()));
  print_dependencies(cached->dir);
  return 0;
}

}  // namespace lmp::cli
