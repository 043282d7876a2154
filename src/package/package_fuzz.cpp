// libFuzzer target for parse_package (see cmake/fuzz.cmake). Besides not
// crashing, it checks that whatever parses writes back (JSON and YAML) to the
// same model.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "package/package.h"
#include "package/yaml_convert.h"

namespace {

using lmp::package::Meta;
using lmp::package::Package;

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "package_fuzz: %s\n", what);
  std::abort();
}

void check_package_round_trip(const Package& package) {
  auto from_json = lmp::package::parse_package(lmp::package::write_package_json(package));
  if (!from_json) die(("JSON round trip failed: " + from_json.error().message).c_str());
  if (!(*from_json == package)) die("JSON round trip changed the package");
  auto from_yaml = lmp::package::parse_package(lmp::package::write_package_yaml(package));
  if (!from_yaml) die(("YAML round trip failed: " + from_yaml.error().message).c_str());
  if (!(*from_yaml == package)) die("YAML round trip changed the package");
}

// Meta is validated before bpf_object is decoded, so most inputs reach here
// even when their object is not a valid zlib stream.
void check_meta_round_trip(const Meta& meta) {
  nlohmann::json written = lmp::package::to_json(meta);
  auto again = lmp::package::parse_meta(written);
  if (!again) die(("meta round trip failed: " + again.error().message).c_str());
  if (!(*again == meta)) die("meta round trip changed the meta");
  auto yaml = lmp::package::yaml_to_json(lmp::package::json_to_yaml(written));
  if (!yaml) die(("meta YAML round trip failed: " + yaml.error().message).c_str());
  auto from_yaml = lmp::package::parse_meta(*yaml);
  if (!from_yaml || !(*from_yaml == meta)) die("meta YAML round trip changed the meta");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto package = lmp::package::parse_package(text)) {
    check_package_round_trip(*package);
    return 0;
  }
  auto doc = lmp::package::parse_package_document(text);
  if (!doc || !doc->is_object()) return 0;
  auto it = doc->find("meta");
  if (it == doc->end()) return 0;
  if (auto meta = lmp::package::parse_meta(*it)) check_meta_round_trip(*meta);
  return 0;
}
