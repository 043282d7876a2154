// WebAssembly text to binary with wabt's parser, for tests and the fuzzer, so guests can be
// stated in a few lines of WAT. Not used by lmp itself.
#pragma once

#include <cstdint>
#include <expected>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <wabt/binary-writer.h>
#include <wabt/error-formatter.h>
#include <wabt/stream.h>
#include <wabt/validator.h>
#include <wabt/wast-parser.h>

namespace lmp::wasm {

// The module's binary, or wabt's messages when `wat` does not parse or validate.
inline std::expected<std::vector<uint8_t>, std::string> compile_wat(std::string_view wat) {
  wabt::Errors errors;
  wabt::Features features;
  auto lexer = wabt::WastLexer::CreateBufferLexer("guest.wat", wat.data(), wat.size(), &errors);
  std::unique_ptr<wabt::Module> module;
  wabt::WastParseOptions parse_options(features);
  if (wabt::Failed(wabt::ParseWatModule(lexer.get(), &module, &errors, &parse_options)) ||
      wabt::Failed(wabt::ValidateModule(module.get(), &errors, wabt::ValidateOptions(features))))
    return std::unexpected(wabt::FormatErrorsToString(errors, wabt::Location::Type::Text));
  wabt::MemoryStream stream;
  wabt::WriteBinaryOptions write_options;
  write_options.features = features;
  if (wabt::Failed(wabt::WriteBinaryModule(&stream, module.get(), write_options)))
    return std::unexpected(std::string("cannot write the wasm binary"));
  return stream.output_buffer().data;
}

}  // namespace lmp::wasm
