// Test program: the preferred variant of a hook (tp_btf) fails verification on purpose;
// the raw_tp variant of the same hook loads, and lmp must fall back to it.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "alt_verifier.h"

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 64 * 1024);
} events SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1);
  __type(key, int);
  __type(value, long);
} counts SEC(".maps");

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
  int key = 0;
  long *value = bpf_map_lookup_elem(&counts, &key);
  *value += 1;  // no NULL check: the verifier rejects this variant
  return report(VARIANT_TP_BTF);
}

SEC("raw_tp/sched_process_exec")
int exec_raw(struct bpf_raw_tracepoint_args *ctx) {
  return report(VARIANT_RAW_TP);
}

char LICENSE[] SEC("license") = "GPL";
