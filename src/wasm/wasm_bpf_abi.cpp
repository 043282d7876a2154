// The wasm_bpf import module, compatible with wasm-bpf: load, attach, map fds, buffer polling
// with a guest callback, map operations and close. Pointers are checked through GuestMemory;
// object handles and map fds must be ones this guest obtained, so a guest can only reach the
// eBPF objects it loaded itself.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <limits>

#include "wasm/guest.h"

namespace lmp::wasm {
namespace {

using interp::Value;
using wabt::Type;

uint32_t u32(const interp::Values& p, size_t i) {
  return p[i].Get<uint32_t>();
}
int64_t i64(const interp::Values& p, size_t i) {
  return static_cast<int64_t>(p[i].Get<uint64_t>());
}

// What the sample callback returns to make the host stop consuming for now (see buffer_poll).
constexpr int kYield = std::numeric_limits<int>::min();

// bpf_cmd values the ABI accepts.
constexpr int kLookup = 1, kUpdate = 2, kNextKey = 4;  // and 3, delete (key only)

// A NULL (0) guest pointer is an empty span; anything else must lie inside memory.
std::optional<std::span<uint8_t>> optional_bytes(const Guest& g, uint32_t ptr, int size) {
  if (ptr == 0) return std::span<uint8_t>{};
  if (size < 0) return std::nullopt;
  return g.memory.bytes(ptr, static_cast<uint32_t>(size));
}

int map_operate(Guest& g, int fd, int cmd, uint32_t key_ptr, uint32_t value_ptr, uint32_t next_ptr,
                uint64_t flags) {
  if (!g.map_fds.contains(fd)) return -EBADF;
  if (cmd < kLookup || cmd > kNextKey) return -EINVAL;
  int key_size = g.host.map_key_size(fd), value_size = g.host.map_value_size(fd);
  auto key = optional_bytes(g, key_ptr, key_size);
  auto value = cmd == kLookup || cmd == kUpdate
                   ? optional_bytes(g, value_ptr, value_size)
                   : std::optional<std::span<uint8_t>>{std::span<uint8_t>{}};
  auto next = cmd == kNextKey ? optional_bytes(g, next_ptr, key_size)
                              : std::optional<std::span<uint8_t>>{std::span<uint8_t>{}};
  if (!key || !value || !next) return -EFAULT;
  if (cmd != kNextKey && key->empty()) return -EFAULT;
  if ((cmd == kLookup || cmd == kUpdate) && value->empty()) return -EFAULT;
  if (cmd == kNextKey && next->empty()) return -EFAULT;
  return g.host.map_operate(fd, cmd, *key, *value, *next, flags);
}

// The guest callback `__indirect_function_table[index]`, checked to be (i32, i32, i32) -> i32.
interp::Func::Ptr callback_at(Guest& g, uint32_t index) {
  if (!g.table) return {};
  interp::Ref ref;
  if (wabt::Failed(g.table->Get(index, &ref)) || ref == interp::Ref::Null) return {};
  interp::Func::Ptr func;
  if (wabt::Failed(g.store.Get<interp::Func>(ref, &func))) return {};
  const interp::FuncType& type = func->type();
  if (type.params != interp::ValueTypes{Type::I32, Type::I32, Type::I32} ||
      type.results != interp::ValueTypes{Type::I32})
    return {};
  return func;
}

// Returns the poll's result, or a trap message when the guest callback trapped.
std::optional<std::string> buffer_poll(Guest& g, const interp::Values& p, interp::Values& r) {
  int64_t object = i64(p, 0);
  int fd = static_cast<int>(u32(p, 1));
  uint32_t ctx = u32(p, 3), buf = u32(p, 4), max = u32(p, 5);
  int timeout_ms = static_cast<int>(u32(p, 6));
  auto result = [&](int rc) {
    r[0] = Value::Make(static_cast<uint32_t>(rc));
    return std::nullopt;
  };
  // A poll is a wait even when it fails at once: a guest looping on a failing poll is
  // stopped by the duration here.
  if (g.should_stop(true)) return result(-EINTR);
  if (!g.objects.contains(object)) return result(-EINVAL);
  if (!g.map_fds.contains(fd)) return result(-EBADF);
  if (g.polling) return result(-EBUSY);
  if (!g.memory.bytes(buf, max)) return result(-EFAULT);
  interp::Func::Ptr callback = callback_at(g, u32(p, 2));
  if (!callback) return result(-EINVAL);

  // After every sample the stop request and the clock are checked: a slow callback must not
  // delay Ctrl-C, and a flood of samples would keep one host poll consuming forever (libbpf
  // reads a ring buffer until it is empty). A stop, or the end of the wait slice, makes the
  // host return (kYield) with the samples delivered so far. (A clock read costs tens of
  // nanoseconds; a callback in the interpreter, microseconds.)
  using Clock = std::chrono::steady_clock;
  std::optional<std::string> trap;
  int delivered = 0;
  Clock::time_point yield_at;
  auto on_sample = [&](std::span<const uint8_t> sample) -> int {
    uint32_t size = sample.size() < max ? sample.size() : max;
    auto dest = g.memory.bytes(buf, size);  // re-checked: the guest may have shrunk nothing,
    if (!dest) return -EFAULT;              // but memory may have moved when it grew
    std::copy_n(sample.begin(), size, dest->begin());
    interp::Values args{Value::Make(ctx), Value::Make(buf), Value::Make(size)};
    interp::Values results;
    interp::Trap::Ptr out_trap;
    ++delivered;
    if (wabt::Failed(callback->Call(g.store, args, results, &out_trap))) {
      trap = out_trap ? out_trap->message() : "callback failed";
      return -EINTR;
    }
    int rc = results.empty() ? 0 : static_cast<int>(results[0].Get<uint32_t>());
    if (rc != 0) return rc == kYield ? -EINVAL : rc;  // kYield is lmp's own
    // Checked after the sample was handed over, so yielding loses nothing.
    if (g.should_stop(true) || Clock::now() >= yield_at) return kYield;
    return 0;
  };
  // The wait is cut into slices so a stop request ends it promptly; a negative timeout
  // waits until a sample or a stop.
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms < 0 ? 0 : timeout_ms);
  g.polling = true;
  int rc = 0;
  while (!g.should_stop(true)) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    int slice = static_cast<int>(timeout_ms < 0
                                     ? kWaitSlice.count()
                                     : std::clamp<long long>(left.count(), 0, kWaitSlice.count()));
    yield_at = Clock::now() + kWaitSlice;
    rc = g.host.buffer_poll(object, fd, on_sample, slice);
    if (rc == kYield) rc = delivered;
    if (rc != 0 || trap || (timeout_ms >= 0 && Clock::now() >= deadline)) break;
  }
  g.polling = false;
  if (trap) return trap;
  return result(rc);
}

}  // namespace

interp::HostFunc::Ptr make_wasm_bpf_import(Guest& g, std::string_view name) {
  const Type I32 = Type::I32, I64 = Type::I64;
  using P = const interp::Values&;
  using R = interp::Values&;
  auto ret = [](R r, int rc) {
    r[0] = Value::Make(static_cast<uint32_t>(rc));
    return std::nullopt;
  };

  if (name == "wasm_load_bpf_object")
    return make_host_func(g, {I32, I32}, {I64}, [&g](P p, R r) {
      auto bytes = g.memory.bytes(u32(p, 0), u32(p, 1));
      int64_t handle = bytes ? g.host.load_object(*bytes) : 0;
      g.setup_done = std::chrono::steady_clock::now();
      if (handle > 0) g.objects.insert(handle);
      r[0] = Value::Make(static_cast<uint64_t>(handle > 0 ? handle : 0));
      return std::nullopt;
    });
  if (name == "wasm_attach_bpf_program")
    return make_host_func(g, {I64, I32, I32}, {I32}, [&g, ret](P p, R r) {
      if (!g.objects.contains(i64(p, 0))) return ret(r, -EINVAL);
      auto prog = g.memory.c_string(u32(p, 1));
      auto target = u32(p, 2) == 0 ? std::optional<std::string>("") : g.memory.c_string(u32(p, 2));
      if (!prog || !target) return ret(r, -EFAULT);
      int rc = g.host.attach(i64(p, 0), *prog, *target);
      g.setup_done = std::chrono::steady_clock::now();
      return ret(r, rc);
    });
  if (name == "wasm_bpf_map_fd_by_name")
    return make_host_func(g, {I64, I32}, {I32}, [&g, ret](P p, R r) {
      if (!g.objects.contains(i64(p, 0))) return ret(r, -EINVAL);
      auto map = g.memory.c_string(u32(p, 1));
      if (!map) return ret(r, -EFAULT);
      int fd = g.host.map_fd_by_name(i64(p, 0), *map);
      if (fd >= 0) g.map_fds[fd] = i64(p, 0);
      return ret(r, fd);
    });
  if (name == "wasm_bpf_buffer_poll")
    return make_host_func(g, {I64, I32, I32, I32, I32, I32, I32}, {I32},
                          [&g](P p, R r) { return buffer_poll(g, p, r); });
  if (name == "wasm_bpf_map_operate")
    return make_host_func(g, {I32, I32, I32, I32, I32, I64}, {I32}, [&g, ret](P p, R r) {
      return ret(r, map_operate(g, static_cast<int>(u32(p, 0)), static_cast<int>(u32(p, 1)),
                                u32(p, 2), u32(p, 3), u32(p, 4), p[5].Get<uint64_t>()));
    });
  if (name == "wasm_close_bpf_object")
    return make_host_func(g, {I64}, {I32}, [&g, ret](P p, R r) {
      int64_t object = i64(p, 0);
      // Closing from inside a buffer callback would free the buffer being polled.
      if (g.polling && g.objects.contains(object)) return ret(r, -EBUSY);
      if (!g.objects.erase(object)) return ret(r, -EINVAL);
      std::erase_if(g.map_fds, [&](const auto& entry) { return entry.second == object; });
      return ret(r, g.host.close(object));
    });
  return {};
}

}  // namespace lmp::wasm
