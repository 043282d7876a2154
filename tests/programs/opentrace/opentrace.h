#ifndef OPENTRACE_H
#define OPENTRACE_H

#define OPENTRACE_PATH_LEN 128

enum open_kind {
  OPEN_KIND_OPENAT = 1,
  OPEN_KIND_OPENAT2 = 2,
};

struct open_event {
  int pid;
  unsigned int uid;
  int flags;
  enum open_kind kind;
  char comm[16];
  char path[OPENTRACE_PATH_LEN];
};

#endif
