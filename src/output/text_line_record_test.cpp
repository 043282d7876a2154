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

TEST(TextLineRecord, YamlIsOneDocument) {
  EXPECT_EQ(text_line_record(Format::kYaml, "pid 1",
                             {{"iterator", "tasks"}, {"line", "pid 1"}, {"n", 3}, {"on", "yes"}}),
            // "n", like "on" and "yes", is a boolean to YAML 1.1 readers: quoted.
            "---\niterator: tasks\nline: pid 1\n\"n\": 3\n\"on\": \"yes\"\n");
  std::string bad = "a\xff";
  EXPECT_EQ(text_line_record(Format::kYaml, bad, {{"trace_pipe", bad}}),
            "---\ntrace_pipe: \"a\xEF\xBF\xBD\"\n");
}

}  // namespace
}  // namespace lmp::output
