// A package directory's app.wasm must carry the eBPF object of the package.json beside it:
// `lmp gen-wasm-skel` embeds the object in the module, so a .bpf.c rebuilt without
// `lmp build-wasm` leaves a module that would load the old kernel code. `lmp run`, `lmp push`,
// `lmp repo build` and `lmp publish` refuse such a directory unless forced.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace lmp::registry {

// Whether `wasm` (a module's bytes) holds `object` as one run of bytes (an empty object: yes).
bool wasm_embeds_object(std::string_view wasm, const std::vector<std::uint8_t>& object);

// The stale-module error for DIR; `forced_command` is what skips the check ("lmp run --force").
Error stale_wasm_error(const std::filesystem::path& dir, std::string_view package_file,
                       std::string_view forced_command);

// When DIR holds both app.wasm and package.json (or package.yaml) and the module does not
// embed the package's eBPF object: stale_wasm_error (kBadPackage). Nothing to check (either
// file missing) is fine; an unreadable or malformed package.json is its own error.
Result<void> check_wasm_matches_package(const std::filesystem::path& dir,
                                        std::string_view forced_command);

}  // namespace lmp::registry
