// Test program: two ring buffers carrying two different structs of a header whose first
// struct is not an event (tests/event_types_test.cpp).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "event_multi.h"

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 64 * 1024);
} rb SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 64 * 1024);
} tags SEC(".maps");

SEC("tracepoint/sched/sched_process_exec")
int on_exec(void *ctx) {
  u64 id = bpf_get_current_pid_tgid();
  void *slot = bpf_ringbuf_reserve(&rb, sizeof(struct exec_event), 0);
  if (slot) {
    struct exec_event *e = slot;
    e->pid = id >> 32;
    e->ppid = 0;
    bpf_get_current_comm(e->comm, sizeof(e->comm));
    __builtin_memcpy(e->marker, "execmrk", 8);
    bpf_ringbuf_submit(e, 0);
  }
  struct tag_event t = {.tag = 0xabc, .pid = id >> 32, .magic = 42};
  bpf_ringbuf_output(&tags, &t, sizeof(t), 0);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
