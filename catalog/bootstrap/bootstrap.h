// Event reported by bootstrap: one when a process execs, one when it exits.
#ifndef LMP_CATALOG_BOOTSTRAP_H
#define LMP_CATALOG_BOOTSTRAP_H

#define BOOTSTRAP_TASK_COMM_LEN 16
#define BOOTSTRAP_FILENAME_LEN 127

enum bootstrap_kind {
  EXEC = 1,
  EXIT = 2,
};

struct bootstrap_event {
  enum bootstrap_kind kind;
  int pid;
  int ppid;
  int exit_code;                   // exit events only
  unsigned long long duration_ns;  // exit events only: time since the exec
  unsigned long long ts;           // when it happened: bpf_ktime_get_ns() (ns since boot)
  char comm[BOOTSTRAP_TASK_COMM_LEN];
  char filename[BOOTSTRAP_FILENAME_LEN];  // exec events only
};

#endif
