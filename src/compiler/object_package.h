// `lmp run FILE.bpf.o`: a package made in memory from a plain compiled object, as lmp build
// would make it from the object alone (no sources, so no doc comments): programs, maps and
// options from the object, export types from its BTF and record sizes (event_types.h).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/result.h"
#include "package/package.h"

namespace lmp::compiler {

// True when the file starts with the ELF magic (whatever its name).
bool is_elf_file(const std::filesystem::path& path);

// Builds the package of ELF object `elf` named `name` (obj_name). Nothing is written.
// Errors: kBuild when libbpf cannot open the object.
Result<package::Package> package_from_object(std::vector<uint8_t> elf, const std::string& name);

// Reads what `path` holds: an ELF object (detected by its magic) through package_from_object,
// else a package.json / package.yaml.
Result<package::Package> read_package_or_object(const std::filesystem::path& path);

}  // namespace lmp::compiler
