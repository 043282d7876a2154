// Event reported by sigsnoop for every signal sent.
#ifndef LMP_CATALOG_SIGSNOOP_H
#define LMP_CATALOG_SIGSNOOP_H

#define SIGSNOOP_TASK_COMM_LEN 16

struct signal_event {
  int pid;   // sender
  int tpid;  // target
  int sig;
  int ret;  // kill(2) return value with -k, else the kernel's delivery result (0 = delivered)
  char comm[SIGSNOOP_TASK_COMM_LEN];  // sender
};

#endif
