// Test helper: compiles WebAssembly text to a binary with wabt's parser, so tests can state
// guests in a few lines of WAT.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include <wabt/binary-writer.h>
#include <wabt/error-formatter.h>
#include <wabt/stream.h>
#include <wabt/validator.h>
#include <wabt/wast-parser.h>

namespace lmp::wasm {

inline std::vector<uint8_t> wat_to_wasm(std::string_view wat) {
  wabt::Errors errors;
  wabt::Features features;
  auto lexer = wabt::WastLexer::CreateBufferLexer("test.wat", wat.data(), wat.size(), &errors);
  std::unique_ptr<wabt::Module> module;
  wabt::WastParseOptions parse_options(features);
  if (wabt::Failed(wabt::ParseWatModule(lexer.get(), &module, &errors, &parse_options)) ||
      wabt::Failed(wabt::ValidateModule(module.get(), &errors, wabt::ValidateOptions(features)))) {
    ADD_FAILURE() << wabt::FormatErrorsToString(errors, wabt::Location::Type::Text);
    return {};
  }
  wabt::MemoryStream stream;
  wabt::WriteBinaryOptions write_options;
  write_options.features = features;
  if (wabt::Failed(wabt::WriteBinaryModule(&stream, module.get(), write_options))) {
    ADD_FAILURE() << "cannot write wasm binary";
    return {};
  }
  return stream.output_buffer().data;
}

}  // namespace lmp::wasm
