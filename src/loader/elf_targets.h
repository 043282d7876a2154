// What `lmp check` asks of a user-space binary a uprobe or USDT program attaches to: does it
// define the function, does it carry the USDT probe (its .note.stapsdt notes)? Read from the
// file's own section headers (64-bit ELF of this machine's byte order), nothing loaded or run.
#pragma once

#include <string>

#include "common/result.h"

namespace lmp::loader {

// Whether the ELF file at `path` defines a function symbol `name` in its symbol table or its
// dynamic symbol table; a versioned name ("memcpy@GLIBC_2.14", "memcpy@@GLIBC_2.14") matches
// `name` without its version. Errors: kNotFound when the file is missing, kBadPackage when
// it is not a 64-bit ELF file or its tables are out of bounds.
Result<bool> elf_defines_function(const std::string& path, const std::string& name);

// Whether the ELF file at `path` has a USDT probe PROVIDER:NAME (an NT_STAPSDT note in
// .note.stapsdt). Errors as for elf_defines_function.
Result<bool> elf_has_usdt(const std::string& path, const std::string& provider,
                          const std::string& name);

}  // namespace lmp::loader
