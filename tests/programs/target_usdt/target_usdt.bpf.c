// Test program: a USDT probe whose section names no target (given with `lmp run --attach`);
// reports the probe's first argument and the pid.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>

struct tick_event {
  int pid;
  long value;
};

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 64 * 1024);
} ticks SEC(".maps");

SEC("usdt")
int BPF_USDT(on_tick, long value) {
  struct tick_event *e = bpf_ringbuf_reserve(&ticks, sizeof(*e), 0);
  if (!e) return 0;
  e->pid = bpf_get_current_pid_tgid() >> 32;
  e->value = value;
  bpf_ringbuf_submit(e, 0);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
