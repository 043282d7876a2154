// The per-program and per-map checks of `lmp check` (check.h): program type, attach point,
// map type. Internal to check.cpp.
#pragma once

#include <string>

#include "package/check_report.h"

struct bpf_program;
struct bpf_map;

namespace lmp::loader {

// How the kernel may be asked: `probe` allows bpf() probes that load a trivial program or
// create a map (root, not --no-load); else types are looked up in the kernel's BTF.
struct ProbeMode {
  bool probe = false;
  bool privileged = false;  // may read tracefs, mount it
};

package::CheckItem check_program_type(bpf_program* program, const ProbeMode& mode);
package::CheckItem check_attach_point(bpf_program* program, const ProbeMode& mode);
package::CheckItem check_map_type(const bpf_map* map, const ProbeMode& mode);

// "BPF_MAP_TYPE_RINGBUF" style names, from libbpf (empty when libbpf does not know it).
std::string map_type_name(int type);
std::string prog_type_name(int type);

}  // namespace lmp::loader
