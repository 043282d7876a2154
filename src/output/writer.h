// The bounded, non-blocking output of `lmp run`. Printers write records (one event, one map
// round, one header: one write call each) into a buffer of fixed capacity, and the buffer goes
// to the file descriptor only as fast as its reader takes it, so a stalled reader (a full pipe)
// never blocks lmp and a stop is honoured at once. Records that do not fit are dropped whole
// and counted; a failed write (a full disk) is an error. docs/output.md describes it for users.
#pragma once

#include <chrono>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <streambuf>
#include <string>

#include "common/result.h"

namespace lmp::output {

class OutputWriter final : public std::streambuf {
 public:
  static constexpr std::size_t kDefaultCapacity = 1u << 20;  // 1 MiB waiting for the reader

  // Writes to `fd` (not owned), named `name` in errors ("stdout"). While alive, SIGPIPE is
  // ignored so that a reader closing the pipe is seen as EPIPE instead of killing lmp.
  explicit OutputWriter(int fd, std::string name = "stdout",
                        std::size_t capacity = kDefaultCapacity);
  ~OutputWriter() override;
  OutputWriter(const OutputWriter&) = delete;
  OutputWriter& operator=(const OutputWriter&) = delete;

  // Writes what the descriptor takes now, without waiting. Errors (kFailure) when a write
  // failed, e.g. "cannot write to stdout: No space left on device"; the writer then stays
  // failed and drops every later record. A closed reader (EPIPE) is not an error: see closed().
  Result<void> flush();

  // At the end of a run: keeps writing while the reader takes data, giving up after `idle`
  // without progress or `total` in all. What is still buffered then counts as unwritten.
  Result<void> finish(std::chrono::milliseconds idle, std::chrono::milliseconds total);

  // Bytes waiting for the reader.
  std::size_t pending() const { return buffer_.size() - head_; }
  // The reader closed its end (EPIPE): nothing more can be written.
  bool closed() const { return closed_; }
  bool failed() const { return error_.has_value(); }
  // Records not written: dropped (buffer full, after a failure or EPIPE) plus those still
  // buffered.
  uint64_t unwritten() const { return dropped_ + ends_.size(); }
  // Records offered so far (written, buffered or dropped).
  uint64_t records() const { return offered_; }
  // unwritten() without the first `first` records (e.g. table headers, which are not events).
  // Records are written in order and the first ones are never dropped for lack of room.
  uint64_t unwritten_after(uint64_t first) const {
    uint64_t early = first > written_records_ ? first - written_records_ : 0;
    return unwritten() - std::min(early, unwritten());
  }

 protected:
  std::streamsize xsputn(const char* data, std::streamsize size) override;
  // A stream flush (e.g. a WebAssembly guest's fd_write) writes what the reader takes now,
  // without waiting.
  int sync() override;
  int_type overflow(int_type ch) override;

 private:
  // Writes without waiting; records a failure or EPIPE.
  void write_ready();
  void drop_pending();

  int fd_;
  std::string name_;
  std::size_t capacity_;
  bool whole_writes_ = false;  // regular file or block device: never blocks on a reader
  std::string buffer_;
  std::size_t head_ = 0;       // buffer_[head_..] is not written yet
  uint64_t written_ = 0;       // bytes written since construction
  uint64_t appended_ = 0;      // bytes accepted since construction
  std::deque<uint64_t> ends_;  // end offsets (in appended_ terms) of records not fully written
  uint64_t dropped_ = 0;
  uint64_t offered_ = 0;
  uint64_t written_records_ = 0;
  bool closed_ = false;
  std::optional<Error> error_;
  struct sigaction old_pipe_ {};
};

}  // namespace lmp::output
