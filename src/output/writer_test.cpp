#include "output/writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ostream>
#include <string>

#include <gtest/gtest.h>

namespace lmp::output {
namespace {

using namespace std::chrono_literals;

struct Pipe {
  int read_end = -1, write_end = -1;
  Pipe() {
    int fds[2];
    EXPECT_EQ(pipe(fds), 0);
    read_end = fds[0];
    write_end = fds[1];
  }
  ~Pipe() {
    if (read_end >= 0) close(read_end);
    if (write_end >= 0) close(write_end);
  }
  std::string drain() {
    std::string all;
    char buffer[65536];
    int flags = fcntl(read_end, F_GETFL);
    fcntl(read_end, F_SETFL, flags | O_NONBLOCK);
    ssize_t n;
    while ((n = read(read_end, buffer, sizeof(buffer))) > 0) all.append(buffer, n);
    return all;
  }
};

TEST(OutputWriterTest, RecordsReachTheReader) {
  Pipe pipe;
  OutputWriter writer(pipe.write_end);
  std::ostream out(&writer);
  out.write("one\n", 4);
  out << "two\n";
  ASSERT_TRUE(writer.flush());
  EXPECT_EQ(pipe.drain(), "one\ntwo\n");
  EXPECT_EQ(writer.unwritten(), 0u);
}

TEST(OutputWriterTest, StalledReaderNeverBlocksAndDropsWholeRecords) {
  Pipe pipe;  // nobody reads: the pipe fills at 64 KiB
  OutputWriter writer(pipe.write_end, "stdout", 4096);
  std::ostream out(&writer);
  std::string record(100, 'x');
  record.back() = '\n';
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 10000; ++i)
    out.write(record.data(), static_cast<std::streamsize>(record.size()));
  ASSERT_TRUE(writer.flush());
  ASSERT_TRUE(writer.finish(20ms, 100ms));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);  // returned: it did not block
  EXPECT_TRUE(out.good());
  uint64_t unwritten = writer.unwritten();
  EXPECT_GT(unwritten, 0u);
  std::string got = pipe.drain();
  // Every record that was not counted reached the reader whole (the last may be cut short).
  EXPECT_GE(got.size() / record.size() + unwritten, 10000u);
  EXPECT_LE(got.size() / record.size() + unwritten, 10001u);
}

TEST(OutputWriterTest, FullDiskIsAnError) {
  int fd = open("/dev/full", O_WRONLY);
  ASSERT_GE(fd, 0);
  {
    OutputWriter writer(fd);
    std::ostream out(&writer);
    out << "event\n";
    auto flushed = writer.flush();
    ASSERT_FALSE(flushed);
    EXPECT_EQ(flushed.error().code, ExitCode::kFailure);
    EXPECT_NE(flushed.error().message.find("No space left"), std::string::npos);
    out << "later\n";
    EXPECT_FALSE(writer.finish(10ms, 10ms));
    EXPECT_EQ(writer.unwritten(), 2u);
  }
  close(fd);
}

TEST(OutputWriterTest, ClosedReaderStopsWithoutError) {
  Pipe pipe;
  close(pipe.read_end);
  pipe.read_end = -1;
  OutputWriter writer(pipe.write_end);  // SIGPIPE is ignored while it lives
  std::ostream out(&writer);
  out << "event\n";
  EXPECT_TRUE(writer.flush());
  EXPECT_TRUE(writer.closed());
  EXPECT_EQ(writer.unwritten(), 1u);
}

TEST(OutputWriterTest, RegularFileTakesEverything) {
  char path[] = "/tmp/lmp-writer-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  {
    OutputWriter writer(fd, "stdout", 1024);
    std::ostream out(&writer);
    std::string record(200, 'y');
    for (int i = 0; i < 1000; ++i) out.write(record.data(), 200);
    ASSERT_TRUE(writer.finish(10ms, 100ms));
    EXPECT_EQ(writer.unwritten(), 0u);
  }
  EXPECT_EQ(lseek(fd, 0, SEEK_END), 200000);
  close(fd);
  unlink(path);
}

}  // namespace
}  // namespace lmp::output
