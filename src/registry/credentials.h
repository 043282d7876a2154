// Registry credentials: lmp's own store (LMP_HOME/credentials.json, mode 0600, written
// atomically) and, as fallbacks, docker's config.json: its `auths` entries and its
// credential helpers (`credHelpers`, `credsStore`). Documented in docs/oci.md.
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

// "host[:port]" of a config key such as "https://index.docker.io/v1/" or "localhost:5000".
std::string registry_of_config_key(std::string_view key);

// Runs `docker-credential-HELPER get` with `server` on stdin and parses its answer;
// nullopt when the helper does not know the server.
Result<std::optional<Credentials>> run_credential_helper(const std::string& helper,
                                                         const std::string& server);

}  // namespace lmp::registry
