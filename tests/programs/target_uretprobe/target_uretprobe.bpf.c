// Test program: a uretprobe whose section names a binary that does not exist, so that it
// attaches only when `lmp run --attach` overrides the target; reports each return value.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct return_event {
  int pid;
  int returned;
};

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 64 * 1024);
} returns SEC(".maps");

SEC("uretprobe//nonexistent/lmp-test-binary:some_function")
int BPF_KRETPROBE(on_return, int returned) {
  struct return_event *e = bpf_ringbuf_reserve(&returns, sizeof(*e), 0);
  if (!e) return 0;
  e->pid = bpf_get_current_pid_tgid() >> 32;
  e->returned = returned;
  bpf_ringbuf_submit(e, 0);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
