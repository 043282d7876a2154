#include "hub/blob_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

#include "common/unique_fd.h"
#include "registry/digest.h"

namespace lmp::hub {
namespace {

// Removes a temp file on scope exit unless it was renamed into place.
class TempFile {
 public:
  explicit TempFile(std::string path) : path_(std::move(path)) {}
  ~TempFile() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }
  void keep() { path_.clear(); }

 private:
  std::string path_;
};

std::unexpected<Error> io_error(const std::string& what, int err) {
  return fail(ExitCode::kFailure, what + ": " + std::strerror(err));
}

}  // namespace

Result<BlobStore> BlobStore::open(const std::filesystem::path& data_dir) {
  BlobStore store;
  store.root_ = data_dir / "blobs" / "sha256";
  store.tmp_ = data_dir / "tmp";
  for (const auto& dir : {store.root_, store.tmp_}) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return fail(ExitCode::kFailure, "cannot create " + dir.string() + ": " + ec.message());
  }
  return store;
}

Result<std::string> BlobStore::put(std::string_view content) {
  std::string hex = registry::sha256_hex(content);
  std::filesystem::path target = root_ / hex;
  if (contains(hex)) return hex;  // same content, same name: nothing to write

  std::string name = (tmp_ / "blob-XXXXXX").string();
  int raw = ::mkstemp(name.data());
  if (raw < 0) return io_error("cannot create a file in " + tmp_.string(), errno);
  UniqueFd fd(raw);
  TempFile temp(name);
  if (::fchmod(fd.get(), 0644) != 0) return io_error("cannot chmod " + name, errno);
  std::size_t offset = 0;
  while (offset < content.size()) {
    ssize_t n = ::write(fd.get(), content.data() + offset, content.size() - offset);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("cannot write " + name, errno);
    }
    offset += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0) return io_error("cannot sync " + name, errno);
  if (fd.close() != 0) return io_error("cannot write " + name, errno);
  if (::rename(name.c_str(), target.c_str()) != 0)
    return io_error("cannot store blob " + target.string(), errno);
  temp.keep();
  // Make the rename itself durable.
  UniqueFd dir(::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() >= 0) (void)::fsync(dir.get());
  return hex;
}

Result<std::filesystem::path> BlobStore::path(const std::string& sha256) const {
  if (!registry::is_sha256_hex(sha256))
    return fail(ExitCode::kNotFound, "not a sha256 digest: " + sha256.substr(0, 80));
  auto blob = root_ / sha256;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(blob, ec))
    return fail(ExitCode::kNotFound, "no blob " + sha256);
  return blob;
}

bool BlobStore::contains(const std::string& sha256) const {
  return path(sha256).has_value();
}

}  // namespace lmp::hub
