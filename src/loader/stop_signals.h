// SIGINT/SIGTERM as a stop request, for `lmp run`'s poll loop and for WebAssembly guests.
#pragma once

#include <csignal>

namespace lmp::loader {

// While alive, SIGINT and SIGTERM set a flag instead of killing lmp (the previous handlers
// come back on destruction). The handlers are installed without SA_RESTART, so a blocking
// wait returns early. With `once`, each handler resets after its first delivery: a second
// Ctrl-C kills lmp (the way out of a WebAssembly guest that never calls the host).
class StopSignals {
 public:
  explicit StopSignals(bool once = false);
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // Whether a stop was requested since construction. Async-signal-safe to read.
  static bool requested();

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

}  // namespace lmp::loader
