// Test program compiled by clang directly (no lmp build), run as `lmp run FILE.bpf.o`: the
// event struct is found from the record size the program reserves (tests/event_types_test.cpp).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct plain_filler {  // a struct that is not the event
  unsigned int a;
};

struct plain_event {
  int pid;
  unsigned int magic;
  char comm[16];
};

// Keeps the event struct in the object's BTF (used only through a local pointer otherwise).
struct plain_event *unused_event __attribute__((unused));

/// Magic number put in each event
const volatile unsigned int magic = 7;

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 64 * 1024);
} events SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, unsigned int);
  __type(value, struct plain_filler);
} filler SEC(".maps");

SEC("tracepoint/sched/sched_process_exec")
int on_exec(void *ctx) {
  struct plain_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e) return 0;
  e->pid = bpf_get_current_pid_tgid() >> 32;
  e->magic = magic;
  bpf_get_current_comm(e->comm, sizeof(e->comm));
  bpf_ringbuf_submit(e, 0);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
