// execsnoop: one record per successful exec, sent through the ring buffer.
#ifndef LMP_EXAMPLE_EXECSNOOP_H
#define LMP_EXAMPLE_EXECSNOOP_H

#define EXECSNOOP_COMM_LEN 16
#define EXECSNOOP_FILENAME_LEN 256

struct exec_event {
  int pid;                                // process id after exec
  int ppid;                               // parent process id
  unsigned int uid;                       // real user id
  char comm[EXECSNOOP_COMM_LEN];          // command name after exec
  char filename[EXECSNOOP_FILENAME_LEN];  // file that was executed
};

#endif
