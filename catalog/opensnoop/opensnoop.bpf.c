// opensnoop: report openat(2) and openat2(2) calls with the path, the flags and the result.
// The path and flags are remembered per thread at syscall entry and reported at exit.
#include "vmlinux.h"

#include <bpf/bpf_helpers.h>

#include "opensnoop.h"

/// Process ID to trace (0 = all)
/// @cmdarg {"short": "p", "long": "pid", "default": 0, "help": "trace only this process id"}
const volatile int targ_pid = 0;

/// User ID to trace (-1 = all)
/// @cmdarg {"short": "u", "long": "uid", "default": -1, "help": "trace only this user id"}
const volatile int targ_uid = -1;

/// Show only failed opens
/// @cmdarg {"short": "x", "long": "failed", "default": false, "help": "only show failed opens"}
const volatile bool targ_failed = false;

struct open_args {
  const char* fname;
  int flags;
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 10240);
  __type(key, unsigned int);
  __type(value, struct open_args);
} pending SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 256 * 1024);
} events SEC(".maps");

static bool wanted(void) {
  unsigned long long id = bpf_get_current_pid_tgid();
  if (targ_pid && (int)(id >> 32) != targ_pid) return false;
  if (targ_uid != -1 && (unsigned int)bpf_get_current_uid_gid() != (unsigned int)targ_uid)
    return false;
  return true;
}

static int remember(const char* fname, int flags) {
  if (!wanted()) return 0;
  unsigned int tid = (unsigned int)bpf_get_current_pid_tgid();
  struct open_args args = {.fname = fname, .flags = flags};
  bpf_map_update_elem(&pending, &tid, &args, BPF_ANY);
  return 0;
}

static int report(long ret) {
  unsigned long long id = bpf_get_current_pid_tgid();
  unsigned int tid = (unsigned int)id;
  struct open_args* args = bpf_map_lookup_elem(&pending, &tid);
  if (!args) return 0;
  if (targ_failed && ret >= 0) goto done;
  struct open_event* e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e) goto done;
  e->pid = id >> 32;
  e->uid = (unsigned int)bpf_get_current_uid_gid();
  e->ret = (int)ret;
  e->flags = args->flags;
  bpf_get_current_comm(e->comm, sizeof(e->comm));
  if (bpf_probe_read_user_str(e->fname, sizeof(e->fname), args->fname) < 0) e->fname[0] = '\0';
  bpf_ringbuf_submit(e, 0);
done:
  bpf_map_delete_elem(&pending, &tid);
  return 0;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int enter_openat(struct trace_event_raw_sys_enter* ctx) {
  return remember((const char*)ctx->args[1], (int)ctx->args[2]);
}

SEC("tracepoint/syscalls/sys_exit_openat")
int exit_openat(struct trace_event_raw_sys_exit* ctx) {
  return report(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_openat2")
int enter_openat2(struct trace_event_raw_sys_enter* ctx) {
  struct open_how how = {};
  bpf_probe_read_user(&how, sizeof(how), (void*)ctx->args[2]);
  return remember((const char*)ctx->args[1], (int)how.flags);
}

SEC("tracepoint/syscalls/sys_exit_openat2")
int exit_openat2(struct trace_event_raw_sys_exit* ctx) {
  return report(ctx->ret);
}

/// @brief Trace open family syscalls: who opened which file, with which flags and result.
/// @version 1.0.0
/// @details Reports every openat(2) and openat2(2) call when it returns. Filter by process
/// id, user id, or show only the opens that failed.
char LICENSE[] SEC("license") = "GPL";
