// Test program: log2 histogram of process lifetimes in microseconds.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define MAX_SLOTS 26

struct hist {
  unsigned int slots[MAX_SLOTS];
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 10240);
  __type(key, int);
  __type(value, unsigned long long);
} starts SEC(".maps");

/// @sample {"interval": 500, "type": "log2_hist", "unit": "usecs"}
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1);
  __type(key, unsigned int);
  __type(value, struct hist);
} hists SEC(".maps");

static struct hist zero;

SEC("tp/sched/sched_process_fork")
int on_fork(struct trace_event_raw_sched_process_fork *ctx) {
  int pid = ctx->child_pid;
  unsigned long long now = bpf_ktime_get_ns();
  bpf_map_update_elem(&starts, &pid, &now, BPF_ANY);
  return 0;
}

SEC("tp/sched/sched_process_exit")
int on_exit(struct trace_event_raw_sched_process_template *ctx) {
  unsigned long long id = bpf_get_current_pid_tgid();
  int pid = id >> 32;
  if ((int)id != pid) return 0;
  unsigned long long *start = bpf_map_lookup_elem(&starts, &pid);
  if (!start) return 0;
  unsigned long long us = (bpf_ktime_get_ns() - *start) / 1000;
  bpf_map_delete_elem(&starts, &pid);
  unsigned int key = 0;
  struct hist *h = bpf_map_lookup_elem(&hists, &key);
  if (!h) {
    bpf_map_update_elem(&hists, &key, &zero, BPF_NOEXIST);
    h = bpf_map_lookup_elem(&hists, &key);
    if (!h) return 0;
  }
  unsigned int slot = 0;
  while (us > 1 && slot < MAX_SLOTS - 1) {
    us >>= 1;
    slot++;
  }
  __sync_fetch_and_add(&h->slots[slot], 1);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
