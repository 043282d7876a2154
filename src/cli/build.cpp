// lmp build [DIR | FILE.bpf.c [HEADER.h]] [-o DIR] [--yaml] [--btf FILE] [-I DIR]...
//           [-D NAME[=VALUE]]... [--cflags "FLAGS"] [--sign[=KEY]] [-v]  (also $LMP_CFLAGS)
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <string>
#include <vector>

#include "cli/command.h"
#include "common/log.h"
#include "compiler/build_package.h"
#include "compiler/str_cat.h"
#include "package/config.h"

namespace lmp::cli {

Result<int> build_command(Args args) {
  CLI::App app{"Compile an eBPF program (FILE.bpf.c) into a portable package.json", "lmp build"};
  std::string input = ".", header, output, btf;
  std::string cflags;
  std::vector<std::string> include_dirs, defines;
  bool yaml = false, verbose = false;
  app.add_option("source", input, "project directory or FILE.bpf.c (default: .)");
  app.add_option("header", header, "header whose structs are the exported event types");
  app.add_option("-o,--output", output, "output directory (default: the source's directory)");
  app.add_flag("--yaml", yaml, "write package.yaml instead of package.json");
  app.add_option("--btf", btf, "kernel BTF for vmlinux.h (default: /sys/kernel/btf/vmlinux)");
  app.add_option("-I,--include-dir", include_dirs,
                 "add DIR to clang's include path (after the source's directory)")
      ->allow_extra_args(false);
  app.add_option("-D,--define", defines, "define a macro for the eBPF source: NAME or NAME=VALUE")
      ->allow_extra_args(false);
  app.add_option("--cflags", cflags,
                 "more clang flags, one string (after $LMP_CFLAGS), e.g. --cflags='-Wall -O1'");
  // --sign alone takes no value (so it never swallows the source); --sign=KEY names the key.
  std::string sign_key;
  app.add_flag("--sign{-}", sign_key,
               "sign what was built (lmp sign): --sign with the only key, --sign=KEY with another");
  app.add_flag("-v,--verbose", verbose, "show clang's command line and libbpf's messages");
  try {
    app.parse(static_cast<int>(args.size()), args.data());
  } catch (const CLI::ParseError& e) {
    return parse_error(app, e);
  }
  if (verbose) log::set_level(log::Level::kDebug);

  if (app.count("--sign") > 0 && yaml)
    return fail(ExitCode::kUsage, "--sign with --yaml: a signature covers package.json",
                "sign a package.json build");
  compiler::BuildOptions options;
  options.input = input;
  options.header = header;
  options.output_dir = output;
  options.btf = btf;
  options.yaml = yaml;
  options.clang.include_dirs.assign(include_dirs.begin(), include_dirs.end());
  options.clang.defines = defines;
  const char* env_cflags = std::getenv("LMP_CFLAGS");
  options.clang.extra = LMP_TRY(compiler::split_flags(env_cflags ? env_cflags : ""));
  for (auto& flag : LMP_TRY(compiler::split_flags(cflags))) options.clang.extra.push_back(flag);
  compiler::BuildResult built = LMP_TRY(compiler::build_package(options));
  const auto& meta = built.package.meta;
  std::size_t variables = 0;
  for (const auto& section : meta.bpf_skel.data_sections) variables += section.variables.size();
  log::info(compiler::str_cat("Built ", built.name, ": ", meta.bpf_skel.progs.size(),
                              " program(s), ", meta.bpf_skel.maps.size(), " map(s), ", variables,
                              " global(s), ", meta.export_types.size(), " export type(s) -> ",
                              built.package_file.string()));
  if (app.count("--sign") > 0) {
    std::filesystem::path dir = built.package_file.parent_path();
    LMP_TRY(sign_package_dir(dir.empty() ? "." : dir, sign_key == "-" ? "" : sign_key));
  }
  // A package with dependencies gets (or keeps) its lmp.lock beside its config.json.
  std::filesystem::path source_dir =
      LMP_TRY(compiler::find_bpf_source(options.input)).parent_path();
  if (source_dir.empty()) source_dir = ".";
  std::error_code ec;
  if (std::filesystem::is_regular_file(source_dir / "config.json", ec)) {
    package::Config config = LMP_TRY(package::read_config_file(source_dir / "config.json"));
    if (!config.dependencies.empty()) {
      std::size_t locked = LMP_TRY(lock_package_dir(source_dir, /*keep_matching_lock=*/true));
      log::info(compiler::str_cat("Locked ", locked, " dependenc", locked == 1 ? "y" : "ies",
                                  " -> ", (source_dir / "lmp.lock").string()));
    }
  }
  return 0;
}

}  // namespace lmp::cli
