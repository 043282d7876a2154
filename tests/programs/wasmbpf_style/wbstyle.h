// wbstyle: shared by the eBPF side and the wasm-bpf-style user space (app.c includes it and
// wbstyle.skel.h, whose wbstyle.wasm.h then uses these definitions).
#ifndef WBSTYLE_H
#define WBSTYLE_H

#define WBSTYLE_COMM_LEN 16

enum wbstyle_kind {
  WBSTYLE_EXEC = 1,
};

struct event {
  enum wbstyle_kind kind;
  int pid;
  unsigned long long ts;
  char comm[WBSTYLE_COMM_LEN];
};

#endif
