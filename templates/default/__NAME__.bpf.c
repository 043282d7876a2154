// __NAME__: report every process exec and exit, with how long exited processes lived.
// Build with `lmp build`, run with `sudo lmp run package.json` (add -h for the options).
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "__NAME__.h"

/// Only report exits of processes that lived at least this many nanoseconds;
/// when set, exec events are not reported
/// @cmdarg {"default": 0, "short": "d", "long": "min-duration", "help": "minimum lifetime (ns) of reported exits"}
const volatile unsigned long long min_duration_ns = 0;

/// Only report this process id (0 = every process)
/// @cmdarg {"default": 0, "short": "p", "long": "pid", "help": "trace only this process id"}
const volatile pid_t targ_pid = 0;

/// Only report exits with a non-zero exit code
/// @cmdarg {"default": false, "short": "f", "long": "failed", "help": "report failed exits only"}
const volatile bool targ_failed = false;

// Exec time of each live process, to compute lifetimes at exit.
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 8192);
  __type(key, pid_t);
  __type(value, unsigned long long);
} exec_start SEC(".maps");

// Events for user space; lmp reads it and prints each struct event.
struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 256 * 1024);
} events SEC(".maps");

static bool filtered_out(pid_t pid) { return targ_pid && pid != targ_pid; }

static void fill_common(struct event *e, pid_t pid) {
  struct task_struct *task = (struct task_struct *)bpf_get_current_task();
  e->pid = pid;
  e->ppid = BPF_CORE_READ(task, real_parent, tgid);
  bpf_get_current_comm(e->comm, sizeof(e->comm));
}

SEC("tp/sched/sched_process_exec")
int handle_exec(struct trace_event_raw_sched_process_exec *ctx) {
  pid_t pid = bpf_get_current_pid_tgid() >> 32;
  if (filtered_out(pid)) return 0;
  unsigned long long now = bpf_ktime_get_ns();
  bpf_map_update_elem(&exec_start, &pid, &now, BPF_ANY);
  if (min_duration_ns || targ_failed) return 0;  // only exits are wanted

  struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e) return 0;
  fill_common(e, pid);
  e->exit_event = false;
  e->exit_code = 0;
  e->duration_ns = 0;
  // The file name is stored in the tracepoint record; its offset is in the low 16 bits.
  unsigned int offset = ctx->__data_loc_filename & 0xFFFF;
  bpf_probe_read_str(e->filename, sizeof(e->filename), (void *)ctx + offset);
  bpf_ringbuf_submit(e, 0);
  return 0;
}

SEC("tp/sched/sched_process_exit")
int handle_exit(struct trace_event_raw_sched_process_template *ctx) {
  unsigned long long id = bpf_get_current_pid_tgid();
  pid_t pid = id >> 32;
  if ((pid_t)id != pid) return 0;  // a thread ended, not the process
  if (filtered_out(pid)) return 0;

  unsigned long long duration = 0;
  unsigned long long *start = bpf_map_lookup_elem(&exec_start, &pid);
  if (start) duration = bpf_ktime_get_ns() - *start;
  bpf_map_delete_elem(&exec_start, &pid);
  if (min_duration_ns && duration < min_duration_ns) return 0;

  struct task_struct *task = (struct task_struct *)bpf_get_current_task();
  unsigned int code = (BPF_CORE_READ(task, exit_code) >> 8) & 0xff;
  if (targ_failed && code == 0) return 0;

  struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e) return 0;
  fill_common(e, pid);
  e->exit_event = true;
  e->exit_code = code;
  e->duration_ns = duration;
  e->filename[0] = '\0';
  bpf_ringbuf_submit(e, 0);
  return 0;
}

/// @brief Trace process exec and exit events
/// @version 0.1.0
/// @details Prints one line per exec (with the file executed) and per exit (with the
/// exit code and how long the process lived).
char LICENSE[] SEC("license") = "Dual BSD/GPL";
