#include "compiler/wasm_skel.h"

namespace lmp::compiler {

// lmp-wasm.h as written into a project. Keep docs/wasm-dev.md ("The guest API") in step.
std::string_view guest_library_header() {
  return R"C(/* lmp-wasm.h: the guest side of lmp's wasm_bpf interface, for C programs built with
 * `lmp build-wasm`. Written by `lmp gen-wasm-skel`; header-only; do not edit (it is
 * rewritten each time). See docs/wasm-dev.md.
 *
 * Errors are negative Linux errno values from the host (not WASI's errno numbering),
 * e.g. -LMP_EINVAL; the host prints the reason on stderr. */
#ifndef LMP_WASM_H
#define LMP_WASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Linux errno values as the host returns them (negated): the ones the map and buffer
 * calls give, e.g. -LMP_ENOENT from bpf_map_lookup_elem / bpf_map_get_next_key at the end. */
#define LMP_EPERM 1
#define LMP_ENOENT 2
#define LMP_EINTR 4
#define LMP_E2BIG 7
#define LMP_EBADF 9
#define LMP_EAGAIN 11
#define LMP_ENOMEM 12
#define LMP_EFAULT 14
#define LMP_EBUSY 16
#define LMP_EEXIST 17
#define LMP_EINVAL 22
#define LMP_ENOSPC 28
#define LMP_EOPNOTSUPP 95
#define LMP_EALREADY 114

/* ---- The imports: module "wasm_bpf", the wasm-bpf ABI (docs/wasm.md). ---- */
#define LMP_WASM_IMPORT(name) __attribute__((import_module("wasm_bpf"), import_name(#name)))

/* Loads an eBPF ELF object; a handle > 0, or 0 on failure. */
LMP_WASM_IMPORT(wasm_load_bpf_object)
uint64_t wasm_load_bpf_object(const void *obj, int obj_len);
/* Attaches program `name`; `target` is an attach target or NULL for the section's own. */
LMP_WASM_IMPORT(wasm_attach_bpf_program)
int wasm_attach_bpf_program(uint64_t obj, const char *name, const char *target);
/* The fd of map `name` of a loaded object. */
LMP_WASM_IMPORT(wasm_bpf_map_fd_by_name)
int wasm_bpf_map_fd_by_name(uint64_t obj, const char *name);
/* Polls ring/perf buffer map `fd`; calls function-table entry `sample_cb` (a C function
 * pointer of type bpf_buffer_sample_fn, cast to int32_t) as (ctx, buf, size) per sample. */
LMP_WASM_IMPORT(wasm_bpf_buffer_poll)
int wasm_bpf_buffer_poll(uint64_t obj, int fd, int32_t sample_cb, void *ctx, void *buf,
                         int max_size, int timeout_ms);
/* The kernel's bpf_cmd on map `fd`: 1 lookup, 2 update, 3 delete, 4 next key. */
LMP_WASM_IMPORT(wasm_bpf_map_operate)
int wasm_bpf_map_operate(int fd, int cmd, const void *key, void *value, void *next_key,
                         uint64_t flags);
/* Detaches and closes an object. */
LMP_WASM_IMPORT(wasm_close_bpf_object)
int wasm_close_bpf_object(uint64_t obj);

/* ---- Objects, maps and programs (the generated skeleton makes these). ---- */
struct bpf_object {
  uint64_t handle;    /* from wasm_load_bpf_object; 0 until loaded */
  unsigned char *elf; /* this object's own copy of the ELF file, handed to the host at load */
  size_t elf_size;
};
struct bpf_map {
  struct bpf_object *obj;
  const char *name;
};
struct bpf_program {
  struct bpf_object *obj;
  const char *name;
  const char *section;
};

/* A new object holding a copy of `elf[0..size)`; NULL when out of memory. */
static inline struct bpf_object *lmp_bpf_object__open_mem(const void *elf, size_t size) {
  struct bpf_object *obj = (struct bpf_object *)calloc(1, sizeof(*obj));
  if (!obj) return NULL;
  obj->elf = (unsigned char *)malloc(size ? size : 1);
  if (!obj->elf) {
    free(obj);
    return NULL;
  }
  memcpy(obj->elf, elf, size);
  obj->elf_size = size;
  return obj;
}

/* Loads the (possibly modified) copy into the kernel. 0, or a negative errno. */
static inline int lmp_bpf_object__load(struct bpf_object *obj) {
  if (!obj) return -LMP_EINVAL;
  if (obj->handle) return -LMP_EALREADY;
  obj->handle = wasm_load_bpf_object(obj->elf, (int)obj->elf_size);
  return obj->handle ? 0 : -LMP_EINVAL;
}

/* Closes the object if it was loaded and frees it. NULL is ignored. */
static inline void lmp_bpf_object__close(struct bpf_object *obj) {
  if (!obj) return;
  if (obj->handle) wasm_close_bpf_object(obj->handle);
  free(obj->elf);
  free(obj);
}

static inline struct bpf_map *lmp_bpf_map__new(struct bpf_object *obj, const char *name) {
  struct bpf_map *map = (struct bpf_map *)calloc(1, sizeof(*map));
  if (map) map->obj = obj, map->name = name;
  return map;
}

static inline struct bpf_program *lmp_bpf_program__new(struct bpf_object *obj, const char *name,
                                                       const char *section) {
  struct bpf_program *prog = (struct bpf_program *)calloc(1, sizeof(*prog));
  if (prog) prog->obj = obj, prog->name = name, prog->section = section;
  return prog;
}

static inline const char *bpf_map__name(const struct bpf_map *map) { return map->name; }
static inline const char *bpf_program__name(const struct bpf_program *prog) { return prog->name; }
static inline const char *bpf_program__section_name(const struct bpf_program *prog) {
  return prog->section;
}

/* The map's fd (after load), for the bpf_map_* functions below; a negative errno if none. */
static inline int bpf_map__fd(const struct bpf_map *map) {
  if (!map || !map->obj->handle) return -LMP_EINVAL;
  return wasm_bpf_map_fd_by_name(map->obj->handle, map->name);
}

/* Attaches a loaded program to `target` (e.g. a binary for an uprobe); NULL attaches it where
 * its ELF section says, as the skeleton's __attach does. 0, or a negative errno. */
static inline int bpf_program__attach_target(const struct bpf_program *prog, const char *target) {
  if (!prog || !prog->obj->handle) return -LMP_EINVAL;
  return wasm_attach_bpf_program(prog->obj->handle, prog->name, target);
}

/* ---- Ring and perf buffers. ---- */
/* Called once per sample; `data` holds `size` bytes (at most LMP_BPF_BUFFER_SIZE). A non-zero
 * return stops the poll and is returned by bpf_buffer__poll. */
typedef int (*bpf_buffer_sample_fn)(void *ctx, void *data, size_t size);

#ifndef LMP_BPF_BUFFER_SIZE
#define LMP_BPF_BUFFER_SIZE (64 * 1024) /* longer samples are truncated */
#endif

struct bpf_buffer {
  struct bpf_object *obj;
  int fd;
  bpf_buffer_sample_fn sample_cb;
  void *ctx;
  void *data;
};

/* A reader for ring buffer or perf event array `map` of a loaded object; NULL on failure. */
static inline struct bpf_buffer *bpf_buffer__open(struct bpf_map *map,
                                                  bpf_buffer_sample_fn sample_cb, void *ctx) {
  int fd = bpf_map__fd(map);
  if (fd < 0 || !sample_cb) return NULL;
  struct bpf_buffer *buf = (struct bpf_buffer *)calloc(1, sizeof(*buf));
  if (!buf) return NULL;
  buf->data = malloc(LMP_BPF_BUFFER_SIZE);
  if (!buf->data) {
    free(buf);
    return NULL;
  }
  buf->obj = map->obj;
  buf->fd = fd;
  buf->sample_cb = sample_cb;
  buf->ctx = ctx;
  return buf;
}

/* Waits up to `timeout_ms` for samples and calls sample_cb for each. A negative errno on
 * failure (-LMP_EINTR when interrupted), else what the host returns (>= 0). */
static inline int bpf_buffer__poll(struct bpf_buffer *buf, int timeout_ms) {
  if (!buf) return -LMP_EINVAL;
  return wasm_bpf_buffer_poll(buf->obj->handle, buf->fd, (int32_t)(intptr_t)buf->sample_cb,
                              buf->ctx, buf->data, LMP_BPF_BUFFER_SIZE, timeout_ms);
}

static inline void bpf_buffer__free(struct bpf_buffer *buf) {
  if (!buf) return;
  free(buf->data);
  free(buf);
}

/* ---- Map elements, with libbpf's signatures: 0 or a negative errno. ---- */
static inline int bpf_map_lookup_elem(int fd, const void *key, void *value) {
  return wasm_bpf_map_operate(fd, 1, key, value, NULL, 0);
}
static inline int bpf_map_update_elem(int fd, const void *key, const void *value,
                                      uint64_t flags) {
  return wasm_bpf_map_operate(fd, 2, key, (void *)value, NULL, flags);
}
static inline int bpf_map_delete_elem(int fd, const void *key) {
  return wasm_bpf_map_operate(fd, 3, key, NULL, NULL, 0);
}
/* `key` NULL gives the first key. -ENOENT (-2) after the last one. */
static inline int bpf_map_get_next_key(int fd, const void *key, void *next_key) {
  return wasm_bpf_map_operate(fd, 4, key, NULL, next_key, 0);
}

#endif /* LMP_WASM_H */
)C";
}

}  // namespace lmp::compiler
