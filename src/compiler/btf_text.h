// BTF helpers for the compiler: an owning handle and C type text for package metadata.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

struct btf;

namespace lmp::compiler {

struct BtfDeleter {
  void operator()(btf* b) const;
};
using BtfPtr = std::unique_ptr<btf, BtfDeleter>;

// C type text of BTF type `id`, as package.json shows it: "unsigned int", "char[16]",
// "struct event", "enum state", "void *", "__u32" (typedef names are kept). const, volatile,
// restrict and type tags are dropped, so `const volatile int` is "int".
std::string btf_type_text(const btf* btf, uint32_t id);

}  // namespace lmp::compiler
