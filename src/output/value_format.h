// How a member's value is shown to people: decoded by its BTF type and name, or as a
// `/// @format` doc comment says (docs/output.md, "Values"). The table shows the decoded
// text instead of the number; JSON keeps the raw number and adds the text beside it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"

struct btf;

namespace lmp::output {

enum class ValueKind {
  kRaw,       // as the type says (the default)
  kIpv4,      // 4 bytes in network order (u32 or u8[4]) -> "10.0.0.1"
  kIpv6,      // 16 bytes (u8[16], __int128) -> "::1"; IPv4-mapped shown as ::ffff:a.b.c.d
  kIp,        // 4 or 16 bytes: IPv4 or IPv6 by the struct's family member (AF_INET/AF_INET6)
  kPort,      // u16 in network order -> host order number
  kErrno,     // errno value (negative: negated) -> "ENOENT"
  kSignal,    // -> "SIGKILL"
  kSyscall,   // system call number -> "openat"
  kFlags,     // bit set; arg names the set (common/value_names.h) -> "O_RDONLY|O_CLOEXEC"
  kDuration,  // arg is the unit of the raw number: ns, us, ms, s -> "1.25ms"
  kKsym,      // kernel address -> "vfs_read+0x1a" (/proc/kallsyms)
  kKstack,    // array of kernel addresses -> "func1;func2;..." (zeros end it)
  kUstack,    // array of user addresses -> "libc.so.6+0x29d90;..." (/proc/PID/maps of the event)
  kHex,       // integer -> "0x1f"
};

struct ValueFormat {
  ValueKind kind = ValueKind::kRaw;
  std::string arg;  // kFlags: set name; kDuration: unit

  bool operator==(const ValueFormat&) const = default;
};

// Parses the word of a `/// @format WORD` comment: raw, ipv4, ipv6, ip, port, errno, signal,
// syscall, flags:SET, duration:UNIT (duration alone = ns), ksym, kstack, hex. Errors
// (kBadPackage) name the word and list the valid ones.
Result<ValueFormat> parse_value_format(std::string_view word);
// The word parse_value_format reads back ("flags:open").
std::string to_string(const ValueFormat& format);

// The format a member gets without a doc comment, from its name and BTF type (the table in
// docs/output.md): e.g. an int `sig` -> kSignal, `saddr` of 4 bytes -> kIpv4, of 16 -> kIpv6
// (kIp when `has_family`), `syscall_id` -> kSyscall, `err` -> kErrno, `*_ns` -> kDuration.
ValueFormat infer_value_format(const btf* btf, std::string_view member_name, uint32_t type_id,
                               bool has_family);

// True when the struct member `name` holds the address family (family, af, sa_family...).
bool is_family_member(std::string_view name);

// The JSON key of the decoded text beside member `name`: "sig" -> "sig_name" for names
// (errno, signal, syscall, flags, ksym, kstack), "saddr" -> "saddr_text" for addresses,
// ports and durations. Empty for kRaw (no extra key).
std::string decoded_key(const ValueFormat& format, std::string_view name);

// The decoded text of a value: `bytes` are the member's bytes (host-endian integer, or the
// array's bytes), `is_signed` its integer signedness, `family` the value of the struct's
// family member when it has one. nullopt when the value has no text (leave it raw), e.g.
// errno 0 or an unknown signal number.
// `pid` is the process the value belongs to (the event's pid), for user addresses.
std::optional<std::string> format_value(const ValueFormat& format, std::span<const uint8_t> bytes,
                                        bool is_signed, std::optional<uint64_t> family,
                                        std::optional<int64_t> pid = std::nullopt);

// The number a name stands for under `format` (input: filters, options): "SIGKILL" -> 9,
// "ENOENT" -> 2, "openat" -> 257, "10.0.0.1" -> its u32 in network order as stored.
std::optional<int64_t> parse_value_text(const ValueFormat& format, std::string_view text);

}  // namespace lmp::output
