// Attaching every program of a loaded object to its hook, and detaching (RAII).
//
// Programs are attached by kind: tc (SEC "tc", "classifier", "tc/ingress", "tcx/egress", ...)
// through a clsact hook, xdp through an XDP link, perf_event through one software cpu-clock
// event per CPU; uprobes/USDT, cgroup programs and socket filters on the targets of
// AttachContext (attach_targets.h); iterators with a link read after attaching (iterator.h);
// everything else through libbpf's auto-attach (kprobes, tracepoints, raw tracepoints,
// fentry, lsm, ...).
// Per-program extras from the package (ProgInfo::extra) select interface and options.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "package/package.h"

struct bpf_object;
struct bpf_program;
struct bpf_link;

namespace lmp::loader {

// Something attached; destroying it detaches.
class Attachment {
 public:
  virtual ~Attachment() = default;
};

using Attachments = std::vector<std::unique_ptr<Attachment>>;

// A bpf_link; destroying it detaches.
class LinkAttachment : public Attachment {
 public:
  explicit LinkAttachment(bpf_link* link) : link_(link) {}
  ~LinkAttachment() override;
  LinkAttachment(const LinkAttachment&) = delete;
  LinkAttachment& operator=(const LinkAttachment&) = delete;

 private:
  bpf_link* link_;
};

// Adjusts programs before load: gives sections libbpf 1.1 does not know ("tcx/ingress",
// "tc/egress") their program type. Call after open, before load.
void prepare_programs(bpf_object* object);

// Whether any program to be attached needs tracefs (tracepoints: SEC "tp/..." or
// "tracepoint/...").
bool needs_tracefs(bpf_object* object, const std::vector<package::ProgInfo>& progs);

// What the command line adds to attaching (lmp run --attach/--cgroup/--interface): targets
// for programs whose section names none (SEC("uprobe"), SEC("usdt"), cgroup programs,
// socket filters).
struct AttachContext {
  std::map<std::string, std::string> targets;  // program name -> target text (--attach)
  std::string cgroup;                          // cgroup v2 directory (--cgroup)
  std::string interface;                       // network interface (--interface)
};

// Parses `--attach PROGRAM=TARGET` texts into AttachContext::targets.
// Errors (kUsage) for a text without '=' or with an empty side.
Result<std::map<std::string, std::string>> parse_attach_targets(
    const std::vector<std::string>& texts);

// Attaches every loaded program except those the package marks link=false. Errors (kKernel,
// or kPermission / kBadPackage) name the program, its attach point and the likely reason, e.g.
// "cannot attach program do_unlinkat to kprobe/do_unlinkat: this kernel does not support
// kprobes (CONFIG_KPROBES off?)". A program whose mechanism the kernel lacks
// (missing_mechanism, program_select.h) is only warned about, unless nothing attaches.
// On error nothing stays attached.
Result<Attachments> attach_programs(bpf_object* object, const std::vector<package::ProgInfo>& progs,
                                    const AttachContext& context = {});

// Attaches one loaded program by its kind and section, as attach_programs does for each
// (`extra` is its ProgInfo::extra, or an empty object). Errors as attach_programs.
Result<Attachments> attach_program(bpf_program* program, const nlohmann::json& extra,
                                   const AttachContext& context = {});

// Network attach points, in attach_net.cpp. `extra` is the program's ProgInfo::extra.
Result<std::unique_ptr<Attachment>> attach_tc(bpf_program* program, const nlohmann::json& extra);
Result<std::unique_ptr<Attachment>> attach_xdp(bpf_program* program, const nlohmann::json& extra);

// Reads an integer extra (number or numeric string); `fallback` when absent.
// Errors (kBadPackage) for other types.
Result<long long> extra_integer(const nlohmann::json& extra, const char* key, long long fallback);

}  // namespace lmp::loader
