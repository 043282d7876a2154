// Histogram value of runqlat: run-queue latency in log2 microsecond slots.
#ifndef LMP_CATALOG_RUNQLAT_H
#define LMP_CATALOG_RUNQLAT_H

#define RUNQLAT_MAX_SLOTS 26
#define RUNQLAT_TASK_COMM_LEN 16

struct hist {
  unsigned int slots[RUNQLAT_MAX_SLOTS];
  char comm[RUNQLAT_TASK_COMM_LEN];
};

#endif
