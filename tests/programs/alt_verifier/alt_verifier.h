#ifndef ALT_VERIFIER_H
#define ALT_VERIFIER_H

enum variant {
  VARIANT_TP_BTF = 1,
  VARIANT_RAW_TP = 2,
  VARIANT_TRACEPOINT = 3,
};

struct alt_event {
  int pid;
  enum variant variant;
};

#endif
