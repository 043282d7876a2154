#include "output/ksyms.h"

#include <algorithm>
#include <charconv>

#include "common/file.h"

namespace lmp::output {
namespace {

bool is_text_type(std::string_view type) {
  return type == "t" || type == "T" || type == "w" || type == "W";
}

std::string_view next_word(std::string_view& line) {
  size_t begin = line.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return line = {}, std::string_view();
  line.remove_prefix(begin);
  size_t end = std::min(line.find_first_of(" \t"), line.size());
  std::string_view word = line.substr(0, end);
  line.remove_prefix(end);
  return word;
}

}  // namespace

KernelSymbols::KernelSymbols(std::string_view text) {
  while (!text.empty()) {
    size_t eol = std::min(text.find('\n'), text.size());
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(std::min(eol + 1, text.size()));
    std::string_view address_text = next_word(line);
    std::string_view type = next_word(line);
    std::string_view name = next_word(line);
    std::string_view module = next_word(line);
    uint64_t address = 0;
    auto [end, ec] = std::from_chars(address_text.data(), address_text.data() + address_text.size(),
                                     address, 16);
    if (ec != std::errc() || end != address_text.data() + address_text.size() || address == 0 ||
        !is_text_type(type) || name.empty()) {
      continue;
    }
    std::string entry(name);
    if (module.size() > 2 && module.front() == '[' && module.back() == ']') {
      entry += " " + std::string(module);
    }
    symbols_.push_back(
        {address, static_cast<uint32_t>(names_.size()), static_cast<uint32_t>(entry.size())});
    names_ += entry;
  }
  std::stable_sort(symbols_.begin(), symbols_.end(),
                   [](const Symbol& a, const Symbol& b) { return a.address < b.address; });
}

std::optional<std::string> KernelSymbols::resolve(uint64_t address) const {
  auto after = std::upper_bound(symbols_.begin(), symbols_.end(), address,
                                [](uint64_t a, const Symbol& s) { return a < s.address; });
  if (after == symbols_.begin()) return std::nullopt;
  const Symbol& symbol = *std::prev(after);
  std::string entry = names_.substr(symbol.name_offset, symbol.name_size);
  uint64_t offset = address - symbol.address;
  if (offset == 0) return entry;
  char hex[24];
  auto [end, ec] = std::to_chars(hex, hex + sizeof(hex), offset, 16);
  std::string suffix = "+0x" + std::string(hex, end);
  size_t space = entry.find(' ');
  if (space == std::string::npos) return entry + suffix;
  return entry.substr(0, space) + suffix + entry.substr(space);
}

const KernelSymbols& kernel_symbols() {
  static const KernelSymbols table = [] {
    auto text = read_file("/proc/kallsyms");
    return KernelSymbols(text ? *text : std::string());
  }();
  return table;
}

}  // namespace lmp::output
