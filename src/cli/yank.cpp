// lmp yank NAME:VERSION [--undo]: mark a published version as yanked on the current hub.
#include <CLI/CLI.hpp>

#include <string>

#include "cli/command.h"
#include "common/log.h"
#include "registry/cache.h"
#include "registry/hub_client.h"

namespace lmp::cli {

Result<int> yank_command(Args args) {
  CLI::App app{
      "Yank NAME:VERSION on the hub (LMP_HUB, else the hub logged in to last): 'lmp run NAME'\n"
      "no longer picks it, while NAME:VERSION still downloads (with a warning). Versions are\n"
      "immutable: yanking is how a broken release is withdrawn. --undo reverses it.",
      "lmp yank"};
  std::string ref;
  bool undo = false;
  app.add_option("ref", ref, "NAME:VERSION")->required();
  app.add_flag("--undo", undo, "unyank the version");
  try {
    app.parse(static_cast<int>(args.size()), args.data());
  } catch (const CLI::ParseError& e) {
    return parse_error(app, e);
  }
  std::size_t colon = ref.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == ref.size())
    return fail(ExitCode::kUsage, "'" + ref + "' is not NAME:VERSION",
                "yank names one version, e.g. lmp yank opensnoop:1.0.0");
  std::string name = ref.substr(0, colon), version = ref.substr(colon + 1);
  auto home = LMP_TRY(registry::lmp_home());
  std::string hub_url = LMP_TRY(registry::current_hub(home));
  std::string token = LMP_TRY(registry::hub_token(home, hub_url));
  auto transport = registry::make_curl_transport();
  registry::HubClient hub(*transport, hub_url, token);
  LMP_CHECK(hub.yank(name, version, undo));
  log::info(std::string(undo ? "unyanked " : "yanked ") + name + " " + version + " on " +
            hub.url());
  return 0;
}

}  // namespace lmp::cli
