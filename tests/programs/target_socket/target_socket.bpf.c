// Test program: a socket filter reporting the length and destination port of each UDP/IPv4
// packet its socket sees (on an AF_PACKET socket: the Ethernet header comes first).
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define ETHER_HEADER_LEN 14
#define ETHER_TYPE_IPV4 0x0800
#define IP_PROTO_UDP 17

struct packet_event {
  unsigned int len;
  unsigned int port;
};

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 64 * 1024);
} packets SEC(".maps");

SEC("socket")
int udp_packets(struct __sk_buff *skb) {
  __u8 version_ihl, protocol;
  __u16 port;
  if (skb->protocol != bpf_htons(ETHER_TYPE_IPV4)) return 0;
  if (bpf_skb_load_bytes(skb, ETHER_HEADER_LEN, &version_ihl, 1)) return 0;
  if (bpf_skb_load_bytes(skb, ETHER_HEADER_LEN + 9, &protocol, 1)) return 0;
  if (protocol != IP_PROTO_UDP) return 0;
  int udp = ETHER_HEADER_LEN + (version_ihl & 0xf) * 4;
  if (bpf_skb_load_bytes(skb, udp + 2, &port, 2)) return 0;
  struct packet_event e = {.len = skb->len, .port = bpf_ntohs(port)};
  bpf_ringbuf_output(&packets, &e, sizeof(e), 0);
  return 0;  // keep nothing: nobody reads the socket
}

char LICENSE[] SEC("license") = "GPL";
