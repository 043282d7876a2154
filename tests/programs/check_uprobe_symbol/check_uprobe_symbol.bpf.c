// Test program for lmp check: one uprobe on a function libc defines, one on a function it
// does not.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("uprobe/libc.so.6:malloc")
int on_malloc(void *ctx) {
  bpf_printk("malloc");
  return 0;
}

SEC("uprobe/libc.so.6:lmp_no_such_function")
int on_missing(void *ctx) {
  bpf_printk("never");
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
