// The interpreter engine: wabt's interp, with each host import wrapped as a wabt HostFunc.
// Order: add stop checks -> read -> cap -> resolve imports -> instantiate -> set the stop
// check -> run the start function -> bind memory and table -> check and call _start.
#include <cstring>

#include <wabt/binary-reader.h>
#include <wabt/interp/binary-reader-interp.h>

#include "common/log.h"
#include "wasm/engine.h"
#include "wasm/stop_checks.h"

namespace lmp::wasm {
namespace {

namespace interp = wabt::interp;

interp::ValueType value_type(char c) {
  switch (c) {
    case 'i':
      return wabt::Type::I32;
    case 'I':
      return wabt::Type::I64;
    case 'f':
      return wabt::Type::F32;
    default:
      return wabt::Type::F64;
  }
}

interp::ValueTypes value_types(const std::string& types) {
  interp::ValueTypes out;
  for (char c : types) out.push_back(value_type(c));
  return out;
}

// A value as a 64-bit slot and back (f32/f64 as their bits).
uint64_t to_slot(const interp::Value& v, char type) {
  switch (type) {
    case 'i':
      return v.Get<uint32_t>();
    case 'I':
      return v.Get<uint64_t>();
    case 'f': {
      uint32_t bits;
      float f = v.Get<float>();
      std::memcpy(&bits, &f, 4);
      return bits;
    }
    default: {
      uint64_t bits;
      double d = v.Get<double>();
      std::memcpy(&bits, &d, 8);
      return bits;
    }
  }
}

interp::Value from_slot(uint64_t slot, char type) {
  switch (type) {
    case 'i':
      return interp::Value::Make(static_cast<uint32_t>(slot));
    case 'I':
      return interp::Value::Make(slot);
    case 'f': {
      float f;
      uint32_t bits = static_cast<uint32_t>(slot);
      std::memcpy(&f, &bits, 4);
      return interp::Value::Make(f);
    }
    default: {
      double d;
      std::memcpy(&d, &slot, 8);
      return interp::Value::Make(d);
    }
  }
}

// The glue: a wabt host function that passes its values to `import` through slots.
interp::HostFunc::Ptr make_host_func(interp::Store& store, Guest& guest, HostImport import) {
  interp::FuncType type(value_types(import.sig.params), value_types(import.sig.results));
  return interp::HostFunc::New(
      store, type,
      [&store, &guest, import](interp::Thread&, const interp::Values& args, interp::Values& out,
                               interp::Trap::Ptr* trap) {
        uint64_t slots[kMaxSlots] = {};
        for (size_t i = 0; i < args.size(); ++i) slots[i] = to_slot(args[i], import.sig.params[i]);
        auto message = call_host(guest, import, slots);
        if (message) {
          *trap = interp::Trap::New(store, *message);
          return wabt::Result::Error;
        }
        for (size_t i = 0; i < out.size(); ++i) out[i] = from_slot(slots[i], import.sig.results[i]);
        return wabt::Result::Ok;
      });
}

// The callbacks in the guest's __indirect_function_table, and its export "go-callback".
class InterpCallbacks : public GuestCallbacks {
 public:
  InterpCallbacks(interp::Store& store, interp::Table::Ptr table, interp::Func::Ptr exported)
      : store_(store), table_(std::move(table)), exported_(std::move(exported)) {}

  bool has(uint32_t index) override { return static_cast<bool>(at(index)); }

  std::expected<int32_t, std::string> call(uint32_t index, uint32_t ctx, uint32_t buf,
                                           uint32_t size) override {
    interp::Func::Ptr func = at(index);
    if (!func) return std::unexpected(std::string("no callback at ") + std::to_string(index));
    interp::Values args{interp::Value::Make(ctx), interp::Value::Make(buf),
                        interp::Value::Make(size)};
    interp::Values results;
    interp::Trap::Ptr trap;
    if (wabt::Failed(func->Call(store_, args, results, &trap)))
      return std::unexpected(trap ? trap->message() : std::string("callback failed"));
    return static_cast<int32_t>(results[0].Get<uint32_t>());
  }

 private:
  // The function, checked to be (i32, i32, i32) -> i32, or empty.
  interp::Func::Ptr at(uint32_t index) {
    interp::Func::Ptr func = exported_;
    if (index != kExportedCallback) {
      func.reset();
      interp::Ref ref;
      if (!table_ || wabt::Failed(table_->Get(index, &ref)) || ref == interp::Ref::Null ||
          wabt::Failed(store_.Get<interp::Func>(ref, &func)))
        return {};
    }
    if (!func || sig_of(func->type()) != FuncSig{"iii", "i"}) return {};
    return func;
  }

  interp::Store& store_;
  interp::Table::Ptr table_;
  interp::Func::Ptr exported_;
};

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

}  // namespace

Result<int> run_interpreted(std::span<const uint8_t> wasm, Guest& guest,
                            const RunOptions& options) {
  log::debug("wasm engine: interpreter");
  interp::Store store;
  // A module that cannot be rewritten runs as it is: an invalid one is then reported below.
  std::optional<StopCheckedModule> checked = add_stop_checks(wasm, /*export_internals=*/false);
  std::optional<interp::ModuleDesc> desc;
  if (checked) {
    auto read = read_module(checked->wasm, options.max_memory_bytes);
    if (read)
      desc = std::move(*read);
    else
      checked.reset();
  }
  if (!desc) desc = LMP_TRY(read_module(wasm, options.max_memory_bytes));
  std::vector<HostImport> host_imports = LMP_TRY(resolve_imports(*desc));
  interp::Module::Ptr module = interp::Module::New(store, std::move(*desc));
  std::vector<interp::HostFunc::Ptr> keep;
  interp::RefVec imports;
  for (HostImport& import : host_imports) {
    keep.push_back(make_host_func(store, guest, import));
    imports.push_back(keep.back().ref());
  }

  interp::Trap::Ptr trap;
  guest.start_clock();
  interp::Instance::Ptr instance =
      interp::Instance::Instantiate(store, module.ref(), imports, &trap);
  if (!instance)
    return fail(ExitCode::kFailure,
                "cannot instantiate wasm module: " + (trap ? trap->message() : "unknown error"));
  // The memory view and the callbacks refer to the store: unbound before it goes.
  struct Unbind {
    Guest& guest;
    ~Unbind() {
      guest.callbacks = nullptr;
      guest.memory.bind({});
    }
  } unbind{guest};
  if (auto memory = find_export<interp::Memory>(store, *module, *instance, "memory"))
    guest.memory.bind(
        [memory] { return std::span<uint8_t>(memory->UnsafeData(), memory->ByteSize()); });
  auto table = find_export<interp::Table>(store, *module, *instance, "__indirect_function_table");
  if (table && table->type().element != wabt::Type::FuncRef) table.reset();
  InterpCallbacks callbacks(store, table,
                            find_export<interp::Func>(store, *module, *instance, "go-callback"));
  guest.callbacks = &callbacks;
  interp::HostFunc::Ptr stop_check;
  if (checked) {
    // The host side of the stop checks (wasm/stop_checks.h): refills the fuel; call_host then
    // unwinds the guest if a stop is due.
    stop_check = make_host_func(store, guest, {{"", "i"}, [](Guest&, uint64_t* s) {
                                                 s[0] = kStopCheckFuel;
                                                 return std::optional<std::string>();
                                               }});
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
      return ended_by_trap(
          guest, "cannot instantiate wasm module: ", trap ? trap->message() : "unknown reason");
  }
  auto start = find_export<interp::Func>(store, *module, *instance, "_start");
  if (!start) return fail(ExitCode::kBadPackage, "wasm module does not export _start");
  // wabt asserts (or, without assertions, reads past its stacks) when a function is called
  // with arguments that do not match its type: every function lmp calls is checked first.
  if (!start->type().params.empty() || !start->type().results.empty())
    return fail(ExitCode::kBadPackage, "wasm module's _start is " +
                                           describe(sig_of(start->type()).value_or(FuncSig{})) +
                                           ", but lmp calls it as () -> ()");

  interp::Values results;
  if (wabt::Failed(start->Call(store, {}, results, &trap)))
    return ended_by_trap(guest, "wasm module trapped: ", trap ? trap->message() : "unknown reason");
  return 0;
}

}  // namespace lmp::wasm
