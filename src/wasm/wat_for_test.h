// Test helper: compile_wat (wasm/wat.h) that fails the current test on bad WAT.
#pragma once

#include <gtest/gtest.h>

#include "wasm/wat.h"

namespace lmp::wasm {

inline std::vector<uint8_t> wat_to_wasm(std::string_view wat) {
  auto wasm = compile_wat(wat);
  if (!wasm) {
    ADD_FAILURE() << wasm.error();
    return {};
  }
  return std::move(*wasm);
}

}  // namespace lmp::wasm
