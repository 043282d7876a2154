// Native ring-buffer consumer baseline for bench/throughput.sh and bench/rss.sh.
// Loads evgen through its libbpf skeleton, filters one pid, and prints every event on
// stdout: a table (TIME then the event's fields) or, with -j, one JSON object per line.
// Usage: consumer_native [-j] [-p PID] [-d SECONDS]   (-d: run that long after attaching;
// 0 = exit right after attaching; default: until SIGINT/SIGTERM)
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <stdarg.h>

#include <bpf/libbpf.h>

#include "evgen.h"
#include "evgen.skel.h"

static volatile sig_atomic_t stop;
static int json;

static void on_signal(int sig) {
  (void)sig;
  stop = 1;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* comm as a JSON string body: escape quotes, backslashes and control bytes */
static void json_string(const char *s, size_t max) {
  for (size_t i = 0; i < max && s[i]; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\')
      printf("\\%c", c);
    else if (c < 0x20)
      printf("\\u%04x", c);
    else
      putchar(c);
  }
}

static int on_event(void *ctx, void *data, size_t size) {
  (void)ctx;
  const struct evgen_event *e = data;
  if (size < sizeof(*e)) return 0;
  if (json) {
    printf("{\"pid\":%d,\"tid\":%d,\"uid\":%u,\"cpu\":%d,\"seq\":%llu,\"ts\":%llu,\"comm\":\"", e->pid,
           e->tid, e->uid, e->cpu, e->seq, e->ts);
    json_string(e->comm, sizeof(e->comm));
    fputs("\"}\n", stdout);
  } else {
    /* the TIME column changes once a second: format it once a second */
    static char when[16];
    static time_t when_t = -1;
    time_t t = time(NULL);
    if (t != when_t) {
      struct tm tm;
      strftime(when, sizeof(when), "%H:%M:%S", localtime_r(&t, &tm));
      when_t = t;
    }
    printf("%-8s %-7d %-7d %-5u %-3d %-10llu %-15llu %.16s\n", when, e->pid, e->tid, e->uid, e->cpu,
           e->seq, e->ts, e->comm);
  }
  return 0;
}

/* libbpf's warnings only, like any quiet tool (lmp prints libbpf's log only with -v) */
static int print_warnings(enum libbpf_print_level level, const char *format, va_list args) {
  return level == LIBBPF_WARN ? vfprintf(stderr, format, args) : 0;
}

int main(int argc, char **argv) {
  int pid = 0, opt;
  double duration = -1;
  while ((opt = getopt(argc, argv, "jp:d:")) != -1) {
    switch (opt) {
      case 'j': json = 1; break;
      case 'p': pid = atoi(optarg); break;
      case 'd': duration = atof(optarg); break;
      default:
        fprintf(stderr, "usage: %s [-j] [-p PID] [-d SECONDS]\n", argv[0]);
        return 2;
    }
  }
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  libbpf_set_print(print_warnings);

  struct evgen *skel = evgen__open();
  if (!skel) {
    fprintf(stderr, "open failed: %s\n", strerror(errno));
    return 1;
  }
  skel->rodata->targ_pid = pid;
  int err = evgen__load(skel);
  if (!err) err = evgen__attach(skel);
  struct ring_buffer *rb = NULL;
  if (!err) {
    rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, NULL, NULL);
    if (!rb) err = -errno;
  }
  if (err) {
    fprintf(stderr, "load/attach failed: %s\n", strerror(-err));
    evgen__destroy(skel);
    return 1;
  }
  if (!json) printf("%-8s %-7s %-7s %-5s %-3s %-10s %-15s %s\n", "TIME", "PID", "TID", "UID", "CPU", "SEQ", "TS", "COMM");
  double end = duration >= 0 ? now() + duration : 0;
  while (!stop && (duration < 0 || now() < end)) {
    err = ring_buffer__poll(rb, 100); /* lmp's default poll_timeout_ms */
    if (err < 0 && err != -EINTR) {
      fprintf(stderr, "ring_buffer__poll: %s\n", strerror(-err));
      break;
    }
    err = 0;
  }
  fflush(stdout);
  ring_buffer__free(rb);
  evgen__destroy(skel);
  return err < 0 ? 1 : 0;
}
