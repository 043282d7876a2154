#include "loader/trace_pipe.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace lmp::loader {
namespace {

TEST(TracePipe, DeliversCompleteLinesAndKeepsThePartialOne) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  UniqueFd write_end(fds[1]);
  TracePipe pipe_reader{UniqueFd(fds[0])};
  std::vector<std::string> lines;
  auto collect = [&](std::string_view line) { lines.emplace_back(line); };

  pipe_reader.drain(collect);  // nothing written: returns at once
  EXPECT_TRUE(lines.empty());

  std::string first = "one\ntwo\npart";
  ASSERT_EQ(write(write_end.get(), first.data(), first.size()), ssize_t(first.size()));
  pipe_reader.drain(collect);
  EXPECT_EQ(lines, (std::vector<std::string>{"one", "two"}));

  std::string rest = "ial\n";
  ASSERT_EQ(write(write_end.get(), rest.data(), rest.size()), ssize_t(rest.size()));
  pipe_reader.drain(collect);
  EXPECT_EQ(lines, (std::vector<std::string>{"one", "two", "partial"}));
}

}  // namespace
}  // namespace lmp::loader
