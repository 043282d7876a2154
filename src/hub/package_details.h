// What the store and the API show of a version beyond its config: computed once at publish
// time from package.json and kept as JSON text in VersionRecord::details.
//   {"programs": [{"name", "attach", "type"}],
//    "maps": [{"name", "type"?, "sample"?}],
//    "options": [{"long", "short", "type", "default", "help"}],
//    "help_text": "what `lmp run NAME -h` prints",
//    "requirements": {"btf": true, "ring_buffer": bool}}
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "package/package.h"

namespace lmp::hub {

struct PackageDetails {
  nlohmann::json json;
  std::vector<std::string> program_types;  // sorted, unique
};

// The program type of an attach section (its prefix before '/'): "tp/sched/x" and
// "tracepoint/..." are "tracepoint", "kretprobe/..." is "kprobe", "fexit/..." is "fentry",
// "classifier" is "tc", ...; "other" when unknown.
std::string program_type(std::string_view attach);

// Details of a package published as NAME. kBadPackage when its program options cannot be
// built (the same error `lmp run NAME` would give).
Result<PackageDetails> describe_package(const package::Package& package, const std::string& name);

// Details of a version with only app.wasm (nothing to read without running it).
PackageDetails describe_wasm_only();

}  // namespace lmp::hub
