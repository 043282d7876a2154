#include "package/check_report.h"

#include <gtest/gtest.h>

namespace lmp::package {
namespace {

CheckReport sample_check_report() {
  CheckReport r;
  r.package = "opensnoop";
  r.version = "0.1.0";
  r.kernel_release = "6.1.0-18-amd64";
  r.arch = "x86_64";
  r.trial_load = true;
  r.checks = {
      {"kernel", CheckStatus::kOk, "kernel 6.1", "Linux 6.1", "", ""},
      {"map/events", CheckStatus::kFail, "map events", "not here", "upgrade", "ring buffer"},
      {"trial-load", CheckStatus::kSkip, "trial load", "--no-load", "", ""}};
  return r;
}

TEST(CheckReportTest, JsonRoundTrips) {
  CheckReport r = sample_check_report();
  nlohmann::json j = nlohmann::json::parse(check_report_json(r).dump());
  EXPECT_EQ(j["schema"], kCheckReportSchema);
  EXPECT_EQ(j["passed"], false);
  EXPECT_EQ(j["failed"], nlohmann::json::array({"map/events"}));
  EXPECT_EQ(j["checks"][1]["status"], "fail");
  EXPECT_EQ(j["checks"][1]["needs"], "ring buffer");
  EXPECT_FALSE(j["checks"][0].contains("hint"));  // empty hints are left out
  auto parsed = parse_check_report(j);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->package, "opensnoop");
  EXPECT_EQ(parsed->kernel_release, r.kernel_release);
  EXPECT_TRUE(parsed->trial_load);
  ASSERT_EQ(parsed->checks.size(), 3u);
  EXPECT_EQ(parsed->checks[1].status, CheckStatus::kFail);
  EXPECT_EQ(parsed->checks[2].status, CheckStatus::kSkip);
  EXPECT_EQ(parsed->checks[1].hint, "upgrade");
  EXPECT_EQ(parsed->failed_ids(), std::vector<std::string>{"map/events"});
  EXPECT_EQ(parsed->first_failure()->id, "map/events");
}

TEST(CheckReportTest, PassedMeansNoFailure) {
  CheckReport r = sample_check_report();
  r.checks.erase(r.checks.begin() + 1);
  EXPECT_TRUE(r.passed());  // a skipped check is not a failure
  EXPECT_EQ(r.first_failure(), nullptr);
}

TEST(CheckReportTest, ParseRefusesWhatItDoesNotKnow) {
  auto refused = [](nlohmann::json j, const std::string& word) {
    auto parsed = parse_check_report(j);
    ASSERT_FALSE(parsed) << j.dump();
    EXPECT_EQ(parsed.error().code, ExitCode::kBadPackage);
    EXPECT_NE(parsed.error().message.find(word), std::string::npos) << parsed.error().message;
  };
  nlohmann::json good = nlohmann::json::parse(check_report_json(sample_check_report()).dump());
  refused(nlohmann::json::array(), "object");
  auto j = good;
  j["schema"] = 2;
  refused(j, "schema");
  j = good;
  j["checks"][0]["status"] = "maybe";
  refused(j, "maybe");
  j = good;
  j["kernel"].erase("release");
  refused(j, "release");
  j = good;
  j["checks"][0]["reason"] = std::string(kMaxReportText + 1, 'x');
  refused(j, "too long");
  j = good;
  j["checks"][0]["id"] = 7;
  refused(j, "not a string");
  j = good;
  j["checks"] = nlohmann::json::array();
  for (std::size_t i = 0; i <= kMaxReportChecks; ++i) j["checks"].push_back(good["checks"][0]);
  refused(j, "too many");
}

}  // namespace
}  // namespace lmp::package
