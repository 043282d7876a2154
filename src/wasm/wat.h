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

// WAT imports of the six wasm_bpf functions, as $load, $attach, $map_fd, $poll, $map_op
// and $close, for guests written in tests and the fuzzer.
inline constexpr std::string_view kWasmBpfImportsWat = R"(
  (import "wasm_bpf" "wasm_load_bpf_object" (func $load (param i32 i32) (result i64)))
  (import "wasm_bpf" "wasm_attach_bpf_program" (func $attach (param i64 i32 i32) (result i32)))
  (import "wasm_bpf" "wasm_bpf_map_fd_by_name" (func $map_fd (param i64 i32) (result i32)))
  (import "wasm_bpf" "wasm_bpf_buffer_poll"
    (func $poll (param i64 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasm_bpf" "wasm_bpf_map_operate"
    (func $map_op (param i32 i32 i32 i32 i32 i64) (result i32)))
  (import "wasm_bpf" "wasm_close_bpf_object" (func $close (param i64) (result i32)))
)";

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
