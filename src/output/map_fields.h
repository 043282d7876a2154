// Decoded text of the members of a map's key or value struct (syscall_id -> "openat"), chosen
// the way events' members are (value_format.h). Internal to the output module.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "output/value_format.h"

struct btf;

namespace lmp::output::detail {

// One member whose value has a text: `name` as in decode_value's object, `json_key` the key
// of the text beside it in JSON (decoded_key), `text` what the table shows instead of the number.
struct DecodedMember {
  std::string name;
  std::string json_key;
  std::string text;
};

// The formats of a struct or union's members (anonymous members flattened, bitfields left raw).
class MemberFormats {
 public:
  // Empty (nothing decodes) when `type_id` is not a struct or union, or no member has a format.
  static MemberFormats of(const btf* btf, uint32_t type_id);

  bool empty() const { return members_.empty(); }
  // The members of `bytes` (one key or value) whose value has a text, in declaration order.
  std::vector<DecodedMember> decode(std::span<const uint8_t> bytes) const;

 private:
  struct Member {
    std::string name;
    uint32_t offset = 0;  // bytes into the struct
    uint32_t size = 0;
    bool is_signed = false;
    ValueFormat format;
  };
  struct Family {
    uint32_t offset = 0;
    uint32_t size = 0;  // 0: the struct has no family member
  };
  void add_members(const btf* btf, uint32_t type_id, uint32_t base, bool has_family, int depth);

  std::vector<Member> members_;
  Family family_;
};

}  // namespace lmp::output::detail
