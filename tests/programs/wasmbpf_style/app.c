/* wbstyle's user space, written the way wasm-bpf's C examples are: libbpf-wasm.h, the
 * skeleton, the tool's own header, errno.h names, BPF_ANY and friends. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "libbpf-wasm.h"
#include "wbstyle.h"
#include "wbstyle.skel.h"
#include "helpers.h"

static int handle_event(void *ctx, void *data, size_t data_sz) {
  const struct event *e = data;
  (void)ctx;
  if (data_sz < sizeof(*e) || e->kind != WBSTYLE_EXEC) return 0;
  printf("%-5s %-16s %-7d\n", "EXEC", e->comm, e->pid);
  fflush(stdout);
  return 0;
}

static int ignore_event(void *ctx, void *data, size_t data_sz) {
  (void)ctx, (void)data, (void)data_sz;
  return 0;
}

static int check(bool ok, const char *what) {
  if (!ok) fprintf(stderr, "check failed: %s\n", what);
  return ok ? 0 : 1;
}

int main(int argc, char **argv) {
  struct bpf_buffer *rb = NULL;
  struct wbstyle_bpf *skel;
  int err;

  skel = wbstyle_bpf__open();
  if (!skel) {
    fprintf(stderr, "Failed to open BPF skeleton\n");
    return 1;
  }
  bpf_program__set_autoload(skel->progs.switched_off, false);
  bpf_set_prog_attach_target(skel->progs.on_exit, "sched_process_exit");

  err = wbstyle_bpf__load(skel);
  if (err) {
    fprintf(stderr, "Failed to load and verify BPF skeleton\n");
    goto cleanup;
  }
  err = wbstyle_bpf__attach(skel);
  if (err) {
    fprintf(stderr, "Failed to attach BPF skeleton: %d\n", err);
    goto cleanup;
  }

  int fd = bpf_map__fd(skel->maps.counts);
  uint32_t key = 7, missing = 99;
  uint64_t value = 42;
  int failures = 0;
  failures += check(fd >= 0, "bpf_map__fd");
  failures += check(bpf_map_update_elem(fd, &key, &value, BPF_NOEXIST) == 0, "BPF_NOEXIST");
  failures += check(bpf_map_update_elem(fd, &key, &value, BPF_NOEXIST) == -EEXIST, "-EEXIST");
  failures += check(bpf_map_update_elem(fd, &missing, &value, BPF_EXIST) == -ENOENT, "-ENOENT");
  failures += check(bpf_map_update_elem(fd, &key, &value, BPF_ANY) == 0, "BPF_ANY");
  failures += check(bpf_program__fd(skel->progs.handle_exec) == -EOPNOTSUPP, "program fd");
  failures += check(wbstyle_double(21) == 42, "helpers.c");
  if (failures) {
    err = -EINVAL;
    goto cleanup;
  }
  printf("checks passed\n");
  fflush(stdout);

  if (argc > 1 && strcmp(argv[1], "--idle-polls") == 0) {
    /* Five polls with timeout 0 on a buffer nothing writes: each waits, none spins. */
    rb = bpf_buffer__open(skel->maps.quiet, ignore_event, NULL);
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (int i = 0; i < 5; i++) bpf_buffer__poll(rb, 0);
    clock_gettime(CLOCK_MONOTONIC, &end);
    long ms = (end.tv_sec - start.tv_sec) * 1000 + (end.tv_nsec - start.tv_nsec) / 1000000;
    printf("idle polls took %ld ms\n", ms);
    err = 0;
    goto cleanup;
  }

  rb = bpf_buffer__open(skel->maps.rb, handle_event, NULL);
  if (!rb) {
    err = -1;
    fprintf(stderr, "Failed to create ring buffer\n");
    goto cleanup;
  }
  printf("%-5s %-16s %-7s\n", "EVENT", "COMM", "PID");
  while (true) {
    err = bpf_buffer__poll(rb, 100 /* timeout, ms */);
    if (err == -EINTR) {
      err = 0;
      break;
    }
    if (err < 0) {
      printf("Error polling ring buffer: %d\n", err);
      break;
    }
  }

cleanup:
  bpf_buffer__free(rb);
  wbstyle_bpf__destroy(skel);
  return err < 0 ? -err : 0;
}
