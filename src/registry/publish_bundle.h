// What `lmp publish DIR` uploads: the built package files of DIR, checked to be current
// with their sources first. See docs/hub.md, "The lmp client".
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "common/result.h"
#include "package/config.h"
#include "registry/hub_client.h"

namespace lmp::registry {

struct PublishBundle {
  package::Config config;
  // package.json and/or app.wasm, config.json, README.md and lmp.sig when present; by name.
  std::vector<HubFile> files;
  std::uint64_t size = 0;  // of all files
};

// Reads DIR's files. config.json is required and must parse; package.json (or package.yaml,
// sent as JSON) must parse. Unless `skip_checks`, a stale build is refused (kBadPackage with
// the command to run):
//   package.json older than a *.bpf.c or *.h of DIR        -> lmp build
//   app.wasm older than a user-space *.c or *.h of DIR     -> lmp build-wasm
//   app.wasm not embedding package.json's eBPF object      -> lmp gen-wasm-skel, build-wasm
// Headers gen-wasm-skel writes (NAME.skel.h, NAME.wasm.h, lmp-wasm.h) count for app.wasm only.
Result<PublishBundle> read_publish_bundle(const std::filesystem::path& dir, bool skip_checks);

}  // namespace lmp::registry
