// Test program: one hook (sched_process_exec) in three variants, as tools written for
// libbpf's own user space carry them; exactly one of them must run.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "alt_tp.h"

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

SEC("tp_btf/sched_process_exec")
int exec_btf(u64 *ctx) {
  return report(VARIANT_TP_BTF);
}

SEC("raw_tp/sched_process_exec")
int exec_raw(struct bpf_raw_tracepoint_args *ctx) {
  return report(VARIANT_RAW_TP);
}

SEC("tp/sched/sched_process_exec")
int exec_tp(void *ctx) {
  return report(VARIANT_TRACEPOINT);
}

char LICENSE[] SEC("license") = "GPL";
