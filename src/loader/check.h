// `lmp check REF`: will this package run on this kernel? (docs/check.md)
//
// The checks, in order: kernel (release, architecture), btf (kernel BTF readable),
// privileges (CAP_SYS_ADMIN, or CAP_BPF and CAP_PERFMON), object (libbpf opens it),
// program/P (its program type is supported) and attach/P (its attach point exists) for each
// program, map/M (its map type is supported) for each map the package declares, core (every
// CO-RE relocation resolves against the kernel's BTF, check_core.h), then trial-load (with
// privileges and unless `no_load`: the object is loaded as lmp run loads it and unloaded at
// once). Without privileges or with `no_load`, nothing is loaded and no bpf() call is made:
// program and map types are looked up in the kernel's BTF instead of probed, and what cannot
// be known that way is skipped, with the reason, never passed.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "package/check_report.h"
#include "package/package.h"

namespace lmp::loader {

struct CheckOptions {
  bool no_load = false;  // --no-load: no trial load and no probe that loads
  std::string btf;       // --btf FILE (else BTF_FILE_PATH, else the kernel's)
};

// Runs every check on `pkg`. `name`/`version` go into the report as they are.
package::CheckReport check_package(const package::Package& pkg, const std::string& name,
                                   const std::string& version, const CheckOptions& options);

// `lmp run`'s failures in the words of the checks: after a failed load or attach of `pkg`,
// runs the checks that load nothing; when one fails, an Error with `error`'s code, the
// check's title and reason as message and its hint; else `error` unchanged. Only on failure:
// it costs a read of the kernel's BTF and function list.
Error explain_run_failure(const package::Package& pkg, const std::string& btf, Error error);

// The eBPF object a WebAssembly module carries in its data (wasm-bpf modules embed it), or
// empty when it has none (found by its ELF header: 64-bit, machine BPF).
std::vector<uint8_t> embedded_bpf_object(std::span<const uint8_t> wasm);

}  // namespace lmp::loader
