#include "registry/signature_transport.h"

#include <stdlib.h>

#include <nlohmann/json.hpp>

#include "common/file.h"
#include "registry/signing.h"

namespace lmp::registry {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A directory removed with everything in it at destruction.
class ScratchDir {
 public:
  static Result<ScratchDir> create() {
    std::error_code ec;
    fs::path base = fs::temp_directory_path(ec);
    if (ec) base = "/tmp";
    std::string pattern = (base / "lmp-verify-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
      return fail(ExitCode::kFailure, "cannot create a temporary directory in " + base.string());
    return ScratchDir(pattern);
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  ScratchDir(ScratchDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}
  ScratchDir& operator=(ScratchDir&&) = delete;
  const fs::path& path() const { return path_; }

 private:
  explicit ScratchDir(fs::path path) : path_(std::move(path)) {}
  fs::path path_;
};

}  // namespace

Result<SignatureSummary> parse_signature_summary(std::string_view text) {
  auto bad = [](const std::string& why) {
    return fail(ExitCode::kBadPackage,
                std::string(kSignatureFile) + " is not a package signature (" + why + ")",
                "the signature was damaged on its way; nothing was stored");
  };
  if (text.size() > kMaxSignatureFileBytes) return bad("larger than 64 KiB");
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return bad("truncated or not JSON");
  auto it = doc.find("format");
  if (it == doc.end() || !it->is_string() || *it != "lmp-signature-v1")
    return bad("not the format lmp-signature-v1");
  for (const char* key : {"name", "version", "key", "public_key", "signature"}) {
    it = doc.find(key);
    if (it == doc.end() || !it->is_string()) return bad(std::string("no \"") + key + "\"");
  }
  it = doc.find("files");
  if (it == doc.end() || !it->is_object() || it->empty()) return bad("no \"files\"");
  SignatureSummary summary;
  summary.key = doc["key"];
  summary.name = doc["name"];
  summary.version = doc["version"];
  if (auto name = doc.find("key_name"); name != doc.end() && name->is_string())
    summary.key_name = *name;
  return summary;
}

Result<SignatureSummary> check_signature_file(const fs::path& file) {
  std::string text = LMP_TRY(read_file(file, kMaxSignatureFileBytes + 1));
  return parse_signature_summary(text);
}

Result<std::optional<VerifiedSignature>> verify_package_files(
    const std::map<std::string, std::string>& files) {
  auto signature = files.find(kSignatureFile);
  if (signature == files.end()) return std::optional<VerifiedSignature>();
  SignatureSummary summary = LMP_TRY(parse_signature_summary(signature->second));
  ScratchDir dir = LMP_TRY(ScratchDir::create());
  // Only the files a signature covers, and the signature: names from a fixed list.
  for (const char* name : kSignedFiles) {
    auto it = files.find(name);
    if (it != files.end()) LMP_CHECK(write_file_atomic(dir.path() / name, it->second, 0600));
  }
  LMP_CHECK(write_file_atomic(dir.path() / kSignatureFile, signature->second, 0600));
  auto verified = verify_package(dir.path());
  if (!verified) {
    // The message names the scratch directory; the uploader knows the file as lmp.sig.
    Error error = verified.error();
    std::string prefix = (dir.path() / kSignatureFile).string();
    if (error.message.starts_with(prefix)) error.message.replace(0, prefix.size(), kSignatureFile);
    if (error.code == ExitCode::kBadPackage)
      error.hint =
          "sign the package again after its last build (lmp sign DIR), or leave lmp.sig out";
    return std::unexpected(std::move(error));
  }
  if (!*verified) return fail(ExitCode::kFailure, "the signature vanished while it was checked");
  return std::optional(VerifiedSignature{(*verified)->fingerprint, summary.key_name});
}

}  // namespace lmp::registry
