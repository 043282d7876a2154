// Benchmark event generator: one ring-buffer record per getppid() call of one process.
// Used by bench/throughput.sh (events/s a consumer decodes) and bench/startup.sh.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "evgen.h"

/// Process id whose getppid() calls are reported (0 = every process)
/// @cmdarg {"long": "pid", "default": 0}
const volatile int targ_pid = 0;

/* Incremented for every matching call, before the ring-buffer reservation, so that a
 * consumer can tell produced from consumed: records lost = gaps in `seq`. Plain
 * increment: the benchmark filters one single-threaded process. */
unsigned long long evgen_seq = 0;
unsigned long long evgen_dropped = 0;

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getppid")
int evgen_getppid(void *ctx) {
  unsigned long long id = bpf_get_current_pid_tgid();
  int pid = id >> 32;
  if (targ_pid && pid != targ_pid) return 0;
  unsigned long long seq = ++evgen_seq;
  struct evgen_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e) {
    evgen_dropped++;
    return 0;
  }
  e->pid = pid;
  e->tid = (int)id;
  e->uid = (unsigned int)bpf_get_current_uid_gid();
  e->cpu = (int)bpf_get_smp_processor_id();
  e->seq = seq;
  e->ts = bpf_ktime_get_ns();
  bpf_get_current_comm(e->comm, sizeof(e->comm));
  bpf_ringbuf_submit(e, 0);
  return 0;
}

/// @brief lmp benchmark: one event per getppid() call
/// @version 1.0.0
char LICENSE[] SEC("license") = "GPL";
