// Test program: a task iterator printing "PID COMM" for every process.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("iter/task")
int list_tasks(struct bpf_iter__task *ctx) {
  struct task_struct *task = ctx->task;
  if (!task || task->pid != task->tgid) return 0;  // one line per process
  BPF_SEQ_PRINTF(ctx->meta->seq, "%d %s\n", task->tgid, task->comm);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
