// statsnoop: report stat(2), lstat(2), newfstatat(2) and statx(2) calls with the path and
// result. The path pointer is remembered at entry and read at exit.
#include "vmlinux.h"

#include <bpf/bpf_helpers.h>

#include "statsnoop.h"

/// Process ID to trace (0 = all)
/// @cmdarg {"short": "p", "long": "pid", "default": 0, "help": "trace only this process id"}
const volatile int targ_pid = 0;

/// Show only failed stats
/// @cmdarg {"short": "x", "long": "failed", "default": false, "help": "only show failed stats"}
const volatile bool targ_failed = false;

struct stat_args {
  const char* path;
  enum stat_call call;
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 10240);
  __type(key, unsigned int);
  __type(value, struct stat_args);
} pending SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 256 * 1024);
} events SEC(".maps");

static int remember(const char* path, enum stat_call call) {
  unsigned long long id = bpf_get_current_pid_tgid();
  if (targ_pid && (int)(id >> 32) != targ_pid) return 0;
  unsigned int tid = (unsigned int)id;
  struct stat_args args = {.path = path, .call = call};
  bpf_map_update_elem(&pending, &tid, &args, BPF_ANY);
  return 0;
}

static int report(long ret) {
  unsigned long long id = bpf_get_current_pid_tgid();
  unsigned int tid = (unsigned int)id;
  struct stat_args* args = bpf_map_lookup_elem(&pending, &tid);
  if (!args) return 0;
  if (targ_failed && ret >= 0) goto done;
  struct stat_event* e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e) goto done;
  e->pid = id >> 32;
  e->ret = (int)ret;
  e->call = args->call;
  bpf_get_current_comm(e->comm, sizeof(e->comm));
  // fstat(fd) is newfstatat(fd, "", AT_EMPTY_PATH): no path was looked up, so skip it.
  if (bpf_probe_read_user_str(e->path, sizeof(e->path), args->path) <= 1) {
    bpf_ringbuf_discard(e, 0);
    goto done;
  }
  bpf_ringbuf_submit(e, 0);
done:
  bpf_map_delete_elem(&pending, &tid);
  return 0;
}

SEC("tracepoint/syscalls/sys_enter_newstat")
int enter_stat(struct trace_event_raw_sys_enter* ctx) {
  return remember((const char*)ctx->args[0], STAT);
}

SEC("tracepoint/syscalls/sys_exit_newstat")
int exit_stat(struct trace_event_raw_sys_exit* ctx) {
  return report(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_newlstat")
int enter_lstat(struct trace_event_raw_sys_enter* ctx) {
  return remember((const char*)ctx->args[0], LSTAT);
}

SEC("tracepoint/syscalls/sys_exit_newlstat")
int exit_lstat(struct trace_event_raw_sys_exit* ctx) {
  return report(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_newfstatat")
int enter_fstatat(struct trace_event_raw_sys_enter* ctx) {
  return remember((const char*)ctx->args[1], FSTATAT);
}

SEC("tracepoint/syscalls/sys_exit_newfstatat")
int exit_fstatat(struct trace_event_raw_sys_exit* ctx) {
  return report(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_statx")
int enter_statx(struct trace_event_raw_sys_enter* ctx) {
  return remember((const char*)ctx->args[1], STATX);
}

SEC("tracepoint/syscalls/sys_exit_statx")
int exit_statx(struct trace_event_raw_sys_exit* ctx) {
  return report(ctx->ret);
}

/// @brief Trace stat family syscalls: which paths are looked up, by whom, with what result.
/// @version 1.0.0
/// @details Reports each stat(2), lstat(2), newfstatat(2) and statx(2) call when it returns,
/// with the path and the result (a negative errno on failure; -2 means the path does not
/// exist).
char LICENSE[] SEC("license") = "GPL";
