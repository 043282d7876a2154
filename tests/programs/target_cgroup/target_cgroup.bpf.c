// Test program: reports each socket created by a process in the cgroup it is attached to.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct socket_event {
  int pid;
  int family;
  int type;
};

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 64 * 1024);
} sockets SEC(".maps");

SEC("cgroup/sock_create")
int on_socket(struct bpf_sock *sk) {
  struct socket_event e = {
      .pid = bpf_get_current_pid_tgid() >> 32, .family = sk->family, .type = sk->type};
  bpf_ringbuf_output(&sockets, &e, sizeof(e), 0);
  return 1;  // allow the socket
}

char LICENSE[] SEC("license") = "GPL";
