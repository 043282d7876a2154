// Runs commands repeatedly and reports, per run, wall time and peak RSS of the child.
// Usage: measure [-n RUNS] [-o STDOUT_FILE] -- CMD_A ARGS... [::: CMD_B ARGS... [::: ...]]
// Runs are interleaved (A B A B ...) so that drift on the machine hits every command alike.
// Output, one line per run on stdout: "LABEL RUN WALL_US MAXRSS_KB STATUS CPU_US" where LABEL
// is the command's index (0 = A, 1 = B, ...), WALL_US is fork-to-reap time measured with
// CLOCK_MONOTONIC, MAXRSS_KB is ru_maxrss from wait4() (what /usr/bin/time -f %M prints) and
// CPU_US the child's user + system CPU time.
// The children's stdout goes to STDOUT_FILE (default /dev/null); stderr is kept.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CMDS 8

int main(int argc, char **argv) {
  int runs = 30, opt;
  const char *out = "/dev/null";
  while ((opt = getopt(argc, argv, "+n:o:")) != -1) {
    switch (opt) {
      case 'n': runs = atoi(optarg); break;
      case 'o': out = optarg; break;
      default: goto usage;
    }
  }
  if (optind < argc && strcmp(argv[optind], "--") == 0) optind++;
  char **cmds[MAX_CMDS];
  int ncmds = 0;
  for (int i = optind; i < argc;) {
    if (ncmds == MAX_CMDS) goto usage;
    cmds[ncmds++] = &argv[i];
    while (i < argc && strcmp(argv[i], ":::") != 0) i++;
    if (i < argc) argv[i++] = NULL; /* terminate this command's argv */
  }
  if (ncmds == 0 || runs <= 0) goto usage;

  int failed = 0;
  for (int r = 0; r < runs; r++) {
    for (int c = 0; c < ncmds; c++) {
      struct timespec t0, t1;
      clock_gettime(CLOCK_MONOTONIC, &t0);
      pid_t pid = fork();
      if (pid < 0) {
        perror("fork");
        return 1;
      }
      if (pid == 0) {
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0 || dup2(fd, 1) < 0) _exit(126);
        close(fd);
        execvp(cmds[c][0], cmds[c]);
        perror(cmds[c][0]);
        _exit(127);
      }
      int status;
      struct rusage ru;
      if (wait4(pid, &status, 0, &ru) < 0) {
        perror("wait4");
        return 1;
      }
      clock_gettime(CLOCK_MONOTONIC, &t1);
      long long us = (t1.tv_sec - t0.tv_sec) * 1000000LL + (t1.tv_nsec - t0.tv_nsec) / 1000;
      int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      if (code) failed = 1;
      long long cpu = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000LL + ru.ru_utime.tv_usec +
                      ru.ru_stime.tv_usec;
      printf("%d %d %lld %ld %d %lld\n", c, r, us, ru.ru_maxrss, code, cpu);
      fflush(stdout);
    }
  }
  return failed;
usage:
  fprintf(stderr, "usage: %s [-n RUNS] [-o STDOUT_FILE] -- CMD ARGS... [::: CMD ARGS...]\n", argv[0]);
  return 2;
}
