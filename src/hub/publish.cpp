#include "hub/publish.h"

#include <algorithm>
#include <cstring>

#include "hub/download_counter.h"
#include "hub/package_details.h"
#include "package/config.h"
#include "package/package.h"
#include "registry/repo_builder.h"
#include "registry/signature_transport.h"

namespace lmp::hub {
namespace {

// lmp.sig: a package's signature (docs/signing.md), which the bundled catalog carries.
constexpr const char* kAllowedFiles[] = {"package.json", "app.wasm", "README.md", "config.json",
                                         "lmp.sig"};

bool is_valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    std::size_t extra = 0;
    std::uint32_t min = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      extra = 1, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
      extra = 2, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
      extra = 3, min = 0x10000;
    } else {
      return false;
    }
    if (i + extra >= text.size()) return false;  // truncated sequence
    std::uint32_t code = c & (0x3f >> extra);
    for (std::size_t k = 1; k <= extra; ++k) {
      auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xc0) != 0x80) return false;
      code = (code << 6) | (next & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return false;
    i += extra + 1;
  }
  return true;
}

std::unexpected<Error> bad(const std::string& file, const std::string& what) {
  return fail(ExitCode::kBadPackage, file + ": " + what);
}

Result<void> check_wasm(const std::string& wasm) {
  static constexpr char kHeader[] = {'\0', 'a', 's', 'm', 1, 0, 0, 0};
  if (wasm.size() > kMaxWasmBytes) return bad("app.wasm", "larger than 64 MiB");
  if (wasm.size() < sizeof(kHeader) || std::memcmp(wasm.data(), kHeader, sizeof(kHeader)) != 0)
    return bad("app.wasm", "not a WebAssembly module (version 1)");
  return {};
}

Result<void> check_readme(const std::string& readme) {
  if (readme.size() > kMaxReadmeBytes) return bad("README.md", "larger than 1 MiB");
  if (!is_valid_utf8(readme)) return bad("README.md", "not valid UTF-8");
  return {};
}

// The checks that need the database: the name is free or ours, the version is new.
// Storage::publish checks both again in its transaction (two publishes racing).
Result<void> check_ownership(Storage& storage, const User& publisher,
                             const package::Config& config) {
  auto existing = LMP_TRY(storage.package(config.name, unix_day(unix_now())));
  if (!existing) return {};
  const auto& owners = existing->owners;
  if (std::find(owners.begin(), owners.end(), publisher.name) == owners.end())
    return fail(
        ExitCode::kPermission,
        "package '" + config.name + "' belongs to " + (owners.empty() ? "others" : owners[0]),
        "ask an owner to run 'lmp owner add " + config.name + " " + publisher.name +
            "', or publish under another name");
  for (const VersionRecord& v : existing->versions) {
    if (v.version == config.version)
      return fail(ExitCode::kConflict,
                  config.name + " " + config.version + " exists; versions are immutable",
                  "raise the version in config.json");
  }
  return {};
}

}  // namespace

int http_status(const Error& error) {
  switch (error.code) {
    case ExitCode::kBadPackage:
    case ExitCode::kUsage:
      return 400;
    case ExitCode::kPermission:
      return 403;
    case ExitCode::kNotFound:
      return 404;
    case ExitCode::kConflict:
      return 409;
    default:
      return 500;
  }
}

Result<PublishedVersion> publish_upload(Storage& storage, BlobStore& blobs, const User& publisher,
                                        const std::map<std::string, std::string>& files) {
  for (const auto& [name, content] : files) {
    if (std::find_if(std::begin(kAllowedFiles), std::end(kAllowedFiles),
                     [&](const char* f) { return name == f; }) == std::end(kAllowedFiles))
      return fail(ExitCode::kUsage, "unexpected file '" + name + "'",
                  "a version holds package.json and/or app.wasm, config.json, README.md and "
                  "lmp.sig");
  }
  auto file = [&](const char* name) -> const std::string* {
    auto it = files.find(name);
    return it == files.end() ? nullptr : &it->second;
  };
  const std::string* config_text = file("config.json");
  const std::string* package_text = file("package.json");
  const std::string* wasm = file("app.wasm");
  const std::string* readme = file("README.md");
  if (!config_text)
    return fail(ExitCode::kUsage, "config.json is missing",
                "it names the package: name, version, author, description");
  if (!package_text && !wasm)
    return fail(ExitCode::kUsage, "neither package.json nor app.wasm was sent",
                "run 'lmp build' first");

  if (config_text->size() > kMaxConfigBytes) return bad("config.json", "larger than 64 KiB");
  package::Config config = LMP_TRY(package::parse_config(*config_text));
  if (config.version.size() > kMaxVersionChars)
    return bad("config.json", "version: longer than 64 characters");

  PackageDetails details = describe_wasm_only();
  if (package_text) {
    auto parsed = package::parse_package(*package_text);
    if (!parsed) return std::unexpected(std::move(parsed.error()).context("package.json"));
    details = LMP_TRY(describe_package(*parsed, config.name));
  }
  if (wasm) LMP_CHECK(check_wasm(*wasm));
  if (readme) LMP_CHECK(check_readme(*readme));
  // A signature must verify over the files uploaded with it: the store shows who signed.
  auto signature = registry::verify_package_files(files);
  if (!signature) return std::unexpected(std::move(signature.error()));
  LMP_CHECK(check_ownership(storage, publisher, config));

  NewVersion version;
  VersionRecord& record = version.record;
  record.package = config.name;
  record.version = config.version;
  record.description = config.description;
  record.summary = readme ? registry::readme_summary(*readme) : "";
  record.author = config.author;
  record.license = config.license;
  record.category = config.category;
  record.homepage = config.homepage;
  record.tags = config.tags;
  record.program_types = details.program_types;
  record.readme = readme ? *readme : "";
  record.details = details.json.dump();
  if (*signature) {
    record.signer_key = (*signature)->fingerprint;
    record.signer_name = (*signature)->key_name;
  }
  record.publisher = publisher.name;
  record.published = unix_now();
  for (const auto& [name, content] : files) {  // std::map: sorted by name
    std::string sha256 = LMP_TRY(blobs.put(content));
    record.files.push_back({name, sha256, content.size()});
  }
  LMP_CHECK(storage.publish(version, publisher.id));
  return PublishedVersion{record.package, record.version, record.files};
}

}  // namespace lmp::hub
