#include "package/format_word.h"

#include <algorithm>
#include <array>

#include "common/value_names.h"

namespace lmp::package {
namespace {

constexpr std::array<std::string_view, 14> kWords = {
    "raw",     "ipv4",  "ipv6",     "ip",   "port",   "errno",  "signal",
    "syscall", "flags", "duration", "ksym", "kstack", "ustack", "hex"};
constexpr std::array<std::string_view, 4> kUnits = {"ns", "us", "ms", "s"};

template <typename Range>
std::string joined(const Range& items, std::string_view prefix) {
  std::string out;
  for (std::string_view item : items) {
    out += (out.empty() ? "" : ", ") + std::string(prefix) + std::string(item);
  }
  return out;
}

std::string all_words() {
  std::string out;
  for (std::string_view word : kWords) {
    out += out.empty() ? "" : ", ";
    if (word == "flags") {
      out += "flags:SET";
    } else if (word == "duration") {
      out += "duration[:UNIT]";
    } else if (word == "errno") {
      out += "errno[:ret]";
    } else {
      out += word;
    }
  }
  return out;
}

}  // namespace

std::span<const std::string_view> format_words() {
  return kWords;
}
std::span<const std::string_view> duration_units() {
  return kUnits;
}

Result<void> check_format_word(std::string_view word) {
  size_t colon = word.find(':');
  std::string_view base = word.substr(0, colon);
  std::string_view arg = colon == std::string_view::npos ? "" : word.substr(colon + 1);
  std::string bad = "unknown @format '" + std::string(word) + "'";
  if (std::find(kWords.begin(), kWords.end(), base) == kWords.end()) {
    return fail(ExitCode::kBadPackage, bad, "valid: " + all_words());
  }
  if (base == "flags") {
    if (!is_flag_set(arg)) {
      return fail(ExitCode::kBadPackage, bad,
                  "flags needs a set: " + joined(flag_set_names(), "flags:"));
    }
  } else if (base == "duration") {
    if (colon != std::string_view::npos &&
        std::find(kUnits.begin(), kUnits.end(), arg) == kUnits.end()) {
      return fail(ExitCode::kBadPackage, bad,
                  "duration takes a unit: " + joined(kUnits, "duration:"));
    }
  } else if (base == "errno") {
    if (colon != std::string_view::npos && arg != "ret") {
      return fail(ExitCode::kBadPackage, bad,
                  "errno takes one argument, errno:ret (a return value: only negative values "
                  "are errors)");
    }
  } else if (colon != std::string_view::npos) {
    return fail(ExitCode::kBadPackage, bad, std::string(base) + " takes no ':' argument");
  }
  return {};
}

}  // namespace lmp::package
