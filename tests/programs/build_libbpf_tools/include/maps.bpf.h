// A helper header kept outside the source's directory (as libbpf-tools keep theirs); found
// only through `lmp build -I`.
#ifndef MAPS_BPF_H
#define MAPS_BPF_H

#include <errno.h>  // as libbpf-tools' maps.bpf.h does: needs lmp's gnu/stubs-32.h stand-in

static __always_inline void* reserve_event(void* ringbuf, __u64 size) {
  _Static_assert(EEXIST == 17, "errno.h");
  return bpf_ringbuf_reserve(ringbuf, size, 0);
}

#endif
