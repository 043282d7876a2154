// User-space addresses as MODULE+0xOFFSET, from /proc/PID/maps (the `ustack` format,
// docs/values.md). Internal to the output module.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lmp::output::detail {

// One file-backed executable mapping of a process.
struct UserMapping {
  uint64_t start = 0;
  uint64_t end = 0;
  uint64_t offset = 0;  // in the file
  std::string module;   // the file's base name ("libc.so.6")
};

// The executable, file-backed mappings in a /proc/PID/maps text.
std::vector<UserMapping> parse_user_maps(std::string_view maps_text);

// "libc.so.6+0x29d90" for an address of process `pid`: its module and the offset in that
// file; nullopt when the process is gone or no mapping holds the address. Mappings are read
// once per process and read again (at most once a second) when an address is not found;
// at most 256 processes are remembered (thread-safe).
std::optional<std::string> user_address_text(int64_t pid, uint64_t address);

}  // namespace lmp::output::detail
