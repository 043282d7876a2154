#ifndef EVGEN_H
#define EVGEN_H

/* One ring-buffer record per getppid() call of the target process. */
struct evgen_event {
  int pid;
  int tid;
  unsigned int uid;
  int cpu;
  unsigned long long seq; /* per-object sequence number: gaps = records dropped (ring full) */
  unsigned long long ts;  /* bpf_ktime_get_ns() */
  char comm[16];
};

#endif
