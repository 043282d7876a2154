// Event reported by statsnoop for every finished stat-family call.
#ifndef LMP_CATALOG_STATSNOOP_H
#define LMP_CATALOG_STATSNOOP_H

#define STATSNOOP_TASK_COMM_LEN 16
#define STATSNOOP_PATH_LEN 256

enum stat_call {
  STAT = 1,
  LSTAT = 2,
  FSTATAT = 3,
  STATX = 4,
};

struct stat_event {
  int pid;
  int ret;
  enum stat_call call;
  char comm[STATSNOOP_TASK_COMM_LEN];
  char path[STATSNOOP_PATH_LEN];
};

#endif
