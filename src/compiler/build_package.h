// `lmp build`: compile one .bpf.c into a package.json (or package.yaml). The stages, in order:
// find the source -> vmlinux.h -> clang -> read the object -> doc comments -> export types
// -> write the package (plus config.json and README.md) into the output directory.
#pragma once

#include <filesystem>
#include <string>

#include "common/result.h"
#include "compiler/clang_driver.h"
#include "package/package.h"

namespace lmp::compiler {

struct BuildOptions {
  std::filesystem::path input = ".";  // a directory holding one *.bpf.c, or FILE.bpf.c
  std::filesystem::path header;       // optional header whose structs are the export types
  std::filesystem::path output_dir;   // empty: the source's directory
  std::filesystem::path btf;          // empty: the running kernel's BTF
  bool yaml = false;                  // write package.yaml instead of package.json
  ClangFlags clang;                   // -I, -D and extra flags for clang
};

struct BuildResult {
  std::string name;                    // config.json name, else the source stem
  std::filesystem::path package_file;  // the written package.json / package.yaml
  package::Package package;
};

// Finds the source: FILE.bpf.c as given, or the single *.bpf.c in a directory.
Result<std::filesystem::path> find_bpf_source(const std::filesystem::path& input);

// Builds the package; progress goes to stderr. Errors carry kBuild, kNotFound,
// kBadPackage (config.json) or kKernel (no BTF) codes.
Result<BuildResult> build_package(const BuildOptions& options);

}  // namespace lmp::compiler
