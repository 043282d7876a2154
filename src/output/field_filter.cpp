// Parsing of `--filter` expressions (output.h). Evaluating them is the printers' job, on
// decoded values.
#include <array>
#include <string>
#include <string_view>

#include "output/output.h"

namespace lmp::output {

Result<FieldFilter> parse_filter(std::string_view text) {
  // Longest operators first, so "!=" is not read as "=".
  static constexpr std::array<std::pair<std::string_view, FieldFilter::Op>, 7> kOps{{
      {"!=", FieldFilter::Op::kNotEqual},
      {">=", FieldFilter::Op::kGreaterEqual},
      {"<=", FieldFilter::Op::kLessEqual},
      {"=", FieldFilter::Op::kEqual},
      {"~", FieldFilter::Op::kMatch},
      {">", FieldFilter::Op::kGreater},
      {"<", FieldFilter::Op::kLess},
  }};
  std::size_t best = std::string_view::npos;
  FieldFilter filter;
  std::size_t op_size = 0;
  for (const auto& [op, kind] : kOps) {
    std::size_t at = text.find(op);
    if (at == std::string_view::npos) continue;
    if (at < best || (at == best && op.size() > op_size)) {
      best = at;
      op_size = op.size();
      filter.op = kind;
    }
  }
  if (best == std::string_view::npos || best == 0)
    return fail(ExitCode::kUsage, "--filter '" + std::string(text) + "' is not FIELD=VALUE",
                "forms: FIELD=VALUE, FIELD!=VALUE, FIELD~REGEX, FIELD>N, FIELD<N, FIELD>=N, "
                "FIELD<=N");
  filter.field = std::string(text.substr(0, best));
  filter.value = std::string(text.substr(best + op_size));
  return filter;
}

}  // namespace lmp::output
