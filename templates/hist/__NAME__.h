// __NAME__: the histogram kept in the kernel; lmp reads and prints it every interval.
#pragma once

#define HIST_SLOTS 26  // log2 buckets: 0-1, 2-3, 4-7, ... microseconds

struct hist {
  unsigned int slots[HIST_SLOTS];
};
