// Names of kernel values for people: errno values, signals, system calls (libseccomp's table
// for the running architecture) and bit sets such as open(2) flags. Both ways: number to name
// for output, name to number for input (`--filter sig=SIGKILL`, a tool's `-s SIGKILL`).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lmp {

// "ENOENT" for 2 (and for -2: a negative value is a negated errno, as kernel returns are);
// nullopt for 0 and unknown values.
std::optional<std::string> errno_name(int64_t value);
// 2 for "ENOENT" (also "enoent"); nullopt when unknown.
std::optional<int64_t> errno_number(std::string_view name);

// "SIGKILL" for 9, "SIGRTMIN+3" for real-time signals; nullopt for 0 and unknown values.
std::optional<std::string> signal_name(int64_t value);
// 9 for "SIGKILL", "KILL", "kill" or "9"; nullopt when unknown.
std::optional<int64_t> signal_number(std::string_view name);

// "openat" for 257 on x86_64 (the running architecture); nullopt when unknown.
std::optional<std::string> syscall_name(int64_t value);
// 257 for "openat"; nullopt when unknown.
std::optional<int64_t> syscall_number(std::string_view name);

// Bit sets by name: "open" (O_ flags, with the access mode), "mmap_prot" (PROT_), "mmap"
// (MAP_), "clone" (CLONE_). "O_RDONLY|O_CLOEXEC"; unknown bits are appended as hex
// ("|0x40000000"). nullopt when `set` is not a known set name.
std::optional<std::string> flags_text(std::string_view set, uint64_t value);
bool is_flag_set(std::string_view set);

}  // namespace lmp
