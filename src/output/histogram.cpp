#include "output/histogram.h"

#include <algorithm>

#include "output/text_format.h"

namespace lmp::output::detail {
namespace {

constexpr size_t kBarWidth = 40;

// Right-aligns `value` in `width` characters.
void append_right(std::string& out, uint64_t value, size_t width) {
  std::string digits;
  append_uint(digits, value);
  if (digits.size() < width) out.append(width - digits.size(), ' ');
  out += digits;
}

void append_left(std::string& out, uint64_t value, size_t width) {
  size_t start = out.size();
  append_uint(out, value);
  size_t used = out.size() - start;
  if (used < width) out.append(width - used, ' ');
}

// "|***   |": count/max of `width` stars, a '+' when count exceeds max (never here).
void append_bar(std::string& out, uint64_t count, uint64_t max, size_t width) {
  auto stars = static_cast<size_t>(static_cast<unsigned __int128>(std::min(count, max)) * width /
                                   (max == 0 ? 1 : max));
  out += '|';
  out.append(stars, '*');
  out.append(width - stars, ' ');
  out += "|\n";
}

uint64_t max_count(std::span<const Bucket> buckets) {
  uint64_t max = 0;
  for (const Bucket& b : buckets) max = std::max(max, b.count);
  return max;
}

size_t digits(uint64_t value) {
  size_t n = 1;
  for (; value >= 10; value /= 10) ++n;
  return n;
}

// The bar width that makes a row fit `width` columns (0: no limit), when everything else in
// the row takes `fixed` columns plus the count's digits past the 8-wide count column.
size_t fitted_bar(size_t bar, size_t fixed, uint64_t max, size_t width) {
  if (width == 0) return bar;
  size_t used = fixed + std::max<size_t>(8, digits(max)) + 2;  // the bar's two '|'
  size_t room = width > used ? width - used : 0;
  return std::clamp<size_t>(room, 1, bar);
}

// Ends a header line, with the word "distribution" only when the line then fits `width`.
void end_header(std::string& out, size_t line_start, std::string_view middle, size_t width) {
  out += middle;
  if (width == 0 || out.size() - line_start + 12 <= width) out += "distribution";
  while (out.size() > line_start && out.back() == ' ') out.pop_back();
  out += '\n';
}

}  // namespace

std::vector<Bucket> log2_buckets(std::span<const uint64_t> counts) {
  size_t last = counts.size();
  for (size_t i = 0; i < counts.size(); ++i)
    if (counts[i] != 0) last = i;
  std::vector<Bucket> out;
  if (last == counts.size()) return out;
  for (size_t i = 0; i <= last; ++i) {
    uint64_t low = i == 0 ? 0 : (i >= 64 ? UINT64_MAX : uint64_t{1} << i);
    uint64_t high = i >= 63 ? UINT64_MAX : (uint64_t{1} << (i + 1)) - 1;
    out.push_back({low, high, counts[i]});
  }
  return out;
}

std::vector<Bucket> linear_buckets(std::span<const uint64_t> counts, uint64_t base, uint64_t step) {
  std::vector<Bucket> out;
  size_t first = counts.size(), last = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] == 0) continue;
    first = std::min(first, i);
    last = i;
  }
  for (size_t i = first; i <= last && i < counts.size(); ++i)
    out.push_back({base + i * step, base + i * step, counts[i]});
  return out;
}

void render_log2_hist(std::string& out, std::span<const uint64_t> counts, std::string_view unit,
                      size_t width) {
  std::vector<Bucket> buckets = log2_buckets(counts);
  if (buckets.empty()) return;
  bool wide = buckets.size() - 1 > 32;  // the last index passes 32: 64-bit ranges
  size_t number_width = wide ? 20 : 10;
  uint64_t max = max_count(buckets);
  // "LOW -> HIGH : COUNT |bar|": two numbers, " -> ", " : " and the space before the bar.
  size_t bar_width =
      fitted_bar(wide ? kBarWidth / 2 : kBarWidth, 2 * number_width + 4 + 3 + 1, max, width);
  size_t line_start = out.size();
  out.append(wide ? 15 : 5, ' ');
  append_padded(out, unit, wide ? 29 : 19);
  end_header(out, line_start, " : count    ", width);
  for (const Bucket& b : buckets) {
    append_right(out, b.low, number_width);
    out += " -> ";
    append_left(out, b.high, number_width);
    out += " : ";
    append_left(out, b.count, 8);
    out += ' ';
    append_bar(out, b.count, max, bar_width);
  }
}

void render_linear_hist(std::string& out, std::span<const uint64_t> counts, std::string_view unit,
                        uint64_t base, uint64_t step, size_t width) {
  std::vector<Bucket> buckets = linear_buckets(counts, base, step);
  if (buckets.empty()) return;
  uint64_t max = max_count(buckets);
  // "        VALUE      : COUNT |bar|"
  size_t bar_width = fitted_bar(kBarWidth, 8 + 10 + 3 + 1, max, width);
  size_t line_start = out.size();
  out.append(5, ' ');
  append_padded(out, unit, 13);
  end_header(out, line_start, " : count     ", width);
  for (const Bucket& b : buckets) {
    out.append(8, ' ');
    append_left(out, b.low, 10);
    out += " : ";
    append_left(out, b.count, 8);
    out += ' ';
    append_bar(out, b.count, max, bar_width);
  }
}

}  // namespace lmp::output::detail
