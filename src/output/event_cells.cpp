#include "output/event_cells.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "output/output.h"
#include "output/text_format.h"

namespace lmp::output::detail {
namespace {

// The integer bits of a whole or bitfield integer/enum column, not sign-extended.
uint64_t load_bits(const Column& c, std::span<const uint8_t> data) {
  return c.bit_size ? extract_bits(data, c.bit_offset, c.bit_size)
                    : load_uint(data.data() + c.offset, c.size);
}

uint32_t bit_width(const Column& c) {
  return c.bit_size ? c.bit_size : c.size * 8;
}

bool is_signed(const Column& c) {
  return c.cell == Cell::kSigned || (c.cell == Cell::kEnum && c.enums->is_signed);
}

// The bytes a column spans in `data`; a cut trailing array gives the part that was sent.
std::span<const uint8_t> column_bytes(const Column& c, std::span<const uint8_t> data) {
  size_t rest = data.size() - c.offset;
  return data.subspan(c.offset, c.size == 0 ? rest : std::min<size_t>(c.size, rest));
}

// The elements of a trailing array that a cut record holds, as a JSON array.
void append_partial_array(std::string& out, const btf* btf, const Column& c,
                          std::span<const uint8_t> data) {
  nlohmann::json items = nlohmann::json::array();
  for (size_t at = c.offset; at + c.elem_size <= data.size(); at += c.elem_size) {
    auto value = decode_value(btf, c.elem_type_id, data.subspan(at, c.elem_size));
    items.push_back(value ? std::move(*value) : nlohmann::json());
  }
  out += items.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

void append_raw(std::string& out, const btf* btf, const Column& c, std::span<const uint8_t> data,
                bool json) {
  const uint8_t* p = data.data() + c.offset;
  switch (c.cell) {
    case Cell::kUnsigned:
      append_uint(out, load_bits(c, data));
      return;
    case Cell::kSigned:
      append_int(out, sign_extend(load_bits(c, data), bit_width(c)));
      return;
    case Cell::kBool:
      out += load_bits(c, data) != 0 ? "true" : "false";
      return;
    case Cell::kEnum: {
      uint64_t raw = load_bits(c, data);
      if (c.bit_size && c.enums->is_signed)
        raw = static_cast<uint64_t>(sign_extend(raw, c.bit_size));
      if (const std::string* name = c.enums->find(raw)) {
        if (json)
          append_json_string(out, *name);
        else
          out += *name;
      } else if (c.enums->is_signed) {
        append_int(out, sign_extend(raw, bit_width(c)));
      } else {
        append_uint(out, raw);
      }
      return;
    }
    case Cell::kFloat: {
      float f;
      std::memcpy(&f, p, 4);
      append_double(out, f, json);
      return;
    }
    case Cell::kDouble: {
      double d;
      std::memcpy(&d, p, 8);
      append_double(out, d, json);
      return;
    }
    case Cell::kHex128:
      if (json) out += '"';
      append_hex128(out, p);
      if (json) out += '"';
      return;
    case Cell::kChars:
      if (json) out += '"';
      append_c_string(out, column_bytes(c, data), json);
      if (json) out += '"';
      return;
    case Cell::kNested: {
      if (data.size() < c.offset + c.size) return append_partial_array(out, btf, c, data);
      auto value = decode_value(btf, c.type_id, data.subspan(c.offset));
      if (!value) {
        out += json ? "null" : "?";
        return;
      }
      out += value->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      return;
    }
  }
}

void append_raw_yaml(std::string& out, std::string& scratch, const btf* btf, const Column& c,
                     std::span<const uint8_t> data) {
  if (c.cell == Cell::kChars || (c.cell == Cell::kEnum && c.enums->find(load_bits(c, data)))) {
    scratch.clear();
    append_raw(scratch, btf, c, data, false);
    append_yaml_string(out, scratch);
  } else {
    append_raw(out, btf, c, data, true);
  }
}

std::optional<std::string> decoded_text(const Column& c, std::span<const uint8_t> data,
                                        const Column* family, std::optional<int64_t> pid) {
  if (c.format.kind == ValueKind::kRaw) return std::nullopt;
  std::optional<uint64_t> family_value;
  if (family != nullptr) family_value = load_bits(*family, data);
  if (c.bit_size == 0)
    return format_value(c.format, column_bytes(c, data), is_signed(c), family_value, pid);
  // A bitfield: its value as a host-endian integer of 8 bytes, sign-extended when signed.
  uint64_t value = load_bits(c, data);
  if (is_signed(c)) value = static_cast<uint64_t>(sign_extend(value, c.bit_size));
  uint8_t bytes[8];
  std::memcpy(bytes, &value, 8);
  return format_value(c.format, bytes, is_signed(c), family_value);
}

bool has_number(const Column& c) {
  return c.cell != Cell::kHex128 && c.cell != Cell::kChars && c.cell != Cell::kNested;
}

std::optional<RawNumber> raw_number(const Column& c, std::span<const uint8_t> data) {
  RawNumber n;
  switch (c.cell) {
    case Cell::kUnsigned:
    case Cell::kBool:
      n.integer = load_bits(c, data);
      return n;
    case Cell::kSigned:
      n.integer = sign_extend(load_bits(c, data), bit_width(c));
      return n;
    case Cell::kEnum:
      n.integer = is_signed(c) ? __int128{sign_extend(load_bits(c, data), bit_width(c))}
                               : __int128{load_bits(c, data)};
      return n;
    case Cell::kFloat: {
      float f;
      std::memcpy(&f, data.data() + c.offset, 4);
      n.is_real = true;
      n.real = f;
      return n;
    }
    case Cell::kDouble:
      n.is_real = true;
      std::memcpy(&n.real, data.data() + c.offset, 8);
      return n;
    default:
      return std::nullopt;
  }
}

int compare(const RawNumber& a, const RawNumber& b) {
  if (!a.is_real && !b.is_real) return a.integer < b.integer ? -1 : a.integer > b.integer ? 1 : 0;
  double x = a.is_real ? a.real : static_cast<double>(a.integer);
  double y = b.is_real ? b.real : static_cast<double>(b.integer);
  if (std::isnan(x) || std::isnan(y)) return 2;
  return x < y ? -1 : x > y ? 1 : 0;
}

}  // namespace lmp::output::detail
