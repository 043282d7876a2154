// Test program: do_unlinkat through fentry or kprobe (entry) and fexit or kretprobe
// (return), as libbpf-tools carry them, plus a tracepoint program of its own hook.
// On a kernel without trampolines and kprobes only the tracepoint can run.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "alt_fentry.h"

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

SEC("fentry/do_unlinkat")
int unlink_fentry(u64 *ctx) {
  return report(VARIANT_FENTRY);
}

SEC("kprobe/do_unlinkat")
int unlink_kprobe(struct pt_regs *ctx) {
  return report(VARIANT_KPROBE);
}

SEC("fexit/do_unlinkat")
int unlink_fexit(u64 *ctx) {
  return report(VARIANT_FEXIT);
}

SEC("kretprobe/do_unlinkat")
int unlink_kretprobe(struct pt_regs *ctx) {
  return report(VARIANT_KRETPROBE);
}

SEC("tp/syscalls/sys_enter_unlinkat")
int unlink_tp(void *ctx) {
  return report(VARIANT_TRACEPOINT);
}

char LICENSE[] SEC("license") = "GPL";
