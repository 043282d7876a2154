// lmp logout [REGISTRY]: forget the credentials `lmp login` stored for a registry.
#include <cstdio>
#include <string>

#include "cli/command.h"
#include "common/log.h"
#include "registry/cache.h"
#include "registry/credentials.h"

namespace lmp::cli {

Result<int> logout_command(Args args) {
  bool help = args.size() >= 2 &&
              (std::string_view(args[1]) == "-h" || std::string_view(args[1]) == "--help");
  if (help || args.size() > 2) {
    std::fputs(
        "Usage: lmp logout [REGISTRY]\n\nRemoves the credentials stored by 'lmp login' "
        "(default registry: ghcr.io).\n",
        help ? stdout : stderr);
    return help ? 0 : static_cast<int>(ExitCode::kUsage);
  }
  std::string registry =
      registry::registry_of_config_key(args.size() == 2 ? args[1] : registry::kDefaultRegistry);
  auto home = LMP_TRY(registry::lmp_home());
  if (!LMP_TRY(registry::erase_credentials(home, registry)))
    return fail(ExitCode::kNotFound, "not logged in to " + registry,
                "credentials in docker's config.json are managed with docker logout");
  log::info("removed the credentials for " + registry);
  return 0;
}

}  // namespace lmp::cli
