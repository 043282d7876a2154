// `lmp build-wasm`: compiles a project's user-space C sources (app.c and the files config.json
// names in "wasm": {"sources": [...]}) into app.wasm with Debian's clang for wasm32-wasi,
// wasi-libc and lld.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/result.h"

namespace lmp::compiler {

// Checks every piece of the wasm32-wasi toolchain and returns clang's path. Errors (kBuild)
// name the Debian package to install: clang, lld, wasi-libc or libclang-rt-N-dev-wasm32.
Result<std::filesystem::path> find_wasm_toolchain();

// The C sources to compile in `dir`: app.c first, then those DIR/config.json lists in
// "wasm": {"sources": [...]} (paths relative to DIR, in that order, duplicates once). Errors:
// kNotFound when app.c or a listed file is missing; kBadPackage for a malformed list.
Result<std::vector<std::filesystem::path>> wasm_sources(const std::filesystem::path& dir);

// clang --target=wasm32-wasi -O2 ... -Wl,--export-table SOURCES -o OUTPUT.
std::vector<std::string> wasm_compile_command(const std::filesystem::path& clang,
                                              const std::filesystem::path& dir,
                                              const std::vector<std::filesystem::path>& sources,
                                              const std::filesystem::path& output);

// Compiles into a temporary file in `dir` and renames it to DIR/app.wasm; returns that path.
// clang's messages go to stderr unchanged; a failed compile is kBuild and leaves no file.
Result<std::filesystem::path> build_wasm(const std::filesystem::path& dir);

}  // namespace lmp::compiler
