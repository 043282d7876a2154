// The wasm_bpf import module, compatible with wasm-bpf: load, attach, map fds, buffer polling
// with a guest callback, map operations and close. Pointers are checked through GuestMemory;
// object handles and map fds must be ones this guest obtained, so a guest can only reach the
// eBPF objects it loaded itself.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <limits>

#include "wasm/host_import.h"

namespace lmp::wasm {
namespace {

uint32_t u32(const uint64_t* p, size_t i) {
  return static_cast<uint32_t>(p[i]);
}
int64_t i64(const uint64_t* p, size_t i) {
  return static_cast<int64_t>(p[i]);
}
// Sets an i32 result; never traps.
std::optional<std::string> ret_rc(uint64_t* r, int rc) {
  r[0] = static_cast<uint32_t>(rc);
  return std::nullopt;
}

// What the sample callback returns to make the host stop consuming for now (see buffer_poll).
constexpr int kYield = std::numeric_limits<int>::min();

// bpf_cmd values of the ABI (delete takes only a key).
using namespace bpf_cmd;

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

// Polls with the callback `callback` (a table index, or kExportedCallback). Returns the
// poll's result, or a trap message when the guest callback trapped.
std::optional<std::string> buffer_poll(Guest& g, int64_t object, int fd, uint32_t callback,
                                       uint32_t ctx, uint32_t buf, uint32_t max, int timeout_ms,
                                       uint64_t* r) {
  auto result = [&](int rc) { return ret_rc(r, rc); };
  // A poll is a wait even when it fails at once: a guest looping on a failing poll is
  // stopped by the duration here.
  if (g.should_stop(true)) return result(-EINTR);
  if (!g.objects.contains(object)) return result(-EINVAL);
  if (!g.map_fds.contains(fd)) return result(-EBADF);
  if (g.polling) return result(-EBUSY);
  if (!g.memory.bytes(buf, max)) return result(-EFAULT);
  if (!g.callbacks || !g.callbacks->has(callback)) return result(-EINVAL);

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
    ++delivered;
    auto called = g.callbacks->call(callback, ctx, buf, size);
    if (!called) {
      trap = std::move(called.error());
      return -EINTR;
    }
    int rc = *called;
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

std::optional<HostImport> wasm_bpf_import(std::string_view name) {
  using S = uint64_t*;
  if (name == "wasm_load_bpf_object")
    return HostImport{{"ii", "I"}, [](Guest& g, S p) -> std::optional<std::string> {
                        auto bytes = g.memory.bytes(u32(p, 0), u32(p, 1));
                        int64_t handle = bytes ? g.host.load_object(*bytes) : 0;
                        g.setup_done = std::chrono::steady_clock::now();
                        if (handle > 0) g.objects.insert(handle);
                        p[0] = static_cast<uint64_t>(handle > 0 ? handle : 0);
                        return std::nullopt;
                      }};
  if (name == "wasm_attach_bpf_program")
    return HostImport{{"Iii", "i"}, [](Guest& g, S p) {
                        if (!g.objects.contains(i64(p, 0))) return ret_rc(p, -EINVAL);
                        auto prog = g.memory.c_string(u32(p, 1));
                        auto target = u32(p, 2) == 0 ? std::optional<std::string>("")
                                                     : g.memory.c_string(u32(p, 2));
                        if (!prog || !target) return ret_rc(p, -EFAULT);
                        int rc = g.host.attach(i64(p, 0), *prog, *target);
                        g.setup_done = std::chrono::steady_clock::now();
                        return ret_rc(p, rc);
                      }};
  if (name == "wasm_bpf_map_fd_by_name")
    return HostImport{{"Ii", "i"}, [](Guest& g, S p) {
                        int64_t object = i64(p, 0);
                        if (!g.objects.contains(object)) return ret_rc(p, -EINVAL);
                        auto map = g.memory.c_string(u32(p, 1));
                        if (!map) return ret_rc(p, -EFAULT);
                        int fd = g.host.map_fd_by_name(object, *map);
                        if (fd >= 0) g.map_fds[fd] = object;
                        return ret_rc(p, fd);
                      }};
  if (name == "wasm_bpf_buffer_poll")
    return HostImport{{"Iiiiiii", "i"}, [](Guest& g, S p) {
                        return buffer_poll(g, i64(p, 0), static_cast<int>(u32(p, 1)), u32(p, 2),
                                           u32(p, 3), u32(p, 4), u32(p, 5),
                                           static_cast<int>(u32(p, 6)), p);
                      }};
  if (name == "wasm_bpf_map_operate")
    return HostImport{
        {"iiiiiI", "i"}, [](Guest& g, S p) {
          return ret_rc(p, map_operate(g, static_cast<int>(u32(p, 0)), static_cast<int>(u32(p, 1)),
                                       u32(p, 2), u32(p, 3), u32(p, 4), p[5]));
        }};
  if (name == "wasm_close_bpf_object")
    return HostImport{{"I", "i"}, [](Guest& g, S p) {
                        int64_t object = i64(p, 0);
                        // Closing from inside a buffer callback would free the buffer being
                        // polled.
                        if (g.polling && g.objects.contains(object)) return ret_rc(p, -EBUSY);
                        if (!g.objects.erase(object)) return ret_rc(p, -EINVAL);
                        std::erase_if(g.map_fds,
                                      [&](const auto& entry) { return entry.second == object; });
                        return ret_rc(p, g.host.close(object));
                      }};
  return std::nullopt;
}

// wasm-bpf's Go SDK imports the poll from module "callback-wrapper" without a callback index:
// (i64 obj, i32 fd, i32 ctx, i32 buf, i32 max, i32 timeout_ms) -> i32, and the callback is
// the guest's export "go-callback".
HostImport callback_wrapper_poll() {
  return HostImport{{"Iiiiii", "i"}, [](Guest& g, uint64_t* p) {
                      return buffer_poll(g, i64(p, 0), static_cast<int>(u32(p, 1)),
                                         kExportedCallback, u32(p, 2), u32(p, 3), u32(p, 4),
                                         static_cast<int>(u32(p, 5)), p);
                    }};
}

}  // namespace lmp::wasm
