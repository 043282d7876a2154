// exitsnoop: report process exits with the exit status, the terminating signal and how long
// the process lived (task->start_time is on the same clock as bpf_ktime_get_ns()).
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "exitsnoop.h"

/// Process ID to trace (0 = all)
/// @cmdarg {"short": "p", "long": "pid", "default": 0, "help": "trace only this process id"}
const volatile int targ_pid = 0;

/// Show only failed exits (non-zero status or killed by a signal)
/// @cmdarg {"short": "x", "long": "failed", "default": false, "help": "only show failed exits"}
const volatile bool targ_failed = false;

/// Report every thread, not only whole processes
/// @cmdarg {"short": "t", "long": "threads", "default": false, "help": "trace thread exits too"}
const volatile bool targ_threads = false;

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("tracepoint/sched/sched_process_exit")
int on_exit(void* ctx) {
  unsigned long long id = bpf_get_current_pid_tgid();
  int pid = id >> 32;
  int tid = (int)id;
  if (targ_pid && pid != targ_pid) return 0;
  if (!targ_threads && pid != tid) return 0;

  struct task_struct* task = (struct task_struct*)bpf_get_current_task();
  int status = BPF_CORE_READ(task, exit_code);
  if (targ_failed && status == 0) return 0;

  struct exit_event* e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e) return 0;
  e->pid = pid;
  e->tid = tid;
  e->ppid = BPF_CORE_READ(task, real_parent, tgid);
  e->exit_code = (status >> 8) & 0xff;
  e->sig = status & 0x7f;
  e->core_dumped = (status & 0x80) != 0;
  e->duration_ns = bpf_ktime_get_ns() - BPF_CORE_READ(task, start_time);
  bpf_get_current_comm(e->comm, sizeof(e->comm));
  bpf_ringbuf_submit(e, 0);
  return 0;
}

/// @brief Trace process exits with exit status, terminating signal and lifetime.
/// @version 1.0.0
/// @details Reports each process when it exits: pid, parent pid, exit code, the signal that
/// killed it (if any) and the time since it started.
char LICENSE[] SEC("license") = "GPL";
