#ifndef ALT_FENTRY_H
#define ALT_FENTRY_H

enum variant {
  VARIANT_FENTRY = 1,
  VARIANT_KPROBE = 2,
  VARIANT_FEXIT = 3,
  VARIANT_KRETPROBE = 4,
  VARIANT_TRACEPOINT = 5,
};

struct alt_event {
  int pid;
  enum variant variant;
};

#endif
