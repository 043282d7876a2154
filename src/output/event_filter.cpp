#include "output/event_filter.h"

#include <algorithm>
#include <charconv>

namespace lmp::output::detail {
namespace {

using Op = FieldFilter::Op;

std::string list_fields(const std::vector<Column>& columns) {
  std::string names;
  for (const Column& c : columns) names += (names.empty() ? "" : ", ") + c.name;
  return names;
}

std::string describe(const FieldFilter& filter) {
  static constexpr const char* kOps[] = {"=", "!=", "~", ">", "<", ">=", "<="};
  return filter.field + kOps[static_cast<int>(filter.op)] + filter.value;
}

bool is_comparison(Op op) {
  return op == Op::kGreater || op == Op::kLess || op == Op::kGreaterEqual || op == Op::kLessEqual;
}

template <typename T>
std::optional<T> parse_whole(std::string_view text, int base) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<RawNumber> parse_number(std::string_view text) {
  RawNumber n;
  if (text.starts_with("0x") || text.starts_with("0X")) {
    auto hex = parse_whole<uint64_t>(text.substr(2), 16);
    if (!hex) return std::nullopt;
    n.integer = *hex;
    return n;
  }
  if (auto whole = parse_whole<int64_t>(text, 10)) {
    n.integer = *whole;
    return n;
  }
  if (auto whole = parse_whole<uint64_t>(text, 10)) {
    n.integer = *whole;
    return n;
  }
  double real = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), real);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  n.is_real = true;
  n.real = real;
  return n;
}

Result<EventFilter> EventFilter::create(const btf* btf, std::string_view type_name,
                                        const std::vector<FieldFilter>& filters,
                                        std::vector<Column> columns) {
  EventFilter result;
  result.btf_ = btf;
  for (const FieldFilter& filter : filters) {
    Condition condition{filter.op, 0, filter.value, std::nullopt, std::nullopt};
    auto found = std::find_if(columns.begin(), columns.end(),
                              [&](const Column& c) { return c.name == filter.field; });
    if (found == columns.end())
      return fail(
          ExitCode::kUsage,
          "--filter " + describe(filter) + ": the events of " + std::string(type_name) +
              " have no field '" + filter.field + "'",
          "their fields: " + list_fields(columns) + " (--comm and --pid filter on comm and pid)");
    condition.column = static_cast<size_t>(found - columns.begin());
    const Column& column = *found;
    if (filter.op == Op::kMatch) {
      try {
        condition.regex.emplace(filter.value, std::regex::ECMAScript | std::regex::optimize);
      } catch (const std::regex_error& e) {
        return fail(
            ExitCode::kUsage,
            "--filter " + describe(filter) + ": not a regular expression (" + e.what() + ")",
            "the syntax is ECMAScript's (as in JavaScript)");
      }
    } else if (column.cell != Cell::kChars) {
      condition.number = parse_number(filter.value);
      if (!condition.number)
        if (auto named = parse_value_text(column.format, filter.value))
          condition.number = RawNumber{false, *named, 0};
    }
    if (is_comparison(filter.op)) {
      if (!has_number(column))
        return fail(ExitCode::kUsage,
                    "--filter " + describe(filter) + ": " + filter.field + " is not a number",
                    "compare text with = != or ~");
      condition.number = parse_number(filter.value);
      if (!condition.number)
        return fail(ExitCode::kUsage,
                    "--filter " + describe(filter) + ": '" + filter.value + "' is not a number",
                    "> < >= <= compare the raw number; use = for names (sig=SIGKILL)");
    }
    result.conditions_.push_back(std::move(condition));
  }
  result.family_ = find_family_column(columns);
  result.columns_ = std::move(columns);
  return result;
}

bool EventFilter::matches(std::span<const uint8_t> data) {
  for (const Condition& condition : conditions_)
    if (!matches(condition, data)) return false;
  return true;
}

bool EventFilter::matches(const Condition& condition, std::span<const uint8_t> data) {
  const Column& column = columns_[condition.column];
  switch (condition.op) {
    case Op::kEqual:
    case Op::kNotEqual: {
      bool equal = text_of(column, data) == condition.value;
      if (!equal && condition.number)
        if (auto n = raw_number(column, data)) equal = compare(*n, *condition.number) == 0;
      return equal == (condition.op == Op::kEqual);
    }
    case Op::kMatch:
      return std::regex_search(text_of(column, data), *condition.regex);
    default:
      break;
  }
  auto n = raw_number(column, data);
  if (!n) return false;
  int order = compare(*n, *condition.number);
  switch (condition.op) {
    case Op::kGreater:
      return order == 1;
    case Op::kLess:
      return order == -1;
    case Op::kGreaterEqual:
      return order == 0 || order == 1;
    case Op::kLessEqual:
      return order == 0 || order == -1;
    default:
      return false;
  }
}

const std::string& EventFilter::text_of(const Column& column, std::span<const uint8_t> data) {
  const Column* family = family_ ? &columns_[*family_] : nullptr;
  if (auto decoded = decoded_text(column, data, family)) {
    text_ = std::move(*decoded);
  } else {
    text_.clear();
    append_raw(text_, btf_, column, data, false);
  }
  return text_;
}

}  // namespace lmp::output::detail
