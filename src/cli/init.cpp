// lmp init NAME [--template T]
#include <CLI/CLI.hpp>

#include <string>
#include <string_view>

#include "cli/command.h"
#include "common/log.h"
#include "compiler/embedded_templates.h"
#include "compiler/project_template.h"

namespace lmp::cli {

namespace {

// "summary: ..." from the front matter of a template's README.md, without quotes.
std::string template_summary(std::string_view template_name) {
  for (const auto& f : compiler::embedded_template_files()) {
    if (f.template_name != template_name || f.path != "README.md") continue;
    std::size_t at = f.content.find("\nsummary:");
    if (at == std::string_view::npos) return "";
    std::string_view line = f.content.substr(at + 9);
    line = line.substr(0, line.find('\n'));
    while (!line.empty() && (line.front() == ' ' || line.front() == '"')) line.remove_prefix(1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '"')) line.remove_suffix(1);
    return std::string(line);
  }
  return "";
}

}  // namespace

Result<int> init_command(Args args) {
  std::string templates, listing = "Templates:\n";
  for (const auto& n : compiler::template_names()) {
    templates += (templates.empty() ? "" : ", ") + n;
    listing +=
        "  " + n + std::string(n.size() < 10 ? 10 - n.size() : 1, ' ') + template_summary(n) + "\n";
  }
  CLI::App app{"Create a new eBPF project in directory NAME from a template", "lmp init"};
  app.footer(listing);
  std::string name, template_name(compiler::kDefaultTemplate);
  app.add_option("name", name, "project name (also the directory created)")->required();
  app.add_option("-t,--template", template_name, "template: " + templates + " (default: default)");
  try {
    app.parse(static_cast<int>(args.size()), args.data());
  } catch (const CLI::ParseError& e) {
    return parse_error(app, e);
  }
  auto files = LMP_TRY(compiler::create_project(name, name, template_name));
  log::info("Created " + name + "/ from template '" + template_name + "':");
  for (const auto& f : files) log::info("  " + f.string());
  if (template_name == "wasm")
    log::info("Next: cd " + name +
              " && lmp build && lmp gen-wasm-skel && lmp build-wasm && sudo lmp run app.wasm");
  else
    log::info("Next: cd " + name + " && lmp build && sudo lmp run package.json");
  return 0;
}

}  // namespace lmp::cli
