#include "registry/credentials.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <nlohmann/json.hpp>

#include "common/file.h"
#include "common/log.h"
#include "common/unique_fd.h"
#include "registry/cache_files.h"

extern char** environ;

namespace lmp::registry {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

inline constexpr std::size_t kMaxConfigBytes = 1024 * 1024;
inline constexpr std::size_t kMaxHelperOutput = 64 * 1024;

// Docker Hub is stored under its historical key.
std::vector<std::string> config_keys(std::string_view registry) {
  std::vector<std::string> keys{std::string(registry)};
  if (registry == "docker.io" || registry == "index.docker.io" ||
      registry == "registry-1.docker.io")
    keys.push_back("https://index.docker.io/v1/");
  return keys;
}

const json* find_entry(const json& map, std::string_view registry) {
  if (!map.is_object()) return nullptr;
  for (const auto& key : config_keys(registry))
    if (auto it = map.find(key); it != map.end()) return &*it;
  for (auto it = map.begin(); it != map.end(); ++it)
    if (registry_of_config_key(it.key()) == registry) return &*it;
  return nullptr;
}

std::optional<Credentials> decode_auth_entry(const json& entry) {
  if (!entry.is_object()) return std::nullopt;
  auto auth = entry.find("auth");
  if (auth != entry.end() && auth->is_string()) {
    auto decoded = base64_decode(auth->get<std::string>());
    if (decoded) return split_user_password(*decoded);
  }
  if (entry.contains("username") && entry["username"].is_string() && entry.contains("password") &&
      entry["password"].is_string())
    return Credentials{entry["username"].get<std::string>(), entry["password"].get<std::string>()};
  return std::nullopt;
}

Result<json> load_store(const fs::path& path) {
  auto text = read_file(path, kMaxConfigBytes);
  if (!text) {
    if (text.error().code == ExitCode::kNotFound) return json{{"auths", json::object()}};
    return std::unexpected(text.error());
  }
  json root = json::parse(*text, nullptr, false);
  if (root.is_discarded() || !root.is_object() ||
      (root.contains("auths") && !root["auths"].is_object()) ||
      (root.contains("hubs") && !root["hubs"].is_object()))
    return fail(ExitCode::kFailure, path.string() + " is corrupt", "remove it and log in again");
  if (!root.contains("auths")) root["auths"] = json::object();
  if (!root.contains("hubs")) root["hubs"] = json::object();
  return root;
}

Result<void> save_store(const fs::path& path, const json& root) {
  LMP_CHECK(create_cache_directories(path.parent_path()));  // 0755 whatever the umask
  return write_file_atomic(path, root.dump(2) + "\n", 0600);
}

std::optional<FoundCredentials> from_docker_config(std::string_view registry) {
  fs::path path = docker_config_path();
  auto text = read_file(path, kMaxConfigBytes);
  if (!text) return std::nullopt;
  json root = json::parse(*text, nullptr, false);
  if (root.is_discarded() || !root.is_object()) {
    log::debug(path.string() + " is not valid JSON; ignored");
    return std::nullopt;
  }
  auto try_helper = [&](const std::string& helper) -> std::optional<FoundCredentials> {
    std::string server = config_keys(registry).back();
    auto got = run_credential_helper(helper, server);
    if (!got) log::debug(got.error().message);
    if (!got || !*got) return std::nullopt;
    return FoundCredentials{std::move(**got), CredentialSource::kDockerHelper};
  };
  if (auto helpers = root.find("credHelpers"); helpers != root.end()) {
    const json* name = find_entry(*helpers, registry);
    if (name && name->is_string()) return try_helper(name->get<std::string>());
  }
  if (auto auths = root.find("auths"); auths != root.end())
    if (const json* entry = find_entry(*auths, registry))
      if (auto c = decode_auth_entry(*entry))
        return FoundCredentials{std::move(*c), CredentialSource::kDockerConfig};
  if (auto store = root.find("credsStore"); store != root.end() && store->is_string())
    return try_helper(store->get<std::string>());
  return std::nullopt;
}

}  // namespace

fs::path credentials_path(const fs::path& home) {
  return home / "credentials.json";
}

fs::path docker_config_path() {
  if (const char* dir = std::getenv("DOCKER_CONFIG"); dir && *dir)
    return fs::path(dir) / "config.json";
  const char* home = std::getenv("HOME");
  return fs::path(home && *home ? home : "/") / ".docker" / "config.json";
}

std::string registry_of_config_key(std::string_view key) {
  for (std::string_view scheme : {"https://", "http://"})
    if (key.starts_with(scheme)) key.remove_prefix(scheme.size());
  key = key.substr(0, key.find('/'));
  if (key == "index.docker.io" || key == "registry-1.docker.io") return "docker.io";
  return std::string(key);
}

Result<std::optional<FoundCredentials>> find_credentials(const fs::path& home,
                                                         std::string_view registry) {
  json root = LMP_TRY(load_store(credentials_path(home)));
  if (const json* entry = find_entry(root["auths"], registry)) {
    if (auto c = decode_auth_entry(*entry))
      return FoundCredentials{std::move(*c), CredentialSource::kLmp};
    return fail(ExitCode::kFailure,
                credentials_path(home).string() + ": bad entry for " + std::string(registry),
                "run 'lmp logout " + std::string(registry) + "' and log in again");
  }
  if (auto c = from_docker_config(registry)) return c;
  return std::optional<FoundCredentials>();
}

Result<void> store_credentials(const fs::path& home, std::string_view registry,
                               const Credentials& credentials) {
  fs::path path = credentials_path(home);
  json root = LMP_TRY(load_store(path));
  root["auths"][std::string(registry)] = {
      {"auth", base64_encode(credentials.username + ":" + credentials.password)}};
  return save_store(path, root);
}

Result<bool> erase_credentials(const fs::path& home, std::string_view registry) {
  fs::path path = credentials_path(home);
  json root = LMP_TRY(load_store(path));
  if (root["auths"].erase(std::string(registry)) == 0) return false;
  LMP_CHECK(save_store(path, root));
  return true;
}

Result<std::optional<HubToken>> find_hub_token(const fs::path& home, std::string_view url) {
  json root = LMP_TRY(load_store(credentials_path(home)));
  auto entry = root["hubs"].find(std::string(url));
  if (entry == root["hubs"].end()) return std::optional<HubToken>();
  if (!entry->is_object() || !entry->contains("token") || !(*entry)["token"].is_string())
    return fail(ExitCode::kFailure,
                credentials_path(home).string() + ": bad entry for " + std::string(url),
                "run 'lmp logout " + std::string(url) + "' and log in again");
  HubToken token;
  token.token = (*entry)["token"].get<std::string>();
  if (auto user = entry->find("user"); user != entry->end() && user->is_string())
    token.user = user->get<std::string>();
  return std::optional(std::move(token));
}

Result<void> store_hub_token(const fs::path& home, std::string_view url, const HubToken& token) {
  fs::path path = credentials_path(home);
  json root = LMP_TRY(load_store(path));
  root["hubs"][std::string(url)] = {{"user", token.user}, {"token", token.token}};
  root["current_hub"] = std::string(url);
  return save_store(path, root);
}

Result<bool> erase_hub_token(const fs::path& home, std::string_view url) {
  fs::path path = credentials_path(home);
  json root = LMP_TRY(load_store(path));
  bool erased = root["hubs"].erase(std::string(url)) > 0;
  auto current = root.find("current_hub");
  bool was_current = current != root.end() && *current == std::string(url);
  if (was_current) root.erase("current_hub");
  if (erased || was_current) LMP_CHECK(save_store(path, root));
  return erased;
}

Result<std::optional<std::string>> last_hub(const fs::path& home) {
  json root = LMP_TRY(load_store(credentials_path(home)));
  auto current = root.find("current_hub");
  if (current == root.end() || !current->is_string() ||
      !root["hubs"].contains(current->get<std::string>()))
    return std::optional<std::string>();
  return std::optional(current->get<std::string>());
}

Result<std::optional<Credentials>> run_credential_helper(const std::string& helper,
                                                         const std::string& server) {
  std::string program = "docker-credential-" + helper;
  auto bad = [&](const std::string& what) {
    return fail(ExitCode::kFailure, "credential helper " + program + ": " + what);
  };
  if (helper.empty() || helper.find('/') != std::string::npos) return bad("bad helper name");
  int in_pipe[2], out_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0) return bad(std::strerror(errno));
  UniqueFd in_read(in_pipe[0]), in_write(in_pipe[1]);
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return bad(std::strerror(errno));
  UniqueFd out_read(out_pipe[0]), out_write(out_pipe[1]);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_read.get(), 0);
  posix_spawn_file_actions_adddup2(&actions, out_write.get(), 1);
  std::string verb = "get";
  char* argv[] = {program.data(), verb.data(), nullptr};
  pid_t pid = -1;
  int rc = ::posix_spawnp(&pid, program.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return bad(std::string("cannot start: ") + std::strerror(rc));
  in_read.reset();
  out_write.reset();
  {
    // A helper that exits without reading must not kill lmp with SIGPIPE.
    sigset_t pipe_set, saved;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    ::pthread_sigmask(SIG_BLOCK, &pipe_set, &saved);
    std::string input = server + "\n";
    if (::write(in_write.get(), input.data(), input.size()) < 0 && errno == EPIPE) {
      timespec zero{};
      ::sigtimedwait(&pipe_set, nullptr, &zero);
    }
    ::pthread_sigmask(SIG_SETMASK, &saved, nullptr);
    in_write.reset();
  }
  std::string output;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(out_read.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (output.size() < kMaxHelperOutput) output.append(buf, static_cast<std::size_t>(n));
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::optional<Credentials>();
  json root = json::parse(output, nullptr, false);
  if (root.is_discarded() || !root.is_object() || !root.contains("Secret") ||
      !root["Secret"].is_string())
    return bad("unexpected answer");
  std::string user = root.contains("Username") && root["Username"].is_string()
                         ? root["Username"].get<std::string>()
                         : std::string();
  return std::optional(Credentials{user, root["Secret"].get<std::string>()});
}

}  // namespace lmp::registry
