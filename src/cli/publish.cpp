// lmp publish [DIR] [--force]: upload the built package in DIR to the current hub.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>

#include "cli/command.h"
#include "common/log.h"
#include "common/text_escape.h"
#include "registry/cache.h"
#include "registry/hub_client.h"
#include "registry/progress.h"
#include "registry/publish_bundle.h"

namespace lmp::cli {
namespace {

// Smaller uploads finish before a bar would be worth drawing.
inline constexpr std::uint64_t kProgressBarBytes = 1024 * 1024;

}  // namespace

Result<int> publish_command(Args args) {
  CLI::App app{
      "Upload the package built in DIR (default .) to the hub: package.json and/or app.wasm,\n"
      "config.json (name, version, author, description) and README.md when present.\n"
      "The hub is LMP_HUB when set, else the one 'lmp login HUB_URL' logged in to last.\n"
      "A stale build (sources newer than package.json or app.wasm, or an app.wasm that\n"
      "embeds another eBPF object than package.json) is refused. Prints the version's URL.",
      "lmp publish"};
  std::string dir = ".";
  bool force = false;
  app.add_option("dir", dir, "the built project directory (default: .)");
  app.add_flag("--force", force, "publish even when the build looks stale");
  try {
    app.parse(static_cast<int>(args.size()), args.data());
  } catch (const CLI::ParseError& e) {
    return parse_error(app, e);
  }
  auto home = LMP_TRY(registry::lmp_home());
  std::string hub_url = LMP_TRY(registry::current_hub(home));
  std::string token = LMP_TRY(registry::hub_token(home, hub_url));
  registry::PublishBundle bundle = LMP_TRY(registry::read_publish_bundle(dir, force));
  const auto& config = bundle.config;
  std::string label = bundle.size >= kProgressBarBytes
                          ? "uploading " + config.name + " " + config.version
                          : std::string();
  auto transport = registry::make_curl_transport();
  registry::HubClient hub(*transport, hub_url, token);
  registry::Published published = LMP_TRY(hub.publish(bundle.files, label));
  // Names and the URL come from the hub's answer: escaped before they reach the terminal.
  log::info("published " + escape_text(published.name) + " " + escape_text(published.version) +
            " to " + hub.url() + " (" + registry::human_size(bundle.size) + ")");
  std::printf("%s\n", escape_text(published.url).c_str());
  return 0;
}

}  // namespace lmp::cli
