// __NAME__: the event the kernel side sends to user space (app.c) for every exec.
// `lmp gen-wasm-skel` turns it into __NAME__.wasm.h, laid out the same for the wasm guest;
// app.c may include this header too (before __NAME__.skel.h): the include guard lets
// __NAME__.wasm.h use these definitions instead of its own.
#ifndef TOOL_EVENT_H
#define TOOL_EVENT_H

#define EVENT_COMM_LEN 16
#define EVENT_FILENAME_LEN 127

struct event {
  int pid;                            // process id
  int ppid;                           // parent process id
  unsigned int uid;                   // user id
  unsigned long long timestamp_ns;    // bpf_ktime_get_ns() at exec
  char comm[EVENT_COMM_LEN];          // command name
  char filename[EVENT_FILENAME_LEN];  // executed file
};

#endif
