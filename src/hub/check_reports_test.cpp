#include "hub/check_reports.h"

#include "hub/sqlite_test_util.h"

namespace lmp::hub {
namespace {

using testing::StorageFixture;

CheckReportRecord report(const std::string& release, const std::string& arch, bool passed,
                         const std::string& needs = {}, UnixTime when = 1) {
  CheckReportRecord r;
  r.kernel_release = release;
  r.arch = arch;
  r.passed = passed;
  r.needs = needs;
  r.reported = when;
  if (!passed) r.failed = {"map/events"};
  return r;
}

TEST(CheckReportsTest, RunsOnIsOneEntryPerKernelAndArchNewestFirst) {
  // Newest first, as storage lists them: the newer 6.1 report wins.
  std::vector<CheckReportRecord> reports = {
      report("6.1.0-18-amd64", "x86_64", true, "", 5),
      report("5.4.0-42-generic", "x86_64", false, "ring buffer", 4),
      report("6.1.0-10-amd64", "x86_64", false, "kprobes", 3),
      report("6.1.0-18-arm64", "aarch64", true, "", 2),
      report("6.8.0", "x86_64", true, "", 1),
  };
  auto kernels = summarize_check_reports(reports);
  ASSERT_EQ(kernels.size(), 4u);
  EXPECT_EQ(kernels[0].kernel, "6.8");
  EXPECT_EQ(kernels[1].kernel, "6.1");
  EXPECT_EQ(kernels[1].arch, "aarch64");
  EXPECT_EQ(kernels[2].release, "6.1.0-18-amd64");
  EXPECT_TRUE(kernels[2].passed);
  EXPECT_EQ(runs_on_text(kernels),
            "kernel 6.8 x86_64 ✔, 6.1 aarch64 ✔, 6.1 x86_64 ✔, 5.4 x86_64 ✘ (needs ring buffer)");
  EXPECT_EQ(runs_on_text({}), "");
}

TEST(CheckReportsTest, ReleaseThatIsNotANumberIsShownAsIs) {
  auto kernels = summarize_check_reports({report("custom", "riscv64", true)});
  ASSERT_EQ(kernels.size(), 1u);
  EXPECT_EQ(runs_on_text(kernels), "kernel custom riscv64 ✔");
}

TEST(CheckReportsTest, RecordKeepsTheFirstFailuresNeeds) {
  package::CheckReport r;
  r.kernel_release = "5.4.0";
  r.arch = "x86_64";
  r.checks = {{"btf", package::CheckStatus::kOk, "kernel BTF", "", "", ""},
              {"map/events", package::CheckStatus::kFail, "map events", "no", "", "ring buffer"},
              {"core", package::CheckStatus::kFail, "CO-RE", "no", "", "task_struct.x"}};
  CheckReportRecord record = check_report_record(r);
  EXPECT_FALSE(record.passed);
  EXPECT_EQ(record.needs, "ring buffer");
  EXPECT_EQ(record.failed, (std::vector<std::string>{"map/events", "core"}));
}

class CheckReportStorageTest : public StorageFixture {};

TEST_F(CheckReportStorageTest, ReportsAreStoredPerVersionAndReplacedPerUser) {
  publish_ok(testing::make_version("tool", "1.0.0"), alice_);
  ASSERT_TRUE(storage_->add_check_report("tool", "1.0.0", report("6.1.0", "x86_64", false, "x", 10),
                                         alice_.id));
  ASSERT_TRUE(storage_->add_check_report("tool", "1.0.0", report("6.1.0", "x86_64", true, "", 20),
                                         alice_.id));  // replaces alice's
  ASSERT_TRUE(storage_->add_check_report(
      "tool", "1.0.0", report("5.4.0", "x86_64", false, "ring buffer", 15), bob_.id));
  auto reports = storage_->check_reports("tool", "1.0.0");
  ASSERT_TRUE(reports) << reports.error().message;
  ASSERT_EQ(reports->size(), 2u);
  EXPECT_EQ((*reports)[0].reporter, "alice");
  EXPECT_TRUE((*reports)[0].passed);
  EXPECT_EQ((*reports)[1].needs, "ring buffer");
  EXPECT_EQ((*reports)[1].failed, std::vector<std::string>{"map/events"});

  auto missing =
      storage_->add_check_report("tool", "2.0.0", report("6.1.0", "x86_64", true), alice_.id);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ExitCode::kNotFound);
  auto none = storage_->check_reports("nope", "1.0.0");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

}  // namespace
}  // namespace lmp::hub
