// runqlat: how long runnable tasks wait on a CPU run queue before they run. A task's wait
// starts when it is woken (sched_wakeup, sched_wakeup_new) or preempted while runnable
// (sched_switch away from it); it ends when sched_switch picks it.
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "runqlat.h"

#define TASK_RUNNING 0

/// Show one histogram per process (keyed by process id)
/// @cmdarg {"short": "P", "long": "pids", "default": false, "help": "histogram per process"}
const volatile bool targ_per_process = false;

/// Show one histogram per thread (keyed by thread id)
/// @cmdarg {"short": "L", "long": "tids", "default": false, "help": "histogram per thread"}
const volatile bool targ_per_thread = false;

/// Process ID to trace (0 = all)
/// @cmdarg {"short": "p", "long": "pid", "default": 0, "help": "trace only this process id"}
const volatile int targ_tgid = 0;

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 10240);
  __type(key, unsigned int);
  __type(value, unsigned long long);
} enqueued_at SEC(".maps");

/// @sample {"interval": 1000, "type": "log2_hist", "unit": "usecs", "clear_map": false}
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 10240);
  __type(key, unsigned int);
  __type(value, struct hist);
} hists SEC(".maps");

static const struct hist empty_hist;

static int mark_enqueued(unsigned int tgid, unsigned int pid) {
  if (!pid) return 0;  // idle task
  if (targ_tgid && tgid != (unsigned int)targ_tgid) return 0;
  unsigned long long now = bpf_ktime_get_ns();
  bpf_map_update_elem(&enqueued_at, &pid, &now, BPF_ANY);
  return 0;
}

static unsigned int log2_slot(unsigned long long v) {
  unsigned int slot = 0;
  while (v > 1 && slot < RUNQLAT_MAX_SLOTS - 1) {
    v >>= 1;
    slot++;
  }
  return slot;
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(on_wakeup, struct task_struct* p) {
  return mark_enqueued(p->tgid, p->pid);
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(on_wakeup_new, struct task_struct* p) {
  return mark_enqueued(p->tgid, p->pid);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct* prev, struct task_struct* next,
             unsigned int prev_state) {
  if (prev_state == TASK_RUNNING) mark_enqueued(prev->tgid, prev->pid);

  unsigned int pid = next->pid;
  unsigned long long* start = bpf_map_lookup_elem(&enqueued_at, &pid);
  if (!start) return 0;
  unsigned long long delta_us = (bpf_ktime_get_ns() - *start) / 1000;
  bpf_map_delete_elem(&enqueued_at, &pid);

  unsigned int key = 0;
  if (targ_per_thread)
    key = pid;
  else if (targ_per_process)
    key = next->tgid;
  struct hist* h = bpf_map_lookup_elem(&hists, &key);
  if (!h) {
    bpf_map_update_elem(&hists, &key, &empty_hist, BPF_NOEXIST);
    h = bpf_map_lookup_elem(&hists, &key);
    if (!h) return 0;
    if (key) bpf_probe_read_kernel_str(h->comm, sizeof(h->comm), next->comm);
  }
  __sync_fetch_and_add(&h->slots[log2_slot(delta_us)], 1);
  return 0;
}

/// @brief Summarize run-queue (scheduler) latency as a histogram.
/// @version 1.0.0
/// @details Measures the time from a task becoming runnable (woken, or preempted) to it
/// running on a CPU, and prints a log2 histogram in microseconds every second: for the whole
/// system, or per process (-P) or per thread (-L).
char LICENSE[] SEC("license") = "GPL";
