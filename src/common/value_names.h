// Names of kernel values for people: errno values, signals, system calls (libseccomp's table
// for the running architecture) and bit sets such as open(2) flags. Both ways: number to name
// for output, name to number for input (`--filter sig=SIGKILL`, a tool's `-s SIGKILL`).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lmp {

// "ENOENT" for 2 (and for -2: a negative value is a negated errno, as kernel returns are);
// nullopt for 0 and unknown values.
std::optional<std::string> errno_name(int64_t value);
// 2 for "ENOENT" (also "enoent", "2", and the kernel-internal ERESTARTSYS...); nullopt when
// unknown.
std::optional<int64_t> errno_number(std::string_view name);

// "SIGKILL" for 9; real-time signals counted as `kill -l` does, from glibc's SIGRTMIN (34):
// "SIGRTMIN", "SIGRTMIN+3", ..., "SIGRTMAX" (64); glibc's own 32 and 33 are "SIG32", "SIG33".
// nullopt for 0 and unknown values.
std::optional<std::string> signal_name(int64_t value);
// 9 for "SIGKILL", "KILL", "kill" or "9"; also SIGRTMIN+N, SIGRTMAX-N, aliases (SIGIOT,
// SIGPOLL, SIGCLD); nullopt when unknown.
std::optional<int64_t> signal_number(std::string_view name);

// "openat" for 257 on x86_64 (the running architecture); nullopt when unknown.
std::optional<std::string> syscall_name(int64_t value);
// 257 for "openat" (or "257"); nullopt when unknown.
std::optional<int64_t> syscall_number(std::string_view name);

// Bit sets by name: "open" (O_ flags, with the access mode), "mmap_prot" (PROT_), "mmap"
// (MAP_), "clone" (CLONE_). "O_RDONLY|O_CLOEXEC"; unknown bits are appended as hex
// ("|0x40000000"). 0 is "O_RDONLY", "PROT_NONE", else "0". Multi-bit flags (O_TMPFILE, O_SYNC)
// are named whole, before the flags they contain. nullopt when `set` is not a known set name.
std::optional<std::string> flags_text(std::string_view set, uint64_t value);
// The reverse: "O_WRONLY|O_CREAT" (any case; numbers and 0x.. parts allowed) -> bits.
std::optional<uint64_t> flags_number(std::string_view set, std::string_view text);
bool is_flag_set(std::string_view set);
// The set names flags_text knows, in a fixed order ("open", "mmap_prot", "mmap", "clone").
std::vector<std::string_view> flag_set_names();

}  // namespace lmp
