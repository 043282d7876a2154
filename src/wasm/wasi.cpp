// The wasi_snapshot_preview1 subset lmp provides: args, an empty environment, clocks, stdio,
// clock sleeps through poll_oneoff, proc_exit, random_get and sched_yield. Fds from 3 on are
// the read-only directories of --wasm-dir and what is opened beneath them (wasi_fs.cpp);
// without --wasm-dir there are none, so a guest can open nothing.
#include <sys/random.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <thread>

#include "wasm/host_import.h"
#include "wasm/wasi_errno.h"

namespace lmp::wasm {
namespace {

using namespace wasi_errno_values;

uint32_t arg_u32(const uint64_t* p, size_t i) {
  return static_cast<uint32_t>(p[i]);
}

// Sets the WASI errno result; never traps.
std::optional<std::string> ret(uint64_t* r, uint32_t errno_value) {
  r[0] = errno_value;
  return std::nullopt;
}

// Writes the sizes and then the strings of args or environ, the layout WASI expects.
uint32_t strings_sizes(const Guest& g, const std::vector<std::string>& list, uint32_t count_ptr,
                       uint32_t size_ptr) {
  uint32_t total = 0;
  for (const auto& s : list) total += s.size() + 1;
  if (!g.memory.store_u32(count_ptr, list.size()) || !g.memory.store_u32(size_ptr, total))
    return kFault;
  return kSuccess;
}

uint32_t strings_get(const Guest& g, const std::vector<std::string>& list, uint32_t ptrs,
                     uint32_t buf) {
  if (!g.memory.bytes(ptrs, list.size() * 4)) return kFault;
  for (size_t i = 0; i < list.size(); ++i) {
    auto dest = g.memory.bytes(buf, list[i].size() + 1);
    if (!dest) return kFault;
    std::copy(list[i].begin(), list[i].end(), dest->begin());
    (*dest)[list[i].size()] = 0;
    g.memory.store_u32(ptrs + i * 4, buf);
    buf += list[i].size() + 1;
  }
  return kSuccess;
}

std::optional<clockid_t> clock_of(uint32_t id) {
  switch (id) {
    case 0:
      return CLOCK_REALTIME;
    case 1:
      return CLOCK_MONOTONIC;
    case 2:
      return CLOCK_PROCESS_CPUTIME_ID;
    case 3:
      return CLOCK_THREAD_CPUTIME_ID;
    default:
      return std::nullopt;
  }
}

uint64_t now_ns(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return uint64_t(ts.tv_sec) * 1'000'000'000ull + ts.tv_nsec;
}

// iovecs are {u32 buf, u32 len}; each is bounds-checked before `use` sees it.
template <typename Use>
uint32_t for_each_iovec(const Guest& g, uint32_t iovs, uint32_t count, Use use) {
  if (!g.memory.bytes(iovs, uint64_t{count} * 8 > UINT32_MAX ? UINT32_MAX : count * 8))
    return kFault;
  for (uint32_t i = 0; i < count; ++i) {
    auto buf = g.memory.load_u32(iovs + i * 8);
    auto len = g.memory.load_u32(iovs + i * 8 + 4);
    auto bytes = g.memory.bytes(*buf, *len);
    if (!bytes) return kFault;
    if (!use(*bytes)) break;
  }
  return kSuccess;
}

uint32_t fd_write(Guest& g, uint32_t fd, uint32_t iovs, uint32_t count, uint32_t written_ptr) {
  if (fd != 1 && fd != 2) return g.files.find(fd) ? kNotcapable : kBadf;
  std::ostream& os = fd == 1 ? g.out : g.err;
  uint32_t written = 0;
  uint32_t rc = for_each_iovec(g, iovs, count, [&](std::span<uint8_t> b) {
    os.write(reinterpret_cast<const char*>(b.data()), b.size());
    written += b.size();
    return true;
  });
  if (rc != kSuccess) return rc;
  os.flush();
  return g.memory.store_u32(written_ptr, written) ? kSuccess : kFault;
}

uint32_t fd_read(Guest& g, uint32_t fd, uint32_t iovs, uint32_t count, uint32_t read_ptr) {
  if (fd > 2) return fs_read(g, fd, iovs, count, read_ptr);
  if (fd != 0) return kBadf;
  uint32_t total = 0;
  uint32_t rc = for_each_iovec(g, iovs, count, [&](std::span<uint8_t> b) {
    std::cin.read(reinterpret_cast<char*>(b.data()), b.size());
    total += std::cin.gcount();
    return std::cin.gcount() == std::streamsize(b.size());
  });
  if (rc != kSuccess) return rc;
  return g.memory.store_u32(read_ptr, total) ? kSuccess : kFault;
}

uint32_t fd_fdstat_get(Guest& g, uint32_t fd, uint32_t stat) {
  if (fd > 2) return fs_fdstat_get(g, fd, stat);
  if (!g.memory.bytes(stat, 24)) return kFault;
  constexpr uint8_t kCharacterDevice = 2;
  constexpr uint64_t kRightRead = 1 << 1, kRightWrite = 1 << 6;
  g.memory.store_u8(stat, kCharacterDevice);
  g.memory.store_u8(stat + 1, 0);
  g.memory.store_u16(stat + 2, 0);
  g.memory.store_u32(stat + 4, 0);
  g.memory.store_u64(stat + 8, fd == 0 ? kRightRead : kRightWrite);
  g.memory.store_u64(stat + 16, 0);
  return kSuccess;
}

// Subscriptions are 48 bytes, events 32. Only clock subscriptions are served: the call
// sleeps until the earliest deadline and reports every clock that has expired by then.
uint32_t poll_oneoff(Guest& g, uint32_t in, uint32_t out, uint32_t count, uint32_t nevents) {
  if (g.should_stop(true)) return kSuccess;  // a wait, even one that fails or ends at once
  if (count == 0) return kInval;
  if (!g.memory.bytes(in, uint64_t{count} * 48 > UINT32_MAX ? UINT32_MAX : count * 48) ||
      !g.memory.bytes(out, uint64_t{count} * 32 > UINT32_MAX ? UINT32_MAX : count * 32) ||
      !g.memory.bytes(nevents, 4))
    return kFault;
  constexpr uint8_t kClock = 0;
  constexpr uint16_t kAbsTime = 1;
  std::vector<uint64_t> deadlines(count, UINT64_MAX);  // CLOCK_MONOTONIC ns
  uint64_t start = now_ns(CLOCK_MONOTONIC);
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t sub = in + i * 48;
    if (g.memory.bytes(sub + 8, 1)->front() != kClock) continue;
    auto clock = clock_of(*g.memory.load_u32(sub + 16));
    uint64_t timeout = *g.memory.load_u64(sub + 24);
    auto flags = g.memory.bytes(sub + 40, 2);
    bool absolute = ((*flags)[0] | ((*flags)[1] << 8)) & kAbsTime;
    if (!clock) continue;
    uint64_t now = now_ns(*clock);
    uint64_t relative = absolute ? (timeout > now ? timeout - now : 0) : timeout;
    deadlines[i] = start + relative;
  }
  uint64_t earliest = *std::min_element(deadlines.begin(), deadlines.end());
  uint32_t events = 0;
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t sub = in + i * 48;
    bool is_clock = g.memory.bytes(sub + 8, 1)->front() == kClock;
    if (is_clock && deadlines[i] != earliest) continue;
    uint32_t ev = out + events * 32;
    g.memory.store_u64(ev, *g.memory.load_u64(sub));
    g.memory.store_u16(ev + 8,
                       is_clock ? (deadlines[i] == UINT64_MAX ? kInval : kSuccess) : kNotsup);
    g.memory.store_u8(ev + 10, g.memory.bytes(sub + 8, 1)->front());
    g.memory.store_u64(ev + 16, 0);
    g.memory.store_u64(ev + 24, 0);
    ++events;
  }
  if (earliest != UINT64_MAX && events > 0) {
    uint64_t now = now_ns(CLOCK_MONOTONIC);
    // In slices, so a stop request ends the sleep promptly.
    while (earliest > now && !g.should_stop(true)) {
      std::this_thread::sleep_for(
          std::min<std::chrono::nanoseconds>(std::chrono::nanoseconds(earliest - now), kWaitSlice));
      now = now_ns(CLOCK_MONOTONIC);
    }
  }
  g.memory.store_u32(nevents, events);
  return kSuccess;
}

}  // namespace

std::optional<HostImport> wasi_import(std::string_view name) {
  using P = uint64_t*;
  using G = Guest&;
  auto fn = [](std::string params, HostFn body) {
    return std::optional<HostImport>(HostImport{{std::move(params), "i"}, body});
  };
  if (auto file_system = wasi_fs_import(name)) return file_system;

  if (name == "args_sizes_get")
    return fn("ii", [](G g, P p) {
      return ret(p, strings_sizes(g, g.args, arg_u32(p, 0), arg_u32(p, 1)));
    });
  if (name == "args_get")
    return fn("ii", [](G g, P p) {
      return ret(p, strings_get(g, g.args, arg_u32(p, 0), arg_u32(p, 1)));
    });
  if (name == "environ_sizes_get")
    return fn("ii",
              [](G g, P p) { return ret(p, strings_sizes(g, {}, arg_u32(p, 0), arg_u32(p, 1))); });
  if (name == "environ_get")
    return fn("ii",
              [](G g, P p) { return ret(p, strings_get(g, {}, arg_u32(p, 0), arg_u32(p, 1))); });
  if (name == "clock_time_get")
    return fn("iIi", [](G g, P p) {
      auto clock = clock_of(arg_u32(p, 0));
      if (!clock) return ret(p, kInval);
      return ret(p, g.memory.store_u64(arg_u32(p, 2), now_ns(*clock)) ? kSuccess : kFault);
    });
  if (name == "clock_res_get")
    return fn("ii", [](G g, P p) {
      auto clock = clock_of(arg_u32(p, 0));
      if (!clock) return ret(p, kInval);
      timespec ts{};
      clock_getres(*clock, &ts);
      uint64_t res = uint64_t(ts.tv_sec) * 1'000'000'000ull + ts.tv_nsec;
      return ret(p, g.memory.store_u64(arg_u32(p, 1), res) ? kSuccess : kFault);
    });
  if (name == "fd_write")
    return fn("iiii", [](G g, P p) {
      return ret(p, fd_write(g, arg_u32(p, 0), arg_u32(p, 1), arg_u32(p, 2), arg_u32(p, 3)));
    });
  if (name == "fd_read")
    return fn("iiii", [](G g, P p) {
      return ret(p, fd_read(g, arg_u32(p, 0), arg_u32(p, 1), arg_u32(p, 2), arg_u32(p, 3)));
    });
  if (name == "fd_seek")
    return fn("iIii", [](G g, P p) {
      if (arg_u32(p, 0) <= 2) return ret(p, kSpipe);
      return ret(
          p, fs_seek(g, arg_u32(p, 0), static_cast<int64_t>(p[1]), arg_u32(p, 2), arg_u32(p, 3)));
    });
  if (name == "fd_close")
    return fn("i", [](G g, P p) {
      return ret(p, arg_u32(p, 0) <= 2 ? kSuccess : fs_close(g, arg_u32(p, 0)));
    });
  if (name == "fd_fdstat_get")
    return fn("ii",
              [](G g, P p) { return ret(p, fd_fdstat_get(g, arg_u32(p, 0), arg_u32(p, 1))); });
  if (name == "poll_oneoff")
    return fn("iiii", [](G g, P p) {
      return ret(p, poll_oneoff(g, arg_u32(p, 0), arg_u32(p, 1), arg_u32(p, 2), arg_u32(p, 3)));
    });
  if (name == "random_get")
    return fn("ii", [](G g, P p) {
      auto buf = g.memory.bytes(arg_u32(p, 0), arg_u32(p, 1));
      if (!buf) return ret(p, kFault);
      for (size_t done = 0; done < buf->size();) {
        ssize_t n = getrandom(buf->data() + done, buf->size() - done, 0);
        if (n <= 0) return ret(p, kInval);
        done += n;
      }
      return ret(p, kSuccess);
    });
  if (name == "sched_yield")  // a wait: the duration ends a guest that spins on it
    return fn("", [](G g, P p) {
      g.should_stop(true);
      return ret(p, kSuccess);
    });
  if (name == "proc_exit")
    return HostImport{{"i", ""}, [](G g, P p) -> std::optional<std::string> {
                        g.exit_code = static_cast<int>(arg_u32(p, 0));
                        return std::string(kProcExitTrap);
                      }};
  return std::nullopt;
}

}  // namespace lmp::wasm
