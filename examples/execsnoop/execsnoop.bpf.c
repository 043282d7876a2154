// execsnoop: report every program started on the system (successful execve/execveat),
// with its pid, parent pid, user id, command name and the file executed.
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "execsnoop.h"

/// Only report execs by this process id (0 = every process)
/// @cmdarg {"default": 0, "short": "p", "long": "pid", "help": "trace only this process id"}
const volatile int targ_pid = 0;

/// Only report execs by this user id (-1 = every user)
/// @cmdarg {"default": -1, "short": "u", "long": "uid", "help": "trace only this user id"}
const volatile int targ_uid = -1;

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 256 * 1024);
} events SEC(".maps");

// sched_process_exec fires once the new program image is in place, so it sees only
// execs that succeeded, and `comm` already names the new program.
SEC("tp/sched/sched_process_exec")
int trace_exec(struct trace_event_raw_sched_process_exec *ctx) {
  int pid = bpf_get_current_pid_tgid() >> 32;
  unsigned int uid = (unsigned int)bpf_get_current_uid_gid();
  if (targ_pid && pid != targ_pid) return 0;
  if (targ_uid >= 0 && uid != (unsigned int)targ_uid) return 0;

  struct exec_event *event = bpf_ringbuf_reserve(&events, sizeof(*event), 0);
  if (!event) return 0;  // buffer full: drop rather than block
  struct task_struct *task = (struct task_struct *)bpf_get_current_task();
  event->pid = pid;
  event->ppid = BPF_CORE_READ(task, real_parent, tgid);
  event->uid = uid;
  bpf_get_current_comm(event->comm, sizeof(event->comm));
  // __data_loc field: low 16 bits = offset of the string from the start of the record.
  unsigned int filename_at = ctx->__data_loc_filename & 0xFFFF;
  bpf_probe_read_kernel_str(event->filename, sizeof(event->filename), (void *)ctx + filename_at);
  bpf_ringbuf_submit(event, 0);
  return 0;
}

/// @brief Trace new programs being executed
/// @version 1.0.0
/// @details Prints one line per successful exec with the pid, parent pid, user id,
/// command name and file name. Filter with -p PID or -u UID.
char LICENSE[] SEC("license") = "Dual BSD/GPL";
