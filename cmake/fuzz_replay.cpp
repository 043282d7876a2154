// A main() for the fuzz targets when libFuzzer is not available (cmake/fuzz.cmake,
// LMP_FUZZ_REPLAY): runs LLVMFuzzerTestOneInput once per file named on the command line,
// or per file inside a named directory, and prints how many inputs ran.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

void run_file(const std::filesystem::path& path, std::size_t& count) {
  std::ifstream in(path, std::ios::binary);
  std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
  LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
  ++count;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t count = 0;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path path = argv[i];
    if (std::filesystem::is_directory(path)) {
      for (const auto& entry : std::filesystem::recursive_directory_iterator(path))
        if (entry.is_regular_file()) run_file(entry.path(), count);
    } else {
      run_file(path, count);
    }
  }
  std::printf("replayed %zu inputs\n", count);
  return 0;
}
