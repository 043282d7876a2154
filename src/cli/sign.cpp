// lmp sign [DIR] [--key NAME|PATH]: writes DIR/lmp.sig, the signature of the package in DIR
// (docs/signing.md).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>

#include "cli/command.h"
#include "common/log.h"
#include "common/text_escape.h"
#include "registry/cache.h"
#include "registry/signing.h"
#include "registry/signing_keys.h"

namespace lmp::cli {

Result<std::filesystem::path> sign_package_dir(const std::filesystem::path& dir,
                                               const std::string& key_name) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    return fail(ExitCode::kNotFound, "no package directory " + dir.string(),
                "lmp sign DIR signs the package lmp build wrote into DIR");
  // A key given by path needs no LMP_HOME (the catalog is signed so at build time).
  std::filesystem::path keys;
  if (key_name.find('/') == std::string::npos)
    keys = registry::keys_dir(LMP_TRY(registry::lmp_home()));
  registry::KeyPair key = LMP_TRY(registry::choose_signing_key(key_name, keys));
  std::filesystem::path written = LMP_TRY(registry::sign_package(dir, key));
  auto manifest = LMP_TRY(registry::manifest_of(dir));
  std::string files;
  for (const auto& [file, digest] : manifest.files) files += (files.empty() ? "" : ", ") + file;
  log::info("signed " + escape_text(manifest.name) +
            (manifest.version.empty() ? "" : ":" + escape_text(manifest.version)) + " (" + files +
            ") with " + key.name + " " + registry::key_fingerprint(key.public_key) + " -> " +
            written.string());
  return written;
}

Result<int> sign_command(Args args) {
  CLI::App app{
      "Sign the package in DIR: writes DIR/lmp.sig, an ed25519 signature over the sha256 of\n"
      "its package.json, app.wasm and config.json with its name and version\n"
      "(docs/signing.md). Sign again after any change.",
      "lmp sign"};
  std::string dir = ".", key;
  app.add_option("DIR", dir, "the package directory (default: .)");
  app.add_option("-k,--key", key,
                 "a key name in $LMP_HOME/keys or a NAME.key path (default: the only key)");
  try {
    app.parse(static_cast<int>(args.size()), args.data());
  } catch (const CLI::ParseError& e) {
    return parse_error(app, e);
  }
  std::filesystem::path written = LMP_TRY(sign_package_dir(dir, key));
  std::printf("%s\n", escape_text(written.string()).c_str());
  return 0;
}

}  // namespace lmp::cli
