// lmp push [DIR] REF: upload a package directory to an OCI registry (see docs/oci.md).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "cli/command.h"
#include "common/log.h"
#include "registry/cache.h"
#include "registry/oci_pull.h"
#include "registry/oci_push.h"
#include "registry/progress.h"
#include "registry/stale_wasm.h"

namespace lmp::cli {

Result<int> push_command(Args args) {
  CLI::App app{
      "Upload DIR (default .: package.json and optionally app.wasm, README.md, config.json)\n"
      "to an OCI registry as REF, e.g. localhost:5000/tools/opensnoop:1.0.0 (no tag: latest).\n"
      "Log in first with 'lmp login REGISTRY' when the registry needs it. Prints\n"
      "REF@DIGEST.",
      "lmp push"};
  std::string dir = ".", text;
  bool force = false;
  app.add_option("dir", dir, "the package directory (default: .)");
  app.add_option("ref", text, "HOST[:PORT]/REPOSITORY[:TAG]")->required();
  app.positionals_at_end();  // one word is REF, two are DIR REF
  app.add_flag("--force", force,
               "push an app.wasm that does not embed package.json's eBPF object (stale)");
  try {
    app.parse(static_cast<int>(args.size()), args.data());
  } catch (const CLI::ParseError& e) {
    return parse_error(app, e);
  }
  registry::Reference ref =
      LMP_TRY(registry::parse_reference(text, [](const auto&) { return false; }));
  if (ref.kind != registry::ReferenceKind::kOci)
    return fail(ExitCode::kUsage, "'" + text + "' is not an OCI image reference",
                "use HOST[:PORT]/REPOSITORY:TAG, e.g. localhost:5000/tools/opensnoop:1.0.0");
  if (!force) LMP_CHECK(registry::check_wasm_matches_package(dir, "lmp push --force"));
  auto home = LMP_TRY(registry::lmp_home());
  registry::OciSession session = LMP_TRY(registry::open_oci_session(home, ref.oci.registry));
  if (const char* chunk = std::getenv("LMP_OCI_CHUNK_BYTES"); chunk && *chunk)
    session.client->set_chunk_size(std::strtoull(chunk, nullptr, 10));
  registry::PushedImage pushed = LMP_TRY(registry::push_oci(*session.client, dir, ref));
  std::uint64_t size = 0;
  for (const auto& f : pushed.files) size += f.size;
  log::info("pushed " + std::to_string(pushed.files.size()) + " files (" +
            registry::human_size(size) + ") to " + registry::to_string(ref));
  std::printf("%s@%s\n", registry::to_string(ref).c_str(), pushed.digest.c_str());
  return 0;
}

}  // namespace lmp::cli
