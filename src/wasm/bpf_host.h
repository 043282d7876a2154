// The eBPF side of the wasm_bpf ABI: what a guest's imports ask the host to do.
// An interface because it is a test seam: unit tests use a fake, `lmp run` uses libbpf.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>

namespace lmp::wasm {

// The bpf_cmd values of the wasm-bpf ABI's wasm_bpf_map_operate (the kernel's BPF_MAP_*).
namespace bpf_cmd {
inline constexpr int kLookup = 1, kUpdate = 2, kDelete = 3, kNextKey = 4;
}  // namespace bpf_cmd

// Called once per sample read from a ring or perf buffer; a non-zero return stops the poll
// and is returned by buffer_poll.
using SampleCallback = std::function<int(std::span<const uint8_t> sample)>;

// Error contract: negative errno values, as libbpf returns them.
class BpfHost {
 public:
  virtual ~BpfHost() = default;

  // Opens and loads an eBPF object file; returns a handle > 0, or <= 0 on failure.
  virtual int64_t load_object(std::span<const uint8_t> object) = 0;
  // Attaches program `prog_name` of the object; `target` is its optional attach target.
  virtual int attach(int64_t handle, const std::string& prog_name, const std::string& target) = 0;
  // Returns the fd of map `name`, or a negative errno.
  virtual int map_fd_by_name(int64_t handle, const std::string& name) = 0;
  // Polls the ring or perf buffer map `fd` for up to `timeout_ms`, calling `callback` per sample.
  virtual int buffer_poll(int64_t handle, int fd, const SampleCallback& callback,
                          int timeout_ms) = 0;
  // The bpf(2) map commands (cmd 1 lookup, 2 update, 3 delete, 4 next key) on map `fd`.
  // `key`, `value` and `next_key` are guest memory, sized by the map's key and value sizes.
  virtual int map_operate(int fd, int cmd, std::span<uint8_t> key, std::span<uint8_t> value,
                          std::span<uint8_t> next_key, uint64_t flags) = 0;
  // Detaches and closes everything belonging to the object.
  virtual int close(int64_t handle) = 0;
  // Map key and value sizes, so the runtime can bounds-check guest buffers; negative if unknown.
  virtual int map_key_size(int fd) = 0;
  virtual int map_value_size(int fd) = 0;
};

}  // namespace lmp::wasm
