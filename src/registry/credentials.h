// Registry credentials: lmp's own store (LMP_HOME/credentials.json, mode 0600, written
// atomically) and, as fallbacks, docker's config.json: its `auths` entries and its
// credential helpers (`credHelpers`, `credsStore`). Documented in docs/oci.md.
// The same file holds lmp-hub API tokens under `hubs` (keyed by the hub's base URL) and
// the hub logged in to last under `current_hub` (docs/hub.md, "The lmp client").
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "registry/oci_auth.h"

namespace lmp::registry {

// The registry `lmp login` and `lmp logout` use when none is named.
inline constexpr std::string_view kDefaultRegistry = "ghcr.io";

// Where the credentials of `find_credentials` came from.
enum class CredentialSource { kLmp, kDockerConfig, kDockerHelper };

struct FoundCredentials {
  Credentials credentials;
  CredentialSource source = CredentialSource::kLmp;
};

// LMP_HOME/credentials.json.
std::filesystem::path credentials_path(const std::filesystem::path& home);

// docker's config: $DOCKER_CONFIG/config.json, else ~/.docker/config.json.
std::filesystem::path docker_config_path();

// The credentials for `registry` ("host[:port]"): lmp's store first, then docker's
// credHelpers[registry], auths[registry] and credsStore. None: nullopt. A corrupt lmp
// store is an error; problems with docker's config are logged at debug level and skipped.
Result<std::optional<FoundCredentials>> find_credentials(const std::filesystem::path& home,
                                                         std::string_view registry);

// Adds or replaces the entry of `registry` in lmp's store.
Result<void> store_credentials(const std::filesystem::path& home, std::string_view registry,
                               const Credentials& credentials);

// Removes the entry of `registry`; false when there was none.
Result<bool> erase_credentials(const std::filesystem::path& home, std::string_view registry);

// An lmp-hub API token and the account it belongs to. The password is never stored.
struct HubToken {
  std::string user;
  std::string token;
};

// The token stored for the hub at `url` (a base URL as normalize_hub_url() writes it).
Result<std::optional<HubToken>> find_hub_token(const std::filesystem::path& home,
                                               std::string_view url);

// Adds or replaces the token of `url` and makes `url` the current hub.
Result<void> store_hub_token(const std::filesystem::path& home, std::string_view url,
                             const HubToken& token);

// Removes the token of `url` (and `url` as the current hub); false when there was none.
Result<bool> erase_hub_token(const std::filesystem::path& home, std::string_view url);

// The hub logged in to last, if it is still logged in.
Result<std::optional<std::string>> last_hub(const std::filesystem::path& home);

// "host[:port]" of a config key such as "https://index.docker.io/v1/" or "localhost:5000".
std::string registry_of_config_key(std::string_view key);

// Runs `docker-credential-HELPER get` with `server` on stdin and parses its answer;
// nullopt when the helper does not know the server.
Result<std::optional<Credentials>> run_credential_helper(const std::string& helper,
                                                         const std::string& server);

}  // namespace lmp::registry
