// Order of a run: read and validate -> cap memories and tables -> resolve imports ->
// instantiate -> bind memory and table -> check and call _start -> close what the guest left
// open.
#include "wasm/runtime.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <new>

#include <wabt/binary-reader.h>
#include <wabt/interp/binary-reader-interp.h>

#include "wasm/guest.h"
#include "wasm/stop_checks.h"

namespace lmp::wasm {

interp::HostFunc::Ptr make_host_func(Guest& guest, interp::ValueTypes params,
                                     interp::ValueTypes results, HostBody body) {
  interp::FuncType type(std::move(params), std::move(results));
  return interp::HostFunc::New(
      guest.store, type,
      [&guest, body = std::move(body)](interp::Thread&, const interp::Values& args,
                                       interp::Values& out, interp::Trap::Ptr* trap) {
        auto message = body(args, out);
        if (!message && guest.should_stop(false)) message = std::string(kStopTrap);
        if (message) {
          *trap = interp::Trap::New(guest.store, *message);
          return wabt::Result::Error;
        }
        return wabt::Result::Ok;
      });
}

namespace {

std::string describe(const interp::FuncType& type) {
  std::string text = "(";
  for (size_t i = 0; i < type.params.size(); ++i)
    text += (i ? ", " : "") + std::string(type.params[i].GetName());
  text += ") -> (";
  for (size_t i = 0; i < type.results.size(); ++i)
    text += (i ? ", " : "") + std::string(type.results[i].GetName());
  return text + ")";
}

// One host function per import, in import order; an import lmp does not provide is an error.
Result<interp::RefVec> resolve_imports(Guest& guest, const interp::Module& module,
                                       std::vector<interp::HostFunc::Ptr>& keep) {
  interp::RefVec refs;
  for (const interp::ImportType& import : module.import_types()) {
    std::string full = import.module + "." + import.name;
    interp::HostFunc::Ptr func;
    if (import.type->kind == wabt::ExternalKind::Func) {
      if (import.module == "wasi_snapshot_preview1") func = make_wasi_import(guest, import.name);
      if (import.module == "wasm_bpf") func = make_wasm_bpf_import(guest, import.name);
    }
    if (!func)
      return fail(ExitCode::kBadPackage, "module imports " + full + ", which lmp does not provide",
                  "lmp provides wasm_bpf and a wasi_snapshot_preview1 subset; see docs/wasm.md");
    const auto& wanted = *wabt::cast<interp::FuncType>(import.type.get());
    if (wanted.params != func->type().params || wanted.results != func->type().results)
      return fail(ExitCode::kBadPackage, "module imports " + full + " as " + describe(wanted) +
                                             ", but lmp provides " + describe(func->type()));
    refs.push_back(func.ref());
    keep.push_back(std::move(func));
  }
  return refs;
}

constexpr uint64_t kPageBytes = 65536;

// A page-aligned size, as a user writes it.
std::string size_text(uint64_t bytes) {
  if (bytes % (uint64_t{1} << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes >> 10) + " KiB";
}

// Caps every memory the module defines at `max_bytes` and every table at kMaxTableElements
// before anything is allocated: a larger declared minimum refuses the module, and the cap
// becomes the maximum, so memory.grow and table.grow past it fail (-1) inside wabt.
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

// The export `name` of kind T, or an empty pointer.
template <typename T>
typename T::Ptr find_export(interp::Store& store, const interp::Module& module,
                            const interp::Instance& instance, std::string_view name) {
  for (size_t i = 0; i < module.export_types().size(); ++i) {
    if (module.export_types()[i].name != name) continue;
    typename T::Ptr ptr;
    if (store.Is<T>(instance.exports()[i]) &&
        wabt::Succeeded(store.Get<T>(instance.exports()[i], &ptr)))
      return ptr;
  }
  return {};
}

// The result of a run the guest left with a trap: proc_exit's code, a stop, or an error.
Result<int> ended_by_trap(const Guest& guest, const interp::Trap::Ptr& trap,
                          const std::string& what) {
  if (guest.exit_code) return *guest.exit_code;
  if (guest.stopped) return kStoppedExitCode;
  return fail(ExitCode::kFailure, what + (trap ? trap->message() : "unknown reason"));
}

// The host side of the stop checks (wasm/stop_checks.h): refills the fuel; the wrapper of
// every host function then unwinds the guest if a stop is due.
interp::HostFunc::Ptr make_stop_check(Guest& guest) {
  return make_host_func(guest, {}, {wabt::Type::I32}, [](const interp::Values&, interp::Values& r) {
    r[0] = interp::Value::Make(kStopCheckFuel);
    return std::nullopt;
  });
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

Result<int> run(std::span<const uint8_t> wasm, Guest& guest, uint64_t max_memory_bytes) {
  interp::Store& store = guest.store;
  wabt::Errors errors;
  interp::ModuleDesc desc;
  wabt::ReadBinaryOptions options;
  // A module that cannot be rewritten runs as it is: an invalid one is then reported below.
  std::optional<StopCheckedModule> checked = add_stop_checks(wasm);
  if (checked &&
      wabt::Failed(interp::ReadBinaryInterp("module.wasm", checked->wasm.data(),
                                            checked->wasm.size(), options, &errors, &desc))) {
    checked.reset();
    errors.clear();
    desc = {};
  }
  if (!checked && wabt::Failed(interp::ReadBinaryInterp("module.wasm", wasm.data(), wasm.size(),
                                                        options, &errors, &desc))) {
    return fail(ExitCode::kBadPackage, "invalid wasm module: " + one_line(errors));
  }
  LMP_CHECK(cap_limits(desc, max_memory_bytes));
  interp::Module::Ptr module = interp::Module::New(store, std::move(desc));
  std::vector<interp::HostFunc::Ptr> keep;
  interp::RefVec imports = LMP_TRY(resolve_imports(guest, *module, keep));

  interp::Trap::Ptr trap;
  interp::Instance::Ptr instance =
      interp::Instance::Instantiate(store, module.ref(), imports, &trap);
  if (!instance)
    return fail(ExitCode::kFailure,
                "cannot instantiate wasm module: " + (trap ? trap->message() : "unknown error"));
  interp::HostFunc::Ptr stop_check;
  if (checked) {
    stop_check = make_stop_check(guest);
    interp::Table::Ptr table;
    if (checked->table_index >= instance->tables().size() ||
        wabt::Failed(store.Get<interp::Table>(instance->tables()[checked->table_index], &table)) ||
        wabt::Failed(table->Set(store, 0, stop_check.ref())))
      return fail(ExitCode::kFailure, "cannot set up the stop checks of the wasm module");
  }
  // What instantiation would have run, had stop checks not moved it here.
  if (checked && checked->start_function) {
    interp::Func::Ptr start;
    if (*checked->start_function >= instance->funcs().size() ||
        wabt::Failed(store.Get<interp::Func>(instance->funcs()[*checked->start_function], &start)))
      return fail(ExitCode::kFailure, "cannot find the start function of the wasm module");
    interp::Values results;
    if (wabt::Failed(start->Call(store, {}, results, &trap)))
      return ended_by_trap(guest, trap, "cannot instantiate wasm module: ");
  }
  if (auto memory = find_export<interp::Memory>(store, *module, *instance, "memory"))
    guest.memory.bind(std::move(memory));
  guest.table = find_export<interp::Table>(store, *module, *instance, "__indirect_function_table");
  if (guest.table && guest.table->type().element != wabt::Type::FuncRef) guest.table.reset();
  auto start = find_export<interp::Func>(store, *module, *instance, "_start");
  if (!start) return fail(ExitCode::kBadPackage, "wasm module does not export _start");
  // wabt asserts (or, without assertions, reads past its stacks) when a function is called
  // with arguments that do not match its type: every function lmp calls is checked first.
  if (!start->type().params.empty() || !start->type().results.empty())
    return fail(ExitCode::kBadPackage, "wasm module's _start is " + describe(start->type()) +
                                           ", but lmp calls it as () -> ()");

  interp::Values results;
  if (wabt::Failed(start->Call(store, {}, results, &trap)))
    return ended_by_trap(guest, trap, "wasm module trapped: ");
  return 0;
}

}  // namespace

Result<int> run_module(std::span<const uint8_t> wasm, std::vector<std::string> args, BpfHost& host,
                       std::ostream& out, std::ostream& err, const RunOptions& options) {
  interp::Store store;
  Guest guest(store, host, out, err, std::move(args));
  guest.stop_requested = options.stop_requested;
  if (options.duration) guest.deadline = std::chrono::steady_clock::now() + *options.duration;
  Result<int> result = 0;
  try {  // wabt allocates with operator new; a guest growing memory can exhaust the host.
    result = run(wasm, guest, options.max_memory_bytes);
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
