// Test program for the wasm_bpf ABI: opens reported through a ring buffer and a perf
// buffer (one program each, so a guest attaches the one it tests), maps of several kinds
// for map_operate, and a tc program whose attachment outlives a process unless detached.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct open_event {
  int pid;
  char comm[16];
  char path[128];
};

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 256 * 1024);
} ring_events SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
  __uint(key_size, sizeof(u32));
  __uint(value_size, sizeof(u32));
} perf_events SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 64);
  __type(key, u32);
  __type(value, u64);
} hash_map SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 4);
  __type(key, u32);
  __type(value, u64);
} array_map SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 2);
  __type(key, u32);
  __type(value, u32);
} percpu_map SEC(".maps");

static void fill(struct open_event *e, const char *path) {
  e->pid = bpf_get_current_pid_tgid() >> 32;
  bpf_get_current_comm(e->comm, sizeof(e->comm));
  bpf_probe_read_user_str(e->path, sizeof(e->path), path);
}

SEC("tracepoint/syscalls/sys_enter_openat")
int ring_openat(struct trace_event_raw_sys_enter *ctx) {
  struct open_event *e = bpf_ringbuf_reserve(&ring_events, sizeof(*e), 0);
  if (!e) return 0;
  fill(e, (const char *)ctx->args[1]);
  bpf_ringbuf_submit(e, 0);
  return 0;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int perf_openat(struct trace_event_raw_sys_enter *ctx) {
  struct open_event e = {};
  fill(&e, (const char *)ctx->args[1]);
  bpf_perf_event_output(ctx, &perf_events, BPF_F_CURRENT_CPU, &e, sizeof(e));
  return 0;
}

SEC("tc")
int wasm_tc_ingress(struct __sk_buff *skb) {
  return 0;  // TC_ACT_OK
}

char LICENSE[] SEC("license") = "GPL";
