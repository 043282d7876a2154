#include "output/output.h"

namespace lmp::output {

std::string text_line_record(Format format, std::string_view line, const nlohmann::json& fields) {
  std::string text = format == Format::kJson
                         ? fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                         : std::string(line);
  text += '\n';
  return text;
}

}  // namespace lmp::output
