// tcpstates: report TCP socket state changes (tp/sock/inet_sock_set_state) with addresses,
// ports, old and new state names and how long the socket stayed in the old state.
#include "vmlinux.h"

#include <bpf/bpf_helpers.h>

#include "tcpstates.h"

#define IPPROTO_TCP_NUMBER 6

/// Local port to trace (0 = all)
/// @cmdarg {"short": "L", "long": "localport", "default": 0, "help": "local port"}
const volatile int targ_sport = 0;

/// Remote port to trace (0 = all)
/// @cmdarg {"short": "D", "long": "remoteport", "default": 0, "help": "remote port"}
const volatile int targ_dport = 0;

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 10240);
  __type(key, unsigned long long);
  __type(value, unsigned long long);
} state_since SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("tracepoint/sock/inet_sock_set_state")
int on_set_state(struct trace_event_raw_inet_sock_set_state* ctx) {
  if (ctx->protocol != IPPROTO_TCP_NUMBER) return 0;
  unsigned short sport = ctx->sport;
  unsigned short dport = ctx->dport;
  if (targ_sport && sport != targ_sport) return 0;
  if (targ_dport && dport != targ_dport) return 0;

  unsigned long long sk = (unsigned long long)ctx->skaddr;
  unsigned long long now = bpf_ktime_get_ns();
  unsigned long long delta_us = 0;
  unsigned long long* since = bpf_map_lookup_elem(&state_since, &sk);
  if (since) delta_us = (now - *since) / 1000;

  struct tcpstate_event* e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (e) {
    e->pid = bpf_get_current_pid_tgid() >> 32;
    bpf_get_current_comm(e->comm, sizeof(e->comm));
    e->family = (enum address_family)ctx->family;
    __builtin_memset(e->saddr, 0, sizeof(e->saddr));
    __builtin_memset(e->daddr, 0, sizeof(e->daddr));
    if (ctx->family == IPV4) {
      __builtin_memcpy(e->saddr, ctx->saddr, sizeof(e->saddr));
      __builtin_memcpy(e->daddr, ctx->daddr, sizeof(e->daddr));
    }
    e->sport = sport;
    e->dport = dport;
    e->oldstate = (enum tcp_state_name)ctx->oldstate;
    e->newstate = (enum tcp_state_name)ctx->newstate;
    e->delta_us = delta_us;
    bpf_ringbuf_submit(e, 0);
  }

  if (ctx->newstate == CLOSE)
    bpf_map_delete_elem(&state_since, &sk);
  else
    bpf_map_update_elem(&state_since, &sk, &now, BPF_ANY);
  return 0;
}

/// @brief Trace TCP state changes with addresses, ports and time in each state.
/// @version 1.0.0
/// @details Reports every TCP state transition (for example CLOSE -> SYN_SENT ->
/// ESTABLISHED) with IPv4 addresses, ports, the task that was running and how long the
/// socket stayed in the previous state. Filter by local (-L) or remote (-D) port.
char LICENSE[] SEC("license") = "GPL";
