#include "registry/reference.h"

#include <algorithm>

#include "common/log.h"
#include "registry/digest.h"
#include "registry/semver.h"
#include "registry/version_tag.h"

namespace lmp::registry {
namespace {

// A reference ending like one of these is a local file (docs/references.md, rule 3).
constexpr std::string_view kPathExtensions[] = {".json", ".yaml", ".yml", ".wasm", ".bpf.o"};

constexpr std::string_view kForms =
    "expected a path (./pkg.json), a URL (https://...), NAME, NAME:VERSION or "
    "HOST/REPOSITORY[:TAG|@sha256:DIGEST]";

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.starts_with(prefix);
}

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// A path component of an OCI repository: [a-z0-9]+([._-]+[a-z0-9]+)*
bool is_oci_component(std::string_view s) {
  if (s.empty() || !is_lower_alnum(s.front()) || !is_lower_alnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return is_lower_alnum(c) || c == '.' || c == '_' || c == '-'; });
}

// A registry host: has a '.' or a ':' (port), or is "localhost".
bool looks_like_host(std::string_view s) {
  return s == "localhost" || s.find('.') != std::string_view::npos ||
         s.find(':') != std::string_view::npos;
}

bool is_host(std::string_view s) {
  std::size_t colon = s.rfind(':');
  std::string_view host = s.substr(0, colon);
  if (colon != std::string_view::npos) {
    std::string_view port = s.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return false;
  }
  if (host.empty() || host.front() == '.' || host.front() == '-') return false;
  return std::all_of(host.begin(), host.end(), [](char c) {
    return is_lower_alnum(c) || (c >= 'A' && c <= 'Z') || c == '.' || c == '-';
  });
}

Result<Reference> parse_oci(std::string_view text, Reference ref) {
  std::size_t slash = text.find('/');
  std::string_view host = text.substr(0, slash);
  std::string_view rest = text.substr(slash + 1);
  if (!is_host(host))
    return fail(ExitCode::kUsage, "bad registry host '" + std::string(host) + "' in " + ref.text,
                std::string(kForms));
  ref.kind = ReferenceKind::kOci;
  ref.oci.registry = host;
  if (std::size_t at = rest.find('@'); at != std::string_view::npos) {
    std::string_view digest = rest.substr(at + 1);
    if (!starts_with(digest, "sha256:") || !is_sha256_hex(digest.substr(7)))
      return fail(ExitCode::kUsage, "bad digest in " + ref.text,
                  "write @sha256: and 64 lowercase hex digits");
    ref.oci.digest = digest;
    rest = rest.substr(0, at);
  }
  std::size_t last_slash = rest.rfind('/');
  std::size_t colon = rest.find(':', last_slash == std::string_view::npos ? 0 : last_slash);
  if (colon != std::string_view::npos) {
    std::string_view tag = rest.substr(colon + 1);
    if (!is_tag(tag))
      return fail(ExitCode::kUsage, "bad tag '" + std::string(tag) + "' in " + ref.text,
                  "a tag is letters, digits, '_', '.' and '-', at most 128 characters");
    ref.oci.tag = tag;
    rest = rest.substr(0, colon);
  } else if (ref.oci.digest.empty()) {
    ref.oci.tag = "latest";
  }
  if (rest.empty() || rest.size() > 255)
    return fail(ExitCode::kUsage, "missing repository in " + ref.text, std::string(kForms));
  std::string_view remaining = rest;
  for (;;) {
    std::size_t s = remaining.find('/');
    if (!is_oci_component(remaining.substr(0, s)))
      return fail(ExitCode::kUsage, "bad repository '" + std::string(rest) + "' in " + ref.text,
                  "repository path components are lowercase letters, digits, '.', '_' and '-'");
    if (s == std::string_view::npos) break;
    remaining.remove_prefix(s + 1);
  }
  ref.oci.repository = rest;
  ref.name = rest.substr(rest.rfind('/') == std::string_view::npos ? 0 : rest.rfind('/') + 1);
  return ref;
}

Result<Reference> parse_name(std::string_view text, Reference ref) {
  std::size_t colon = text.find(':');
  std::string_view name = text.substr(0, colon);
  if (!is_package_name(name))
    return fail(
        ExitCode::kUsage, "'" + ref.text + "' is not a package reference",
        std::string(kForms).append("; names are lowercase letters, digits, '.', '_' and '-'"));
  ref.kind = ReferenceKind::kName;
  ref.name = name;
  if (colon != std::string_view::npos) {
    std::string_view tag = text.substr(colon + 1);
    // A semver with build metadata (1.0.0+build.5) is a version even though docker's tag
    // rule has no '+'.
    if (!is_tag(tag) && !parse_semver(tag))
      return fail(ExitCode::kUsage, "bad tag '" + std::string(tag) + "' in " + ref.text,
                  "a tag is a version (1.2.0, 2.0, v1) or 'latest': letters, digits, '_', '.' "
                  "and '-'");
    if (tag != "latest") ref.version = tag;
  }
  return ref;
}

}  // namespace

bool path_exists_on_disk(const std::filesystem::path& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

bool is_package_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || !is_lower_alnum(name.front())) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return is_lower_alnum(c) || c == '.' || c == '_' || c == '-'; });
}

Result<Reference> parse_reference(std::string_view text, const PathExists& exists) {
  Reference ref;
  ref.text = text;
  if (text.empty()) return fail(ExitCode::kUsage, "empty package reference", std::string(kForms));
  if (text.find('\0') != std::string_view::npos)
    return fail(ExitCode::kUsage, "package reference contains a NUL byte");

  for (std::string_view scheme : {"http://", "https://", "file://"}) {
    if (!starts_with(text, scheme)) continue;
    if (text.size() == scheme.size() ||
        (scheme != "file://" && (text[scheme.size()] == '/' || text[scheme.size()] == ':')))
      return fail(ExitCode::kUsage, "URL without a host: " + ref.text);
    ref.kind = ReferenceKind::kUrl;
    ref.url = text;
    return ref;
  }
  if (text.find("://") != std::string_view::npos)
    return fail(ExitCode::kUsage, "unsupported URL scheme in " + ref.text,
                "lmp fetches http://, https:// and file:// URLs");

  auto local = [&] {
    ref.kind = ReferenceKind::kLocalPath;
    ref.path = std::filesystem::path(text);
    return ref;
  };
  bool explicit_path = text == "." || text == ".." || starts_with(text, "./") ||
                       starts_with(text, "../") || starts_with(text, "/") ||
                       starts_with(text, "~/");
  if (explicit_path) return local();
  for (std::string_view ext : kPathExtensions)
    if (text.ends_with(ext)) return local();

  std::size_t slash = text.find('/');
  Result<Reference> parsed;
  if (slash == std::string_view::npos)
    parsed = parse_name(text, std::move(ref));
  else if (looks_like_host(text.substr(0, slash)))
    parsed = parse_oci(text, std::move(ref));
  else
    return local();  // a relative path: resolution reports a missing one
  // A name or an image never means a path that happens to exist; say so when one does.
  if (parsed && exists(std::filesystem::path(text))) {
    std::error_code ec;
    std::string t(text);
    const char* what = std::filesystem::is_directory(t, ec) ? "directory" : "file";
    log::info("./" + t + " is a " + what + " too; lmp uses the " +
              (parsed->kind == ReferenceKind::kName ? "package " : "image ") + t + " (use ./" + t +
              " for the " + what + ")");
  }
  return parsed;
}

std::string to_string(const Reference& ref) {
  switch (ref.kind) {
    case ReferenceKind::kLocalPath:
      return ref.path.string();
    case ReferenceKind::kUrl:
      return ref.url;
    case ReferenceKind::kName:
      if (!ref.version.empty()) return ref.name + ":" + ref.version;
      // A name ending like a package file (f.bpf.o, x.json) reads back as a path: say latest.
      for (std::string_view ext : kPathExtensions)
        if (ref.name.ends_with(ext)) return ref.name + ":latest";
      return ref.name;
    case ReferenceKind::kOci: {
      std::string s = ref.oci.registry + "/" + ref.oci.repository;
      if (!ref.oci.tag.empty()) s += ":" + ref.oci.tag;
      if (!ref.oci.digest.empty()) s += "@" + ref.oci.digest;
      return s;
    }
  }
  return ref.text;
}

}  // namespace lmp::registry
