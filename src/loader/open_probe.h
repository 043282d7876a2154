// Opens an eBPF object with libbpf in a forked child before lmp opens it itself: whatever
// crash of libbpf's parser check_object (object_check.h) does not foresee kills the child,
// not lmp, and is reported as a malformed object. Costs a fork and one extra parse (about a
// millisecond for a catalog tool); no kernel access, so it works without privileges.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>

namespace lmp::loader {

enum class ProbeOutcome {
  kOpened,    // libbpf opened it
  kRefused,   // libbpf returned an error (lmp's own open reports it)
  kCrashed,   // the child died by a signal
  kTimedOut,  // the child did not finish in time and was killed
  kNotRun,    // fork failed; nothing is known
};

struct ProbeResult {
  ProbeOutcome outcome = ProbeOutcome::kNotRun;
  int signal = 0;  // for kCrashed
};

// Runs bpf_object__open_mem(elf, {object_name, btf_custom_path}) in a child with default
// signal dispositions and no core dump, and waits for it up to `timeout`.
ProbeResult probe_open(std::span<const uint8_t> elf, const std::string& object_name,
                       const std::string& btf_path,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace lmp::loader
