// lmp init NAME [--template T]
#include <CLI/CLI.hpp>

#include <string>

#include "cli/command.h"
#include "common/log.h"
#include "compiler/project_template.h"

namespace lmp::cli {

Result<int> init_command(Args args) {
  std::string templates;
  for (const auto& n : compiler::template_names()) templates += (templates.empty() ? "" : ", ") + n;
  CLI::App app{"Create a new eBPF project in directory NAME from a template", "lmp init"};
  std::string name, template_name(compiler::kDefaultTemplate);
  app.add_option("name", name, "project name (also the directory created)")->required();
  app.add_option("-t,--template", template_name, "template: " + templates + " (default: default)");
  try {
    app.parse(static_cast<int>(args.size()), args.data());
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : static_cast<int>(ExitCode::kUsage);
  }
  auto files = LMP_TRY(compiler::create_project(name, name, template_name));
  log::info("Created " + name + "/ from template '" + template_name + "':");
  for (const auto& f : files) log::info("  " + f.string());
  log::info("Next: cd " + name + " && lmp build && sudo lmp run package.json");
  return 0;
}

}  // namespace lmp::cli
