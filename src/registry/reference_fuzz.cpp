// libFuzzer target for parse_reference: never crashes, and accepted references print back
// to text that parses to the same kind.
// Build: clang++ -std=c++2b -fsanitize=fuzzer,address -Isrc src/registry/reference_fuzz.cpp
//        src/registry/reference.cpp src/registry/semver.cpp src/registry/digest.cpp -lsodium
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "registry/reference.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto no_files = [](const std::filesystem::path&) { return false; };
  auto ref = lmp::registry::parse_reference(text, no_files);
  if (!ref) return 0;
  if (ref->kind == lmp::registry::ReferenceKind::kLocalPath) return 0;
  auto again = lmp::registry::parse_reference(lmp::registry::to_string(*ref), no_files);
  if (!again || again->kind != ref->kind) std::abort();
  return 0;
}
