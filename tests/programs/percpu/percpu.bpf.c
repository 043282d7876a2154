// Test program: counts getppid() calls of one process in a per-CPU array, sampled as a
// key/value table, so the test can check that every CPU's count is added up.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

/// Only count calls by this process id
/// @cmdarg {"short": "p", "long": "pid", "default": 0}
const volatile int targ_pid = 0;

/// @sample {"interval": 200, "type": "default_kv"}
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, unsigned int);
  __type(value, unsigned long long);
} calls SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getppid")
int count_getppid(void *ctx) {
  if ((int)(bpf_get_current_pid_tgid() >> 32) != targ_pid) return 0;
  unsigned int key = 0;
  unsigned long long *count = bpf_map_lookup_elem(&calls, &key);
  if (count) *count += 1;
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
