/* runqlat's user space, run by `lmp run runqlat` as app.wasm (lmp build-wasm).
 *
 * The kernel side counts run-queue waits into log2 histograms in the `hists` map (one for the
 * system, or one per process / thread). Every interval this program reads every histogram
 * (next-key and lookup), deletes it, and draws it: each histogram covers one interval. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* runqlat.wasm.h (included by the skeleton) declares struct hist, the hists map's value,
 * with the kernel's layout. */
#include "runqlat.skel.h"

#define MAX_SLOTS (sizeof(((struct hist*)0)->slots) / sizeof(((struct hist*)0)->slots[0]))
#define MAX_KEYS 10240 /* the hists map's max_entries */
#define BAR_WIDTH 40

struct entry {
  uint32_t key;
  struct hist hist;
};

static struct entry entries[MAX_KEYS];

struct options {
  uint64_t interval_s;
  uint64_t count; /* 0: until stopped */
};

static void usage(const char* prog) {
  printf("Usage: %s [-i SECONDS] [-c COUNT] [-P | -L] [-p PID] [-h]\n", prog);
  printf(
      "\nSummarize run-queue (scheduler) latency: how long runnable tasks waited for a CPU,\n"
      "as a log2 histogram in microseconds, one per interval (the map is read and cleared\n"
      "each time).\n");
  printf("\nOptions:\n");
  printf("  -i, --interval=SECONDS  print a histogram every SECONDS (default 1)\n");
  printf("  -c, --count=N           stop after N intervals (default: until stopped)\n");
  printf("  -P, --pids              one histogram per process\n");
  printf("  -L, --tids              one histogram per thread\n");
  printf("  -p, --pid=PID           measure only this process id\n");
  printf("  -h, --help              show this help\n");
}

/* A decimal number in [min, max], or false. */
static bool parse_number(const char* text, uint64_t min, uint64_t max, uint64_t* out) {
  char* end = NULL;
  errno = 0;
  if (*text < '0' || *text > '9') return false;
  unsigned long long v = strtoull(text, &end, 10);
  if (errno || *end || v < min || v > max) return false;
  *out = v;
  return true;
}

/* Matches argv[*i] against -S / --LONG for an option with a value ("--LONG=V", "--LONG V",
 * "-SV", "-S V"); sets *value, NULL when the value is missing. */
static bool value_option(int argc, char** argv, int* i, char short_name, const char* long_name,
                         const char** value) {
  const char* arg = argv[*i];
  size_t n = strlen(long_name);
  if (arg[0] == '-' && arg[1] == '-' && !strncmp(arg + 2, long_name, n)) {
    if (arg[2 + n] == '=') {
      *value = arg + 3 + n;
      return true;
    }
    if (arg[2 + n] != '\0') return false;
  } else if (arg[0] == '-' && arg[1] == short_name) {
    if (arg[2] != '\0') {
      *value = arg + 2;
      return true;
    }
  } else {
    return false;
  }
  *value = *i + 1 < argc ? argv[++*i] : NULL;
  return true;
}

static int bad_value(const char* prog, const char* option, const char* value, const char* want) {
  if (value)
    fprintf(stderr, "%s: invalid value '%s' for --%s: expected %s\n", prog, value, option, want);
  else
    fprintf(stderr, "%s: --%s needs a value: %s\n", prog, option, want);
  return -1;
}

/* 0 to run, 1 after --help, -1 on bad input. Filters go to the skeleton's .rodata. */
static int parse_args(int argc, char** argv, struct options* opts, struct runqlat_bpf* skel) {
  for (int i = 1; i < argc; i++) {
    const char* arg = argv[i];
    const char* value = NULL;
    uint64_t number = 0;
    if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
      usage(argv[0]);
      return 1;
    } else if (!strcmp(arg, "-P") || !strcmp(arg, "--pids")) {
      skel->rodata->targ_per_process = true;
    } else if (!strcmp(arg, "-L") || !strcmp(arg, "--tids")) {
      skel->rodata->targ_per_thread = true;
    } else if (value_option(argc, argv, &i, 'i', "interval", &value)) {
      if (!value || !parse_number(value, 1, 86400, &number))
        return bad_value(argv[0], "interval", value, "seconds from 1 to 86400");
      opts->interval_s = number;
    } else if (value_option(argc, argv, &i, 'c', "count", &value)) {
      if (!value || !parse_number(value, 1, UINT32_MAX, &number))
        return bad_value(argv[0], "count", value, "a positive number of intervals");
      opts->count = number;
    } else if (value_option(argc, argv, &i, 'p', "pid", &value)) {
      if (!value || !parse_number(value, 1, INT32_MAX, &number))
        return bad_value(argv[0], "pid", value, "a process id");
      skel->rodata->targ_tgid = (int32_t)number;
    } else {
      fprintf(stderr, "%s: unknown option '%s' (see --help)\n", argv[0], arg);
      return -1;
    }
  }
  if (skel->rodata->targ_per_process && skel->rodata->targ_per_thread) {
    fprintf(stderr, "%s: -P and -L exclude each other: choose one\n", argv[0]);
    return -1;
  }
  return 0;
}

static void print_hist(const struct hist* h) {
  size_t last = MAX_SLOTS;
  uint32_t max = 0;
  for (size_t i = 0; i < MAX_SLOTS; i++) {
    if (h->slots[i]) last = i;
    if (h->slots[i] > max) max = h->slots[i];
  }
  if (last == MAX_SLOTS) return; /* empty */
  printf("     %-19s : count    distribution\n", "usecs");
  for (size_t i = 0; i <= last; i++) {
    uint64_t low = i == 0 ? 0 : 1ull << i;
    uint64_t high = (1ull << (i + 1)) - 1;
    char bar[BAR_WIDTH + 1];
    size_t stars = (size_t)((uint64_t)h->slots[i] * BAR_WIDTH / max);
    memset(bar, '*', stars);
    memset(bar + stars, ' ', BAR_WIDTH - stars);
    bar[BAR_WIDTH] = '\0';
    printf("%10" PRIu64 " -> %-10" PRIu64 " : %-8u |%s|\n", low, high, h->slots[i], bar);
  }
}

static int compare_keys(const void* a, const void* b) {
  uint32_t x = ((const struct entry*)a)->key, y = ((const struct entry*)b)->key;
  return x < y ? -1 : x > y;
}

/* Reads every histogram, deletes it from the map, and prints them ordered by key. */
static int print_and_clear(int fd, const struct runqlat_bpf* skel) {
  size_t n = 0;
  uint32_t key = 0, next = 0;
  const uint32_t* prev = NULL;
  while (n < MAX_KEYS && bpf_map_get_next_key(fd, prev, &next) == 0) {
    key = next;
    prev = &key;
    entries[n].key = key;
    if (bpf_map_lookup_elem(fd, &key, &entries[n].hist) == 0) n++;
  }
  for (size_t i = 0; i < n; i++) {
    int err = bpf_map_delete_elem(fd, &entries[i].key);
    if (err && err != -LMP_ENOENT) return err;
  }
  qsort(entries, n, sizeof(entries[0]), compare_keys);

  char when[16];
  time_t now = time(NULL);
  struct tm tm;
  strftime(when, sizeof(when), "%H:%M:%S", gmtime_r(&now, &tm));
  printf("%s\n", when);
  const char* key_name = skel->rodata->targ_per_thread ? "tid" : "pid";
  bool keyed = skel->rodata->targ_per_thread || skel->rodata->targ_per_process;
  for (size_t i = 0; i < n; i++) {
    if (keyed)
      printf("\n%s = %" PRIu32 " comm = %.*s\n", key_name, entries[i].key,
             (int)sizeof(entries[i].hist.comm), entries[i].hist.comm);
    print_hist(&entries[i].hist);
  }
  printf("\n");
  return 0;
}

int main(int argc, char** argv) {
  static char out_buffer[1 << 16];
  setvbuf(stdout, out_buffer, _IOFBF, sizeof(out_buffer));
  struct runqlat_bpf* skel = runqlat_bpf__open();
  if (!skel) {
    fprintf(stderr, "%s: out of memory\n", argv[0]);
    return 1;
  }
  struct options opts = {.interval_s = 1, .count = 0};
  int err = parse_args(argc, argv, &opts, skel);
  if (err) {
    fflush(stdout);
    runqlat_bpf__destroy(skel);
    return err < 0 ? 2 : 0;
  }
  err = runqlat_bpf__load(skel);
  if (err) {
    fprintf(stderr, "%s: cannot load the eBPF object (%d)\n", argv[0], err);
    goto cleanup;
  }
  err = runqlat_bpf__attach(skel);
  if (err) {
    fprintf(stderr, "%s: cannot attach the eBPF programs (%d)\n", argv[0], err);
    goto cleanup;
  }
  int fd = bpf_map__fd(skel->maps.hists);
  fprintf(stderr, "Tracing run queue latency; Ctrl-C to stop.\n");
  for (uint64_t round = 1; opts.count == 0 || round <= opts.count; round++) {
    sleep((unsigned)opts.interval_s);
    err = print_and_clear(fd, skel);
    fflush(stdout);
    if (err) {
      fprintf(stderr, "%s: reading the histograms failed (%d)\n", argv[0], err);
      break;
    }
  }
cleanup:
  runqlat_bpf__destroy(skel);
  return err ? 1 : 0;
}
