// Test program using a kprobe, which this test machine's kernel does not have.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("kprobe/do_unlinkat")
int BPF_KPROBE(trace_unlink, int dfd) {
  bpf_printk("unlink %d", dfd);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
