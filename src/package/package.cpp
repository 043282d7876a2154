// parse_package / read_package_file and the writers: the top level of
// package.json (bpf_object, bpf_object_size, meta) in JSON or YAML.
#include "package/package.h"

#include <string>

#include "common/file.h"
#include "package/bpf_object.h"
#include "package/json_field.h"
#include "package/yaml_convert.h"

namespace lmp::package {
namespace {

using nlohmann::json;

// JSON nested deeper than this is refused: later copies of the tree recurse.
constexpr int kMaxJsonDepth = 256;

// Thrown from the parser callback; caught below, never leaves this file.
struct TooDeep {};

bool looks_like_json(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // UTF-8 BOM
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    return c == '{';
  }
  return false;
}

// "[json.exception.parse_error.101] parse error at line 1, column 5: syntax error ..."
// -> "syntax error ...".
std::string parse_error_reason(const json::parse_error& e) {
  std::string what = e.what();
  auto start = what.find("parse error");
  if (start != std::string::npos) {
    auto colon = what.find(": ", start);
    if (colon != std::string::npos) return what.substr(colon + 2);
  }
  return what;
}

Result<json> parse_json_text(std::string_view text) {
  auto depth_guard = [](int depth, json::parse_event_t event, json&) {
    if ((event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) &&
        depth >= kMaxJsonDepth) {
      throw TooDeep{};
    }
    return true;
  };
  try {
    return json::parse(text, depth_guard);
  } catch (const json::parse_error& e) {
    return fail(ExitCode::kBadPackage, "truncated or invalid JSON at byte " +
                                           std::to_string(e.byte) + ": " + parse_error_reason(e));
  } catch (const TooDeep&) {
    return fail(ExitCode::kBadPackage,
                "JSON is nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  } catch (const std::exception& e) {
    return fail(ExitCode::kBadPackage, std::string("invalid JSON: ") + e.what());
  }
}

Result<Package> parse_document(const json& doc) {
  if (!doc.is_object()) {
    return fail(ExitCode::kBadPackage,
                "expected an object at the top level (bpf_object, bpf_object_size, meta)");
  }
  std::string object_text;
  uint64_t object_size = 0;
  LMP_CHECK(read_string(doc, "", "bpf_object", object_text, Need::kRequired));
  LMP_CHECK(read_u64(doc, "", "bpf_object_size", object_size, Need::kRequired));
  const json* meta = LMP_TRY(find_object(doc, "", "meta", Need::kRequired));
  Package package;
  package.meta = LMP_TRY(parse_meta(*meta));
  package.bpf_object = LMP_TRY(decode_bpf_object(object_text, object_size));
  return package;
}

}  // namespace

Result<json> parse_package_document(std::string_view text) {
  if (text.size() > kMaxPackageBytes) {
    return fail(ExitCode::kBadPackage,
                "package is " + std::to_string(text.size()) + " bytes, over the limit of " +
                    std::to_string(kMaxPackageBytes) + " bytes",
                "check that this is a package.json");
  }
  return looks_like_json(text) ? parse_json_text(text) : yaml_to_json(text);
}

Result<Package> parse_package(std::string_view text) {
  json doc = LMP_TRY(parse_package_document(text));
  return parse_document(doc);
}

Result<Package> read_package_file(const std::filesystem::path& path) {
  auto text = read_file(path, kMaxPackageBytes);
  if (!text) return std::unexpected(text.error());  // read_file names the path already
  auto package = parse_package(*text);
  if (!package) return std::unexpected(std::move(package.error()).context(path.string()));
  return package;
}

json to_json(const Package& package) {
  return {{"bpf_object", encode_bpf_object(package.bpf_object)},
          {"bpf_object_size", package.bpf_object.size()},
          {"meta", to_json(package.meta)}};
}

std::string write_package_json(const Package& package) {
  // Invalid UTF-8 (possible from YAML input) is replaced rather than thrown.
  return to_json(package).dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string write_package_yaml(const Package& package) {
  return json_to_yaml(to_json(package));
}

}  // namespace lmp::package
