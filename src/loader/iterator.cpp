#include "loader/iterator.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <string>

#include "common/unique_fd.h"
#include "loader/bpf_object_handle.h"

namespace lmp::loader {
namespace {

class IteratorAttachment : public LinkAttachment {
 public:
  IteratorAttachment(bpf_link* link, std::string name)
      : LinkAttachment(link), link_(link), name_(std::move(name)) {}

  // Creates a fresh iterator and reads it to the end.
  Result<void> read(const IteratorLineSink& sink) const {
    UniqueFd iterator(bpf_iter_create(bpf_link__fd(link_)));
    if (!iterator)
      return fail(ExitCode::kKernel, "cannot create an iterator for program " + name_ + ": " +
                                         libbpf_error_text(errno));
    std::array<char, 64 * 1024> buffer;
    std::string line;  // the part of a line read so far
    for (;;) {
      ssize_t n = ::read(iterator.get(), buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0)
        return fail(ExitCode::kKernel,
                    "reading the iterator of program " + name_ + ": " + libbpf_error_text(errno));
      if (n == 0) break;
      for (char c : std::string_view(buffer.data(), static_cast<std::size_t>(n))) {
        if (c != '\n') {
          line += c;
          continue;
        }
        sink(name_, line);
        line.clear();
      }
    }
    if (!line.empty()) sink(name_, line);
    return {};
  }

 private:
  bpf_link* link_;  // owned by LinkAttachment
  std::string name_;
};

}  // namespace

bool is_iterator(bpf_program* program) {
  return bpf_program__type(program) == BPF_PROG_TYPE_TRACING &&
         bpf_program__expected_attach_type(program) == BPF_TRACE_ITER;
}

Result<std::unique_ptr<Attachment>> attach_iterator(bpf_program* program) {
  bpf_link* link = bpf_program__attach_iter(program, nullptr);
  if (!link) {
    int err = errno;
    return fail(err == EPERM || err == EACCES ? ExitCode::kPermission : ExitCode::kKernel,
                libbpf_error_text(err),
                "iterators that need a map or task (iter/bpf_map_elem, ...) are not supported");
  }
  return std::make_unique<IteratorAttachment>(link, bpf_program__name(program));
}

Result<std::size_t> read_iterators(const Attachments& attachments, const IteratorLineSink& sink) {
  std::size_t count = 0;
  for (const auto& attachment : attachments) {
    auto* iterator = dynamic_cast<const IteratorAttachment*>(attachment.get());
    if (!iterator) continue;
    LMP_CHECK(iterator->read(sink));
    ++count;
  }
  return count;
}

}  // namespace lmp::loader
