#include "compiler/wasm_skel.h"

namespace lmp::compiler {

// lmp-wasm.h as written into a project. Keep docs/wasm-dev.md ("The guest API") in step.
std::string_view guest_library_header() {
  return R"C(/* lmp-wasm.h: the guest side of lmp's wasm_bpf interface, for C programs built with
 * `lmp build-wasm`. Written by `lmp gen-wasm-skel`; header-only; do not edit (it is
 * rewritten each time). See docs/wasm-dev.md.
 *
 * Errors are negative errno values of the guest's <errno.h> (-EINVAL, ...), translated from
 * the host's Linux values; the host prints the reason on stderr. */
#ifndef LMP_WASM_H
#define LMP_WASM_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Errors. The host returns negative Linux errno values; every function of this header (not
 * the raw wasm_* imports) turns them into the guest's own <errno.h> numbering (wasi-libc's),
 * so `err == -ENOENT` and strerror(-err) work as with libbpf. LMP_E* are aliases. */
#define LMP_EPERM EPERM
#define LMP_ENOENT ENOENT
#define LMP_EINTR EINTR
#define LMP_E2BIG E2BIG
#define LMP_EBADF EBADF
#define LMP_EAGAIN EAGAIN
#define LMP_ENOMEM ENOMEM
#define LMP_EFAULT EFAULT
#define LMP_EBUSY EBUSY
#define LMP_EEXIST EEXIST
#define LMP_EINVAL EINVAL
#define LMP_ENOSPC ENOSPC
#define LMP_EOPNOTSUPP EOPNOTSUPP
#define LMP_EALREADY EALREADY

/* A host result (>= 0, or a negative Linux errno) in this header's terms. */
static inline int lmp_host_result(int ret) {
  if (ret >= 0) return ret;
  switch (-ret) {
    case 1: return -EPERM;
    case 2: return -ENOENT;
    case 3: return -ESRCH;
    case 4: return -EINTR;
    case 5: return -EIO;
    case 6: return -ENXIO;
    case 7: return -E2BIG;
    case 8: return -ENOEXEC;
    case 9: return -EBADF;
    case 11: return -EAGAIN;
    case 12: return -ENOMEM;
    case 13: return -EACCES;
    case 14: return -EFAULT;
    case 16: return -EBUSY;
    case 17: return -EEXIST;
    case 19: return -ENODEV;
    case 22: return -EINVAL;
    case 23: return -ENFILE;
    case 24: return -EMFILE;
    case 28: return -ENOSPC;
    case 34: return -ERANGE;
    case 35: return -EDEADLK;
    case 36: return -ENAMETOOLONG;
    case 38: return -ENOSYS;
    case 39: return -ENOTEMPTY;
    case 40: return -ELOOP;
    case 71: return -EPROTO;
    case 75: return -EOVERFLOW;
    case 88: return -ENOTSOCK;
    case 95: case 524: return -EOPNOTSUPP; /* 524: the kernel's ENOTSUPP */
    case 98: return -EADDRINUSE;
    case 107: return -ENOTCONN;
    case 110: return -ETIMEDOUT;
    case 114: return -EALREADY;
    case 125: return -ECANCELED;
    default: return -EIO;
  }
}

/* Flags of bpf_map_update_elem, as the kernel's. */
enum {
  BPF_ANY = 0,     /* create or update */
  BPF_NOEXIST = 1, /* create only */
  BPF_EXIST = 2,   /* update only */
  BPF_F_LOCK = 4,  /* the value's bpf_spin_lock is taken */
};

/* The kernel's integer type names, so a header shared with the eBPF side (NAME.h) compiles
 * here too. */
typedef uint8_t __u8;
typedef int8_t __s8;
typedef uint16_t __u16;
typedef int16_t __s16;
typedef uint32_t __u32;
typedef int32_t __s32;
typedef uint64_t __u64;
typedef int64_t __s64;

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
#ifndef LMP_ATTACH_TARGET_MAX
#define LMP_ATTACH_TARGET_MAX 256
#endif
struct bpf_program {
  struct bpf_object *obj;
  const char *name;
  const char *section;
  char attach_target[LMP_ATTACH_TARGET_MAX]; /* set: __attach attaches here, "" by section */
  bool autoattach;                            /* false: __attach leaves it alone */
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
  if (prog) prog->obj = obj, prog->name = name, prog->section = section, prog->autoattach = true;
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
  return lmp_host_result(wasm_bpf_map_fd_by_name(map->obj->handle, map->name));
}

/* Attaches a loaded program to `target` (e.g. a binary for an uprobe); NULL attaches it where
 * its ELF section says, as the skeleton's __attach does. 0, or a negative errno. */
static inline int bpf_program__attach_target(const struct bpf_program *prog, const char *target) {
  if (!prog || !prog->obj->handle) return -LMP_EINVAL;
  return lmp_host_result(wasm_attach_bpf_program(prog->obj->handle, prog->name, target));
}

/* Where the skeleton's __attach attaches `prog` (an interface for xdp/tc, a cgroup directory,
 * BINARY:FUNCTION for an uprobe, ...: docs/wasm.md); NULL or "" for its section's own attach
 * point. 0, or -ENAMETOOLONG. */
static inline int lmp_bpf_program__set_attach_target(struct bpf_program *prog,
                                                     const char *target) {
  if (!prog) return -LMP_EINVAL;
  if (!target) target = "";
  if (strlen(target) >= sizeof(prog->attach_target)) return -ENAMETOOLONG;
  strcpy(prog->attach_target, target);
  return 0;
}

/* Whether __attach attaches `prog`. The wasm_bpf ABI loads a whole object, so a program whose
 * autoload is off is still loaded (and verified); it is only never attached by __attach. */
static inline int bpf_program__set_autoattach(struct bpf_program *prog, bool autoattach) {
  if (!prog) return -LMP_EINVAL;
  prog->autoattach = autoattach;
  return 0;
}
static inline bool bpf_program__autoattach(const struct bpf_program *prog) {
  return prog->autoattach;
}
static inline int bpf_program__set_autoload(struct bpf_program *prog, bool autoload) {
  return bpf_program__set_autoattach(prog, autoload);
}

/* The wasm_bpf ABI gives a guest no program fds (programs are attached by the host, by
 * name): always -EOPNOTSUPP. */
static inline int bpf_program__fd(const struct bpf_program *prog) {
  (void)prog;
  return -EOPNOTSUPP;
}

/* One step of a skeleton's __attach: nothing when autoattach is off; else the target set
 * with lmp_bpf_program__set_attach_target when there is one; else the section's own attach
 * point when `by_section` (false for a section that names none, or `@link false`). */
static inline int lmp_bpf_program__attach_auto(struct bpf_program *prog, bool by_section) {
  if (!prog || !prog->autoattach) return 0;
  if (prog->attach_target[0]) return bpf_program__attach_target(prog, prog->attach_target);
  return by_section ? bpf_program__attach_target(prog, NULL) : 0;
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

#ifndef LMP_POLL_DEFAULT_TIMEOUT_MS
#define LMP_POLL_DEFAULT_TIMEOUT_MS 100
#endif

/* Waits up to `timeout_ms` for samples and calls sample_cb for each; a timeout of 0 or less
 * waits LMP_POLL_DEFAULT_TIMEOUT_MS (100 ms), as wasm-bpf's libbpf-wasm.h does, so a
 * `poll(buf, 0)` loop does not spin. A negative errno on failure (-EINTR when interrupted),
 * else the number of samples or the callback's non-zero result. */
static inline int bpf_buffer__poll(struct bpf_buffer *buf, int timeout_ms) {
  if (!buf) return -LMP_EINVAL;
  if (timeout_ms <= 0) timeout_ms = LMP_POLL_DEFAULT_TIMEOUT_MS;
  return lmp_host_result(wasm_bpf_buffer_poll(buf->obj->handle, buf->fd,
                                              (int32_t)(intptr_t)buf->sample_cb, buf->ctx,
                                              buf->data, LMP_BPF_BUFFER_SIZE, timeout_ms));
}

static inline void bpf_buffer__free(struct bpf_buffer *buf) {
  if (!buf) return;
  free(buf->data);
  free(buf);
}

/* ---- Map elements, with libbpf's signatures: 0 or a negative errno. ---- */
static inline int bpf_map_lookup_elem(int fd, const void *key, void *value) {
  return lmp_host_result(wasm_bpf_map_operate(fd, 1, key, value, NULL, 0));
}
static inline int bpf_map_update_elem(int fd, const void *key, const void *value,
                                      uint64_t flags) {
  return lmp_host_result(wasm_bpf_map_operate(fd, 2, key, (void *)value, NULL, flags));
}
static inline int bpf_map_delete_elem(int fd, const void *key) {
  return lmp_host_result(wasm_bpf_map_operate(fd, 3, key, NULL, NULL, 0));
}
/* `key` NULL gives the first key. -ENOENT after the last one. */
static inline int bpf_map_get_next_key(int fd, const void *key, void *next_key) {
  return lmp_host_result(wasm_bpf_map_operate(fd, 4, key, NULL, next_key, 0));
}

#endif /* LMP_WASM_H */
)C";
}

}  // namespace lmp::compiler
