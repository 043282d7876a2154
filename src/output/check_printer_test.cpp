#include "output/check_printer.h"

#include <gtest/gtest.h>

namespace lmp::output {
namespace {

using package::CheckStatus;

package::CheckReport sample() {
  package::CheckReport r;
  r.package = "opensnoop";
  r.version = "0.1.0";
  r.kernel_release = "6.1.0";
  r.arch = "x86_64";
  r.checks = {
      {"btf", CheckStatus::kOk, "kernel BTF is available", "/sys/kernel/btf/vmlinux", "", ""},
      {"attach/p", CheckStatus::kFail, "tracepoint a/b exists", "it does not", "upgrade", "x"},
      {"trial-load", CheckStatus::kSkip, "trial load", "--no-load", "", ""}};
  return r;
}

TEST(CheckPrinterTest, OneLinePerCheckWithHintsBelowFailures) {
  std::string text = render_check_report(sample(), false);
  EXPECT_EQ(text,
            "Checking opensnoop 0.1.0 on Linux 6.1.0 x86_64\n"
            "✔ kernel BTF is available: /sys/kernel/btf/vmlinux\n"
            "✘ tracepoint a/b exists: it does not\n"
            "    hint: upgrade\n"
            "– trial load: --no-load\n"
            "1 passed, 1 failed, 1 skipped: this package will not run here\n");
}

TEST(CheckPrinterTest, ColourOnlyWhenAsked) {
  EXPECT_EQ(render_check_report(sample(), false).find("\x1b["), std::string::npos);
  std::string coloured = render_check_report(sample(), true);
  EXPECT_NE(coloured.find("\x1b[32m✔\x1b[0m"), std::string::npos);
  EXPECT_NE(coloured.find("\x1b[31m✘\x1b[0m"), std::string::npos);
}

TEST(CheckPrinterTest, ControlCharactersFromPackagesAreEscaped) {
  auto r = sample();
  r.checks[0].reason = "a\x1b[2Jb";
  EXPECT_EQ(render_check_report(r, false).find("\x1b[2J"), std::string::npos);
}

TEST(CheckPrinterTest, SummarySaysWhetherItRuns) {
  auto r = sample();
  r.checks.erase(r.checks.begin() + 1);
  EXPECT_NE(render_check_report(r, false).find("no check failed"), std::string::npos);
  r.checks.pop_back();
  EXPECT_NE(render_check_report(r, false).find("this package runs here"), std::string::npos);
}

}  // namespace
}  // namespace lmp::output
