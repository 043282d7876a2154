// Event reported by exitsnoop for every process that exits.
#ifndef LMP_CATALOG_EXITSNOOP_H
#define LMP_CATALOG_EXITSNOOP_H

#define EXITSNOOP_TASK_COMM_LEN 16

struct exit_event {
  int pid;
  int ppid;
  int tid;
  int exit_code;                   // the status passed to exit(), when no signal ended it
  int sig;                         // the signal that ended the process, 0 if none
  bool core_dumped;                // the process dumped core
  unsigned long long duration_ns;  // time from process start to exit
  char comm[EXITSNOOP_TASK_COMM_LEN];
};

#endif
