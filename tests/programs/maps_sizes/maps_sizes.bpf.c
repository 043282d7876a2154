// Test program: maps left unsized for user space to size, as libbpf-tools declare them.
// lmp run gives them defaults (hash 10240, array one per CPU, stack trace 127 frames,
// ring buffer 256 KiB) or the sizes of --map-size.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 0);
  __type(key, u32);
  __type(value, u64);
} counts SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_STACK_TRACE);
  __type(key, u32);
} stacks SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __type(key, u32);
  __type(value, u64);
} per_cpu_calls SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
} events SEC(".maps");

SEC("tp/syscalls/sys_enter_getppid")
int on_getppid(void *ctx) {
  u32 pid = bpf_get_current_pid_tgid() >> 32;
  u64 one = 1;
  u64 *count = bpf_map_lookup_elem(&counts, &pid);
  if (count)
    __sync_fetch_and_add(count, 1);
  else
    bpf_map_update_elem(&counts, &pid, &one, BPF_NOEXIST);
  bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK);
  u32 cpu = bpf_get_smp_processor_id();
  u64 *calls = bpf_map_lookup_elem(&per_cpu_calls, &cpu);
  if (calls) __sync_fetch_and_add(calls, 1);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
