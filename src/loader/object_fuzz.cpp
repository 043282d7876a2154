// libFuzzer target for the checks lmp makes before libbpf parses an untrusted eBPF object
// (see cmake/fuzz.cmake). Each input is an ELF object. check_object must not crash on it;
// when it accepts the object, libbpf 1.1.2 really opens it, in the forked child lmp uses
// (probe_open), and a crash or hang there is a finding: an object class check_object lets
// through to a libbpf that cannot take it. Seeds: objects from lmp build and the objects
// that crashed libbpf (src/loader/fuzz_seeds/object).
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>

#include "loader/object_check.h"
#include "loader/open_probe.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> elf(data, size);
  if (!lmp::loader::check_object(elf)) return 0;
  using lmp::loader::ProbeOutcome;
  auto probe = lmp::loader::probe_open(elf, "fuzz", "", std::chrono::seconds(5));
  if (probe.outcome == ProbeOutcome::kCrashed) {
    std::fprintf(stderr, "object_fuzz: libbpf died by signal %d on an accepted object\n",
                 probe.signal);
    std::abort();
  }
  if (probe.outcome == ProbeOutcome::kTimedOut) {
    std::fprintf(stderr, "object_fuzz: libbpf did not finish opening an accepted object\n");
    std::abort();
  }
  return 0;
}
