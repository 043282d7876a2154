// Test helper: runs unit tests on both engines. The compiled engine's cache is one private
// temporary directory per test binary, so a module is compiled once, and removed at exit.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "wasm/runtime.h"

namespace lmp::wasm {

inline const std::filesystem::path& test_native_cache() {
  struct Dir {
    std::filesystem::path path;
    Dir() {
      std::string pattern =
          (std::filesystem::temp_directory_path() / "lmp-wasm-unit-XXXXXX").string();
      if (mkdtemp(pattern.data())) path = std::filesystem::path(pattern) / "wasm-cache";
    }
    ~Dir() {
      std::error_code ec;
      if (!path.empty()) std::filesystem::remove_all(path.parent_path(), ec);
    }
  };
  static Dir dir;
  return dir.path;
}

// `options` run on `engine`.
inline RunOptions on_engine(Engine engine, RunOptions options = {}) {
  options.engine = engine;
  if (engine != Engine::kInterp) options.native_cache = test_native_cache();
  return options;
}

inline std::string engine_name(const testing::TestParamInfo<Engine>& info) {
  return info.param == Engine::kInterp ? "interp" : "compiled";
}

}  // namespace lmp::wasm

// Instantiates the value-parametrised SUITE (a TestWithParam<Engine>) once per engine.
#define LMP_WASM_ON_BOTH_ENGINES(SUITE)                                                \
  INSTANTIATE_TEST_SUITE_P(                                                            \
      Engines, SUITE,                                                                  \
      ::testing::Values(::lmp::wasm::Engine::kInterp, ::lmp::wasm::Engine::kCompiled), \
      ::lmp::wasm::engine_name)
