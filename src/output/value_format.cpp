// Placeholder so the module links while the formats are written: everything stays raw.
#include "output/value_format.h"

namespace lmp::output {

Result<ValueFormat> parse_value_format(std::string_view word) {
  if (word == "raw") return ValueFormat{};
  return fail(ExitCode::kBadPackage, "unknown @format '" + std::string(word) + "'");
}
std::string to_string(const ValueFormat&) { return "raw"; }
ValueFormat infer_value_format(const btf*, std::string_view, uint32_t, bool) { return {}; }
bool is_family_member(std::string_view name) { return name == "family" || name == "af"; }
std::string decoded_key(const ValueFormat&, std::string_view) { return {}; }
std::optional<std::string> format_value(const ValueFormat&, std::span<const uint8_t>, bool,
                                        std::optional<uint64_t>) {
  return std::nullopt;
}
std::optional<int64_t> parse_value_text(const ValueFormat&, std::string_view) {
  return std::nullopt;
}

}  // namespace lmp::output
