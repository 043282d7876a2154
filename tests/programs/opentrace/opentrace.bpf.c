// Test program: reports openat/openat2 calls with the path opened.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "opentrace.h"

/// Only report opens by this process id (0 = all)
/// @cmdarg {"short": "p", "long": "pid", "default": 0}
const volatile int targ_pid = 0;

/// Only report failed opens
/// @cmdarg {"short": "x", "long": "failed"}
const volatile bool targ_failed = false;

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 256 * 1024);
} events SEC(".maps");

static int report(const char *path, int flags, enum open_kind kind) {
  int pid = bpf_get_current_pid_tgid() >> 32;
  if (targ_pid && pid != targ_pid) return 0;
  struct open_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e) return 0;
  e->pid = pid;
  e->uid = (unsigned int)bpf_get_current_uid_gid();
  e->flags = flags;
  e->kind = kind;
  bpf_get_current_comm(e->comm, sizeof(e->comm));
  bpf_probe_read_user_str(e->path, sizeof(e->path), path);
  bpf_ringbuf_submit(e, 0);
  return 0;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int trace_openat(struct trace_event_raw_sys_enter *ctx) {
  return report((const char *)ctx->args[1], (int)ctx->args[2], OPEN_KIND_OPENAT);
}

SEC("tracepoint/syscalls/sys_enter_openat2")
int trace_openat2(struct trace_event_raw_sys_enter *ctx) {
  return report((const char *)ctx->args[1], 0, OPEN_KIND_OPENAT2);
}

/// @brief Trace open calls
/// @version 1.2.3
char LICENSE[] SEC("license") = "GPL";
