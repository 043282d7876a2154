#include "output/check_printer.h"

#include "common/terminal.h"
#include "common/text_escape.h"

namespace lmp::output {
namespace {

using package::CheckStatus;

constexpr std::string_view kGreen = "\x1b[32m";

std::string mark(CheckStatus status, bool color) {
  std::string_view symbol = status == CheckStatus::kOk     ? "✔"
                            : status == CheckStatus::kFail ? "✘"
                                                           : "–";
  if (!color) return std::string(symbol);
  std::string_view tint = status == CheckStatus::kOk     ? kGreen
                          : status == CheckStatus::kFail ? terminal::kRed
                                                         : terminal::kYellow;
  return std::string(tint) + std::string(symbol) + std::string(terminal::kReset);
}

}  // namespace

std::string render_check_report(const package::CheckReport& report, bool color) {
  std::string out;
  std::string name = report.package.empty() ? std::string("the package") : report.package;
  if (!report.version.empty()) name += " " + report.version;
  out += "Checking " + escape_text(name) + " on Linux " + escape_text(report.kernel_release) + " " +
         escape_text(report.arch) + "\n";
  std::size_t passed = 0, failed = 0, skipped = 0;
  for (const auto& c : report.checks) {
    (c.status == CheckStatus::kOk ? passed : c.status == CheckStatus::kFail ? failed : skipped)++;
    out += mark(c.status, color) + " " + escape_text(c.title);
    if (!c.reason.empty()) out += ": " + escape_text(c.reason);
    out += "\n";
    if (c.status != CheckStatus::kOk && !c.hint.empty())
      out += "    hint: " + escape_text(c.hint) + "\n";
  }
  out += std::to_string(passed) + " passed, " + std::to_string(failed) + " failed, " +
         std::to_string(skipped) + " skipped: ";
  if (failed)
    out += "this package will not run here\n";
  else if (skipped)
    out += "no check failed (skipped checks need root, or were not asked for)\n";
  else
    out += "this package runs here\n";
  return out;
}

}  // namespace lmp::output
