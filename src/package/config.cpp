#include "package/config.h"

#include "common/file.h"
#include "package/json_field.h"

namespace lmp::package {
namespace {

using nlohmann::json;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alnum_lower(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z');
}
bool is_ident_char(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

// 0 or digits without a leading zero.
bool is_numeric_identifier(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_digit(c)) return false;
  }
  return s.size() == 1 || s[0] != '0';
}

// Dot-separated non-empty identifiers of [0-9A-Za-z-]; `strict_numbers`
// (pre-release) forbids leading zeros in purely numeric ones.
bool is_dotted_identifiers(std::string_view s, bool strict_numbers) {
  if (s.empty()) return false;
  while (true) {
    auto dot = s.find('.');
    std::string_view part = s.substr(0, dot);
    if (part.empty()) return false;
    bool numeric = true;
    for (char c : part) {
      if (!is_ident_char(c)) return false;
      numeric = numeric && is_digit(c);
    }
    if (numeric && strict_numbers && !is_numeric_identifier(part)) return false;
    if (dot == std::string_view::npos) return true;
    s.remove_prefix(dot + 1);
  }
}

std::string json_quoted(std::string_view s) {
  return json(std::string(s)).dump();
}

std::unexpected<Error> config_error(const std::string& label, std::string_view field,
                                    std::string what) {
  return fail(ExitCode::kBadPackage, label + ": " + std::string(field) + ": " + std::move(what));
}

// Field errors from json_field read "<field>: ..."; prefix them with the file.
template <typename T>
Result<T> in_file(Result<T> result, const std::string& label) {
  if (!result) return std::unexpected(std::move(result.error()).context(label));
  return result;
}

Result<void> read_required_text(const json& doc, const std::string& label, std::string_view key,
                                std::string& out) {
  auto it = doc.find(key);
  if (it == doc.end()) return config_error(label, key, "missing, expected a non-empty string");
  if (!it->is_string() || it->get_ref<const std::string&>().empty()) {
    return config_error(label, key, "expected a non-empty string");
  }
  out = it->get<std::string>();
  return {};
}

// A git dependency's fields: a repository URL or path and a tag that git accepts as a
// name on the command line, a relative path inside the repository without "..".
Result<void> check_git_fields(const Dependency& dep, const std::string& label,
                              const std::string& field) {
  if (dep.git.starts_with('-') || dep.git.find('#') != std::string::npos ||
      dep.git.find_first_of("\n\r") != std::string::npos)
    return config_error(label, path_key(field, "git"),
                        "expected a repository URL or path (not starting with '-', no '#')");
  if (dep.tag.empty())
    return config_error(label, path_key(field, "tag"),
                        "missing: a git dependency names the tag to check out");
  if (dep.tag.starts_with('-') || dep.tag.find_first_of(": \t\n\r~^?*[\\") != std::string::npos ||
      dep.tag.find("..") != std::string::npos)
    return config_error(label, path_key(field, "tag"), "expected a git tag name");
  if (!dep.path.empty()) {
    std::filesystem::path p(dep.path);
    bool bad = p.is_absolute() || dep.path.find_first_of("\n\r") != std::string::npos;
    for (const auto& part : p)
      if (part == "..") bad = true;
    if (bad)
      return config_error(label, path_key(field, "path"),
                          "expected a relative directory inside the repository");
  }
  return {};
}

// "^1.0" or {"version": "^1.0", "url": "..."} / {"version": ..., "oci": "..."} /
// {"version": ..., "git": "...", "tag": "...", "path": "..."}. The range's syntax is checked
// by the resolver (registry/semver_range.h), which names the same field.
Result<Dependency> parse_dependency(const json& value, const std::string& label,
                                    const std::string& field) {
  Dependency dep;
  if (value.is_string()) {
    dep.range = value.get<std::string>();
    return dep;
  }
  if (!value.is_object()) {
    return config_error(label, field,
                        "expected a version range string or an object {\"version\", \"url\" | "
                        "\"oci\" | \"git\" + \"tag\"}");
  }
  for (const auto& [key, item] : value.items()) {
    std::string where = path_key(field, key);
    std::string* out = key == "version" ? &dep.range
                       : key == "url"   ? &dep.url
                       : key == "oci"   ? &dep.oci
                       : key == "git"   ? &dep.git
                       : key == "tag"   ? &dep.tag
                       : key == "path"  ? &dep.path
                                        : nullptr;
    if (out == nullptr) {
      return config_error(label, where,
                          "unknown key, expected one of version, url, oci, git, tag, path");
    }
    if (!item.is_string()) return config_error(label, where, "expected a string");
    *out = item.get<std::string>();
  }
  int sources = !dep.url.empty() + !dep.oci.empty() + !dep.git.empty();
  if (sources > 1) {
    return config_error(label, field,
                        "has more than one of url, oci and git; a dependency has one source");
  }
  for (const char* key : {"url", "oci", "git"}) {
    if (value.contains(key) && value[key].get<std::string>().empty())
      return config_error(label, path_key(field, key), "expected a non-empty string");
  }
  if (dep.git.empty() && (value.contains("tag") || value.contains("path")))
    return config_error(label, field, "has a tag or path but no git repository");
  if (!dep.git.empty()) LMP_CHECK(check_git_fields(dep, label, field));
  return dep;
}

Result<Config> parse_config_as(std::string_view text, const std::string& label) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    return fail(ExitCode::kBadPackage,
                label + ": truncated or invalid JSON at byte " + std::to_string(e.byte));
  } catch (const json::exception& e) {  // a number too large for a double (1e999)
    return fail(ExitCode::kBadPackage, label + ": invalid JSON: " + e.what());
  }
  if (!doc.is_object()) return fail(ExitCode::kBadPackage, label + ": expected a JSON object");

  Config config;
  LMP_CHECK(read_required_text(doc, label, "name", config.name));
  if (!is_valid_package_name(config.name)) {
    return config_error(label, "name",
                        json_quoted(config.name) +
                            " is not a valid package name (1 to 64 of a-z, 0-9, '.', '_', "
                            "'-', starting with a letter or digit)");
  }
  LMP_CHECK(read_required_text(doc, label, "version", config.version));
  if (!is_valid_semver(config.version)) {
    return config_error(label, "version",
                        json_quoted(config.version) + " is not a semantic version (e.g. 1.0.0)");
  }
  LMP_CHECK(read_required_text(doc, label, "author", config.author));
  LMP_CHECK(read_required_text(doc, label, "description", config.description));
  LMP_CHECK(in_file(read_string(doc, "", "license", config.license), label));
  LMP_CHECK(in_file(read_string(doc, "", "category", config.category), label));
  LMP_CHECK(in_file(read_string(doc, "", "homepage", config.homepage), label));

  const json* tags = LMP_TRY(in_file(find_array(doc, "", "tags"), label));
  if (tags != nullptr) {
    for (std::size_t i = 0; i < tags->size(); ++i) {
      const json& tag = (*tags)[i];
      if (!tag.is_string()) return config_error(label, path_index("tags", i), "expected a string");
      config.tags.push_back(tag.get<std::string>());
    }
  }
  const json* deps = LMP_TRY(in_file(find_object(doc, "", "dependencies"), label));
  if (deps != nullptr) {
    for (const auto& [name, value] : deps->items()) {
      std::string field = path_key("dependencies", name);
      if (!is_valid_package_name(name)) {
        return config_error(label, field, "is not a valid package name");
      }
      config.dependencies[name] = LMP_TRY(parse_dependency(value, label, field));
    }
  }
  return config;
}

}  // namespace

bool is_valid_package_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || !is_alnum_lower(name[0])) return false;
  for (char c : name) {
    if (!is_alnum_lower(c) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

// MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD], per semver.org 2.0.0.
bool is_valid_semver(std::string_view version) {
  std::string_view build;
  if (auto plus = version.find('+'); plus != std::string_view::npos) {
    build = version.substr(plus + 1);
    if (!is_dotted_identifiers(build, false)) return false;
    version = version.substr(0, plus);
  }
  if (auto dash = version.find('-'); dash != std::string_view::npos) {
    if (!is_dotted_identifiers(version.substr(dash + 1), true)) return false;
    version = version.substr(0, dash);
  }
  for (int part = 0; part < 3; ++part) {
    auto dot = version.find('.');
    if ((part < 2) != (dot != std::string_view::npos)) return false;
    if (!is_numeric_identifier(version.substr(0, dot))) return false;
    if (dot == std::string_view::npos) break;
    version.remove_prefix(dot + 1);
  }
  return true;
}

Result<Config> parse_config(std::string_view text) {
  return parse_config_as(text, "config.json");
}

Result<Config> read_config_file(const std::filesystem::path& path) {
  auto text = read_file(path, 1024 * 1024);
  if (!text) return std::unexpected(text.error());
  return parse_config_as(*text, path.string());
}

json to_json(const Config& config) {
  json out = {{"name", config.name},
              {"version", config.version},
              {"author", config.author},
              {"description", config.description}};
  if (!config.license.empty()) out["license"] = config.license;
  if (!config.category.empty()) out["category"] = config.category;
  if (!config.tags.empty()) out["tags"] = config.tags;
  if (!config.dependencies.empty()) {
    json deps = json::object();
    for (const auto& [name, dep] : config.dependencies) deps[name] = to_json(dep);
    out["dependencies"] = std::move(deps);
  }
  if (!config.homepage.empty()) out["homepage"] = config.homepage;
  return out;
}

json to_json(const Dependency& dependency) {
  if (dependency.source().empty()) return dependency.range;
  json out = {{"version", dependency.range}};
  if (!dependency.url.empty()) out["url"] = dependency.url;
  if (!dependency.oci.empty()) out["oci"] = dependency.oci;
  if (!dependency.git.empty()) {
    out["git"] = dependency.git;
    out["tag"] = dependency.tag;
    if (!dependency.path.empty()) out["path"] = dependency.path;
  }
  return out;
}

std::string git_source_text(const std::string& url, const std::string& tag,
                            const std::string& path) {
  return url + "#" + tag + (path.empty() ? "" : ":" + path);
}

bool parse_git_source_text(std::string_view text, std::string& url, std::string& tag,
                           std::string& path) {
  auto hash = text.find('#');
  if (hash == std::string_view::npos || hash == 0) return false;
  std::string_view rest = text.substr(hash + 1);
  auto colon = rest.find(':');
  url = std::string(text.substr(0, hash));
  tag = std::string(rest.substr(0, colon));
  path = colon == std::string_view::npos ? "" : std::string(rest.substr(colon + 1));
  return !tag.empty();
}

std::string Dependency::source() const {
  if (!url.empty()) return url;
  if (!oci.empty()) return oci;
  if (!git.empty()) return git_source_text(git, tag, path);
  return "";
}

}  // namespace lmp::package
