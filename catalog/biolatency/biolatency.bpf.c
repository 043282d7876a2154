// biolatency: block device I/O latency, from the request being issued to the device
// (block_rq_issue) to its completion (block_rq_complete), as a log2 histogram.
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "biolatency.h"

/// Show one histogram per disk (keyed by device number major << 20 | minor)
/// @cmdarg {"short": "D", "long": "disks", "default": false, "help": "print a histogram per disk"}
const volatile bool targ_per_disk = false;

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 10240);
  __type(key, unsigned long long);
  __type(value, unsigned long long);
} issued_at SEC(".maps");

/// @sample {"interval": 1000, "type": "log2_hist", "unit": "usecs", "clear_map": false}
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 256);
  __type(key, unsigned int);
  __type(value, struct hist);
} hists SEC(".maps");

static const struct hist empty_hist;

static unsigned int log2_slot(unsigned long long v) {
  unsigned int slot = 0;
  while (v > 1 && slot < BIOLATENCY_MAX_SLOTS - 1) {
    v >>= 1;
    slot++;
  }
  return slot;
}

SEC("tp_btf/block_rq_issue")
int BPF_PROG(on_issue, struct request* rq) {
  unsigned long long key = (unsigned long long)rq;
  unsigned long long now = bpf_ktime_get_ns();
  bpf_map_update_elem(&issued_at, &key, &now, BPF_ANY);
  return 0;
}

SEC("tp_btf/block_rq_complete")
int BPF_PROG(on_complete, struct request* rq, int error, unsigned int nr_bytes) {
  unsigned long long rq_key = (unsigned long long)rq;
  unsigned long long* start = bpf_map_lookup_elem(&issued_at, &rq_key);
  if (!start) return 0;
  unsigned long long delta_us = (bpf_ktime_get_ns() - *start) / 1000;
  bpf_map_delete_elem(&issued_at, &rq_key);

  unsigned int key = 0;
  struct gendisk* disk = NULL;
  if (targ_per_disk) {
    disk = BPF_CORE_READ(rq, q, disk);
    if (disk) key = (BPF_CORE_READ(disk, major) << 20) | BPF_CORE_READ(disk, first_minor);
  }
  struct hist* h = bpf_map_lookup_elem(&hists, &key);
  if (!h) {
    bpf_map_update_elem(&hists, &key, &empty_hist, BPF_NOEXIST);
    h = bpf_map_lookup_elem(&hists, &key);
    if (!h) return 0;
    if (disk) bpf_probe_read_kernel_str(h->disk, sizeof(h->disk), disk->disk_name);
  }
  __sync_fetch_and_add(&h->slots[log2_slot(delta_us)], 1);
  return 0;
}

/// @brief Summarize block device I/O latency as a histogram.
/// @version 1.0.0
/// @details Measures the time each block I/O request spends in the device (from issue to
/// completion) and prints a log2 histogram in microseconds every second, for all disks or
/// per disk (-D).
char LICENSE[] SEC("license") = "GPL";
