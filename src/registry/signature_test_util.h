// For tests: signs package files held in memory, as `lmp sign` signs a directory.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <map>
#include <string>

#include "common/file.h"
#include "registry/signing.h"

namespace lmp::registry::testing {

// The lmp.sig that `key` makes over `files` (file name -> content); "" when signing failed.
inline std::string signature_for(const std::map<std::string, std::string>& files,
                                 const KeyPair& key) {
  namespace fs = std::filesystem;
  std::string pattern = (fs::temp_directory_path() / "lmp-sign-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) return "";
  fs::path dir = pattern;
  for (const auto& [name, content] : files)
    if (!write_file_atomic(dir / name, content)) return "";
  std::string signature;
  if (sign_package(dir, key)) signature = read_file(dir / kSignatureFile).value_or("");
  std::error_code ec;
  fs::remove_all(dir, ec);
  return signature;
}

}  // namespace lmp::registry::testing
