#include <gtest/gtest.h>

#include "output/output.h"

namespace lmp::output {
namespace {

TEST(TextLineRecord, TableIsTheLineJsonIsTheFields) {
  EXPECT_EQ(text_line_record(Format::kTable, "pid 1", {{"iterator", "tasks"}}), "pid 1\n");
  EXPECT_EQ(text_line_record(Format::kJson, "pid 1", {{"iterator", "t"}, {"line", "pid 1"}}),
            "{\"iterator\":\"t\",\"line\":\"pid 1\"}\n");
  // Bytes that are not UTF-8 do not end the run: they are replaced.
  std::string bad = "a\xff";
  EXPECT_EQ(text_line_record(Format::kJson, bad, {{"trace_pipe", bad}}),
            "{\"trace_pipe\":\"a\xEF\xBF\xBD\"}\n");
}

}  // namespace
}  // namespace lmp::output
