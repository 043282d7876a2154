// `--filter` expressions compiled against an event's columns (docs/output.md, "Selecting and
// filtering"): an event is shown when all of them match. Internal to the output module.
#pragma once

#include <cstdint>
#include <optional>
#include <regex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "output/event_cells.h"
#include "output/event_columns.h"
#include "output/output.h"

namespace lmp::output::detail {

// A filter compares a column's text (its decoded text when it has one, else the raw value as
// the table prints it) or its raw number:
// - `=` / `!=`: the text equals VALUE, or the raw number equals VALUE read as a number (decimal,
//   0x hex, or a float) or as a name of the column's format (parse_value_text: SIGKILL -> 9);
//   char arrays compare as text only;
// - `~`: std::regex search in the text (ECMAScript syntax);
// - `>`, `<`, `>=`, `<=`: the raw number against VALUE read as a number.
class EventFilter {
 public:
  // Compiles `filters` for the columns of export type `type_name` (`btf` decodes nested
  // members). Errors (kUsage): a field the event does not have (the message lists those it
  // has), a bad regular expression, a comparison whose VALUE is not a number or whose column
  // holds no number.
  static Result<EventFilter> create(const btf* btf, std::string_view type_name,
                                    const std::vector<FieldFilter>& filters,
                                    std::vector<Column> columns);

  bool empty() const { return conditions_.empty(); }

  // True when every filter matches the event in `data` (at least as long as the record up to
  // its last column).
  bool matches(std::span<const uint8_t> data);

 private:
  struct Condition {
    FieldFilter::Op op = FieldFilter::Op::kEqual;
    size_t column = 0;
    std::string value;
    std::optional<RawNumber> number;  // VALUE as a number, when it reads as one
    std::optional<std::regex> regex;  // kMatch
  };

  bool matches(const Condition& condition, std::span<const uint8_t> data);
  // The column's text: decoded, else raw as in the table. Valid until the next call.
  const std::string& text_of(const Column& column, std::span<const uint8_t> data);

  const btf* btf_ = nullptr;
  std::vector<Column> columns_;
  std::optional<size_t> family_;
  std::vector<Condition> conditions_;
  std::string text_;  // reused for text_of
};

// VALUE of a filter as a number: a decimal integer (signed or not), 0x hex, or a float.
std::optional<RawNumber> parse_number(std::string_view text);

}  // namespace lmp::output::detail
