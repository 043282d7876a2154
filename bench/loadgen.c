// Load generator for bench/throughput.sh: calls getppid() in a tight loop for a fixed time.
// Usage: loadgen [-d SECONDS] [-c CPU]
// Names itself "lmpbench-load" (so its events are easy to find in a consumer's output),
// optionally pins itself to one CPU, and prints "calls=N seconds=S rate=R/s" on stderr.
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig) {
  (void)sig;
  stop = 1;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  double seconds = 10;
  int cpu = -1, opt;
  while ((opt = getopt(argc, argv, "d:c:")) != -1) {
    switch (opt) {
      case 'd': seconds = atof(optarg); break;
      case 'c': cpu = atoi(optarg); break;
      default:
        fprintf(stderr, "usage: %s [-d SECONDS] [-c CPU]\n", argv[0]);
        return 2;
    }
  }
  prctl(PR_SET_NAME, "lmpbench-load", 0, 0, 0);
  if (cpu >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof(set), &set) != 0) perror("sched_setaffinity");
  }
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);

  unsigned long long calls = 0;
  double start = now(), end = start + seconds, t = start;
  while (!stop) {
    for (int i = 0; i < 1024; i++) syscall(SYS_getppid);
    calls += 1024;
    t = now();
    if (t >= end) break;
  }
  fprintf(stderr, "calls=%llu seconds=%.3f rate=%.0f/s\n", calls, t - start, calls / (t - start));
  return 0;
}
