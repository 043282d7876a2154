// Event reported by tcpstates for every TCP state change.
#ifndef LMP_CATALOG_TCPSTATES_H
#define LMP_CATALOG_TCPSTATES_H

#define TCPSTATES_TASK_COMM_LEN 16

// The kernel's TCP states (include/net/tcp_states.h), named so they print readably.
enum tcp_state_name {
  ESTABLISHED = 1,
  SYN_SENT = 2,
  SYN_RECV = 3,
  FIN_WAIT1 = 4,
  FIN_WAIT2 = 5,
  TIME_WAIT = 6,
  CLOSE = 7,
  CLOSE_WAIT = 8,
  LAST_ACK = 9,
  LISTEN = 10,
  CLOSING = 11,
  NEW_SYN_RECV = 12,
};

enum address_family {
  IPV4 = 2,
  IPV6 = 10,
};

struct tcpstate_event {
  int pid;  // the task running when the state changed (often unrelated for softirq changes)
  char comm[TCPSTATES_TASK_COMM_LEN];
  enum address_family family;
  __u8 saddr[4];  // IPv4 addresses, in network order; zero for IPv6
  __u8 daddr[4];
  unsigned short sport;
  unsigned short dport;
  enum tcp_state_name oldstate;
  enum tcp_state_name newstate;
  unsigned long long delta_us;  // time spent in oldstate (0 if its start was not seen)
};

#endif
