// Test program the verifier must reject: it reads a map value without a NULL check.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1);
  __type(key, int);
  __type(value, long);
} counts SEC(".maps");

SEC("tp/sched/sched_process_exec")
int count_exec(void *ctx) {
  int key = 0;
  long *value = bpf_map_lookup_elem(&counts, &key);
  *value += 1;  // no NULL check: rejected
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
