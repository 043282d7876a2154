// lmp logout [HUB_URL | REGISTRY]: revoke and forget a hub's token, or forget the
// credentials `lmp login` stored for an OCI registry.
#include <CLI/CLI.hpp>

#include <string>

#include "cli/command.h"
#include "common/log.h"
#include "registry/cache.h"
#include "registry/credentials.h"
#include "registry/hub_client.h"

namespace lmp::cli {
namespace {

Result<int> logout_hub(const std::string& url_arg) {
  std::string url = registry::normalize_hub_url(url_arg);
  auto home = LMP_TRY(registry::lmp_home());
  auto stored = LMP_TRY(registry::find_hub_token(home, url));
  if (!stored) return fail(ExitCode::kNotFound, "not logged in to " + url);
  auto transport = registry::make_curl_transport();
  auto revoked = registry::HubClient(*transport, url, stored->token).logout();
  // A token the hub no longer knows (401) is as good as revoked.
  if (!revoked && revoked.error().code != ExitCode::kPermission)
    log::warn("could not revoke the token on the hub (" + revoked.error().message +
              "); forgetting it here anyway");
  LMP_TRY(registry::erase_hub_token(home, url));
  log::info("logged out of " + url);
  return 0;
}

}  // namespace

Result<int> logout_command(Args args) {
  CLI::App app{
      "Forget what 'lmp login' stored: for a hub (http:// or https://) the token is revoked\n"
      "on the hub, then removed; for an OCI registry (default ghcr.io) the credentials are\n"
      "removed.",
      "lmp logout"};
  std::string target;
  app.add_option("target", target, "HUB_URL or REGISTRY (default: ghcr.io)");
  try {
    app.parse(static_cast<int>(args.size()), args.data());
  } catch (const CLI::ParseError& e) {
    return parse_error(app, e);
  }
  if (registry::is_hub_url(target)) return logout_hub(target);
  std::string registry =
      registry::registry_of_config_key(target.empty() ? registry::kDefaultRegistry : target);
  auto home = LMP_TRY(registry::lmp_home());
  if (!LMP_TRY(registry::erase_credentials(home, registry)))
    return fail(ExitCode::kNotFound, "not logged in to " + registry,
                "credentials in docker's config.json are managed with docker logout");
  log::info("removed the credentials for " + registry);
  return 0;
}

}  // namespace lmp::cli
