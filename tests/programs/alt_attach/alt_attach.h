#ifndef ALT_ATTACH_H
#define ALT_ATTACH_H

enum variant {
  VARIANT_RAW_TP = 2,
  VARIANT_TRACEPOINT = 3,
};

struct alt_event {
  int pid;
  enum variant variant;
};

#endif
