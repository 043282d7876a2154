/* bootstrap's user space, run by `lmp run bootstrap` as app.wasm (lmp build-wasm).
 *
 * The kernel side reports each exec and each exit with the kernel's timestamp. This program
 * remembers every exec it sees (pid -> timestamp and program path) and, when that process
 * exits, prints how long it ran, computed here, and which program it was running. With
 * -d MS it shows only exits of processes that ran at least MS milliseconds; it filters
 * itself, so the kernel side always sends execs (the start times it needs). */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bootstrap.skel.h"

#define TABLE_BITS 14
#define TABLE_SLOTS (1u << TABLE_BITS)
#define TABLE_MASK (TABLE_SLOTS - 1)
/* At most half the slots are used, so probes stay short and a free slot always exists. */
#define MAX_TRACKED (TABLE_SLOTS / 2)

#define FILENAME_LEN sizeof(((struct bootstrap_event*)0)->filename)

/* A process whose exec we saw and whose exit we have not: pid 0 marks a free slot. */
struct exec_record {
  int32_t pid;
  uint64_t start_ns;
  char filename[FILENAME_LEN];
};

/* Open addressing with linear probing; deletion shifts later entries back (no tombstones). */
static struct exec_record table[TABLE_SLOTS];
static uint32_t tracked;
static uint64_t untracked; /* execs not remembered because the table was full */
static uint64_t min_duration_ns;

static uint32_t home_slot(int32_t pid) {
  return ((uint32_t)pid * 2654435761u) >> (32 - TABLE_BITS);
}

static struct exec_record* find(int32_t pid) {
  for (uint32_t i = home_slot(pid);; i = (i + 1) & TABLE_MASK) {
    if (table[i].pid == pid) return &table[i];
    if (table[i].pid == 0) return NULL;
  }
}

/* Records an exec; a second exec of the same process restarts its clock, as in the kernel. */
static void remember(const struct bootstrap_event* e) {
  uint32_t i = home_slot(e->pid);
  while (table[i].pid != 0 && table[i].pid != e->pid) i = (i + 1) & TABLE_MASK;
  if (table[i].pid == 0) {
    if (tracked == MAX_TRACKED) {
      untracked++;
      return;
    }
    tracked++;
    table[i].pid = e->pid;
  }
  table[i].start_ns = e->ts;
  memcpy(table[i].filename, e->filename, FILENAME_LEN);
  table[i].filename[FILENAME_LEN - 1] = '\0';
}

static void forget(struct exec_record* record) {
  uint32_t hole = (uint32_t)(record - table);
  for (uint32_t i = (hole + 1) & TABLE_MASK; table[i].pid != 0; i = (i + 1) & TABLE_MASK) {
    /* table[i] may move into the hole unless its home slot lies after the hole */
    uint32_t home = home_slot(table[i].pid);
    if (((i - home) & TABLE_MASK) >= ((i - hole) & TABLE_MASK)) {
      table[hole] = table[i];
      hole = i;
    }
  }
  table[hole].pid = 0;
  tracked--;
}

/* HH:MM:SS of the wall clock (UTC: the sandbox has no time zone), formatted once a second. */
static const char* wall_time(void) {
  static char text[16];
  static time_t shown = -1;
  time_t now = time(NULL);
  if (now != shown) {
    struct tm tm;
    strftime(text, sizeof(text), "%H:%M:%S", gmtime_r(&now, &tm));
    shown = now;
  }
  return text;
}

static int handle_event(void* ctx, void* data, size_t size) {
  (void)ctx;
  const struct bootstrap_event* e = data;
  if (size < sizeof(*e)) return 0;
  if (e->kind == EXEC) {
    remember(e);
    if (!min_duration_ns)
      printf("%-8s EXEC  %-7d %-7d %-16.16s %.*s\n", wall_time(), e->pid, e->ppid, e->comm,
             (int)FILENAME_LEN, e->filename);
    return 0;
  }
  if (e->kind != EXIT) return 0;
  struct exec_record* record = find(e->pid);
  if (!record) {
    /* started before tracing began (or not remembered): its run time is unknown */
    if (!min_duration_ns)
      printf("%-8s EXIT  %-7d %-7d %-16.16s exit %d (started before tracing)\n", wall_time(),
             e->pid, e->ppid, e->comm, e->exit_code);
    return 0;
  }
  uint64_t ran_ns = e->ts >= record->start_ns ? e->ts - record->start_ns : 0;
  if (ran_ns >= min_duration_ns)
    printf("%-8s EXIT  %-7d %-7d %-16.16s exit %d after %" PRIu64 ".%03u ms (%s)\n", wall_time(),
           e->pid, e->ppid, e->comm, e->exit_code, ran_ns / 1000000,
           (unsigned)(ran_ns / 1000 % 1000), record->filename);
  forget(record);
  return 0;
}

static void usage(const char* prog) {
  printf("Usage: %s [-d MS] [-h]\n", prog);
  printf(
      "\nTrace process execs and exits. EXEC lines show the program run; EXIT lines the exit\n"
      "code and how long the process ran since its exec, computed by this program from the\n"
      "kernel's timestamps.\n");
  printf("\nOptions:\n");
  printf(
      "  -d, --duration=MS   show only exits of processes that ran at least MS milliseconds\n"
      "                      (and no EXEC lines)\n");
  printf("  -h, --help          show this help\n");
}

/* Reads the options into min_duration_ns. 0 to run, 1 after --help, -1 on bad input. */
static int parse_args(int argc, char** argv) {
  for (int i = 1; i < argc; i++) {
    const char* arg = argv[i];
    const char* value = NULL;
    if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
      usage(argv[0]);
      return 1;
    }
    if (!strcmp(arg, "-d") || !strcmp(arg, "--duration")) {
      if (i + 1 == argc) {
        fprintf(stderr, "%s: %s needs a number of milliseconds (see --help)\n", argv[0], arg);
        return -1;
      }
      value = argv[++i];
    } else if (!strncmp(arg, "--duration=", 11)) {
      value = arg + 11;
    } else if (!strncmp(arg, "-d", 2)) {
      value = arg + 2;
    } else {
      fprintf(stderr, "%s: unknown option '%s' (see --help)\n", argv[0], arg);
      return -1;
    }
    char* end = NULL;
    errno = 0;
    unsigned long long ms = strtoull(value, &end, 10);
    if (*value < '0' || *value > '9' || errno || *end || ms > UINT64_MAX / 1000000) {
      fprintf(stderr, "%s: invalid duration '%s': expected milliseconds, e.g. -d 100\n", argv[0],
              value);
      return -1;
    }
    min_duration_ns = ms * 1000000;
  }
  return 0;
}

int main(int argc, char** argv) {
  /* Output is flushed after each poll: one write per batch of events, not per line. */
  static char out_buffer[1 << 16];
  setvbuf(stdout, out_buffer, _IOFBF, sizeof(out_buffer));
  int err = parse_args(argc, argv);
  if (err) {
    fflush(stdout);
    return err < 0 ? 2 : 0;
  }
  struct bootstrap_bpf* skel = bootstrap_bpf__open();
  if (!skel) {
    fprintf(stderr, "%s: out of memory\n", argv[0]);
    return 1;
  }
  struct bpf_buffer* events = NULL;
  /* The kernel filter stays off: exits are filtered here, and execs are always needed. */
  skel->rodata->min_duration_ms = 0;
  err = bootstrap_bpf__load(skel);
  if (err) {
    fprintf(stderr, "%s: cannot load the eBPF object (%d)\n", argv[0], err);
    goto cleanup;
  }
  err = bootstrap_bpf__attach(skel);
  if (err) {
    fprintf(stderr, "%s: cannot attach the eBPF programs (%d)\n", argv[0], err);
    goto cleanup;
  }
  events = bpf_buffer__open(skel->maps.events, handle_event, NULL);
  if (!events) {
    fprintf(stderr, "%s: cannot open the ring buffer\n", argv[0]);
    err = -1;
    goto cleanup;
  }
  printf("%-8s %-5s %-7s %-7s %-16s %s\n", "TIME", "EVENT", "PID", "PPID", "COMM",
         "FILENAME / EXIT CODE AND RUN TIME");
  fflush(stdout);
  for (;;) {
    err = bpf_buffer__poll(events, 100);
    fflush(stdout);
    if (err == -LMP_EINTR) {
      err = 0;
      break;
    }
    if (err < 0) {
      fprintf(stderr, "%s: polling the ring buffer failed (%d)\n", argv[0], err);
      break;
    }
    err = 0;
  }
  if (untracked)
    fprintf(stderr, "%s: %" PRIu64 " execs were not remembered (more than %u live processes)\n",
            argv[0], untracked, MAX_TRACKED);
cleanup:
  bpf_buffer__free(events);
  bootstrap_bpf__destroy(skel);
  return err ? 1 : 0;
}
