// Order of a run: read and validate -> resolve imports -> instantiate -> bind memory and
// table -> call _start -> close what the guest left open.
#include "wasm/runtime.h"

#include <new>

#include <wabt/binary-reader.h>
#include <wabt/error-formatter.h>
#include <wabt/interp/binary-reader-interp.h>

#include "wasm/guest.h"

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

Result<int> run(std::span<const uint8_t> wasm, Guest& guest) {
  interp::Store& store = guest.store;
  wabt::Errors errors;
  interp::ModuleDesc desc;
  wabt::ReadBinaryOptions options;
  if (wabt::Failed(interp::ReadBinaryInterp("module.wasm", wasm.data(), wasm.size(), options,
                                            &errors, &desc))) {
    std::string text = wabt::FormatErrorsToString(errors, wabt::Location::Type::Binary);
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return fail(ExitCode::kBadPackage, "invalid wasm module: " + text);
  }
  interp::Module::Ptr module = interp::Module::New(store, std::move(desc));
  std::vector<interp::HostFunc::Ptr> keep;
  interp::RefVec imports = LMP_TRY(resolve_imports(guest, *module, keep));

  interp::Trap::Ptr trap;
  interp::Instance::Ptr instance =
      interp::Instance::Instantiate(store, module.ref(), imports, &trap);
  if (!instance)
    return fail(ExitCode::kFailure,
                "cannot instantiate wasm module: " + (trap ? trap->message() : "unknown error"));
  if (auto memory = find_export<interp::Memory>(store, *module, *instance, "memory"))
    guest.memory.bind(std::move(memory));
  guest.table = find_export<interp::Table>(store, *module, *instance, "__indirect_function_table");
  auto start = find_export<interp::Func>(store, *module, *instance, "_start");
  if (!start) return fail(ExitCode::kBadPackage, "wasm module does not export _start");

  interp::Values results;
  if (wabt::Failed(start->Call(store, {}, results, &trap))) {
    if (guest.exit_code) return *guest.exit_code;
    if (guest.stopped) return kStoppedExitCode;
    return fail(ExitCode::kFailure,
                "wasm module trapped: " + (trap ? trap->message() : "unknown reason"));
  }
  return 0;
}

}  // namespace

Result<int> run_module(std::span<const uint8_t> wasm, std::vector<std::string> args, BpfHost& host,
                       std::ostream& out, std::ostream& err, const RunOptions& options) {
  interp::Store store;
  Guest guest{store, host, out, err, std::move(args), {}, {}, {}, {}, {}, false, {}, {}, false};
  guest.stop_requested = options.stop_requested;
  if (options.duration) guest.deadline = std::chrono::steady_clock::now() + *options.duration;
  Result<int> result = 0;
  try {  // wabt allocates with operator new; a guest growing memory can exhaust the host.
    result = run(wasm, guest);
  } catch (const std::bad_alloc&) {
    result = fail(ExitCode::kFailure, "wasm module ran out of host memory");
  }
  for (int64_t object : guest.objects) host.close(object);
  guest.objects.clear();
  return result;
}

}  // namespace lmp::wasm
