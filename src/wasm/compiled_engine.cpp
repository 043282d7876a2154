// The compiled engine: the module as native code (native_compiler.h), loaded with dlopen.
// Order: read, validate and cap (as the interpreter) -> resolve imports -> check _start ->
// compile or find in the cache -> dlopen -> instantiate with the caps -> run the start
// function -> call _start. Host functions are called from the glue's trampolines and return
// before any trap unwinds (the glue traps after they return); traps inside callbacks end at
// the glue's callback entry point. So no C++ frame is ever skipped by wasm-rt's longjmp.
#include <dlfcn.h>

#include "common/log.h"
#include "wasm/engine.h"
#include "wasm/native_compiler.h"
#include "wasm/stop_checks.h"

namespace lmp::wasm {
namespace {

namespace interp = wabt::interp;

// The glue's entry points (native_glue.cpp).
struct NativeApi {
  int (*instantiate)(LmpNativeHost*, uint32_t, uint32_t, void**);
  void (*free)(void*);
  int (*call)(void*, int);
  uint8_t* (*memory)(void*, uint64_t*);
  int (*has_callback)(void*, uint32_t);
  int (*call_callback)(void*, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t*);
  const char* (*trap_text)(int);
};

// A dlopen handle.
class SharedObject {
 public:
  explicit SharedObject(const std::string& path)
      : handle_(dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL)) {}
  ~SharedObject() {
    if (handle_) dlclose(handle_);
  }
  SharedObject(const SharedObject&) = delete;
  SharedObject& operator=(const SharedObject&) = delete;
  void* handle() const { return handle_; }

  template <typename F>
  bool find(const char* name, F& out) const {
    out = reinterpret_cast<F>(dlsym(handle_, name));
    return out != nullptr;
  }

 private:
  void* handle_;
};

// An instance of the module; freed (memory, tables) with it.
class NativeInstance {
 public:
  explicit NativeInstance(const NativeApi& api) : api_(api) {}
  ~NativeInstance() { api_.free(instance_); }
  NativeInstance(const NativeInstance&) = delete;
  NativeInstance& operator=(const NativeInstance&) = delete;
  void** out() { return &instance_; }
  void* get() const { return instance_; }

 private:
  const NativeApi& api_;
  void* instance_ = nullptr;
};

// What the glue's host calls reach: the guest, its imports, and the message of the last
// trap a host function asked for.
struct Dispatch {
  LmpNativeHost c{};
  Guest* guest = nullptr;
  const std::vector<HostImport>* imports = nullptr;
  std::optional<std::string> trap;
};

int dispatch(LmpNativeHost* host, uint32_t import, uint64_t* slots) {
  auto& d = *static_cast<Dispatch*>(host->context);
  try {  // nothing may unwind into the C glue
    std::optional<std::string> trap;
    if (import == kNativeStopCheck) {
      slots[0] = kStopCheckFuel;
      if (d.guest->should_stop(false)) trap = std::string(kStopTrap);
    } else {
      trap = call_host(*d.guest, (*d.imports)[import], slots);
    }
    if (!trap) return 0;
    d.trap = std::move(trap);
  } catch (const std::bad_alloc&) {
    d.trap = "host ran out of memory";
  } catch (...) {
    d.trap = "host function failed";
  }
  return 1;
}

class NativeCallbacks : public GuestCallbacks {
 public:
  NativeCallbacks(const NativeApi& api, void* instance, Dispatch& dispatch)
      : api_(api), instance_(instance), dispatch_(dispatch) {}
  bool has(uint32_t index) override { return api_.has_callback(instance_, index) == 1; }
  std::expected<int32_t, std::string> call(uint32_t index, uint32_t ctx, uint32_t buf,
                                           uint32_t size) override {
    uint32_t result = 0;
    int rc = api_.call_callback(instance_, index, ctx, buf, size, &result);
    if (rc < 0) return std::unexpected("no callback at " + std::to_string(index));
    if (rc > 0) return std::unexpected(dispatch_.trap ? *dispatch_.trap : api_.trap_text(rc));
    return static_cast<int32_t>(result);
  }

 private:
  const NativeApi& api_;
  void* instance_;
  Dispatch& dispatch_;
};

// The signature of the module's function export `name`, if it has one.
std::optional<FuncSig> export_sig(const interp::ModuleDesc& desc, std::string_view name) {
  for (const interp::ExportDesc& e : desc.exports) {
    if (e.type.name != name || e.type.type->kind != wabt::ExternalKind::Func) continue;
    return sig_of(*wabt::cast<interp::FuncType>(e.type.type.get())).value_or(FuncSig{"?", "?"});
  }
  return std::nullopt;
}

}  // namespace

Result<bool> precompile_module(std::span<const uint8_t> wasm,
                               const std::filesystem::path& cache_dir, const std::string& label,
                               bool show_progress, std::ostream& err) {
  if (!native_toolchain_found()) return false;
  // The same steps as a run: the memory cap is applied at run time, so the default serves.
  interp::ModuleDesc desc = LMP_TRY(read_module(wasm, kDefaultMaxMemoryBytes));
  LMP_TRY(resolve_imports(desc));
  std::vector<ImportName> names;
  for (const interp::ImportDesc& i : desc.imports) names.push_back({i.type.module, i.type.name});
  NativeCompile request{cache_dir, label, show_progress, {}};
  NativeObject object = LMP_TRY(compile_native(wasm, names, request, err));
  log::debug((object.cache_hit ? "already compiled: " : "compiled: ") + object.path.string());
  return true;
}

Result<int> run_compiled(std::span<const uint8_t> wasm, Guest& guest, const RunOptions& options) {
  interp::ModuleDesc desc = LMP_TRY(read_module(wasm, options.max_memory_bytes));
  std::vector<HostImport> imports = LMP_TRY(resolve_imports(desc));
  auto start = export_sig(desc, "_start");
  if (!start) return fail(ExitCode::kBadPackage, "wasm module does not export _start");
  if (*start != FuncSig{})
    return fail(ExitCode::kBadPackage,
                "wasm module's _start is " + describe(*start) + ", but lmp calls it as () -> ()");
  std::vector<ImportName> names;
  for (const interp::ImportDesc& i : desc.imports) names.push_back({i.type.module, i.type.name});

  NativeCompile request{options.native_cache, options.module_label, options.show_progress,
                        [&guest] { return guest.should_stop(false); }};
  if (request.cache_dir.empty())
    return fail(ExitCode::kFailure, "the compiled wasm engine has no cache directory");
  Result<NativeObject> compiled = compile_native(wasm, names, request, guest.err);
  if (!compiled && guest.stopped) return kStoppedExitCode;  // Ctrl-C while compiling
  if (!compiled && options.engine == Engine::kAuto) {       // e.g. a cache this user cannot write
    log::debug("wasm engine auto: " + compiled.error().message + "; interpreting");
    return run_interpreted(wasm, guest, options);
  }
  NativeObject object = LMP_TRY(std::move(compiled));
  log::debug(std::string("wasm engine: compiled, ") +
             (object.cache_hit ? "cache hit " : "cache miss, compiled ") + object.path.string());
  SharedObject library(object.path.string());
  NativeApi api{};
  if (!library.handle() || !library.find("lmp_instantiate", api.instantiate) ||
      !library.find("lmp_free", api.free) || !library.find("lmp_call", api.call) ||
      !library.find("lmp_memory", api.memory) ||
      !library.find("lmp_has_callback", api.has_callback) ||
      !library.find("lmp_call_callback", api.call_callback) ||
      !library.find("lmp_trap_text", api.trap_text)) {
    const char* why = dlerror();
    return fail(ExitCode::kFailure,
                "cannot load " + object.path.string() + ": " + (why ? why : "missing symbols"),
                "remove it; the next run compiles the module again");
  }

  Dispatch dispatch;
  dispatch.c.call = wasm::dispatch;
  dispatch.c.context = &dispatch;
  dispatch.guest = &guest;
  dispatch.imports = &imports;
  NativeInstance instance(api);
  uint32_t max_pages =
      static_cast<uint32_t>(std::min(options.max_memory_bytes, kMaxWasm32MemoryBytes) / kPageBytes);
  guest.start_clock();
  int rc = api.instantiate(&dispatch.c, max_pages, static_cast<uint32_t>(kMaxTableElements),
                           instance.out());
  if (rc < 0) throw std::bad_alloc();
  auto trap_message = [&](int code) {
    return dispatch.trap ? *dispatch.trap : api.trap_text(code);
  };
  if (rc > 0)
    return fail(ExitCode::kFailure, "cannot instantiate wasm module: " + trap_message(rc));
  guest.memory.bind([&api, &instance] {
    uint64_t size = 0;
    uint8_t* data = api.memory(instance.get(), &size);
    return std::span<uint8_t>(data, data ? size : 0);
  });
  NativeCallbacks callbacks(api, instance.get(), dispatch);
  guest.callbacks = &callbacks;
  struct Unbind {
    Guest& guest;
    ~Unbind() {
      guest.callbacks = nullptr;
      guest.memory.bind({});
    }
  } unbind{guest};
  // The start function stop checks moved out of instantiation (absent: -1).
  rc = api.call(instance.get(), 0);
  if (rc > 0) return ended_by_trap(guest, "cannot instantiate wasm module: ", trap_message(rc));
  rc = api.call(instance.get(), 1);
  if (rc < 0) return fail(ExitCode::kBadPackage, "wasm module does not export _start");
  if (rc > 0) return ended_by_trap(guest, "wasm module trapped: ", trap_message(rc));
  return 0;
}

}  // namespace lmp::wasm
