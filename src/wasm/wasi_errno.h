// WASI's errno values (wasi_snapshot_preview1), for the host functions lmp gives guests.
#pragma once

#include <cstdint>

namespace lmp::wasm::wasi_errno_values {

inline constexpr uint32_t kSuccess = 0, kAcces = 2, kBadf = 8, kExist = 20, kFault = 21,
                          kInval = 28, kIo = 29, kIsdir = 31, kLoop = 32, kMfile = 33,
                          kNametoolong = 37, kNoent = 44, kNomem = 48, kNosys = 52, kNotdir = 54,
                          kNotsup = 58, kOverflow = 61, kPerm = 63, kRofs = 69, kSpipe = 70,
                          kNotcapable = 76;

}  // namespace lmp::wasm::wasi_errno_values
