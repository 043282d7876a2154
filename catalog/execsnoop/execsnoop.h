// Event reported by execsnoop for every finished execve(2).
#ifndef LMP_CATALOG_EXECSNOOP_H
#define LMP_CATALOG_EXECSNOOP_H

#define EXECSNOOP_TASK_COMM_LEN 16
#define EXECSNOOP_FILENAME_LEN 128
#define EXECSNOOP_ARGS_LEN 256

struct exec_event {
  int pid;
  int ppid;
  unsigned int uid;
  int ret;
  char comm[EXECSNOOP_TASK_COMM_LEN];
  char filename[EXECSNOOP_FILENAME_LEN];
  char args[EXECSNOOP_ARGS_LEN];
};

#endif
