// __NAME__: the event sent from the kernel to lmp for every process exec and exit.
// lmp prints these fields as columns (or JSON with `lmp run --json`).
#pragma once

#define EVENT_COMM_LEN 16
#define EVENT_FILENAME_LEN 127

struct event {
  int pid;                            // process id
  int ppid;                           // parent process id
  unsigned int exit_code;             // exit status (exit events)
  unsigned long long duration_ns;     // lifetime in ns (exit events)
  char comm[EVENT_COMM_LEN];          // command name
  char filename[EVENT_FILENAME_LEN];  // executed file (exec events)
  bool exit_event;                    // true for an exit, false for an exec
};
