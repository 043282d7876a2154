// Test program with its own vmlinux.h beside it and a macro that must come from --cflags.
#include <vmlinux.h>
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#ifndef LMP_TEST_OWN_VMLINUX
#error "the project's vmlinux.h was not used"
#endif
#ifndef FROM_CFLAGS
#error "build with --cflags=-DFROM_CFLAGS"
#endif

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} counts SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getpid")
int count_getpid(void *ctx) {
  __u32 key = 0;
  __u64 *value = bpf_map_lookup_elem(&counts, &key);
  if (value) __sync_fetch_and_add(value, 1);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
