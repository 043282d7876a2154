// sigsnoop: report signals as they are generated (tp/signal/signal_generate), or with -k only
// the signals sent by kill(2), paired from its syscall entry and exit.
#include "vmlinux.h"

#include <bpf/bpf_helpers.h>

#include "sigsnoop.h"

/// Show only failed signals
/// @cmdarg {"short": "x", "long": "failed", "default": false, "help": "failed signals only"}
const volatile bool filtered_by_failed = false;

/// Show only signals sent by kill(2)
/// @cmdarg {"short": "k", "long": "killed", "default": false, "help": "kill only"}
const volatile bool filtered_by_kill = false;

/// Sender process ID to trace (0 = all)
/// @cmdarg {"short": "p", "long": "pid", "default": 0, "help": "target pid"}
const volatile int filtered_pid = 0;

/// Signal to trace (0 = all)
/// @cmdarg {"short": "s", "long": "signal", "default": 0, "help": "target signal"}
const volatile int target_signal = 0;

struct kill_args {
  int tpid;
  int sig;
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 10240);
  __type(key, unsigned int);
  __type(value, struct kill_args);
} pending SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 256 * 1024);
} events SEC(".maps");

static bool wanted(int pid, int sig) {
  if (filtered_pid && pid != filtered_pid) return false;
  if (target_signal && sig != target_signal) return false;
  return true;
}

static void report(int pid, int tpid, int sig, int ret) {
  struct signal_event* e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e) return;
  e->pid = pid;
  e->tpid = tpid;
  e->sig = sig;
  e->ret = ret;
  bpf_get_current_comm(e->comm, sizeof(e->comm));
  bpf_ringbuf_submit(e, 0);
}

SEC("tracepoint/signal/signal_generate")
int on_signal_generate(struct trace_event_raw_signal_generate* ctx) {
  if (filtered_by_kill) return 0;
  int pid = bpf_get_current_pid_tgid() >> 32;
  int sig = ctx->sig;
  int ret = ctx->result;
  if (!wanted(pid, sig)) return 0;
  if (filtered_by_failed && ret == 0) return 0;
  report(pid, ctx->pid, sig, ret);
  return 0;
}

SEC("tracepoint/syscalls/sys_enter_kill")
int enter_kill(struct trace_event_raw_sys_enter* ctx) {
  if (!filtered_by_kill) return 0;
  unsigned long long id = bpf_get_current_pid_tgid();
  struct kill_args args = {.tpid = (int)ctx->args[0], .sig = (int)ctx->args[1]};
  if (!wanted(id >> 32, args.sig)) return 0;
  unsigned int tid = (unsigned int)id;
  bpf_map_update_elem(&pending, &tid, &args, BPF_ANY);
  return 0;
}

SEC("tracepoint/syscalls/sys_exit_kill")
int exit_kill(struct trace_event_raw_sys_exit* ctx) {
  if (!filtered_by_kill) return 0;
  unsigned long long id = bpf_get_current_pid_tgid();
  unsigned int tid = (unsigned int)id;
  struct kill_args* args = bpf_map_lookup_elem(&pending, &tid);
  if (!args) return 0;
  int ret = (int)ctx->ret;
  if (!filtered_by_failed || ret < 0) report(id >> 32, args->tpid, args->sig, ret);
  bpf_map_delete_elem(&pending, &tid);
  return 0;
}

/// @brief Trace standard and real-time signals.
/// @version 1.0.0
/// @details Reports who sent which signal to whom. By default every generated signal is
/// shown, with the kernel's delivery result (0 delivered, 1 ignored, 2 already pending,
/// 3 queue overflow, 4 info lost); with -k only kill(2) calls, with their return value.
char LICENSE[] SEC("license") = "GPL";
