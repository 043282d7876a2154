// Kernel addresses as symbol names, from /proc/kallsyms. Without root the kernel shows every
// address as 0 there: then the table is empty and nothing resolves.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lmp::output {

class KernelSymbols {
 public:
  // Reads a table in /proc/kallsyms's format ("ffffffff81000000 T _stext [module]" per line).
  // Only text symbols (t, T, w, W) with a non-zero address are kept; bad lines are skipped.
  explicit KernelSymbols(std::string_view kallsyms_text);

  // "vfs_read+0x1a", or "vfs_read" at the symbol's start; nullopt below the first symbol or
  // with an empty table. Module symbols get their module: "ext4_file_open [ext4]".
  std::optional<std::string> resolve(uint64_t address) const;

  std::size_t size() const { return symbols_.size(); }

 private:
  struct Symbol {
    uint64_t address;
    uint32_t name_offset;  // into names_
    uint32_t name_size;
  };
  std::vector<Symbol> symbols_;  // sorted by address
  std::string names_;            // "name" or "name [module]", back to back
};

// The running kernel's table, read from /proc/kallsyms on first use (thread-safe); empty when
// unreadable.
const KernelSymbols& kernel_symbols();

}  // namespace lmp::output
