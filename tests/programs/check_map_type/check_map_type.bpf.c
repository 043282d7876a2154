// Test program for lmp check: a map of a type no kernel has (libbpf opens it; the kernel
// would refuse to create it).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
  __uint(type, 250);
  __uint(max_entries, 1);
  __type(key, u32);
  __type(value, u32);
} lmp_odd_map SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getpid")
int on_getpid(void *ctx) {
  bpf_printk("getpid");
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
