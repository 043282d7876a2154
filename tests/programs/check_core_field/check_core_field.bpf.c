// Test program for lmp check: reads a field task_struct does not have (no existence guard),
// so its CO-RE relocation cannot resolve against any kernel's BTF.
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

struct task_struct___lmp {
  int lmp_made_up_field;
} __attribute__((preserve_access_index));

SEC("tracepoint/syscalls/sys_enter_getpid")
int on_getpid(void *ctx) {
  struct task_struct___lmp *task = (void *)bpf_get_current_task();
  int value = BPF_CORE_READ(task, lmp_made_up_field);
  bpf_printk("%d", value);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
