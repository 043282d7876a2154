// The BpfHost `lmp run` gives WebAssembly guests: real eBPF objects through libbpf.
//
// Objects are opened from the guest's bytes, adjusted like lmp's own packages (custom BTF,
// prepare_programs, tracefs mounted when a tracepoint needs it) and loaded. Each object
// keeps its attachments and its ring/perf buffer readers; closing the object (or destroying
// the host) detaches and frees all of them. Failures return a negative errno (0 for a
// failed load) and log one line saying why; libbpf's own messages are shown with -v.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "common/result.h"

#include "wasm/bpf_host.h"

namespace lmp::wasm {

class LibbpfHost : public BpfHost {
 public:
  // `btf_path`: the BTF to relocate against (empty: the running kernel's). `object_name`
  // names the objects (libbpf prefixes internal maps such as .rodata with it).
  LibbpfHost(std::string btf_path, std::string object_name);
  ~LibbpfHost() override;
  LibbpfHost(const LibbpfHost&) = delete;
  LibbpfHost& operator=(const LibbpfHost&) = delete;

  int64_t load_object(std::span<const uint8_t> object) override;
  // `target` empty: attach by section, as `lmp run` attaches a package's programs.
  // Otherwise by program kind: xdp and tc take an interface name, cgroup programs (and
  // sockops) a cgroup directory, uprobes "BINARY:FUNCTION", kprobes a kernel function,
  // tracepoints "CATEGORY:NAME" (or CATEGORY/NAME), raw tracepoints a tracepoint name.
  int attach(int64_t handle, const std::string& prog_name, const std::string& target) override;
  int map_fd_by_name(int64_t handle, const std::string& name) override;
  int buffer_poll(int64_t handle, int fd, const SampleCallback& callback, int timeout_ms) override;
  int map_operate(int fd, int cmd, std::span<uint8_t> key, std::span<uint8_t> value,
                  std::span<uint8_t> next_key, uint64_t flags) override;
  int close(int64_t handle) override;
  int map_key_size(int fd) override;
  int map_value_size(int fd) override;

  // Set when the first load found lmp without the privileges eBPF needs (root, or
  // CAP_BPF and CAP_PERFMON). The run should then end with this error: the module's usage
  // and option errors come before any load, so they need no privileges.
  const std::optional<Error>& privilege_error() const { return privilege_error_; }

  struct Object;  // one loaded object with its attachments and buffer readers

 private:
  struct MapInfo {
    uint32_t type = 0;
    int key = -1;
    int value = -1;  // per-CPU maps: 8-byte-rounded value size times the possible CPUs
  };
  // Creates the ring or perf buffer reader of map `fd` unless it exists; 0 or -errno.
  int open_buffer(Object& object, int fd);
  // From the kernel on first use, then cached until the map's object is closed.
  const MapInfo* info_of(int fd);

  std::string btf_path_;
  std::string object_name_;
  int64_t next_handle_ = 1;
  std::map<int64_t, std::unique_ptr<Object>> objects_;
  std::map<int, MapInfo> map_info_;
  bool privileges_checked_ = false;
  std::optional<Error> privilege_error_;
};

}  // namespace lmp::wasm
