// Test program: the preferred variant (raw_tp) loads but cannot attach: syscall
// tracepoints are events of tracefs, not raw tracepoints of their own. lmp must find that
// out with a trial attach and fall back to the tracepoint variant.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "alt_attach.h"

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 64 * 1024);
} events SEC(".maps");

static int report(enum variant variant) {
  struct alt_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e) return 0;
  e->pid = bpf_get_current_pid_tgid() >> 32;
  e->variant = variant;
  bpf_ringbuf_submit(e, 0);
  return 0;
}

SEC("raw_tp/sys_enter_unlinkat")
int unlink_raw(struct bpf_raw_tracepoint_args *ctx) {
  return report(VARIANT_RAW_TP);
}

SEC("tp/syscalls/sys_enter_unlinkat")
int unlink_tp(void *ctx) {
  return report(VARIANT_TRACEPOINT);
}

char LICENSE[] SEC("license") = "GPL";
