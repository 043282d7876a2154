// execsnoop: report execve(2) calls with the program path, its arguments and the result.
// At syscall entry the path and arguments are copied into a per-thread staging event (the
// caller's memory is gone after a successful exec); at exit the event is completed and sent.
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "execsnoop.h"

#define MAX_ARGS 20
#define ARG_CHUNK 64  // at most this many bytes of one argument

/// Process ID to trace (0 = all)
/// @cmdarg {"short": "p", "long": "pid", "default": 0, "help": "trace only this process id"}
const volatile int targ_pid = 0;

/// User ID to trace (-1 = all)
/// @cmdarg {"short": "u", "long": "uid", "default": -1, "help": "trace only this user id"}
const volatile int targ_uid = -1;

/// Show only failed execs
/// @cmdarg {"short": "x", "long": "failed", "default": false, "help": "only show failed execs"}
const volatile bool targ_failed = false;

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 10240);
  __type(key, unsigned int);
  __type(value, struct exec_event);
} pending SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 256 * 1024);
} events SEC(".maps");

static const struct exec_event empty;

SEC("tracepoint/syscalls/sys_enter_execve")
int enter_execve(struct trace_event_raw_sys_enter* ctx) {
  unsigned long long id = bpf_get_current_pid_tgid();
  unsigned int tid = (unsigned int)id;
  unsigned int uid = (unsigned int)bpf_get_current_uid_gid();
  if (targ_pid && (int)(id >> 32) != targ_pid) return 0;
  if (targ_uid != -1 && uid != (unsigned int)targ_uid) return 0;
  if (bpf_map_update_elem(&pending, &tid, &empty, BPF_ANY)) return 0;
  struct exec_event* staged = bpf_map_lookup_elem(&pending, &tid);
  if (!staged) return 0;

  struct task_struct* task = (struct task_struct*)bpf_get_current_task();
  staged->pid = id >> 32;
  staged->ppid = BPF_CORE_READ(task, real_parent, tgid);
  staged->uid = uid;
  bpf_probe_read_user_str(staged->filename, sizeof(staged->filename), (const char*)ctx->args[0]);

  // Arguments joined by spaces, each cut at ARG_CHUNK bytes, as many as fit.
  const char* const* argv = (const char* const*)ctx->args[1];
  unsigned int off = 0;
  for (int i = 0; i < MAX_ARGS; i++) {
    const char* arg = NULL;
    if (bpf_probe_read_user(&arg, sizeof(arg), &argv[i]) || !arg) break;
    if (off > EXECSNOOP_ARGS_LEN - ARG_CHUNK) break;
    long n = bpf_probe_read_user_str(&staged->args[off], ARG_CHUNK, arg);
    if (n <= 0) break;
    off += n;  // n counts the terminating NUL, which becomes the separator
    if (off - 1 < EXECSNOOP_ARGS_LEN) staged->args[off - 1] = ' ';
  }
  if (off > 0 && off - 1 < EXECSNOOP_ARGS_LEN) staged->args[off - 1] = '\0';
  return 0;
}

// After a successful exec the new program's arguments (and, right above its environment,
// the path it was started as) are on its fresh stack. Read them from there: at entry the
// caller's strings may sit in pages not yet mapped (after fork), where BPF cannot read.
static void read_new_image(struct exec_event* e) {
  struct task_struct* task = (struct task_struct*)bpf_get_current_task();
  struct mm_struct* mm = BPF_CORE_READ(task, mm);
  if (!mm) return;
  unsigned long start = BPF_CORE_READ(mm, arg_start);
  unsigned long len = BPF_CORE_READ(mm, arg_end) - start;
  if (len > EXECSNOOP_ARGS_LEN - 1) len = EXECSNOOP_ARGS_LEN - 1;
  if (len > 0 && bpf_probe_read_user(e->args, len, (const void*)start) == 0) {
    for (int i = 0; i < EXECSNOOP_ARGS_LEN - 1; i++) {
      if (i + 1 >= len) break;
      if (e->args[i] == '\0') e->args[i] = ' ';
    }
    e->args[len & (EXECSNOOP_ARGS_LEN - 1)] = '\0';
    if (len >= 1 && e->args[(len - 1) & (EXECSNOOP_ARGS_LEN - 1)] == ' ')
      e->args[(len - 1) & (EXECSNOOP_ARGS_LEN - 1)] = '\0';
  }
  if (e->filename[0] == '\0') {
    const char* execfn = (const char*)BPF_CORE_READ(mm, env_end);
    bpf_probe_read_user_str(e->filename, sizeof(e->filename), execfn);
  }
}

SEC("tracepoint/syscalls/sys_exit_execve")
int exit_execve(struct trace_event_raw_sys_exit* ctx) {
  unsigned int tid = (unsigned int)bpf_get_current_pid_tgid();
  struct exec_event* staged = bpf_map_lookup_elem(&pending, &tid);
  if (!staged) return 0;
  if (targ_failed && ctx->ret >= 0) goto done;
  struct exec_event* e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e) goto done;
  __builtin_memcpy(e, staged, sizeof(*e));
  e->ret = (int)ctx->ret;
  if (ctx->ret == 0) read_new_image(e);
  bpf_get_current_comm(e->comm, sizeof(e->comm));
  bpf_ringbuf_submit(e, 0);
done:
  bpf_map_delete_elem(&pending, &tid);
  return 0;
}

/// @brief Trace new processes: every execve(2) with its arguments, parent and result.
/// @version 1.0.0
/// @details Reports each execve(2) when it returns: the pid, parent pid, user, the new
/// command name, the program path and up to 20 arguments. Failed execs are shown too (or
/// only them with -x).
char LICENSE[] SEC("license") = "GPL";
