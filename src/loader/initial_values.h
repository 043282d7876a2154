// Globals of the data sections (.rodata, .bss, .data): written before load from program
// options, and read back from the object for help texts.
#pragma once

#include <span>

#include "common/result.h"
#include "package/package.h"
#include "package/program_options.h"

struct bpf_object;

namespace lmp::loader {

using package::Assignment;
using package::ObjectDefaults;

// Writes each assignment into the initial image of its section's internal map. The variable
// is found through the section's BTF DATASEC (offset and size); the value's width must
// equal the variable's size. Must run after open and before load.
// Errors (kBadPackage): section or variable not in the object, size mismatch.
Result<void> apply_initial_values(bpf_object* object, std::span<const Assignment> assignments);

// The object's own initial values of the variables in `meta` whose type is supported;
// variables that cannot be found are left out. For "(default: ...)" in help texts.
ObjectDefaults read_object_defaults(bpf_object* object, const package::Meta& meta);

}  // namespace lmp::loader
