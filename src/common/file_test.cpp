#include "common/file.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace lmp {
namespace {

TEST(FileTest, AtomicWriteThenRead) {
  auto dir = std::filesystem::temp_directory_path() / "lmp_file_test";
  std::filesystem::create_directories(dir);
  auto path = dir / "x.txt";
  ASSERT_TRUE(write_file_atomic(path, "hello"));
  auto text = read_file(path);
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, "hello");
  // No temp files left beside it.
  int count = 0;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(dir)) ++count;
  EXPECT_EQ(count, 1);
  std::filesystem::remove_all(dir);
}

TEST(FileTest, MissingFileIsNotFound) {
  auto r = read_file("/nonexistent/lmp/file");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ExitCode::kNotFound);
}

TEST(FileTest, SizeCapRefusesLargeFile) {
  auto dir = std::filesystem::temp_directory_path();
  auto path = dir / "lmp_big_test.txt";
  ASSERT_TRUE(write_file_atomic(path, std::string(100, 'x')));
  auto r = read_file(path, 10);
  ASSERT_FALSE(r);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace lmp
