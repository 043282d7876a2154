// A client of one registry speaking the OCI distribution API (/v2/): manifests, blobs,
// uploads, and the WWW-Authenticate flow (Bearer tokens from the realm, or Basic).
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "registry/oci_auth.h"
#include "registry/oci_manifest.h"
#include "registry/oci_transport.h"

namespace lmp::registry {

// Uploads larger than this go in chunks of this size (PATCH); smaller ones in one PUT.
inline constexpr std::size_t kDefaultChunkBytes = 8u * 1024 * 1024;

// True when `registry` ("host[:port]") is spoken to over plain http: localhost, 127.0.0.1,
// [::1], or a host:port listed in LMP_INSECURE_REGISTRIES (comma separated).
bool is_insecure_registry(std::string_view registry);

// "http(s)://host[:port]" for a registry name; docker.io means registry-1.docker.io.
std::string registry_base_url(std::string_view registry);

struct FetchedManifest {
  std::string body;
  std::string digest;  // "sha256:..." of `body`
  std::string media_type;
};

class OciClient {
 public:
  // `credentials` empty means anonymous access (still fine for public pulls).
  OciClient(OciTransport& transport, std::string registry,
            std::optional<Credentials> credentials = std::nullopt);

  const std::string& registry() const { return registry_; }
  void set_chunk_size(std::size_t bytes) { chunk_bytes_ = bytes ? bytes : kDefaultChunkBytes; }

  // GET /v2/ with the credentials: succeeds when the registry accepts them (or needs none).
  // Wrong credentials give kPermission "... rejected the user name or password".
  Result<void> check_login();

  // GET (or HEAD when `head`) /v2/REPO/manifests/REF, REF a tag or "sha256:...". The body is
  // checked against the digest when REF is one and against Docker-Content-Digest. Unknown
  // repository or tag: kNotFound.
  Result<FetchedManifest> fetch_manifest(const std::string& repository, const std::string& ref);

  // Downloads a blob into `dest`, checking its size and sha256 against `blob`: the transfer
  // stops at the first byte past the size, and a size over max_download_bytes() is refused
  // before anything is asked (kBadPackage).
  Result<Download> fetch_blob(const std::string& repository, const OciDescriptor& blob,
                              const std::filesystem::path& dest, std::string_view label = {});

  Result<bool> has_blob(const std::string& repository, const std::string& digest);

  // Uploads `content` as blob `digest` unless the registry has it: POST an upload session,
  // then one PUT ?digest= (monolithic) or PATCH chunks and a closing PUT.
  Result<void> push_blob(const std::string& repository, const std::string& digest,
                         std::string_view content);

  // PUT /v2/REPO/manifests/TAG; returns the manifest digest.
  Result<std::string> push_manifest(const std::string& repository, const std::string& tag,
                                    const std::string& body, std::string_view media_type);

 private:
  // Sends `request` with the authorization for `scope`, answering one 401 challenge.
  // Credentials and tokens go only to the registry's own origin (scheme, host and port):
  // a URL elsewhere (an upload Location on blob storage) is sent without them, and one that
  // would take an https registry to plain http is refused.
  Result<HttpResponse> send(HttpRequest request, const std::string& scope);
  Result<std::string> authorize(const HttpResponse& challenge_response, const std::string& scope);
  std::string resolve_location(const HttpResponse& response) const;
  std::unexpected<Error> status_error(const HttpRequest& request, const HttpResponse& response,
                                      const std::string& what) const;

  OciTransport& transport_;
  std::string registry_;
  std::string base_url_;
  std::optional<Credentials> credentials_;
  std::map<std::string, std::string> authorization_;  // by scope
  std::size_t chunk_bytes_ = kDefaultChunkBytes;
};

// "repository:NAME:pull" or "repository:NAME:pull,push".
std::string repository_scope(const std::string& repository, bool push);

}  // namespace lmp::registry
