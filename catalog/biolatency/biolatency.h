// Histogram value of biolatency: block I/O latency in log2 microsecond slots.
#ifndef LMP_CATALOG_BIOLATENCY_H
#define LMP_CATALOG_BIOLATENCY_H

#define BIOLATENCY_MAX_SLOTS 26
#define BIOLATENCY_DISK_NAME_LEN 32

struct hist {
  unsigned int slots[BIOLATENCY_MAX_SLOTS];
  char disk[BIOLATENCY_DISK_NAME_LEN];  // set with -D
};

#endif
