#include "wasm/libbpf_host.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <deque>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/log.h"
#include "loader/attach.h"
#include "loader/bpf_object_handle.h"
#include "loader/privileges.h"
#include "loader/tracefs.h"

namespace lmp::wasm {
namespace {

constexpr size_t kPerfBufferPages = 64;  // per CPU

// bpf_cmd values of the ABI (delete takes only a key).
using namespace bpf_cmd;

void say(const std::string& call, const std::string& message) {
  log::warn(call + ": " + message);
}

// The first line of an error message; a verifier log follows it on further lines.
std::string first_line(const Error& error) {
  auto newline = error.message.find('\n');
  if (newline == std::string::npos) return error.message;
  return error.message.substr(0, newline) + " (run with -v for the verifier log)";
}

// A guest that receives a loader Error gets a negative errno for it.
int errno_of(const Error& error) {
  switch (error.code) {
    case ExitCode::kPermission:
      return -EPERM;
    case ExitCode::kNotFound:
      return -ENOENT;
    case ExitCode::kBadPackage:
      return -EINVAL;
    default:
      return -EIO;
  }
}

bool is_per_cpu(uint32_t type) {
  return type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_ARRAY ||
         type == BPF_MAP_TYPE_LRU_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

bool is_cgroup_program(bpf_prog_type type) {
  switch (type) {
    case BPF_PROG_TYPE_CGROUP_SKB:
    case BPF_PROG_TYPE_CGROUP_SOCK:
    case BPF_PROG_TYPE_CGROUP_DEVICE:
    case BPF_PROG_TYPE_CGROUP_SOCK_ADDR:
    case BPF_PROG_TYPE_CGROUP_SYSCTL:
    case BPF_PROG_TYPE_CGROUP_SOCKOPT:
    case BPF_PROG_TYPE_SOCK_OPS:
      return true;
    default:
      return false;
  }
}

// Attaches `program` to an explicit `target` (see LibbpfHost::attach).
Result<loader::Attachments> attach_to(bpf_program* program, const std::string& target) {
  std::string section = bpf_program__section_name(program);
  auto link_or_error = [&](bpf_link* link) -> Result<loader::Attachments> {
    if (!link)
      return fail(ExitCode::kKernel, loader::libbpf_error_text(errno),
                  "run with -v to see libbpf's messages");
    loader::Attachments attachments;
    attachments.push_back(std::make_unique<loader::LinkAttachment>(link));
    return attachments;
  };
  auto single =
      [](Result<std::unique_ptr<loader::Attachment>> attached) -> Result<loader::Attachments> {
    if (!attached) return std::unexpected(std::move(attached.error()));
    loader::Attachments attachments;
    attachments.push_back(std::move(*attached));
    return attachments;
  };
  bpf_prog_type type = bpf_program__type(program);
  if (type == BPF_PROG_TYPE_XDP) return single(loader::attach_xdp(program, {{"ifname", target}}));
  if (type == BPF_PROG_TYPE_SCHED_CLS)
    return single(loader::attach_tc(program, {{"ifname", target}}));
  if (is_cgroup_program(type)) {
    int cgroup = open(target.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (cgroup < 0)
      return fail(ExitCode::kNotFound,
                  "cannot open cgroup " + target + ": " + loader::libbpf_error_text(errno));
    bpf_link* link = bpf_program__attach_cgroup(program, cgroup);
    int err = errno;
    ::close(cgroup);  // the link holds its own reference
    errno = err;
    return link_or_error(link);
  }
  if (type == BPF_PROG_TYPE_KPROBE &&
      (section.starts_with("uprobe") || section.starts_with("uretprobe"))) {
    auto colon = target.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == target.size())
      return fail(ExitCode::kUsage, "a uprobe target is BINARY:FUNCTION, not '" + target + "'");
    std::string binary = target.substr(0, colon), function = target.substr(colon + 1);
    LIBBPF_OPTS(bpf_uprobe_opts, opts);
    opts.func_name = function.c_str();
    opts.retprobe = section.starts_with("uretprobe");
    return link_or_error(bpf_program__attach_uprobe_opts(program, -1, binary.c_str(), 0, &opts));
  }
  if (type == BPF_PROG_TYPE_KPROBE)
    return link_or_error(
        bpf_program__attach_kprobe(program, section.starts_with("kretprobe"), target.c_str()));
  if (type == BPF_PROG_TYPE_TRACEPOINT) {
    auto split = target.find_first_of(":/");
    if (split == std::string::npos)
      return fail(ExitCode::kUsage, "a tracepoint target is CATEGORY:NAME, not '" + target + "'");
    if (!loader::ensure_tracefs()) return fail(ExitCode::kKernel, "tracefs is not available");
    return link_or_error(bpf_program__attach_tracepoint(program, target.substr(0, split).c_str(),
                                                        target.substr(split + 1).c_str()));
  }
  if (type == BPF_PROG_TYPE_RAW_TRACEPOINT)
    return link_or_error(bpf_program__attach_raw_tracepoint(program, target.c_str()));
  errno = EOPNOTSUPP;
  return fail(ExitCode::kUsage, "programs of section " + section + " take no attach target",
              "pass NULL as the target to attach by section");
}

}  // namespace

// Reads one ring buffer or perf buffer map. A non-zero guest callback result stops the
// poll: a ring buffer stops consuming there; a perf buffer, which delivers a whole batch,
// keeps the rest of the batch for the next poll.
class BufferReader {
 public:
  static std::unique_ptr<BufferReader> create(int fd, uint32_t map_type, int* err) {
    auto reader = std::unique_ptr<BufferReader>(new BufferReader);
    if (map_type == BPF_MAP_TYPE_RINGBUF) {
      reader->ring_ = ring_buffer__new(fd, on_ring_sample, reader.get(), nullptr);
    } else if (map_type == BPF_MAP_TYPE_PERF_EVENT_ARRAY) {
      reader->perf_ = perf_buffer__new(fd, kPerfBufferPages, on_perf_sample, on_perf_lost,
                                       reader.get(), nullptr);
    } else {
      *err = -EINVAL;
      return nullptr;
    }
    if (!reader->ring_ && !reader->perf_) {
      *err = -errno;
      return nullptr;
    }
    return reader;
  }
  ~BufferReader() {
    ring_buffer__free(ring_);
    perf_buffer__free(perf_);
  }
  BufferReader(const BufferReader&) = delete;
  BufferReader& operator=(const BufferReader&) = delete;

  // Returns the number of samples delivered, the callback's non-zero result, or -errno.
  int poll(const SampleCallback& callback, int timeout_ms) {
    callback_ = &callback;
    stop_result_ = 0;
    delivered_ = 0;
    while (!pending_.empty() && stop_result_ == 0) {
      std::vector<uint8_t> sample = std::move(pending_.front());
      pending_.pop_front();
      deliver(sample);
    }
    int rc = 0;
    if (stop_result_ == 0) {
      int wait = delivered_ > 0 ? 0 : timeout_ms;
      rc = ring_ ? ring_buffer__poll(ring_, wait) : perf_buffer__poll(perf_, wait);
    }
    callback_ = nullptr;
    if (stop_result_ != 0) return stop_result_;
    if (rc < 0 && rc != -EINTR) return rc;
    return delivered_;
  }

 private:
  BufferReader() = default;

  void deliver(std::span<const uint8_t> sample) {
    int rc = (*callback_)(sample);
    ++delivered_;
    if (rc != 0) stop_result_ = rc;
  }
  static int on_ring_sample(void* ctx, void* data, size_t size) {
    auto* self = static_cast<BufferReader*>(ctx);
    self->deliver({static_cast<const uint8_t*>(data), size});
    return self->stop_result_ != 0 ? -ECANCELED : 0;  // negative: libbpf stops consuming
  }
  static void on_perf_sample(void* ctx, int, void* data, __u32 size) {
    auto* self = static_cast<BufferReader*>(ctx);
    auto* bytes = static_cast<const uint8_t*>(data);
    if (self->stop_result_ != 0)
      self->pending_.emplace_back(bytes, bytes + size);
    else
      self->deliver({bytes, size});
  }
  static void on_perf_lost(void*, int cpu, __u64 count) {
    log::warn("lost " + std::to_string(count) + " events from a perf buffer on CPU " +
              std::to_string(cpu));
  }

  ring_buffer* ring_ = nullptr;
  perf_buffer* perf_ = nullptr;
  const SampleCallback* callback_ = nullptr;
  int stop_result_ = 0;
  int delivered_ = 0;
  std::deque<std::vector<uint8_t>> pending_;
};

// Members are destroyed in reverse: buffer readers, then links, then the object.
struct LibbpfHost::Object {
  loader::BpfObjectHandle bpf;
  loader::Attachments attachments;
  std::map<int, std::unique_ptr<BufferReader>> buffers;
};

LibbpfHost::LibbpfHost(std::string btf_path, std::string object_name)
    : btf_path_(std::move(btf_path)), object_name_(std::move(object_name)) {}

LibbpfHost::~LibbpfHost() = default;

int64_t LibbpfHost::load_object(std::span<const uint8_t> elf) {
  const std::string call = "wasm_load_bpf_object";
  if (!privileges_checked_) {
    privileges_checked_ = true;
    if (auto ok = loader::check_privileges(); !ok) privilege_error_ = ok.error();
  }
  if (privilege_error_) return 0;
  auto opened = loader::BpfObjectHandle::open(elf, object_name_, btf_path_);
  if (!opened) {
    say(call, first_line(opened.error()));
    return 0;
  }
  bpf_object* obj = opened->get();
  loader::prepare_programs(obj);
  if (loader::needs_tracefs(obj, {})) {
    if (auto mounted = loader::ensure_tracefs(); !mounted) {
      say(call, first_line(mounted.error()));
      return 0;
    }
  }
  if (auto loaded = opened->load(); !loaded) {
    say(call, first_line(loaded.error()));
    return 0;
  }
  int64_t handle = next_handle_++;
  objects_[handle] = std::make_unique<Object>(Object{std::move(*opened), {}, {}});
  return handle;
}

int LibbpfHost::attach(int64_t handle, const std::string& prog_name, const std::string& target) {
  const std::string call = "wasm_attach_bpf_program";
  auto it = objects_.find(handle);
  if (it == objects_.end()) return -EINVAL;
  bpf_program* program = bpf_object__find_program_by_name(it->second->bpf.get(), prog_name.c_str());
  if (!program) {
    say(call, "the object has no program named '" + prog_name + "'");
    return -ENOENT;
  }
  static const nlohmann::json kNoExtra = nlohmann::json::object();
  errno = 0;
  auto attached =
      target.empty() ? loader::attach_program(program, kNoExtra) : attach_to(program, target);
  if (!attached) {
    int err = errno > 0 ? -errno : errno_of(attached.error());
    std::string where =
        target.empty() ? "" : "cannot attach program " + prog_name + " to " + target + ": ";
    say(call, where + attached.error().message);
    return err;
  }
  for (auto& a : *attached) it->second->attachments.push_back(std::move(a));
  return 0;
}

int LibbpfHost::map_fd_by_name(int64_t handle, const std::string& name) {
  auto it = objects_.find(handle);
  if (it == objects_.end()) return -EINVAL;
  int fd = bpf_object__find_map_fd_by_name(it->second->bpf.get(), name.c_str());
  if (fd < 0) {
    say("wasm_bpf_map_fd_by_name", "the object has no map named '" + name + "'");
    return -ENOENT;
  }
  // A perf event array drops what programs send until a reader exists: open it now, so
  // events from attach time on reach the first poll. Errors show up at that poll.
  const MapInfo* info = info_of(fd);
  if (info && (info->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY || info->type == BPF_MAP_TYPE_RINGBUF))
    open_buffer(*it->second, fd);
  return fd;
}

int LibbpfHost::buffer_poll(int64_t handle, int fd, const SampleCallback& callback,
                            int timeout_ms) {
  auto it = objects_.find(handle);
  if (it == objects_.end()) return -EINVAL;
  if (int err = open_buffer(*it->second, fd); err < 0) {
    say("wasm_bpf_buffer_poll", "map fd " + std::to_string(fd) +
                                    " is not a ring buffer or perf event array, or cannot be "
                                    "read: " +
                                    loader::libbpf_error_text(-err));
    return err;
  }
  return it->second->buffers.at(fd)->poll(callback, timeout_ms);
}

int LibbpfHost::open_buffer(Object& object, int fd) {
  auto& reader = object.buffers[fd];
  if (reader) return 0;
  const MapInfo* info = info_of(fd);
  int err = -EBADF;
  if (info) reader = BufferReader::create(fd, info->type, &err);
  if (!reader) {
    object.buffers.erase(fd);
    return err;
  }
  return 0;
}

int LibbpfHost::map_operate(int fd, int cmd, std::span<uint8_t> key, std::span<uint8_t> value,
                            std::span<uint8_t> next_key, uint64_t flags) {
  switch (cmd) {
    case kLookup:
      return flags ? bpf_map_lookup_elem_flags(fd, key.data(), value.data(), flags)
                   : bpf_map_lookup_elem(fd, key.data(), value.data());
    case kUpdate:
      return bpf_map_update_elem(fd, key.data(), value.data(), flags);
    case kDelete:
      return bpf_map_delete_elem(fd, key.data());
    case kNextKey:
      return bpf_map_get_next_key(fd, key.empty() ? nullptr : key.data(), next_key.data());
    default:
      return -EINVAL;
  }
}

int LibbpfHost::close(int64_t handle) {
  auto it = objects_.find(handle);
  if (it == objects_.end()) return -EINVAL;
  bpf_map* map = nullptr;
  bpf_object__for_each_map(map, it->second->bpf.get()) map_info_.erase(bpf_map__fd(map));
  objects_.erase(it);  // detaches, frees the readers, closes the object
  return 0;
}

const LibbpfHost::MapInfo* LibbpfHost::info_of(int fd) {
  auto cached = map_info_.find(fd);
  if (cached != map_info_.end()) return &cached->second;
  bpf_map_info info{};
  uint32_t length = sizeof(info);
  if (bpf_obj_get_info_by_fd(fd, &info, &length) != 0) return nullptr;
  MapInfo sizes{info.type, static_cast<int>(info.key_size), static_cast<int>(info.value_size)};
  if (is_per_cpu(info.type)) {
    int cpus = libbpf_num_possible_cpus();
    if (cpus <= 0) return nullptr;
    sizes.value = static_cast<int>((info.value_size + 7) / 8 * 8) * cpus;
  }
  return &map_info_.emplace(fd, sizes).first->second;
}

int LibbpfHost::map_key_size(int fd) {
  const MapInfo* info = info_of(fd);
  return info ? info->key : -EBADF;
}

int LibbpfHost::map_value_size(int fd) {
  const MapInfo* info = info_of(fd);
  return info ? info->value : -EBADF;
}

}  // namespace lmp::wasm
