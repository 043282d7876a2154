// wbstyle: exec events through a ring buffer, a hash map user space writes, a bare raw
// tracepoint that only runs where user space points it, and a program user space switches off.
#include "vmlinux.h"

#include <bpf/bpf_helpers.h>

#include "wbstyle.h"

#define WBSTYLE_MARK 1

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 256 * 1024);
} rb SEC(".maps");

// Never written: user space polls it to time an idle poll.
struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 4096);
} quiet SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 64);
  __type(key, u32);
  __type(value, u64);
} counts SEC(".maps");

SEC("tp/sched/sched_process_exec")
int handle_exec(void *ctx) {
  struct event *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
  if (!e) return 0;
  e->kind = WBSTYLE_EXEC;
  e->pid = bpf_get_current_pid_tgid() >> 32;
  e->ts = bpf_ktime_get_ns() + WBSTYLE_MARK - 1;
  bpf_get_current_comm(e->comm, sizeof(e->comm));
  bpf_ringbuf_submit(e, 0);
  return 0;
}

// No attach point in the section: user space names the tracepoint.
SEC("raw_tp")
int on_exit(void *ctx) {
  u32 key = 1;
  u64 one = 1;
  bpf_map_update_elem(&counts, &key, &one, BPF_ANY);
  return 0;
}

// A tracepoint that does not exist: attaching it would fail, so user space turns it off.
SEC("tp/lmp_no_such_category/lmp_no_such_event")
int switched_off(void *ctx) { return 0; }

char LICENSE[] SEC("license") = "Dual BSD/GPL";
