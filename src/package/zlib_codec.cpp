#include "package/zlib_codec.h"

#include <zlib.h>

#include <algorithm>
#include <string>

namespace lmp::package {
namespace {

// Ends the inflate stream on scope exit.
class InflateStream {
 public:
  InflateStream() = default;
  ~InflateStream() {
    if (initialized_) inflateEnd(&stream_);
  }
  InflateStream(const InflateStream&) = delete;
  InflateStream& operator=(const InflateStream&) = delete;

  // windowBits 15 + 32: accept both zlib and gzip headers.
  bool init() {
    initialized_ = inflateInit2(&stream_, 15 + 32) == Z_OK;
    return initialized_;
  }
  z_stream* get() { return &stream_; }

 private:
  z_stream stream_{};
  bool initialized_ = false;
};

std::unexpected<Error> bad_compressed(std::string message) {
  return fail(ExitCode::kBadPackage, std::move(message));
}

}  // namespace

std::vector<uint8_t> zlib_compress(std::span<const uint8_t> bytes) {
  uLongf size = compressBound(static_cast<uLong>(bytes.size()));
  std::vector<uint8_t> out(size);
  int rc = compress2(out.data(), &size, bytes.data(), static_cast<uLong>(bytes.size()),
                     Z_BEST_COMPRESSION);
  // compress2 only fails for lack of memory or a too-small buffer; compressBound rules out the
  // latter.
  if (rc != Z_OK) return {};
  out.resize(size);
  return out;
}

Result<std::vector<uint8_t>> zlib_inflate(std::span<const uint8_t> compressed,
                                          std::size_t max_bytes) {
  InflateStream inflater;
  if (!inflater.init()) return fail(ExitCode::kFailure, "cannot initialise zlib");
  z_stream* zs = inflater.get();

  // One spare byte tells "more than max_bytes" without ever holding more. The
  // buffer grows as output arrives, so a false size in a tiny package costs nothing.
  const std::size_t cap = max_bytes + 1;
  std::vector<uint8_t> out(std::min(cap, std::max<std::size_t>(64 * 1024, compressed.size() * 4)));
  std::size_t in_offset = 0;
  std::size_t out_offset = 0;
  constexpr std::size_t kChunk = 1u << 30;  // avail_in/avail_out are 32-bit
  while (true) {
    if (zs->avail_in == 0 && in_offset < compressed.size()) {
      std::size_t n = std::min(kChunk, compressed.size() - in_offset);
      zs->next_in = const_cast<Bytef*>(compressed.data() + in_offset);
      zs->avail_in = static_cast<uInt>(n);
      in_offset += n;
    }
    if (out_offset == out.size()) out.resize(std::min(cap, out.size() * 2));
    std::size_t room = std::min(kChunk, out.size() - out_offset);
    zs->next_out = out.data() + out_offset;
    zs->avail_out = static_cast<uInt>(room);
    int rc = inflate(zs, Z_NO_FLUSH);
    out_offset += room - zs->avail_out;
    if (rc == Z_STREAM_END || out_offset == cap) break;
    if (rc == Z_NEED_DICT)
      return bad_compressed("zlib data is corrupt: it needs a preset dictionary");
    if (rc == Z_DATA_ERROR) {
      return bad_compressed(std::string("zlib data is corrupt: ") +
                            (zs->msg ? zs->msg : "invalid data"));
    }
    if (rc == Z_MEM_ERROR) return fail(ExitCode::kFailure, "out of memory while inflating");
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      return bad_compressed("zlib data is corrupt (inflate error " + std::to_string(rc) + ")");
    }
    bool input_left = zs->avail_in > 0 || in_offset < compressed.size();
    bool room_left = out_offset < out.size();
    if (!input_left && room_left) {
      return bad_compressed("zlib data is truncated: the stream ends after " +
                            std::to_string(compressed.size()) +
                            " compressed bytes without its end marker");
    }
  }
  out.resize(out_offset);
  return out;
}

}  // namespace lmp::package
