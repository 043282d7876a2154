#pragma once

#define ARGS_SIZE 512
#define ARG_MAX 128
#define MAX_ARGS 4

// execsnoop-like: only the used part of `args` is sent.
struct varlen_event {
  int pid;
  int argc;
  char comm[16];
  char args[ARGS_SIZE];
};
