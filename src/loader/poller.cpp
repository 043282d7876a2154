#include "loader/poller.h"

#include <bpf/libbpf.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>

#include "loader/bpf_object_handle.h"
#include "loader/stop_signals.h"

namespace lmp::loader {
namespace {

// What the ring sample callback returns to make libbpf stop reading for now, and how often
// (in samples) it checks whether to.
constexpr int kYield = -ECANCELED;
constexpr uint64_t kYieldEvery = 1024;

}  // namespace

Poller::~Poller() {
  for (perf_buffer* pb : perf_buffers_) perf_buffer__free(pb);
  ring_buffer__free(ring_);
  if (epoll_fd_ >= 0) close(epoll_fd_);
}

Result<std::unique_ptr<Poller>> Poller::create(bpf_object* object, uint32_t perf_buffer_pages,
                                               SampleCallback on_sample, LostCallback on_lost) {
  std::unique_ptr<Poller> poller(new Poller());
  poller->on_sample_ = std::move(on_sample);
  poller->on_lost_ = std::move(on_lost);
  poller->epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (poller->epoll_fd_ < 0)
    return fail(ExitCode::kFailure, "epoll_create1: " + libbpf_error_text(errno));
  auto watch = [&](int fd) -> Result<void> {
    epoll_event event{};
    event.events = EPOLLIN;
    if (epoll_ctl(poller->epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0)
      return fail(ExitCode::kFailure, "epoll_ctl: " + libbpf_error_text(errno));
    return {};
  };

  bpf_map* map = nullptr;
  bpf_object__for_each_map(map, object) {
    auto type = bpf_map__type(map);
    if (type != BPF_MAP_TYPE_RINGBUF && type != BPF_MAP_TYPE_PERF_EVENT_ARRAY) continue;
    std::string name = bpf_map__name(map);
    poller->names_.push_back(name);
    auto& context = poller->contexts_.emplace_back(new Context{poller.get(), name});
    if (type == BPF_MAP_TYPE_RINGBUF) {
      auto callback = [](void* ctx, void* data, size_t size) {
        auto* c = static_cast<Context*>(ctx);
        Poller& p = *c->poller;
        p.on_sample_(c->name, std::span(static_cast<const uint8_t*>(data), size));
        // libbpf reads a ring until it is empty; under a flood that is forever. Checked after
        // the sample was handled, so giving way loses nothing.
        if (++p.ring_samples_ % kYieldEvery == 0 &&
            (StopSignals::requested() || std::chrono::steady_clock::now() >= p.yield_at_))
          return kYield;
        return 0;
      };
      if (!poller->ring_) {
        poller->ring_ = ring_buffer__new(bpf_map__fd(map), callback, context.get(), nullptr);
        if (!poller->ring_)
          return fail(ExitCode::kKernel,
                      "cannot set up ring buffer " + name + ": " + libbpf_error_text(errno));
        LMP_CHECK(watch(ring_buffer__epoll_fd(poller->ring_)));
      } else if (int err =
                     ring_buffer__add(poller->ring_, bpf_map__fd(map), callback, context.get());
                 err) {
        return fail(ExitCode::kKernel,
                    "cannot set up ring buffer " + name + ": " + libbpf_error_text(-err));
      }
      continue;
    }
    if (perf_buffer_pages == 0 || (perf_buffer_pages & (perf_buffer_pages - 1)) != 0 ||
        perf_buffer_pages > kMaxPerfBufferPages)
      return fail(ExitCode::kBadPackage,
                  "perf_buffer_pages is " + std::to_string(perf_buffer_pages) +
                      ": it must be a power of two from 1 to " +
                      std::to_string(kMaxPerfBufferPages),
                  "fix perf_buffer_pages in the package (64 is the default)");
    auto sample = [](void* ctx, int, void* data, __u32 size) {
      auto* c = static_cast<Context*>(ctx);
      c->poller->on_sample_(c->name, std::span(static_cast<const uint8_t*>(data), size));
    };
    auto lost = [](void* ctx, int, __u64 count) {
      auto* c = static_cast<Context*>(ctx);
      if (c->poller->on_lost_) c->poller->on_lost_(c->name, count);
    };
    perf_buffer* pb =
        perf_buffer__new(bpf_map__fd(map), perf_buffer_pages, sample, lost, context.get(), nullptr);
    if (!pb)
      return fail(ExitCode::kKernel,
                  "cannot set up perf buffer " + name + ": " + libbpf_error_text(errno));
    poller->perf_buffers_.push_back(pb);
    LMP_CHECK(watch(perf_buffer__epoll_fd(pb)));
  }
  return poller;
}

Result<int> Poller::poll(int timeout_ms) {
  epoll_event events[16];
  int ready = epoll_wait(epoll_fd_, events, 16, timeout_ms);
  if (ready < 0) {
    if (errno == EINTR) return 0;
    return fail(ExitCode::kFailure, "epoll_wait: " + libbpf_error_text(errno));
  }
  if (ready == 0) return 0;
  if (ring_) {
    yield_at_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    int err = ring_buffer__consume(ring_);
    if (err < 0 && err != -EINTR && err != kYield)
      return fail(ExitCode::kKernel, "reading ring buffer: " + libbpf_error_text(-err));
  }
  for (perf_buffer* pb : perf_buffers_) {
    int err = perf_buffer__consume(pb);
    if (err < 0 && err != -EINTR)
      return fail(ExitCode::kKernel, "reading perf buffer: " + libbpf_error_text(-err));
  }
  return ready;
}

}  // namespace lmp::loader
