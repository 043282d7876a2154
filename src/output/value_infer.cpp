// infer_value_format: the format a member gets from its name and BTF type when no `@format`
// doc comment says one. The rules are the table in docs/values.md; they are narrow on purpose,
// since a wrong guess prints a wrong value: ports are never guessed (byte order unknown), nor
// bare `id`/`nr`, nor `ret`.
#include <array>

#include "output/btf_util.h"
#include "output/value_format.h"

namespace lmp::output {
namespace {

template <size_t N>
bool one_of(std::string_view name, const std::array<std::string_view, N>& names) {
  for (std::string_view known : names) {
    if (name == known) return true;
  }
  return false;
}

constexpr std::array<std::string_view, 4> kSignalNames = {"sig", "signal", "signo", "sig_num"};
constexpr std::array<std::string_view, 3> kErrnoNames = {"err", "errno", "error"};
constexpr std::array<std::string_view, 7> kSyscallNames = {
    "syscall", "syscall_id", "syscall_nr", "sys_nr", "sysno", "nr_syscall", "syscall_number"};
constexpr std::array<std::string_view, 12> kAddressNames = {
    "saddr",   "daddr",   "src",   "dst",   "src_addr",   "dst_addr",
    "srcaddr", "dstaddr", "laddr", "raddr", "local_addr", "remote_addr"};
constexpr std::array<std::string_view, 4> kKernelStackNames = {"kstack", "kernel_stack",
                                                               "kern_stack", "kstack_ips"};
constexpr std::array<std::string_view, 3> kUserStackNames = {"ustack", "user_stack", "ustack_ips"};
// Durations end in a unit; these prefixes name points in time instead (`ts_ns`, `start_ns`).
constexpr std::array<std::string_view, 6> kTimestampPrefixes = {"ts",  "timestamp", "start",
                                                                "end", "time",      "when"};

// "saddr", "saddr_v4", "saddr_v6", "addr_v4", "addr_v6".
bool is_address_name(std::string_view name) {
  if (name.ends_with("_v4") || name.ends_with("_v6")) {
    name.remove_suffix(3);
    if (name == "addr") return true;  // bare `addr` is any address (a pointer, a key)
  }
  return one_of(name, kAddressNames);
}

std::string_view duration_unit(std::string_view name) {
  for (std::string_view unit : {"_ns", "_us", "_ms"}) {
    if (!name.ends_with(unit) || name.size() == unit.size()) continue;
    std::string_view stem = name.substr(0, name.size() - unit.size());
    for (std::string_view prefix : kTimestampPrefixes) {
      if (stem == prefix || stem.starts_with(std::string(prefix) + "_")) return {};
    }
    return unit.substr(1);
  }
  return {};
}

struct Shape {
  bool integer = false;  // INT or ENUM of 1..8 bytes
  bool is_signed = false;
  uint32_t bytes = 0;         // size of the integer, or the whole array
  bool byte_array = false;    // an array of 1- or 4-byte integers (u8[16], u32[4]), not chars
  bool is_u64_array = false;  // an array of 8-byte integers (addresses)
};

Shape shape_of(const btf* btf, uint32_t type_id) {
  Shape shape;
  detail::ResolvedType resolved = detail::resolve_type(btf, type_id);
  const btf_type* t = resolved.type;
  if (!t) return shape;
  if (btf_is_int(t)) {
    shape.bytes = t->size;
    shape.integer = t->size <= 8 && detail::is_plain_int(t);
    shape.is_signed = btf_int_encoding(t) & BTF_INT_SIGNED;
  } else if (btf_is_any_enum(t)) {
    shape.bytes = t->size;
    shape.integer = t->size <= 8;
    shape.is_signed = btf_kflag(t);
  } else if (btf_is_array(t)) {
    const struct btf_array* array = btf_array(t);
    const btf_type* element = detail::resolve_type(btf, array->type).type;
    if (element && btf_is_int(element) && element->size == 8) shape.is_u64_array = true;
    if (element && btf_is_int(element) && (element->size == 1 || element->size == 4) &&
        !detail::is_char_array(btf, t)) {
      shape.byte_array = true;
      shape.bytes = element->size * array->nelems;
    }
  }
  return shape;
}

}  // namespace

ValueFormat infer_value_format(const btf* btf, std::string_view member_name, uint32_t type_id,
                               bool has_family) {
  if (!btf || member_name.empty()) return {};
  Shape shape = shape_of(btf, type_id);
  if (is_address_name(member_name)) {
    bool four = (shape.integer && shape.bytes == 4) || (shape.byte_array && shape.bytes == 4);
    bool sixteen = shape.bytes == 16 && !shape.integer;  // u8[16], u32[4], __int128
    if (four) return {ValueKind::kIpv4, {}};
    if (sixteen) return {has_family ? ValueKind::kIp : ValueKind::kIpv6, {}};
    return {};
  }
  if (shape.is_u64_array) {  // stacks of return addresses (bcc's stack_id maps aside)
    if (one_of(member_name, kKernelStackNames)) return {ValueKind::kKstack, {}};
    if (one_of(member_name, kUserStackNames)) return {ValueKind::kUstack, {}};
  }
  if (!shape.integer) return {};
  if (one_of(member_name, kSignalNames)) return {ValueKind::kSignal, {}};
  if (one_of(member_name, kErrnoNames) && shape.is_signed) return {ValueKind::kErrno, {}};
  if (one_of(member_name, kSyscallNames)) return {ValueKind::kSyscall, {}};
  if (std::string_view unit = duration_unit(member_name); !unit.empty()) {
    return {ValueKind::kDuration, std::string(unit)};
  }
  return {};
}

}  // namespace lmp::output
