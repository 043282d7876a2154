// Whole-file reads with a size cap, and atomic writes (temp file + rename).
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "common/result.h"

namespace lmp {

// Files bigger than this are refused by read_file unless a larger cap is given.
inline constexpr std::size_t kMaxInputFileBytes = 256u * 1024 * 1024;

// Reads a whole file. Errors: kNotFound when missing, kFailure otherwise.
Result<std::string> read_file(const std::filesystem::path& path,
                              std::size_t max_bytes = kMaxInputFileBytes);

// Writes `content` to a temp file beside `path`, fsyncs and renames it over `path`,
// so readers never see a partial file. `mode` applies to the new file.
Result<void> write_file_atomic(const std::filesystem::path& path, std::string_view content,
                               unsigned mode = 0644);

}  // namespace lmp
