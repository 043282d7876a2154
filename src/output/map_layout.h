// How a sampled map is drawn (histogram or table) and where a histogram's counts sit in its
// value. Internal to the output module (map_printer.cpp).
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"

struct btf;

namespace lmp::output::detail {

// kKeyedLog2: a map of integer counts whose key is the log2 slot index (automatic only).
enum class MapKind { kLog2, kLinear, kKeyValue, kKeyedLog2 };

// Where a histogram's counts live inside the map value.
struct SlotLayout {
  uint32_t offset = 0;     // bytes into the value
  uint32_t elem_size = 0;  // 1, 2, 4 or 8
  uint32_t count = 0;      // number of slots
  bool is_signed = false;  // negative counts read as 0
  std::string member;      // "" when the value is the array itself
};

// The slots of a histogram value: the value itself when it is an integer array, else its
// member named "slots", else its first integer array member. Errors (kBadPackage) name `map`.
Result<SlotLayout> find_slots(const btf* btf, uint32_t value_type_id, const std::string& map);

}  // namespace lmp::output::detail
