// Test program: results kept in maps with no @sample, as a tool with its own user space
// keeps them. lmp run prints them at exit: two log2 histograms of write() sizes (a struct
// with `slots`, and counts keyed by slot index), a counter per process, and skips the
// per-CPU scratch buffer.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define MAX_SLOTS 32

struct hist {
  u32 slots[MAX_SLOTS];
};

struct proc {
  u32 pid;
  char comm[16];
};

struct scratch_space {
  char buf[200];
  u64 last;
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1);
  __type(key, u32);
  __type(value, struct hist);
} hists SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, MAX_SLOTS);
  __type(key, u32);
  __type(value, u64);
} size_slots SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 10240);
  __type(key, struct proc);
  __type(value, u64);
} writes SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, u32);
  __type(value, struct scratch_space);
} scratch SEC(".maps");

static struct hist zero;

static u32 log2_slot(u64 v) {
  u32 slot = 0;
  while (v > 1 && slot < MAX_SLOTS - 1) {
    v >>= 1;
    slot++;
  }
  return slot;
}

SEC("tp/syscalls/sys_enter_write")
int on_write(struct trace_event_raw_sys_enter *ctx) {
  u32 slot = log2_slot(ctx->args[2]);
  u32 key = 0;
  struct hist *h = bpf_map_lookup_elem(&hists, &key);
  if (!h) {
    bpf_map_update_elem(&hists, &key, &zero, BPF_NOEXIST);
    h = bpf_map_lookup_elem(&hists, &key);
  }
  if (h && slot < MAX_SLOTS) __sync_fetch_and_add(&h->slots[slot], 1);
  u64 *count = bpf_map_lookup_elem(&size_slots, &slot);
  if (count) __sync_fetch_and_add(count, 1);

  struct proc p = {.pid = bpf_get_current_pid_tgid() >> 32};
  bpf_get_current_comm(p.comm, sizeof(p.comm));
  u64 one = 1;
  u64 *n = bpf_map_lookup_elem(&writes, &p);
  if (n)
    __sync_fetch_and_add(n, 1);
  else
    bpf_map_update_elem(&writes, &p, &one, BPF_NOEXIST);

  struct scratch_space *s = bpf_map_lookup_elem(&scratch, &key);
  if (s) s->last = ctx->args[2];
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
