#include "registry/dependencies.h"

#include <algorithm>
#include <functional>
#include <optional>
#include <set>

#include "registry/semver_range.h"

namespace lmp::registry {
namespace {

using package::Dependency;
using Dependencies = std::map<std::string, Dependency>;

// One range on a package: who asked for it, and how.
struct Want {
  std::string by;  // the name of the package whose config.json lists it
  Dependency dep;
  SemverRange range;
};

std::string shown_range(const std::string& range) {
  return range.empty() ? "*" : range;
}

std::string where_from(const Dependency& dep) {
  std::string source = dep.source();
  return source.empty() ? "the repositories" : source;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

class Resolver {
 public:
  Resolver(const package::Config& root, DependencySource& source, const LockFile* lock)
      : root_(root), source_(source), lock_(lock) {}

  Result<Resolution> run() {
    // Each round picks, for every package the current selection reaches, the highest
    // version that satisfies every range on it; a changed pick can change what is reached,
    // so the rounds go on until nothing changes (each round only moves picks the ranges
    // allow, and the bound catches a graph that keeps flipping between versions).
    for (int round = 0;; ++round) {
      if (round > 200)
        return fail(ExitCode::kBadPackage,
                    "dependency resolution of " + root_.name + " does not settle",
                    "pin the packages that keep changing with exact versions");
      auto wants = LMP_TRY(collect_wants());
      bool changed = false;
      for (const auto& [name, list] : wants) changed = LMP_TRY(settle(name, list)) || changed;
      for (auto it = selected_.begin(); it != selected_.end();)
        it = wants.contains(it->first) ? std::next(it) : selected_.erase(it);
      if (!changed) break;
    }
    LMP_CHECK(check_cycles());
    return ordered();
  }

 private:
  // The ranges on every package reachable from the root through the current selection.
  Result<std::map<std::string, std::vector<Want>>> collect_wants() {
    std::map<std::string, std::vector<Want>> wants;
    std::set<std::string> visited;
    std::vector<std::pair<std::string, const Dependencies*>> todo = {
        {root_.name, &root_.dependencies}};
    while (!todo.empty()) {
      auto [by, deps] = todo.back();
      todo.pop_back();
      if (!visited.insert(by).second) continue;
      for (const auto& [name, dep] : *deps) {
        if (name == root_.name) continue;  // a cycle through the root: check_cycles() names it
        auto range = SemverRange::parse(dep.range);
        if (!range)
          return fail(ExitCode::kBadPackage,
                      by + ": config.json: dependencies." + name + ": " + range.error().message);
        wants[name].push_back({by, dep, std::move(*range)});
        if (auto it = selected_.find(name); it != selected_.end())
          todo.emplace_back(name, &it->second.dependencies);
      }
    }
    return wants;
  }

  // Picks and fetches the version of `name`; true when the pick changed.
  Result<bool> settle(const std::string& name, const std::vector<Want>& wants) {
    const Dependency& dep = wants.front().dep;
    for (const auto& w : wants) {
      if (w.dep.source() != dep.source())
        return fail(ExitCode::kBadPackage, name + ": its sources disagree: " + wants.front().by +
                                               " wants it from " + where_from(dep) + ", " + w.by +
                                               " from " + where_from(w.dep));
    }
    const LockedPackage* locked = lock_ ? lock_->find(name) : nullptr;
    std::vector<SemverRange> ranges;
    for (const auto& w : wants) ranges.push_back(w.range);
    std::string pick;
    if (dep.source().empty()) {
      std::vector<std::string> versions =
          locked ? std::vector<std::string>{locked->version} : LMP_TRY(versions_of(name));
      pick = max_satisfying(ranges, versions);
      if (pick.empty()) return unsatisfiable(name, wants, versions, locked != nullptr);
    }
    // Already fetched: the same version, or for a url, oci or git source (one package, whatever
    // version it holds) the same source.
    if (auto current = selected_.find(name); current != selected_.end()) {
      const DependencyPackage& had = current->second;
      if (pick.empty() ? had.source == (locked ? locked->source : where_from(dep))
                       : had.version == pick)
        return false;
    }
    DependencyPackage fetched = LMP_TRY(source_.fetch(name, pick, dep, locked));
    fetched.name = name;
    if (locked && fetched.sha256 != locked->sha256)
      return fail(ExitCode::kBadPackage,
                  name + ": " + fetched.main_file.filename().string() + " has sha256 " +
                      fetched.sha256 + ", but lmp.lock records " + locked->sha256,
                  "the source changed since the lock was written; check it, then run 'lmp lock'");
    if (pick.empty() && !fetched.version.empty()) {  // a url, oci or git source: check its version
      for (const auto& w : wants)
        if (!w.range.satisfies(std::string_view(fetched.version)))
          return fail(ExitCode::kBadPackage, name + ": " + where_from(dep) + " holds version " +
                                                 fetched.version + ", but " + w.by + " wants " +
                                                 shown_range(w.dep.range));
    }
    selected_[name] = std::move(fetched);
    return true;
  }

  Result<std::vector<std::string>> versions_of(const std::string& name) {
    auto it = versions_.find(name);
    if (it == versions_.end()) it = versions_.emplace(name, LMP_TRY(source_.versions(name))).first;
    return it->second;
  }

  std::unexpected<Error> unsatisfiable(const std::string& name, const std::vector<Want>& wants,
                                       std::vector<std::string> versions, bool locked) {
    std::sort(versions.begin(), versions.end(),
              [](const auto& a, const auto& b) { return compare_versions(a, b) > 0; });
    std::string available = versions.empty() ? "none" : joined(versions);
    std::string what = locked ? "locked: " : "available: ";
    if (wants.size() == 1)
      return fail(ExitCode::kNotFound,
                  name + ": no version satisfies " + shown_range(wants[0].dep.range) +
                      " (wanted by " + wants[0].by + "; " + what + available + ")",
                  locked ? "run 'lmp lock' to resolve again" : "");
    std::vector<std::string> who;
    for (const auto& w : wants) who.push_back(w.by + " wants " + shown_range(w.dep.range));
    std::sort(who.begin(), who.end());
    return fail(
        ExitCode::kBadPackage,
        name + ": no version satisfies every range: " + joined(who) + " (" + what + available + ")",
        "widen a range so they overlap");
  }

  const Dependencies& dependencies_of(const std::string& name) const {
    if (name == root_.name) return root_.dependencies;
    return selected_.at(name).dependencies;
  }

  Result<void> check_cycles() const {
    std::vector<std::string> path;
    std::set<std::string> done;
    std::function<Result<void>(const std::string&)> visit =
        [&](const std::string& name) -> Result<void> {
      if (auto at = std::find(path.begin(), path.end(), name); at != path.end()) {
        std::string cycle;
        for (auto it = at; it != path.end(); ++it) cycle += *it + " -> ";
        return fail(ExitCode::kBadPackage, "dependency cycle: " + cycle + name,
                    "a package cannot depend on itself, directly or through others");
      }
      if (done.contains(name)) return {};
      path.push_back(name);
      for (const auto& [dep, _] : dependencies_of(name)) LMP_CHECK(visit(dep));
      path.pop_back();
      done.insert(name);
      return {};
    };
    return visit(root_.name);
  }

  // Post-order from the root: each package after its dependencies.
  Resolution ordered() {
    std::map<std::string, std::set<std::string>> required_by;
    for (const auto& [dep, _] : root_.dependencies) required_by[dep].insert(root_.name);
    for (const auto& [name, pkg] : selected_)
      for (const auto& [dep, _] : pkg.dependencies) required_by[dep].insert(name);
    Resolution resolution;
    std::set<std::string> placed;
    std::function<void(const std::string&)> place = [&](const std::string& name) {
      if (!placed.insert(name).second) return;
      for (const auto& [dep, _] : dependencies_of(name)) place(dep);
      if (name == root_.name) return;
      DependencyPackage pkg = selected_.at(name);
      pkg.required_by.assign(required_by[name].begin(), required_by[name].end());
      resolution.packages.push_back(std::move(pkg));
    };
    place(root_.name);
    return resolution;
  }

  const package::Config& root_;
  DependencySource& source_;
  const LockFile* lock_;
  std::map<std::string, DependencyPackage> selected_;
  std::map<std::string, std::vector<std::string>> versions_;
};

void render(const Dependencies& deps, const Resolution& resolution, int depth,
            std::set<std::string>& shown, std::string& out) {
  for (const auto& [name, dep] : deps) {
    const DependencyPackage* pkg = resolution.find(name);
    out += std::string(2 * depth, ' ') + name + " " + shown_range(dep.range) + " -> " +
           (pkg == nullptr         ? "?"
            : pkg->version.empty() ? "-"
                                   : pkg->version);
    if (!dep.source().empty()) out += " (" + where_from(dep) + ")";
    out += "\n";
    if (pkg != nullptr && shown.insert(name).second)
      render(pkg->dependencies, resolution, depth + 1, shown, out);
  }
}

}  // namespace

const DependencyPackage* Resolution::find(std::string_view name) const {
  for (const auto& p : packages)
    if (p.name == name) return &p;
  return nullptr;
}

Result<Resolution> resolve_dependencies(const package::Config& root, DependencySource& source,
                                        const LockFile* lock) {
  if (lock && !lock_matches(*lock, root)) lock = nullptr;
  return Resolver(root, source, lock).run();
}

LockFile make_lock(const package::Config& root, const Resolution& resolution) {
  LockFile lock;
  lock.root = root.name;
  for (const auto& [name, dep] : root.dependencies) lock.dependencies[name] = package::to_json(dep);
  for (const auto& p : resolution.packages) {
    lock.packages.push_back({p.name, p.version, p.kind, p.source, p.main_file.filename().string(),
                             p.sha256, p.required_by});
  }
  std::sort(lock.packages.begin(), lock.packages.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  return lock;
}

std::string render_dependency_tree(const package::Config& root, const Resolution& resolution) {
  std::string out;
  std::set<std::string> shown;
  render(root.dependencies, resolution, 0, shown, out);
  return out;
}

}  // namespace lmp::registry
