// libFuzzer target for parse_reference: never crashes, and accepted references print back
// to text that parses to the same kind.
// Build with a clang whose C++ library has std::expected (clang >= 16 with libstdc++ 12):
//   clang++ -std=c++2b -fsanitize=fuzzer,address -Isrc src/registry/reference_fuzz.cpp
//     src/registry/reference.cpp src/registry/semver.cpp src/registry/digest.cpp -lsodium
// Debian 12's clang 14 cannot; there, add -DLMP_FUZZ_REPLAY and build with g++
// -fsanitize=address,undefined to replay inputs given as files: ./ref_fuzz FILE...
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
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

#ifdef LMP_FUZZ_REPLAY
int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    std::string data(std::istreambuf_iterator<char>(in), {});
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
  }
  return 0;
}
#endif
