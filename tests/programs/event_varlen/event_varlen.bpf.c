// Test program: variable-length records, sent as offsetof(args) + used bytes through a ring
// buffer, or a perf buffer with --perf (tests/event_types_test.cpp).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "event_varlen.h"

/// Send through the perf buffer instead of the ring buffer
/// @cmdarg {"long": "perf"}
const volatile bool use_perf = false;

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, u32);
  __type(value, struct varlen_event);
} heap SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 256 * 1024);
} rb SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
  __uint(key_size, sizeof(u32));
  __uint(value_size, sizeof(u32));
} pb SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int on_execve(struct trace_event_raw_sys_enter *ctx) {
  u32 zero = 0;
  struct varlen_event *e = bpf_map_lookup_elem(&heap, &zero);
  if (!e) return 0;
  e->pid = bpf_get_current_pid_tgid() >> 32;
  e->argc = 0;
  bpf_get_current_comm(e->comm, sizeof(e->comm));
  const char **argv = (const char **)ctx->args[1];
  unsigned int len = 0;
  for (int i = 0; i < MAX_ARGS; i++) {
    const char *arg = NULL;
    bpf_probe_read_user(&arg, sizeof(arg), &argv[i]);
    if (!arg || len > ARGS_SIZE - ARG_MAX) break;
    long n = bpf_probe_read_user_str(&e->args[len], ARG_MAX, arg);
    if (n <= 0) break;
    len += n;
    e->argc++;
  }
  unsigned int size = __builtin_offsetof(struct varlen_event, args) + (len & (ARGS_SIZE - 1));
  if (use_perf)
    bpf_perf_event_output(ctx, &pb, BPF_F_CURRENT_CPU, e, size);
  else
    bpf_ringbuf_output(&rb, e, size, 0);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
