// Test program whose only output is bpf_printk: lmp run points to trace_pipe, and
// lmp run --trace-pipe streams it.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("tp/syscalls/sys_enter_getppid")
int on_getppid(void *ctx) {
  bpf_printk("lmp-maps-printk %d", (int)(bpf_get_current_pid_tgid() >> 32));
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
