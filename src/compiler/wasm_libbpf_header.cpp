#include "compiler/wasm_skel.h"

namespace lmp::compiler {

// libbpf-wasm.h as written into a project: the names wasm-bpf's C guests use, on top of
// lmp-wasm.h. Keep docs/wasm-dev.md ("Sources written for wasm-bpf") in step.
std::string_view libbpf_wasm_header() {
  return R"C(/* libbpf-wasm.h: for C programs written for wasm-bpf, which include this header. It maps
 * their names onto lmp's guest library (lmp-wasm.h), so they build with `lmp build-wasm`
 * unchanged. Written by `lmp gen-wasm-skel`; do not edit. See docs/wasm-dev.md. */
#ifndef LMP_LIBBPF_WASM_H
#define LMP_LIBBPF_WASM_H

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lmp-wasm.h"

/* The timeout bpf_buffer__poll uses for 0 or less. */
#define POLL_TIMEOUT_MS LMP_POLL_DEFAULT_TIMEOUT_MS

/* An object handle as the wasm_bpf imports pass it. */
typedef uint64_t bpf_object_skel;

/* Where the skeleton's __attach attaches `prog`: e.g. an interface for xdp, a cgroup
 * directory for sockops ("" or NULL: where its section says). */
static inline int bpf_set_prog_attach_target(struct bpf_program *prog, const char *target) {
  return lmp_bpf_program__set_attach_target(prog, target);
}

/* -errno for a failed call that set errno, else `ret`. */
static inline int libbpf_err_errno(int ret) { return ret < 0 ? -errno : ret; }

/* The map commands of wasm_bpf_map_operate (the kernel's bpf_cmd values). */
enum bpf_cmd {
  BPF_MAP_LOOKUP_ELEM = 1,
  BPF_MAP_UPDATE_ELEM = 2,
  BPF_MAP_DELETE_ELEM = 3,
  BPF_MAP_GET_NEXT_KEY = 4,
};

static inline int bpf_map_lookup_elem_flags(int fd, const void *key, void *value,
                                            uint64_t flags) {
  return lmp_host_result(wasm_bpf_map_operate(fd, BPF_MAP_LOOKUP_ELEM, key, value, NULL, flags));
}
static inline int bpf_map_delete_elem_flags(int fd, const void *key, uint64_t flags) {
  return lmp_host_result(wasm_bpf_map_operate(fd, BPF_MAP_DELETE_ELEM, key, NULL, NULL, flags));
}

/* The kernel's map types (include/uapi/linux/bpf.h), for programs that name them. */
enum bpf_map_type {
  BPF_MAP_TYPE_UNSPEC = 0,
  BPF_MAP_TYPE_HASH = 1,
  BPF_MAP_TYPE_ARRAY = 2,
  BPF_MAP_TYPE_PROG_ARRAY = 3,
  BPF_MAP_TYPE_PERF_EVENT_ARRAY = 4,
  BPF_MAP_TYPE_PERCPU_HASH = 5,
  BPF_MAP_TYPE_PERCPU_ARRAY = 6,
  BPF_MAP_TYPE_STACK_TRACE = 7,
  BPF_MAP_TYPE_CGROUP_ARRAY = 8,
  BPF_MAP_TYPE_LRU_HASH = 9,
  BPF_MAP_TYPE_LRU_PERCPU_HASH = 10,
  BPF_MAP_TYPE_LPM_TRIE = 11,
  BPF_MAP_TYPE_ARRAY_OF_MAPS = 12,
  BPF_MAP_TYPE_HASH_OF_MAPS = 13,
  BPF_MAP_TYPE_DEVMAP = 14,
  BPF_MAP_TYPE_SOCKMAP = 15,
  BPF_MAP_TYPE_CPUMAP = 16,
  BPF_MAP_TYPE_XSKMAP = 17,
  BPF_MAP_TYPE_SOCKHASH = 18,
  BPF_MAP_TYPE_CGROUP_STORAGE = 19,
  BPF_MAP_TYPE_REUSEPORT_SOCKARRAY = 20,
  BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE = 21,
  BPF_MAP_TYPE_QUEUE = 22,
  BPF_MAP_TYPE_STACK = 23,
  BPF_MAP_TYPE_SK_STORAGE = 24,
  BPF_MAP_TYPE_DEVMAP_HASH = 25,
  BPF_MAP_TYPE_STRUCT_OPS = 26,
  BPF_MAP_TYPE_RINGBUF = 27,
  BPF_MAP_TYPE_INODE_STORAGE = 28,
  BPF_MAP_TYPE_TASK_STORAGE = 29,
  BPF_MAP_TYPE_BLOOM_FILTER = 30,
  BPF_MAP_TYPE_USER_RINGBUF = 31,
  BPF_MAP_TYPE_CGRP_STORAGE = 32,
};

#endif /* LMP_LIBBPF_WASM_H */
)C";
}

}  // namespace lmp::compiler
