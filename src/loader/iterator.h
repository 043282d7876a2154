// BPF iterators (SEC "iter/task", "iter/bpf_map", ...): attached like other programs, then
// read: each read creates an iterator from the link (bpf_iter_create) and reads it to the end,
// which runs the program once per object and yields what it wrote with bpf_seq_printf.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string_view>

#include "common/result.h"
#include "loader/attach.h"

struct bpf_program;

namespace lmp::loader {

// Whether the program is an iterator (a tracing program of attach type BPF_TRACE_ITER).
bool is_iterator(bpf_program* program);

// Attaches an iterator program (no map or task parameters: it iterates over everything).
Result<std::unique_ptr<Attachment>> attach_iterator(bpf_program* program);

// Called with the iterator's program name and one line of its output, without the '\n'
// (a last line without one is given too).
using IteratorLineSink = std::function<void(std::string_view program, std::string_view line)>;

// Reads every iterator among `attachments` once, in order, giving what each produced to
// `sink` line by line. Returns how many iterators were read. Errors (kKernel) name the
// program whose iterator failed.
Result<std::size_t> read_iterators(const Attachments& attachments, const IteratorLineSink& sink);

}  // namespace lmp::loader
