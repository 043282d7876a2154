// A package's signature (lmp.sig, registry/signing.h) on its way through the transports:
// static repositories, OCI images and the hub carry it as one more file of the package
// (docs/repositories.md, docs/oci.md, docs/hub.md). What a transport checks of it here is
// its form, or, where a package is published, that it verifies.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace lmp::registry {

// A signature file is small: anything larger is not one.
inline constexpr std::size_t kMaxSignatureFileBytes = 64 * 1024;

// What a signature file states, read without verifying it.
struct SignatureSummary {
  std::string key;       // the signer's fingerprint, "ed25519:..."
  std::string key_name;  // the name the signer gave the key (may be empty)
  std::string name;      // the package and version it was made for
  std::string version;
};

// Checks that `text` has the form of a signature file (a JSON object in the format
// lmp-signature-v1 with the fields a signature needs) without checking the signature
// itself. kBadPackage "lmp.sig is not a package signature (...)" otherwise, e.g. truncated.
Result<SignatureSummary> parse_signature_summary(std::string_view text);

// The same for a downloaded file, refusing one larger than kMaxSignatureFileBytes.
Result<SignatureSummary> check_signature_file(const std::filesystem::path& file);

// Verifies the signature among `files` (file name -> content, a publish upload) over the
// files it covers, with verify_package() in a private temporary directory. nullopt when
// there is no lmp.sig. Errors are verify_package()'s (kBadPackage, naming the check that
// failed).
struct VerifiedSignature {
  std::string fingerprint;  // computed from the public key
  std::string key_name;
};
Result<std::optional<VerifiedSignature>> verify_package_files(
    const std::map<std::string, std::string>& files);

}  // namespace lmp::registry
