// Native startup baseline for bench/startup.sh: what a hand-written libbpf tool does before
// its first event: open the skeleton, load (CO-RE relocation + verifier), attach every
// program, create the ring-buffer consumer, then tear everything down and exit.
//
// Built once per program from a `bpftool gen skeleton OBJ name NAME` header:
//   cc -DSKEL_HEADER='"NAME.skel.h"' -DSKEL_NAME=NAME startup_native.c -lbpf -lelf -lz
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <stdarg.h>

#include <bpf/libbpf.h>

#ifndef SKEL_HEADER
#error "define SKEL_HEADER (the generated skeleton header) and SKEL_NAME"
#endif
#include SKEL_HEADER

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define SKEL_FN(f) CAT(SKEL_NAME, CAT(__, f))

static int on_sample(void *ctx, void *data, size_t size) {
  (void)ctx, (void)data, (void)size;
  return 0;
}

/* libbpf's warnings only, like any quiet tool (lmp prints libbpf's log only with -v) */
static int print_warnings(enum libbpf_print_level level, const char *format, va_list args) {
  return level == LIBBPF_WARN ? vfprintf(stderr, format, args) : 0;
}

int main(void) {
  libbpf_set_print(print_warnings);
  struct SKEL_NAME *skel = SKEL_FN(open)();
  if (!skel) {
    fprintf(stderr, "open failed: %s\n", strerror(errno));
    return 1;
  }
  int err = SKEL_FN(load)(skel);
  if (!err) err = SKEL_FN(attach)(skel);
  struct ring_buffer *rb = NULL;
  if (!err) {
    /* every benchmarked program has one ring buffer named "events" */
    rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_sample, NULL, NULL);
    if (!rb) err = -errno;
  }
  if (err) fprintf(stderr, "load/attach failed: %s\n", strerror(-err));
  ring_buffer__free(rb);
  SKEL_FN(destroy)(skel);
  return err ? 1 : 0;
}
