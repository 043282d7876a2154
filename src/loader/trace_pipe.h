// Streaming tracefs's trace_pipe (bpf_printk output) for `lmp run --trace-pipe`.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/unique_fd.h"

namespace lmp::loader {

class TracePipe {
 public:
  // Opens <tracefs>/trace_pipe non-blocking (mounting tracefs when needed, tracefs.h).
  // kKernel/kPermission when it cannot be opened. Reading consumes the lines: another
  // reader of trace_pipe (a second lmp, cat) then sees only what this one did not take.
  static Result<TracePipe> open();
  // Over an already open descriptor (tests: a pipe); takes ownership, sets O_NONBLOCK.
  explicit TracePipe(UniqueFd fd);

  // Reads what is ready without blocking (at most kMaxDrainBytes per call, so a flood
  // cannot starve the rest of the loop) and calls `on_line` once per complete line,
  // without its newline. A partial last line waits for the next call.
  void drain(const std::function<void(std::string_view line)>& on_line);

  static constexpr std::size_t kMaxDrainBytes = 1 << 20;

 private:
  UniqueFd fd_;
  std::string partial_;
};

}  // namespace lmp::loader
