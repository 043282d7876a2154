// Order of a run: pick the engine -> it reads, validates, caps, resolves imports (the same
// rules for both), instantiates and calls _start -> close what the guest left open.
#include "wasm/runtime.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <new>

#include <wabt/binary-reader.h>
#include <wabt/interp/binary-reader-interp.h>

#include "common/log.h"
#include "wasm/engine.h"
#include "wasm/native_compiler.h"

namespace lmp::wasm {

namespace interp = wabt::interp;

namespace {

// A page-aligned size, as a user writes it.
std::string size_text(uint64_t bytes) {
  if (bytes % (uint64_t{1} << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes >> 10) + " KiB";
}

// Caps every memory the module defines at `max_bytes` and every table at kMaxTableElements
// before anything is allocated: a larger declared minimum refuses the module, and the cap
// becomes the maximum, so memory.grow and table.grow past it fail (-1).
Result<void> cap_limits(interp::ModuleDesc& desc, uint64_t max_bytes) {
  uint64_t max_pages = std::min(max_bytes, kMaxWasm32MemoryBytes) / kPageBytes;
  for (interp::MemoryDesc& memory : desc.memories) {
    wabt::Limits& limits = memory.type.limits;
    if (limits.initial > max_pages)
      return fail(ExitCode::kBadPackage,
                  "wasm module needs " + size_text(limits.initial * kPageBytes) +
                      " of memory to start, more than the limit of " +
                      size_text(max_pages * kPageBytes),
                  "raise it with lmp run --wasm-max-memory SIZE");
    if (!limits.has_max || limits.max > max_pages) limits.max = max_pages;
    limits.has_max = true;
  }
  for (interp::TableDesc& table : desc.tables) {
    wabt::Limits& limits = table.type.limits;
    if (limits.initial > kMaxTableElements)
      return fail(ExitCode::kBadPackage, "wasm module declares a table of " +
                                             std::to_string(limits.initial) +
                                             " elements, more than lmp allows (" +
                                             std::to_string(kMaxTableElements) + ")");
    if (!limits.has_max || limits.max > kMaxTableElements) limits.max = kMaxTableElements;
    limits.has_max = true;
  }
  return {};
}

// wabt's reader errors as one line: the messages joined with "; ", then where the first one
// is ("at byte 0xa"). wabt's own formatter writes a line per error, each with "error:".
std::string one_line(const wabt::Errors& errors) {
  std::string text;
  for (const wabt::Error& e : errors) {
    if (!text.empty()) text += "; ";
    for (char c : e.message) text += (c == '\n' || c == '\r') ? ' ' : c;
  }
  if (text.empty()) return "unreadable module";
  char where[40];
  std::snprintf(where, sizeof where, " (at byte 0x%zx)", errors.front().loc.offset);
  return text + where;
}

}  // namespace

Result<interp::ModuleDesc> read_module(std::span<const uint8_t> wasm, uint64_t max_memory_bytes) {
  wabt::Errors errors;
  interp::ModuleDesc desc;
  wabt::ReadBinaryOptions options;
  if (wabt::Failed(interp::ReadBinaryInterp("module.wasm", wasm.data(), wasm.size(), options,
                                            &errors, &desc)))
    return fail(ExitCode::kBadPackage, "invalid wasm module: " + one_line(errors));
  LMP_CHECK(cap_limits(desc, max_memory_bytes));
  return desc;
}

std::optional<FuncSig> sig_of(const interp::FuncType& type) {
  auto code = [](const interp::ValueTypes& types) -> std::optional<std::string> {
    std::string text;
    for (const auto& t : types) {
      if (t == wabt::Type::I32)
        text += 'i';
      else if (t == wabt::Type::I64)
        text += 'I';
      else if (t == wabt::Type::F32)
        text += 'f';
      else if (t == wabt::Type::F64)
        text += 'F';
      else
        return std::nullopt;
    }
    return text;
  };
  auto params = code(type.params), results = code(type.results);
  if (!params || !results) return std::nullopt;
  return FuncSig{*params, *results};
}

Result<std::vector<HostImport>> resolve_imports(const interp::ModuleDesc& desc) {
  std::vector<HostImport> imports;
  for (const interp::ImportDesc& import : desc.imports) {
    const interp::ImportType& type = import.type;
    std::optional<FuncSig> sig;
    if (type.type->kind == wabt::ExternalKind::Func)
      sig = sig_of(*wabt::cast<interp::FuncType>(type.type.get()));
    if (!sig)
      return fail(
          ExitCode::kBadPackage,
          "module imports " + type.module + "." + type.name + ", which lmp does not provide",
          "lmp provides functions of wasm_bpf, callback-wrapper and "
          "wasi_snapshot_preview1; see docs/wasm.md");
    imports.push_back(LMP_TRY(resolve_import(type.module, type.name, *sig)));
  }
  return imports;
}

Result<int> ended_by_trap(const Guest& guest, const std::string& what, const std::string& message) {
  if (guest.exit_code) return *guest.exit_code;
  if (guest.stopped) return kStoppedExitCode;
  return fail(ExitCode::kFailure, what + message);
}

Result<Engine> parse_engine(std::string_view text) {
  if (text == "interp") return Engine::kInterp;
  if (text == "compiled") return Engine::kCompiled;
  if (text == "auto") return Engine::kAuto;
  return fail(ExitCode::kUsage, "--wasm-engine: '" + std::string(text) + "' is not an engine",
              "use interp, compiled or auto");
}

Result<int> run_module(std::span<const uint8_t> wasm, std::vector<std::string> args, BpfHost& host,
                       std::ostream& out, std::ostream& err, const RunOptions& options) {
  Guest guest(host, out, err, std::move(args));
  guest.stop_requested = options.stop_requested;
  guest.duration = options.duration;
  LMP_CHECK(guest.files.preopen(options.preopens));
  bool compiled = options.engine == Engine::kCompiled;
  if (options.engine == Engine::kAuto) {
    compiled = !options.native_cache.empty() && native_toolchain_found();
    log::debug(compiled ? "wasm engine auto: wasm2c and a C compiler found, compiling"
                        : "wasm engine auto: no wasm2c or C compiler, interpreting");
  }
  Result<int> result = 0;
  try {  // wabt allocates with operator new; a guest growing memory can exhaust the host.
    result = compiled ? run_compiled(wasm, guest, options) : run_interpreted(wasm, guest, options);
  } catch (const std::bad_alloc&) {
    result = fail(ExitCode::kFailure, "wasm module ran out of host memory");
  }
  for (int64_t object : guest.objects) host.close(object);
  guest.objects.clear();
  return result;
}

Result<uint64_t> parse_memory_size(std::string_view text) {
  auto bad = [&] {
    return fail(ExitCode::kUsage,
                "--wasm-max-memory: '" + std::string(text) + "' is not a size from 64K to 4G",
                "e.g. --wasm-max-memory 512M");
  };
  uint64_t value = 0;
  size_t i = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    if (value > kMaxWasm32MemoryBytes) return bad();
    value = value * 10 + (text[i] - '0');
  }
  if (i == 0) return bad();
  std::string suffix(text.substr(i));
  for (char& c : suffix) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  int shift = 0;
  if (!suffix.empty()) {
    shift = suffix[0] == 'K' ? 10 : suffix[0] == 'M' ? 20 : suffix[0] == 'G' ? 30 : -1;
    std::string_view rest = std::string_view(suffix).substr(1);
    if (shift < 0 || !(rest.empty() || rest == "B" || rest == "IB")) return bad();
  }
  if (value > (kMaxWasm32MemoryBytes >> shift)) return bad();
  value <<= shift;
  if (value < kPageBytes) return bad();
  return value;
}

}  // namespace lmp::wasm
