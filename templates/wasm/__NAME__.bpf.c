// __NAME__: report every process exec. The user space is app.c, compiled to WebAssembly:
//   lmp build && lmp gen-wasm-skel && lmp build-wasm && sudo lmp run app.wasm
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "__NAME__.h"

/// Only report execs by this process id (0 = every process)
/// @cmdarg {"default": 0, "short": "p", "long": "pid", "help": "trace only this process id"}
const volatile pid_t targ_pid = 0;

/// Only report execs by this user id (-1 = every user)
/// @cmdarg {"default": -1, "short": "u", "long": "uid", "help": "trace only this user id"}
const volatile long long targ_uid = -1;

// Events for user space: app.c polls this ring buffer and prints each struct event.
struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("tp/sched/sched_process_exec")
int handle_exec(struct trace_event_raw_sched_process_exec *ctx) {
  pid_t pid = bpf_get_current_pid_tgid() >> 32;
  if (targ_pid && pid != targ_pid) return 0;
  unsigned int uid = (unsigned int)bpf_get_current_uid_gid();
  if (targ_uid >= 0 && uid != targ_uid) return 0;

  struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e) return 0;
  struct task_struct *task = (struct task_struct *)bpf_get_current_task();
  e->pid = pid;
  e->ppid = BPF_CORE_READ(task, real_parent, tgid);
  e->uid = uid;
  e->timestamp_ns = bpf_ktime_get_ns();
  bpf_get_current_comm(e->comm, sizeof(e->comm));
  // The file name is stored in the tracepoint record; its offset is in the low 16 bits.
  unsigned int offset = ctx->__data_loc_filename & 0xFFFF;
  bpf_probe_read_str(e->filename, sizeof(e->filename), (void *)ctx + offset);
  bpf_ringbuf_submit(e, 0);
  return 0;
}

/// @brief Trace process execs, with a WebAssembly user space
/// @version 0.1.0
char LICENSE[] SEC("license") = "Dual BSD/GPL";
