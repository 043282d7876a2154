// tc and xdp attach points. Extras (eunomia-bpf compatible):
//   ifindex (default 1, lo) or ifname; tc: tchook {"ifindex", "attach_point": "BPF_TC_INGRESS"
//   | "BPF_TC_EGRESS"}, tcopts {"handle": 1, "priority": 1}; xdp: flags (XDP_FLAGS_*).
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <net/if.h>

#include <cerrno>

#include "loader/attach.h"
#include "loader/bpf_object_handle.h"

namespace lmp::loader {
namespace {

class TcAttachment : public Attachment {
 public:
  TcAttachment(int ifindex, bpf_tc_attach_point point, __u32 handle, __u32 priority, bool owns_hook)
      : ifindex_(ifindex),
        point_(point),
        handle_(handle),
        priority_(priority),
        owns_hook_(owns_hook) {}
  ~TcAttachment() override {
    // Fresh opts: libbpf rejects opts whose padding is not zero, which copies may break.
    LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex_, .attach_point = point_);
    LIBBPF_OPTS(bpf_tc_opts, opts, .handle = handle_, .priority = priority_);
    bpf_tc_detach(&hook, &opts);
    if (owns_hook_) {
      hook.attach_point = static_cast<bpf_tc_attach_point>(BPF_TC_INGRESS | BPF_TC_EGRESS);
      bpf_tc_hook_destroy(&hook);  // removes the clsact qdisc we created
    }
  }
  TcAttachment(const TcAttachment&) = delete;
  TcAttachment& operator=(const TcAttachment&) = delete;

 private:
  int ifindex_;
  bpf_tc_attach_point point_;
  __u32 handle_;
  __u32 priority_;
  bool owns_hook_;
};

// Attached with bpf_xdp_attach because flags were given (links take no flags).
class XdpFlagsAttachment : public Attachment {
 public:
  XdpFlagsAttachment(int ifindex, __u32 flags) : ifindex_(ifindex), flags_(flags) {}
  ~XdpFlagsAttachment() override { bpf_xdp_detach(ifindex_, flags_, nullptr); }

 private:
  int ifindex_;
  __u32 flags_;
};

const nlohmann::json& object_or_empty(const nlohmann::json& extra, const char* key) {
  static const nlohmann::json kEmpty = nlohmann::json::object();
  if (extra.is_object() && extra.contains(key) && extra[key].is_object()) return extra[key];
  return kEmpty;
}

Result<int> interface_index(const nlohmann::json& extra, const nlohmann::json& hook) {
  if (extra.is_object() && extra.contains("ifname") && extra["ifname"].is_string()) {
    std::string name = extra["ifname"].get<std::string>();
    unsigned index = if_nametoindex(name.c_str());
    if (index == 0) return fail(ExitCode::kKernel, "no network interface named " + name);
    return static_cast<int>(index);
  }
  long long fallback = LMP_TRY(extra_integer(extra, "ifindex", 1));
  return static_cast<int>(LMP_TRY(extra_integer(hook, "ifindex", fallback)));
}

Result<__u32> xdp_flags(const nlohmann::json& extra) {
  if (extra.is_object() && extra.contains("flags") && extra["flags"].is_string()) {
    std::string name = extra["flags"].get<std::string>();
    if (name == "XDP_FLAGS_SKB_MODE" || name == "skb") return __u32{XDP_FLAGS_SKB_MODE};
    if (name == "XDP_FLAGS_DRV_MODE" || name == "drv") return __u32{XDP_FLAGS_DRV_MODE};
    if (name == "XDP_FLAGS_HW_MODE" || name == "hw") return __u32{XDP_FLAGS_HW_MODE};
  }
  return static_cast<__u32>(LMP_TRY(extra_integer(extra, "flags", 0)));
}

Error net_error(int err, int ifindex) {
  std::string reason;
  if (err == ENODEV)
    reason = "no network interface with index " + std::to_string(ifindex);
  else if (err == EEXIST || err == EBUSY)
    reason = "something is already attached there on interface " + std::to_string(ifindex);
  else
    reason = libbpf_error_text(err);
  return Error{err == EPERM ? ExitCode::kPermission : ExitCode::kKernel, reason,
               "choose the interface with the program's ifindex extra"};
}

}  // namespace

Result<std::unique_ptr<Attachment>> attach_tc(bpf_program* program, const nlohmann::json& extra) {
  const auto& hook_json = object_or_empty(extra, "tchook");
  const auto& opts_json = object_or_empty(extra, "tcopts");
  int ifindex = LMP_TRY(interface_index(extra, hook_json));

  std::string section = bpf_program__section_name(program);
  bpf_tc_attach_point point = section.ends_with("egress") ? BPF_TC_EGRESS : BPF_TC_INGRESS;
  if (hook_json.contains("attach_point") && hook_json["attach_point"].is_string()) {
    std::string text = hook_json["attach_point"].get<std::string>();
    if (text == "BPF_TC_EGRESS" || text == "egress")
      point = BPF_TC_EGRESS;
    else if (text == "BPF_TC_INGRESS" || text == "ingress")
      point = BPF_TC_INGRESS;
    else
      return fail(ExitCode::kBadPackage, "tchook.attach_point '" + text +
                                             "' is not "
                                             "BPF_TC_INGRESS or BPF_TC_EGRESS");
  }

  LIBBPF_OPTS(bpf_tc_hook, hook);
  hook.ifindex = ifindex;
  hook.attach_point = point;
  int err = bpf_tc_hook_create(&hook);
  bool owns_hook = err == 0;
  if (err && err != -EEXIST) return std::unexpected(net_error(-err, ifindex));

  LIBBPF_OPTS(bpf_tc_opts, opts);
  opts.handle = static_cast<__u32>(LMP_TRY(extra_integer(opts_json, "handle", 1)));
  opts.priority = static_cast<__u32>(LMP_TRY(extra_integer(opts_json, "priority", 1)));
  opts.prog_fd = bpf_program__fd(program);
  err = bpf_tc_attach(&hook, &opts);
  if (err) {
    if (owns_hook) {
      hook.attach_point = static_cast<bpf_tc_attach_point>(BPF_TC_INGRESS | BPF_TC_EGRESS);
      bpf_tc_hook_destroy(&hook);
    }
    return std::unexpected(net_error(-err, ifindex));
  }
  return std::make_unique<TcAttachment>(ifindex, point, opts.handle, opts.priority, owns_hook);
}

Result<std::unique_ptr<Attachment>> attach_xdp(bpf_program* program, const nlohmann::json& extra) {
  int ifindex = LMP_TRY(interface_index(extra, nlohmann::json::object()));
  __u32 flags = LMP_TRY(xdp_flags(extra));
  if (flags == 0) {
    bpf_link* link = bpf_program__attach_xdp(program, ifindex);
    if (!link) return std::unexpected(net_error(errno, ifindex));
    return std::make_unique<LinkAttachment>(link);
  }
  int err = bpf_xdp_attach(ifindex, bpf_program__fd(program), flags, nullptr);
  if (err) return std::unexpected(net_error(-err, ifindex));
  return std::make_unique<XdpFlagsAttachment>(ifindex, flags);
}

}  // namespace lmp::loader
