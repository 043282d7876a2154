// __NAME__: a log2 histogram of system call latency (microseconds from entry to return).
// Build with `lmp build`, run with `sudo lmp run package.json` (add -h for the options).
#include "vmlinux.h"

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "__NAME__.h"

/// Only measure system calls of this process id (0 = every process)
/// @cmdarg {"default": 0, "short": "p", "long": "pid", "help": "trace only this process id"}
const volatile pid_t targ_pid = 0;

/// Keep one histogram per system call number instead of one in total
/// @cmdarg {"default": false, "short": "S", "long": "per-syscall", "help": "one histogram per syscall number"}
const volatile bool targ_per_syscall = false;

// Entry time and syscall number of each thread inside a system call.
struct start {
  unsigned long long ns;
  long id;
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 16384);
  __type(key, unsigned int);
  __type(value, struct start);
} starts SEC(".maps");

/// lmp prints this map as a log2 histogram every second
/// @sample {"interval": 1000, "type": "log2_hist", "unit": "usecs"}
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 512);
  __type(key, unsigned int);
  __type(value, struct hist);
} hists SEC(".maps");

static const struct hist empty;

static unsigned int log2_slot(unsigned long long value) {
  unsigned int slot = 0;
  for (; value > 1 && slot < HIST_SLOTS - 1; value >>= 1) slot++;
  return slot;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(on_sys_enter, struct pt_regs *regs, long id) {
  unsigned long long pid_tgid = bpf_get_current_pid_tgid();
  if (targ_pid && (pid_t)(pid_tgid >> 32) != targ_pid) return 0;
  unsigned int tid = (unsigned int)pid_tgid;
  struct start start = {.ns = bpf_ktime_get_ns(), .id = id};
  bpf_map_update_elem(&starts, &tid, &start, BPF_ANY);
  return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(on_sys_exit, struct pt_regs *regs, long ret) {
  unsigned int tid = (unsigned int)bpf_get_current_pid_tgid();
  struct start *start = bpf_map_lookup_elem(&starts, &tid);
  if (!start) return 0;
  unsigned long long usecs = (bpf_ktime_get_ns() - start->ns) / 1000;
  unsigned int key = targ_per_syscall ? (unsigned int)start->id : 0;
  bpf_map_delete_elem(&starts, &tid);

  struct hist *h = bpf_map_lookup_elem(&hists, &key);
  if (!h) {
    bpf_map_update_elem(&hists, &key, &empty, BPF_NOEXIST);
    h = bpf_map_lookup_elem(&hists, &key);
    if (!h) return 0;
  }
  __sync_fetch_and_add(&h->slots[log2_slot(usecs)], 1);
  return 0;
}

/// @brief Histogram of system call latency
/// @version 0.1.0
/// @details Measures how long each system call takes, from entry to return, and prints a
/// log2 histogram in microseconds every second (cumulative).
char LICENSE[] SEC("license") = "Dual BSD/GPL";
