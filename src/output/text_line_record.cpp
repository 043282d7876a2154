#include "output/output.h"
#include "output/text_format.h"

namespace lmp::output {
namespace {

std::string dump(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// `text` with bytes that are not UTF-8 replaced by U+FFFD, as dump() does for JSON.
std::string valid_utf8(const std::string& text) {
  return nlohmann::json::parse(dump(text)).get<std::string>();
}

// `fields` as one YAML document: "---", then `key: value` lines; strings quoted when needed,
// nested values as flow JSON (which YAML reads).
std::string yaml_document(const nlohmann::json& fields) {
  std::string text = "---\n";
  if (!fields.is_object()) return text + dump(fields) + '\n';
  for (const auto& [key, value] : fields.items()) {
    detail::append_yaml_string(text, valid_utf8(key));
    text += ": ";
    if (value.is_string())
      detail::append_yaml_string(text, valid_utf8(value.get<std::string>()));
    else
      text += dump(value);
    text += '\n';
  }
  return text;
}

}  // namespace

std::string text_line_record(Format format, std::string_view line, const nlohmann::json& fields) {
  if (format == Format::kYaml) return yaml_document(fields);
  std::string text = format == Format::kJson ? dump(fields) : std::string(line);
  text += '\n';
  return text;
}

}  // namespace lmp::output
