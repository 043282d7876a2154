// mountsnoop: report mount(2) and umount2(2) calls with source, target, file system type,
// flags and result. The user pointers are remembered at entry and read at exit, when the
// strings are still in the caller's memory.
#include "vmlinux.h"

#include <bpf/bpf_helpers.h>

#include "mountsnoop.h"

/// Process ID to trace (0 = all)
/// @cmdarg {"short": "p", "long": "pid", "default": 0, "help": "trace only this process id"}
const volatile int targ_pid = 0;

struct mount_args {
  enum mount_op op;
  unsigned long long flags;
  const char* source;
  const char* target;
  const char* fstype;
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1024);
  __type(key, unsigned int);
  __type(value, struct mount_args);
} pending SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 256 * 1024);
} events SEC(".maps");

static int remember(const struct mount_args* args) {
  unsigned long long id = bpf_get_current_pid_tgid();
  if (targ_pid && (int)(id >> 32) != targ_pid) return 0;
  unsigned int tid = (unsigned int)id;
  bpf_map_update_elem(&pending, &tid, args, BPF_ANY);
  return 0;
}

static int report(long ret) {
  unsigned long long id = bpf_get_current_pid_tgid();
  unsigned int tid = (unsigned int)id;
  struct mount_args* args = bpf_map_lookup_elem(&pending, &tid);
  if (!args) return 0;
  struct mount_event* e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (e) {
    e->pid = id >> 32;
    e->tid = tid;
    e->op = args->op;
    e->ret = (int)ret;
    e->flags = args->flags;
    bpf_get_current_comm(e->comm, sizeof(e->comm));
    e->fstype[0] = e->source[0] = e->target[0] = '\0';
    if (args->fstype) bpf_probe_read_user_str(e->fstype, sizeof(e->fstype), args->fstype);
    if (args->source) bpf_probe_read_user_str(e->source, sizeof(e->source), args->source);
    if (args->target) bpf_probe_read_user_str(e->target, sizeof(e->target), args->target);
    bpf_ringbuf_submit(e, 0);
  }
  bpf_map_delete_elem(&pending, &tid);
  return 0;
}

SEC("tracepoint/syscalls/sys_enter_mount")
int enter_mount(struct trace_event_raw_sys_enter* ctx) {
  struct mount_args args = {
      .op = MOUNT,
      .source = (const char*)ctx->args[0],
      .target = (const char*)ctx->args[1],
      .fstype = (const char*)ctx->args[2],
      .flags = ctx->args[3],
  };
  return remember(&args);
}

SEC("tracepoint/syscalls/sys_exit_mount")
int exit_mount(struct trace_event_raw_sys_exit* ctx) {
  return report(ctx->ret);
}

// umount2(2): the syscall is defined as "umount", so its tracepoints are sys_*_umount.
SEC("tracepoint/syscalls/sys_enter_umount")
int enter_umount(struct trace_event_raw_sys_enter* ctx) {
  struct mount_args args = {
      .op = UMOUNT,
      .target = (const char*)ctx->args[0],
      .flags = ctx->args[1],
  };
  return remember(&args);
}

SEC("tracepoint/syscalls/sys_exit_umount")
int exit_umount(struct trace_event_raw_sys_exit* ctx) {
  return report(ctx->ret);
}

/// @brief Trace mount and umount system calls.
/// @version 1.0.0
/// @details Reports each mount(2) and umount2(2) when it returns: the process, the source
/// device, the mount point, the file system type, the flags and the result.
char LICENSE[] SEC("license") = "GPL";
