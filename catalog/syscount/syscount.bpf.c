// syscount: count system calls per syscall number, printed (and reset) every second.
#include "vmlinux.h"

#include <bpf/bpf_helpers.h>

#include "syscount.h"

/// Process ID to trace (0 = all)
/// @cmdarg {"short": "p", "long": "pid", "default": 0, "help": "count only this process's calls"}
const volatile int targ_pid = 0;

/// @sample {"interval": 1000, "type": "default_kv", "clear_map": true}
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1024);
  __type(key, struct syscall_key);
  __type(value, struct syscall_stats);
} counts SEC(".maps");

SEC("tracepoint/raw_syscalls/sys_enter")
int on_sys_enter(struct trace_event_raw_sys_enter* ctx) {
  if (targ_pid && (int)(bpf_get_current_pid_tgid() >> 32) != targ_pid) return 0;
  if (ctx->id < 0) return 0;
  struct syscall_key key = {.syscall_id = (unsigned int)ctx->id};
  struct syscall_stats* stats = bpf_map_lookup_elem(&counts, &key);
  if (!stats) {
    struct syscall_stats first = {.count = 1};
    if (!bpf_map_update_elem(&counts, &key, &first, BPF_NOEXIST)) return 0;
    stats = bpf_map_lookup_elem(&counts, &key);
    if (!stats) return 0;
  }
  __sync_fetch_and_add(&stats->count, 1);
  return 0;
}

/// @brief Count system calls per syscall number, every second.
/// @version 1.0.0
/// @details Counts every system call entry by its number (see ausyscall --dump or
/// /usr/include/asm/unistd_64.h for the names) and prints the counts of the last second.
/// Use -p to count only one process.
char LICENSE[] SEC("license") = "GPL";
