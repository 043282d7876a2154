// bootstrap: the classic first eBPF tool. Reports each exec (with the program path) and each
// exit (with the exit code and how long the process ran since its exec). Every event carries
// its kernel timestamp (ts): the WebAssembly user space, app.c, computes run times from those
// itself; duration_ns and the -d filter here serve the package run without it (package.json).
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "bootstrap.h"

/// Minimum process duration to report, in milliseconds (exec events are hidden when set)
/// @cmdarg {"short": "d", "long": "duration", "default": 0, "help": "minimum duration (ms)"}
const volatile unsigned long long min_duration_ms = 0;

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 8192);
  __type(key, int);
  __type(value, unsigned long long);
} exec_start SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("tp/sched/sched_process_exec")
int on_exec(struct trace_event_raw_sched_process_exec* ctx) {
  int pid = bpf_get_current_pid_tgid() >> 32;
  unsigned long long now = bpf_ktime_get_ns();
  bpf_map_update_elem(&exec_start, &pid, &now, BPF_ANY);
  if (min_duration_ms) return 0;

  struct bootstrap_event* e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e) return 0;
  struct task_struct* task = (struct task_struct*)bpf_get_current_task();
  e->kind = EXEC;
  e->pid = pid;
  e->ppid = BPF_CORE_READ(task, real_parent, tgid);
  e->exit_code = 0;
  e->duration_ns = 0;
  e->ts = now;
  bpf_get_current_comm(e->comm, sizeof(e->comm));
  unsigned int off = ctx->__data_loc_filename & 0xffff;
  bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), (void*)ctx + off);
  bpf_ringbuf_submit(e, 0);
  return 0;
}

SEC("tp/sched/sched_process_exit")
int on_exit(void* ctx) {
  unsigned long long id = bpf_get_current_pid_tgid();
  int pid = id >> 32;
  if (pid != (int)id) return 0;  // a thread, not the whole process

  unsigned long long now = bpf_ktime_get_ns();
  unsigned long long duration_ns = 0;
  unsigned long long* start = bpf_map_lookup_elem(&exec_start, &pid);
  if (start)
    duration_ns = now - *start;
  else if (min_duration_ms)
    return 0;
  bpf_map_delete_elem(&exec_start, &pid);
  if (min_duration_ms && duration_ns < min_duration_ms * 1000000) return 0;

  struct bootstrap_event* e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e) return 0;
  struct task_struct* task = (struct task_struct*)bpf_get_current_task();
  e->kind = EXIT;
  e->pid = pid;
  e->ppid = BPF_CORE_READ(task, real_parent, tgid);
  e->exit_code = (BPF_CORE_READ(task, exit_code) >> 8) & 0xff;
  e->duration_ns = duration_ns;
  e->ts = now;
  bpf_get_current_comm(e->comm, sizeof(e->comm));
  e->filename[0] = '\0';
  bpf_ringbuf_submit(e, 0);
  return 0;
}

/// @brief Trace process execs and exits, with exit code and run time.
/// @version 1.0.0
/// @details Reports an EXEC event when a process runs a new program and an EXIT event when it
/// ends, with its exit code and the time since its exec. With -d only exits of processes that
/// ran at least that many milliseconds are shown.
char LICENSE[] SEC("license") = "GPL";
