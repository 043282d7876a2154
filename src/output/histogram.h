// Histogram rendering in the layout of bcc's libbpf-tools (print_log2_hist/print_linear_hist),
// so lmp's output reads like the tools users know. Internal to the output module.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lmp::output::detail {

struct Bucket {
  uint64_t low = 0;
  uint64_t high = 0;  // inclusive; equal to low for linear buckets
  uint64_t count = 0;
};

// log2 buckets 0..last non-zero: slot 0 is [0,1], slot i>0 is [2^i, 2^(i+1)-1]. Empty when all
// counts are zero.
std::vector<Bucket> log2_buckets(std::span<const uint64_t> counts);

// Linear buckets of width `step` from `base`, first to last non-zero slot (inclusive).
std::vector<Bucket> linear_buckets(std::span<const uint64_t> counts, uint64_t base = 0,
                                   uint64_t step = 1);

// Appends a log2 histogram: header "     UNIT               : count    distribution", rows
// "LOW -> HIGH : COUNT |****   |" with 40-wide bars; when buckets pass 2^32 the number columns
// widen (10 -> 20) and the bars halve, as bcc does. Appends nothing when all counts are zero.
// `width` > 0: bars shrink (to 1 star at least) and the header drops "distribution" so that
// lines fit in `width` columns.
void render_log2_hist(std::string& out, std::span<const uint64_t> counts, std::string_view unit,
                      std::size_t width = 0);

// Appends a linear histogram: header "     UNIT          : count     distribution", one row
// "        VALUE      : COUNT    |****|" per bucket from the first to the last non-zero one.
// `width` as for render_log2_hist.
void render_linear_hist(std::string& out, std::span<const uint64_t> counts, std::string_view unit,
                        uint64_t base = 0, uint64_t step = 1, std::size_t width = 0);

}  // namespace lmp::output::detail
