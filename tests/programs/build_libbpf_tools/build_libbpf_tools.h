#ifndef BUILD_LIBBPF_TOOLS_H
#define BUILD_LIBBPF_TOOLS_H

/// @export
struct tool_event {
  int pid;
  unsigned int mark;      // the -D BUILD_MARK value
  unsigned int ksyms;     // bit 0: kfunc bpf_task_acquire exists, bit 1: a missing symbol exists
  unsigned int loop_sum;  // 0+1+2+3+4 from bpf_for
  char comm[16];
};

#endif
