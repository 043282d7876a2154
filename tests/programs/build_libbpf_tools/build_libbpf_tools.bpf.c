// Test program written like a libbpf-tools tool for a current libbpf: <vmlinux.h> with angle
// brackets, a helper header from an -I directory, bpf_ksym_exists and bpf_for (which
// Debian's libbpf 1.1 headers lack), a macro that must come from -D, and a pid filter in
// .bss that user space sets before load.
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "maps.bpf.h"
#include "build_libbpf_tools.h"

#ifndef BUILD_MARK
#error "build with -D BUILD_MARK=N"
#endif

/// Only report this process id (0 = all)
pid_t targ_pid = 0;

/// Written by the program, so not an option.
__u64 events_seen = 0;

/// Minimum mark to report (in .data: it has an initializer)
/// @default 3
int min_mark = 1;

extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym __weak;
extern const int lmp_no_such_kernel_symbol __ksym __weak;

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 64 * 1024);
} events SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int trace_openat(struct trace_event_raw_sys_enter *ctx) {
  pid_t pid = bpf_get_current_pid_tgid() >> 32;
  if (targ_pid && pid != targ_pid) return 0;
  if (BUILD_MARK < min_mark) return 0;
  __sync_fetch_and_add(&events_seen, 1);
  struct tool_event *e = reserve_event(&events, sizeof(*e));
  if (!e) return 0;
  e->pid = pid;
  e->mark = BUILD_MARK;
  e->ksyms = (bpf_ksym_exists(bpf_task_acquire) ? 1 : 0) |
             (bpf_ksym_exists(&lmp_no_such_kernel_symbol) ? 2 : 0);
  int i, sum = 0;
  bpf_for(i, 0, 5) sum += i;
  e->loop_sum = sum;
  bpf_get_current_comm(e->comm, sizeof(e->comm));
  bpf_ringbuf_submit(e, 0);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
