// libFuzzer target for lmp's own readers of eBPF object bytes (see cmake/fuzz.cmake): the
// record-size evidence lmp run reads from a package's object (record_evidence.h) and the
// global-write analysis of lmp build and `lmp run FILE.bpf.o` (global_writes.h). Each input is
// an ELF object; both must return a value or an error for any bytes, never crash or hang.
// Seeds: the eBPF objects of object_fuzz (src/loader/fuzz_seeds/object).
#include <cstdint>
#include <span>

#include "compiler/global_writes.h"
#include "compiler/record_evidence.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> elf(data, size);
  (void)lmp::compiler::read_record_evidence(elf);
  (void)lmp::compiler::written_globals(elf);
  return 0;
}
