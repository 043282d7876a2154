#include "output/writer.h"

#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

namespace lmp::output {
namespace {

// Past this many buffered bytes a record is written at once, so a fast reader (a file) keeps
// up during a flood instead of the buffer filling between poll rounds.
constexpr std::size_t kEagerBytes = 64u << 10;

}  // namespace

OutputWriter::OutputWriter(int fd, std::string name, std::size_t capacity)
    : fd_(fd), name_(std::move(name)), capacity_(capacity) {
  struct stat st {};
  whole_writes_ = fstat(fd_, &st) == 0 && (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode));
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  sigaction(SIGPIPE, &ignore, &old_pipe_);
}

OutputWriter::~OutputWriter() {
  sigaction(SIGPIPE, &old_pipe_, nullptr);
}

std::streamsize OutputWriter::xsputn(const char* data, std::streamsize size) {
  if (size <= 0) return size;
  auto n = static_cast<std::size_t>(size);
  ++offered_;
  // A record larger than the whole buffer is still taken when the buffer is empty.
  if (!error_ && !closed_ && pending() > 0 && pending() + n > capacity_) write_ready();
  if (error_ || closed_ || (pending() > 0 && pending() + n > capacity_)) {
    ++dropped_;
    return size;  // dropped, not failed: the stream stays good
  }
  if (head_ > 0 && head_ >= buffer_.size() / 2) {  // keep the buffer from growing
    buffer_.erase(0, head_);
    head_ = 0;
  }
  buffer_.append(data, n);
  appended_ += n;
  ends_.push_back(appended_);
  if (pending() >= kEagerBytes) write_ready();
  return size;
}

int OutputWriter::sync() {
  if (!error_ && !closed_ && pending() > 0) write_ready();
  return 0;
}

OutputWriter::int_type OutputWriter::overflow(int_type ch) {
  if (traits_type::eq_int_type(ch, traits_type::eof())) return traits_type::not_eof(ch);
  char c = traits_type::to_char_type(ch);
  xsputn(&c, 1);
  return ch;
}

void OutputWriter::drop_pending() {
  dropped_ += ends_.size();
  ends_.clear();
  buffer_.clear();
  head_ = 0;
}

void OutputWriter::write_ready() {
  while (pending() > 0 && !error_ && !closed_) {
    std::size_t chunk = pending();
    if (!whole_writes_) {
      // A pipe, terminal or socket that reports POLLOUT takes PIPE_BUF bytes without blocking.
      pollfd p{fd_, POLLOUT, 0};
      int ready = ::poll(&p, 1, 0);
      if (ready <= 0) return;  // not writable now (or interrupted): try again later
      chunk = std::min<std::size_t>(chunk, PIPE_BUF);
    }
    ssize_t n = ::write(fd_, buffer_.data() + head_, chunk);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) return;
      if (errno == EPIPE) {
        closed_ = true;
      } else {
        error_ =
            Error{ExitCode::kFailure, "cannot write to " + name_ + ": " + std::strerror(errno), ""};
      }
      drop_pending();
      return;
    }
    head_ += static_cast<std::size_t>(n);
    written_ += static_cast<uint64_t>(n);
    while (!ends_.empty() && ends_.front() <= written_) {
      ends_.pop_front();
      ++written_records_;
    }
    if (head_ == buffer_.size()) {
      buffer_.clear();
      head_ = 0;
    }
  }
}

Result<void> OutputWriter::flush() {
  write_ready();
  if (error_) return std::unexpected(*error_);
  return {};
}

Result<void> OutputWriter::finish(std::chrono::milliseconds idle, std::chrono::milliseconds total) {
  using Clock = std::chrono::steady_clock;
  auto start = Clock::now();
  auto progress = start;
  write_ready();
  while (pending() > 0 && !error_ && !closed_) {
    auto now = Clock::now();
    auto until = std::min(progress + idle, start + total);
    if (now >= until) break;
    pollfd p{fd_, POLLOUT, 0};
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(until - now).count();
    ::poll(&p, 1, static_cast<int>(std::max<long long>(wait, 1)));
    uint64_t before = written_;
    write_ready();
    if (written_ != before) progress = Clock::now();
  }
  if (error_) return std::unexpected(*error_);
  return {};
}

}  // namespace lmp::output
