/* WebAssembly consumer for bench/wasm.sh: the counterpart of native/consumer_native.c, run
 * by `lmp run app.wasm`. Sets targ_pid from --pid, polls the ring buffer every 100 ms and
 * prints every event as a table row, with the columns and formats of consumer_native's
 * table (TIME formatted once a second). stdout is fully buffered, as in the native consumer.
 * Usage: app.wasm [--pid PID] [-d SECONDS] [-f]   (-d: run that long after attaching, then flush
 * and exit; default: until stopped; -f: format rows by hand instead of printf) */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "evgen.skel.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* -f: the same bytes as the printf below, from a few lines of digit code: shows how much of
 * a callback's cost is the interpreted libc printf. */
static int hand_format;

/* Appends v in decimal, then spaces up to `width` characters (printf's "%-Nu"). */
static char* put_unsigned(char* p, uint64_t v, int width) {
  char digits[20];
  int n = 0;
  do {
    digits[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  for (int i = n - 1; i >= 0; i--) *p++ = digits[i];
  for (; n < width; n++) *p++ = ' ';
  return p;
}

static char* put_signed(char* p, int64_t v, int width) {
  if (v >= 0) return put_unsigned(p, (uint64_t)v, width);
  *p++ = '-';
  return put_unsigned(p, -(uint64_t)v, width - 1);
}

static void print_by_hand(const char* when, const struct evgen_event* e) {
  char line[128];
  char* p = line;
  size_t n = strlen(when);
  memcpy(p, when, n);
  p += n;
  for (; n < 8; n++) *p++ = ' ';
  *p++ = ' ';
  p = put_signed(p, e->pid, 7);
  *p++ = ' ';
  p = put_signed(p, e->tid, 7);
  *p++ = ' ';
  p = put_unsigned(p, e->uid, 5);
  *p++ = ' ';
  p = put_signed(p, e->cpu, 3);
  *p++ = ' ';
  p = put_unsigned(p, e->seq, 10);
  *p++ = ' ';
  p = put_unsigned(p, e->ts, 15);
  *p++ = ' ';
  for (size_t i = 0; i < sizeof(e->comm) && e->comm[i]; i++) *p++ = e->comm[i];
  *p++ = '\n';
  fwrite(line, 1, (size_t)(p - line), stdout);
}

static int on_event(void* ctx, void* data, size_t size) {
  (void)ctx;
  const struct evgen_event* e = data;
  if (size < sizeof(*e)) return 0;
  static char when[16];
  static time_t when_t = -1;
  time_t t = time(NULL);
  if (t != when_t) {
    struct tm tm;
    strftime(when, sizeof(when), "%H:%M:%S", gmtime_r(&t, &tm));
    when_t = t;
  }
  if (hand_format) {
    print_by_hand(when, e);
    return 0;
  }
  printf("%-8s %-7d %-7d %-5u %-3d %-10" PRIu64 " %-15" PRIu64 " %.16s\n", when, e->pid, e->tid,
         e->uid, e->cpu, e->seq, e->ts, e->comm);
  return 0;
}

static int usage_error(const char* prog, const char* what) {
  fprintf(stderr, "%s: %s (usage: %s [--pid PID] [-d SECONDS] [-f])\n", prog, what, prog);
  return 2;
}

int main(int argc, char** argv) {
  static char out_buffer[1 << 16];
  setvbuf(stdout, out_buffer, _IOFBF, sizeof(out_buffer));
  long pid = 0;
  double duration = -1;
  for (int i = 1; i < argc; i++) {
    char* end = NULL;
    if ((!strcmp(argv[i], "--pid") || !strcmp(argv[i], "-p")) && i + 1 < argc) {
      pid = strtol(argv[++i], &end, 10);
      if (*end || pid < 0 || pid > INT32_MAX) return usage_error(argv[0], "bad --pid");
    } else if (!strcmp(argv[i], "-f")) {
      hand_format = 1;
    } else if (!strcmp(argv[i], "-d") && i + 1 < argc) {
      duration = strtod(argv[++i], &end);
      if (*end || duration < 0) return usage_error(argv[0], "bad -d");
    } else {
      return usage_error(argv[0], "unknown or incomplete option");
    }
  }
  struct evgen_bpf* skel = evgen_bpf__open();
  if (!skel) {
    fprintf(stderr, "%s: out of memory\n", argv[0]);
    return 1;
  }
  skel->rodata->targ_pid = (int32_t)pid;
  struct bpf_buffer* rb = NULL;
  int err = evgen_bpf__load(skel);
  if (!err) err = evgen_bpf__attach(skel);
  if (!err) {
    rb = bpf_buffer__open(skel->maps.events, on_event, NULL);
    if (!rb) err = -1;
  }
  if (err) {
    fprintf(stderr, "%s: load/attach failed (%d)\n", argv[0], err);
    evgen_bpf__destroy(skel);
    return 1;
  }
  printf("%-8s %-7s %-7s %-5s %-3s %-10s %-15s %s\n", "TIME", "PID", "TID", "UID", "CPU", "SEQ",
         "TS", "COMM");
  double end = duration >= 0 ? now() + duration : 0;
  while (duration < 0 || now() < end) {
    err = bpf_buffer__poll(rb, 100);
    if (err < 0 && err != -LMP_EINTR) {
      fprintf(stderr, "%s: poll failed (%d)\n", argv[0], err);
      break;
    }
    err = 0;
  }
  fflush(stdout);
  bpf_buffer__free(rb);
  evgen_bpf__destroy(skel);
  return err < 0 ? 1 : 0;
}
