// Attach points whose target a tool's own user space would give at run time, given to
// `lmp run` on its command line instead (docs/run.md, "Attach targets from the command line"):
//   uprobes and USDT probes   --attach PROGRAM=BINARY:FUNCTION[+OFFSET] / BINARY:PROVIDER:NAME
//   cgroup programs           --cgroup PATH (default: the cgroup v2 root)
//   socket filters            --interface IFACE (a packet socket lmp opens and owns)
// Every error names what is missing and what to pass; attach_program() adds the program and
// section in front ("cannot attach program P to uprobe: ...").
#pragma once

#include <memory>
#include <string>

#include "common/result.h"
#include "common/unique_fd.h"
#include "loader/attach.h"

struct bpf_object;
struct bpf_program;

namespace lmp::loader {

// BINARY:FUNCTION[+OFFSET], or BINARY:OFFSET (a number: an address in the file, no symbol).
struct UprobeTarget {
  std::string binary;
  std::string function;  // empty when only an offset is given
  unsigned long offset = 0;
};

// BINARY:PROVIDER:NAME
struct UsdtTarget {
  std::string binary;
  std::string provider;
  std::string name;
};

// Parse the text after PROGRAM= (or after "uprobe/" in a section). Errors (kUsage) say the
// expected form. The binary is split off at the last ':' (two for USDT), so paths may hold ':'.
Result<UprobeTarget> parse_uprobe_target(const std::string& text);
Result<UsdtTarget> parse_usdt_target(const std::string& text);

// The file a binary name means, found the way libbpf finds it: a name with '/' is a path; a
// library name ("libc.so.6") is looked up in LD_LIBRARY_PATH and the system library
// directories; any other name on PATH. Errors (kNotFound) say where it was looked for.
Result<std::string> resolve_binary(const std::string& binary);

// Checks that every --attach names a program of `object` that takes such a target (a uprobe,
// uretprobe or USDT program). Errors (kUsage) name the program and list those that do.
Result<void> check_attach_targets(bpf_object* object, const AttachContext& context);

// Whether a section is a uprobe, uretprobe or USDT one (with or without a target).
bool is_user_probe_section(const std::string& section);

// Attaches a uprobe/uretprobe/USDT program to its --attach target (which overrides one in
// the section), else to the target its section names. Errors (kUsage) when neither gives one.
Result<Attachments> attach_user_probe(bpf_program* program, const AttachContext& context);

// Whether the program attaches to a cgroup (cgroup_skb, cgroup/sock_create, cgroup/connect4,
// sockops, cgroup/sysctl, cgroup/dev, lsm_cgroup, ...).
bool is_cgroup_program(bpf_program* program);

// Opens a cgroup v2 directory. Errors name a missing path, a cgroup v1 directory and any
// other directory as such. An empty path means the cgroup v2 root: /sys/fs/cgroup when that
// is a cgroup2 mount, else /sys/fs/cgroup/unified (systemd's hybrid layout), said at -v.
Result<UniqueFd> open_cgroup_v2(const std::string& path);

// Attaches a cgroup program to the cgroup at `path` (see open_cgroup_v2) with a bpf link.
Result<std::unique_ptr<Attachment>> attach_cgroup(bpf_program* program, const std::string& path);

// Attaches a socket filter (SEC "socket") to a packet socket lmp opens on `interface` and
// keeps open while attached. Errors (kUsage) when `interface` is empty.
Result<std::unique_ptr<Attachment>> attach_socket_filter(bpf_program* program,
                                                         const std::string& interface);

}  // namespace lmp::loader
