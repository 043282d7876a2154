// Event reported by opensnoop for every finished open(2)-family call.
#ifndef LMP_CATALOG_OPENSNOOP_H
#define LMP_CATALOG_OPENSNOOP_H

#define OPENSNOOP_TASK_COMM_LEN 16
#define OPENSNOOP_PATH_LEN 256

struct open_event {
  int pid;
  unsigned int uid;
  /// @format errno:ret
  int ret;  // a file descriptor, or a negative errno (printed by name)
  /// @format flags:open
  int flags;
  char comm[OPENSNOOP_TASK_COMM_LEN];
  char fname[OPENSNOOP_PATH_LEN];
};

#endif
