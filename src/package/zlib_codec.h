// zlib compression of bpf_object, with a hard cap on what inflating may produce.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "common/result.h"

namespace lmp::package {

// zlib format (RFC 1950), as zlib's compress() writes and eunomia-bpf expects.
std::vector<uint8_t> zlib_compress(std::span<const uint8_t> bytes);

// Inflates zlib (or gzip) data, stopping after max_bytes + 1 bytes: a result
// longer than max_bytes means the data inflates to more than that. Errors
// (kBadPackage) say whether the stream is truncated or corrupt.
Result<std::vector<uint8_t>> zlib_inflate(std::span<const uint8_t> compressed,
                                          std::size_t max_bytes);

}  // namespace lmp::package
