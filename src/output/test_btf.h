// Test helper: builds synthetic BTF with libbpf's writer API. Test-only; not in lmp_output.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include <bpf/btf.h>

namespace lmp::output::testing {

struct BtfDeleter {
  void operator()(btf* b) const { btf__free(b); }
};
using BtfHandle = std::unique_ptr<btf, BtfDeleter>;

inline BtfHandle new_btf() {
  return BtfHandle(btf__new_empty());
}

// Appends the bytes of `value` to `out` (host order), for building samples.
template <typename T>
void put(std::vector<uint8_t>& out, size_t offset, T value) {
  if (out.size() < offset + sizeof(T)) out.resize(offset + sizeof(T));
  std::memcpy(out.data() + offset, &value, sizeof(T));
}

inline void put_text(std::vector<uint8_t>& out, size_t offset, const char* text, size_t field) {
  if (out.size() < offset + field) out.resize(offset + field);
  std::memset(out.data() + offset, 0, field);
  std::memcpy(out.data() + offset, text, std::min(field, std::strlen(text)));
}

}  // namespace lmp::output::testing
