// Test program for lmp check: its tracepoint does not exist in any kernel.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("tracepoint/syscalls/sys_enter_lmp_no_such_call")
int on_missing(void *ctx) {
  bpf_printk("never");
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
