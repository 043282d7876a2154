// Test program: a uprobe whose section names no target (given with `lmp run --attach`);
// reports each call with the caller's pid and the first argument.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct call_event {
  int pid;
  int value;
};

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 64 * 1024);
} calls SEC(".maps");

SEC("uprobe")
int BPF_KPROBE(on_call, int value) {
  struct call_event *e = bpf_ringbuf_reserve(&calls, sizeof(*e), 0);
  if (!e) return 0;
  e->pid = bpf_get_current_pid_tgid() >> 32;
  e->value = value;
  bpf_ringbuf_submit(e, 0);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
