// Format words, decoded text and its JSON key, and names read back as numbers. The inference
// from member names and BTF types is in value_infer.cpp.
#include "output/value_format.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <charconv>
#include <cmath>
#include <cstring>

#include "common/value_names.h"
#include "output/ksyms.h"
#include "output/user_maps.h"
#include "package/format_word.h"

namespace lmp::output {
namespace {

struct Word {
  std::string_view word;
  ValueKind kind;
};
constexpr std::array<Word, 14> kWords = {{
    {"raw", ValueKind::kRaw},
    {"ipv4", ValueKind::kIpv4},
    {"ipv6", ValueKind::kIpv6},
    {"ip", ValueKind::kIp},
    {"port", ValueKind::kPort},
    {"errno", ValueKind::kErrno},
    {"signal", ValueKind::kSignal},
    {"syscall", ValueKind::kSyscall},
    {"flags", ValueKind::kFlags},
    {"duration", ValueKind::kDuration},
    {"ksym", ValueKind::kKsym},
    {"kstack", ValueKind::kKstack},
    {"ustack", ValueKind::kUstack},
    {"hex", ValueKind::kHex},
}};

std::string hex(uint64_t value) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value, 16);
  return "0x" + std::string(buf, end);
}

// The member's integer: 1, 2, 4 or 8 host-endian bytes, sign-extended when signed.
std::optional<int64_t> integer(std::span<const uint8_t> bytes, bool is_signed) {
  uint64_t raw = 0;
  switch (bytes.size()) {
    case 1:
      return is_signed ? int64_t(int8_t(bytes[0])) : int64_t(bytes[0]);
    case 2: {
      uint16_t v;
      std::memcpy(&v, bytes.data(), 2);
      return is_signed ? int64_t(int16_t(v)) : int64_t(v);
    }
    case 4: {
      uint32_t v;
      std::memcpy(&v, bytes.data(), 4);
      return is_signed ? int64_t(int32_t(v)) : int64_t(v);
    }
    case 8:
      std::memcpy(&raw, bytes.data(), 8);
      return static_cast<int64_t>(raw);
    default:
      return std::nullopt;
  }
}

std::optional<std::string> address_text(int family, const uint8_t* bytes) {
  char buf[INET6_ADDRSTRLEN];
  if (!inet_ntop(family, bytes, buf, sizeof(buf))) return std::nullopt;
  return std::string(buf);
}

std::optional<std::string> ip_text(ValueKind kind, std::span<const uint8_t> bytes,
                                   std::optional<uint64_t> family) {
  if (kind == ValueKind::kIp && family) {
    if (*family == AF_INET && bytes.size() >= 4) return address_text(AF_INET, bytes.data());
    if (*family == AF_INET6 && bytes.size() == 16) return address_text(AF_INET6, bytes.data());
    return std::nullopt;
  }
  if (kind != ValueKind::kIpv6 && bytes.size() == 4) return address_text(AF_INET, bytes.data());
  if (kind != ValueKind::kIpv4 && bytes.size() == 16) return address_text(AF_INET6, bytes.data());
  return std::nullopt;
}

int64_t unit_ns(std::string_view unit) {
  if (unit == "us") return 1000;
  if (unit == "ms") return 1000 * 1000;
  if (unit == "s") return 1000 * 1000 * 1000;
  return 1;
}

// `value` rounded to 3 significant digits, trailing zeros dropped: 1.2549 -> "1.25", 3.2 ->
// "3.2", 812.4 -> "812". Values of 1000 and more are printed whole.
std::string three_digits(double value) {
  int decimals = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, value);
  std::string text(buf);
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  return text;
}

std::string duration_text(int64_t value, std::string_view unit) {
  if (value == 0) return "0" + std::string(unit.empty() ? "ns" : unit);
  std::string sign = value < 0 ? "-" : "";
  double ns = std::fabs(static_cast<double>(value)) * static_cast<double>(unit_ns(unit));
  static constexpr std::array<std::pair<double, const char*>, 4> kUnits = {
      {{1, "ns"}, {1e3, "us"}, {1e6, "ms"}, {1e9, "s"}}};
  size_t pick = 0;
  while (pick + 1 < kUnits.size() && ns >= kUnits[pick + 1].first) ++pick;
  double scaled = ns / kUnits[pick].first;
  // 999.7us rounds to 1000us: show it as 1ms instead.
  int decimals = scaled >= 100 ? 0 : scaled >= 10 ? 1 : 2;
  double rounded = std::round(scaled * std::pow(10, decimals)) / std::pow(10, decimals);
  if (rounded >= 1000 && pick + 1 < kUnits.size()) {
    ++pick;
    scaled = ns / kUnits[pick].first;
  }
  return sign + three_digits(scaled) + kUnits[pick].second;
}

std::string stack_text(std::span<const uint8_t> bytes) {
  const KernelSymbols& symbols = kernel_symbols();
  std::string out;
  for (size_t i = 0; i + 8 <= bytes.size(); i += 8) {
    uint64_t address;
    std::memcpy(&address, bytes.data() + i, 8);
    if (address == 0) break;
    out += (out.empty() ? "" : ";") + symbols.resolve(address).value_or(hex(address));
  }
  return out;
}

// User addresses as MODULE+0xOFFSET of process `pid` (hex when no mapping holds one).
std::string user_stack_text(std::span<const uint8_t> bytes, std::optional<int64_t> pid) {
  std::string out;
  for (size_t i = 0; i + 8 <= bytes.size(); i += 8) {
    uint64_t address;
    std::memcpy(&address, bytes.data() + i, 8);
    if (address == 0) break;
    std::optional<std::string> text;
    if (pid) text = detail::user_address_text(*pid, address);
    out += (out.empty() ? "" : ";") + text.value_or(hex(address));
  }
  return out;
}

// "1.5ms" -> its value in `unit` (rounded toward zero); a bare number is already in `unit`.
std::optional<int64_t> parse_duration(std::string_view text, std::string_view unit) {
  std::string number(text);
  size_t end = number.find_first_not_of("0123456789.-");
  std::string suffix = end == std::string::npos ? "" : number.substr(end);
  number = number.substr(0, end);
  if (number.empty()) return std::nullopt;
  if (!suffix.empty() && suffix != "ns" && suffix != "us" && suffix != "ms" && suffix != "s") {
    return std::nullopt;
  }
  char* stop = nullptr;
  double value = std::strtod(number.c_str(), &stop);
  if (stop != number.c_str() + number.size()) return std::nullopt;
  if (suffix.empty()) suffix = unit.empty() ? "ns" : std::string(unit);
  double ns = value * static_cast<double>(unit_ns(suffix));
  return static_cast<int64_t>(ns / static_cast<double>(unit_ns(unit)));
}

}  // namespace

Result<ValueFormat> parse_value_format(std::string_view word) {
  LMP_CHECK(package::check_format_word(word));
  size_t colon = word.find(':');
  std::string_view base = word.substr(0, colon);
  ValueFormat format;
  for (const Word& w : kWords) {
    if (w.word == base) format.kind = w.kind;
  }
  if (colon != std::string_view::npos) format.arg = std::string(word.substr(colon + 1));
  if (format.kind == ValueKind::kDuration && format.arg.empty()) format.arg = "ns";
  return format;
}

std::string to_string(const ValueFormat& format) {
  for (const Word& w : kWords) {
    if (w.kind != format.kind) continue;
    return format.arg.empty() ? std::string(w.word) : std::string(w.word) + ":" + format.arg;
  }
  return "raw";
}

bool is_family_member(std::string_view name) {
  static constexpr std::array<std::string_view, 9> kNames = {
      "family",      "af",         "sa_family",   "ss_family", "sin_family",
      "sin6_family", "skc_family", "addr_family", "ip_family"};
  for (std::string_view known : kNames) {
    if (name == known) return true;
  }
  return false;
}

std::string decoded_key(const ValueFormat& format, std::string_view name) {
  switch (format.kind) {
    case ValueKind::kRaw:
      return {};
    case ValueKind::kErrno:
    case ValueKind::kSignal:
    case ValueKind::kSyscall:
    case ValueKind::kFlags:
    case ValueKind::kKsym:
    case ValueKind::kKstack:
    case ValueKind::kUstack:
      return std::string(name) + "_name";
    default:
      return std::string(name) + "_text";
  }
}

std::optional<std::string> format_value(const ValueFormat& format, std::span<const uint8_t> bytes,
                                        bool is_signed, std::optional<uint64_t> family,
                                        std::optional<int64_t> pid) {
  switch (format.kind) {
    case ValueKind::kRaw:
      return std::nullopt;
    case ValueKind::kIpv4:
    case ValueKind::kIpv6:
    case ValueKind::kIp:
      return ip_text(format.kind, bytes, family);
    case ValueKind::kKstack: {
      std::string text = stack_text(bytes);
      if (text.empty()) return std::nullopt;
      return text;
    }
    case ValueKind::kUstack: {
      std::string text = user_stack_text(bytes, pid);
      if (text.empty()) return std::nullopt;
      return text;
    }
    case ValueKind::kPort: {
      if (bytes.size() != 2) return std::nullopt;
      uint16_t port;
      std::memcpy(&port, bytes.data(), 2);
      return std::to_string(ntohs(port));
    }
    default:
      break;
  }
  auto value = integer(bytes, is_signed);
  if (!value) return std::nullopt;
  switch (format.kind) {
    case ValueKind::kErrno:
      if (format.arg == "ret" && *value >= 0) return std::nullopt;  // a result, not an error
      return errno_name(*value);
    case ValueKind::kSignal:
      return signal_name(*value);
    case ValueKind::kSyscall:
      return syscall_name(*value);
    case ValueKind::kFlags: {
      uint64_t bits = static_cast<uint64_t>(*value);
      if (bytes.size() < 8) bits &= (uint64_t(1) << (8 * bytes.size())) - 1;
      return flags_text(format.arg, bits);
    }
    case ValueKind::kDuration:
      if (!is_signed && *value < 0) return std::nullopt;  // above INT64_MAX: not a duration
      return duration_text(*value, format.arg);
    case ValueKind::kKsym:
      if (*value == 0) return std::nullopt;
      return kernel_symbols().resolve(static_cast<uint64_t>(*value));
    case ValueKind::kHex: {
      uint64_t bits = static_cast<uint64_t>(*value);
      if (bytes.size() < 8) bits &= (uint64_t(1) << (8 * bytes.size())) - 1;
      return hex(bits);
    }
    default:
      return std::nullopt;
  }
}

std::optional<int64_t> parse_value_text(const ValueFormat& format, std::string_view text) {
  switch (format.kind) {
    case ValueKind::kErrno:
      return errno_number(text);
    case ValueKind::kSignal:
      return signal_number(text);
    case ValueKind::kSyscall:
      return syscall_number(text);
    case ValueKind::kFlags: {
      auto bits = flags_number(format.arg, text);
      if (!bits) return std::nullopt;
      return static_cast<int64_t>(*bits);
    }
    case ValueKind::kDuration:
      return parse_duration(text, format.arg);
    case ValueKind::kIpv4:
    case ValueKind::kIp: {
      in_addr address;
      if (inet_pton(AF_INET, std::string(text).c_str(), &address) != 1) return std::nullopt;
      uint32_t stored;  // the u32 as the kernel stores it: network-order bytes, read host-endian
      std::memcpy(&stored, &address, 4);
      return stored;
    }
    case ValueKind::kPort: {
      uint16_t port = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
      if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
        return std::nullopt;
      }
      return htons(port);
    }
    case ValueKind::kHex: {
      std::string_view digits = text;
      if (digits.starts_with("0x") || digits.starts_with("0X")) digits.remove_prefix(2);
      uint64_t value = 0;
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, 16);
      if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
        return std::nullopt;
      }
      return static_cast<int64_t>(value);
    }
    default:
      return std::nullopt;
  }
}

}  // namespace lmp::output
