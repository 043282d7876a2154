// The owned libbpf object: open from package bytes, load into the kernel, close (RAII).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"

struct bpf_object;

namespace lmp::loader {

// The BTF file to relocate against: `flag` (--btf), else $BTF_FILE_PATH, else empty for the
// running kernel's /sys/kernel/btf/vmlinux. Errors: kNotFound when the given file is missing,
// kUsage when it is not a regular file holding raw BTF or ELF (a device, empty, other data);
// kKernel "this kernel has no BTF (/sys/kernel/btf/vmlinux missing)" when nothing is usable.
Result<std::string> resolve_btf_path(const std::string& flag);

// Checks untrusted object bytes before libbpf parses them in this process: check_object
// (object_check.h), then a forked probe_open (open_probe.h). Errors: kBadPackage
// "malformed eBPF object: ..." for what the checks refuse or what crashed libbpf in the probe.
Result<void> vet_object(std::span<const uint8_t> elf, const std::string& name,
                        const std::string& btf_path);

class BpfObjectHandle {
 public:
  // Opens (parses, no kernel access) the ELF object. `btf_path` empty = kernel BTF.
  // The bytes are untrusted: check_object (object_check.h) and a forked probe_open
  // (open_probe.h) run before libbpf parses them in this process.
  // Errors: kBadPackage "malformed eBPF object: ..." for what the checks refuse or what
  // crashed libbpf in the probe; kBadPackage when libbpf cannot parse the object.
  static Result<BpfObjectHandle> open(std::span<const uint8_t> elf, const std::string& name,
                                      const std::string& btf_path);

  // Loads maps and programs into the kernel. Errors name the cause: kKernel
  // "program X rejected by the verifier: <log tail>", kPermission for EPERM, kKernel else.
  Result<void> load();

  // Closes the object and opens the same bytes again (programs autoload as in the ELF):
  // libbpf loads an object once, so loading without a refused program means opening anew.
  // The bytes passed open's checks already. Errors as open.
  Result<void> reopen();

  bpf_object* get() const { return object_.get(); }

 private:
  struct Closer {
    void operator()(bpf_object* object) const;
  };
  std::vector<uint8_t> elf_;  // libbpf reads it until load
  std::string name_;
  std::string btf_path_;
  std::unique_ptr<bpf_object, Closer> object_;
};

// libbpf's text for a (positive) errno or libbpf error code.
std::string libbpf_error_text(int err);

}  // namespace lmp::loader
