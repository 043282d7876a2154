// The static repository lmp reads (docs/repositories.md), served from the database and the
// blob store: /index.json, /NAME/FILE (latest) and /NAME/VERSION/FILE, with ETags, 304,
// single ranges and download counting. This is the hot path: the index is kept parsed and
// rendered per generation, and small blobs are kept in memory.
#include <fcntl.h>
#include <unistd.h>

#include <httplib.h>

#include <charconv>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "common/file.h"
#include "common/log.h"
#include "common/unique_fd.h"
#include "hub/api_json.h"
#include "hub/download_counter.h"
#include "hub/server.h"
#include "registry/index.h"

namespace lmp::hub {
namespace {

constexpr const char* kImmutable = "public, max-age=31536000, immutable";
constexpr const char* kRevalidate = "no-cache";
constexpr std::size_t kCachedBlobMax = 1024 * 1024;         // files this small stay in memory
constexpr std::size_t kBlobCacheBytes = 128 * 1024 * 1024;  // all of them together
constexpr std::size_t kChunk = 256 * 1024;

struct IndexSnapshot {
  std::int64_t generation = -1;
  registry::Index index;
  std::string text;  // index.json
  std::string etag;
};

using Blob = std::shared_ptr<const std::string>;

class Repository {
 public:
  explicit Repository(HubContext& hub) : hub_(hub) {}

  // The index of the current generation, rebuilt when a publish or yank changed it.
  Result<std::shared_ptr<const IndexSnapshot>> current() {
    std::int64_t generation = LMP_TRY(hub_.storage.index_generation());
    std::lock_guard lock(mutex_);
    if (!snapshot_ || snapshot_->generation != generation) {
      auto fresh = std::make_shared<IndexSnapshot>();
      fresh->generation = generation;
      fresh->index = LMP_TRY(hub_.storage.index());
      fresh->text = registry::write_index(fresh->index);
      fresh->etag = "\"gen-" + std::to_string(generation) + "\"";
      snapshot_ = std::move(fresh);
    }
    return snapshot_;
  }

  // The last index built, without asking the database: enough for NAME/VERSION/FILE, which
  // never changes once published. Null before the first build.
  std::shared_ptr<const IndexSnapshot> cached() {
    std::lock_guard lock(mutex_);
    return snapshot_;
  }

  Blob cached_blob(const std::string& sha256) {
    std::lock_guard lock(blob_mutex_);
    auto it = blobs_.find(sha256);
    return it == blobs_.end() ? nullptr : it->second;
  }
  void keep_blob(const std::string& sha256, Blob blob) {
    std::lock_guard lock(blob_mutex_);
    if (blob_bytes_ + blob->size() > kBlobCacheBytes) {
      blobs_.clear();  // blobs are immutable: starting over is always correct
      blob_bytes_ = 0;
    }
    if (blobs_.emplace(sha256, blob).second) blob_bytes_ += blob->size();
  }

  HubContext& hub() { return hub_; }

 private:
  HubContext& hub_;
  std::mutex mutex_;
  std::shared_ptr<const IndexSnapshot> snapshot_;
  std::mutex blob_mutex_;
  std::unordered_map<std::string, Blob> blobs_;
  std::size_t blob_bytes_ = 0;
};

std::string content_type(const std::string& file) {
  if (file.ends_with(".json")) return "application/json";
  if (file.ends_with(".wasm")) return "application/wasm";
  if (file.ends_with(".md")) return "text/markdown; charset=utf-8";
  if (file.ends_with(".sig")) return "application/vnd.lmp.signature.v1+json";
  return "application/octet-stream";
}

// If-None-Match holds `etag` (or "*"); weak comparison, as RFC 9110 asks for this header.
bool etag_matches(const std::string& header, const std::string& etag) {
  if (header.empty()) return false;
  std::string_view rest = header;
  while (!rest.empty()) {
    std::size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (item == "*" || item == etag) return true;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return false;
}

bool parse_number(std::string_view text, std::uint64_t& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return !text.empty() && ec == std::errc() && end == text.data() + text.size();
}

struct ByteRange {
  std::uint64_t first = 0;
  std::uint64_t length = 0;
};
enum class RangeAnswer { kWhole, kPartial, kUnsatisfiable };

// One "bytes=A-B" / "bytes=A-" / "bytes=-N" range. Several ranges or another unit: the
// whole file (RFC 9110 lets a server ignore Range).
RangeAnswer parse_range(const std::string& header, std::uint64_t size, ByteRange& range) {
  std::string_view spec = header;
  if (!spec.starts_with("bytes=") || spec.find(',') != std::string_view::npos)
    return RangeAnswer::kWhole;
  spec.remove_prefix(6);
  std::size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return RangeAnswer::kWhole;
  std::string_view a = spec.substr(0, dash), b = spec.substr(dash + 1);
  std::uint64_t first = 0, last = 0;
  if (a.empty()) {  // the last N bytes
    if (!parse_number(b, last)) return RangeAnswer::kWhole;
    if (last == 0 || size == 0) return RangeAnswer::kUnsatisfiable;
    range.length = std::min(last, size);
    range.first = size - range.length;
    return RangeAnswer::kPartial;
  }
  if (!parse_number(a, first)) return RangeAnswer::kWhole;
  if (b.empty()) {
    last = size == 0 ? 0 : size - 1;
  } else if (!parse_number(b, last) || last < first) {
    return RangeAnswer::kWhole;
  }
  if (first >= size) return RangeAnswer::kUnsatisfiable;
  last = std::min(last, size - 1);
  range = {first, last - first + 1};
  return RangeAnswer::kPartial;
}

// Sets the body to bytes [first, first+length) of the blob, from memory or streamed from
// the file.
Result<void> set_blob_content(Repository& repo, httplib::Response& response,
                              const registry::FileEntry& file, ByteRange range) {
  std::string type = content_type(file.name);
  if (range.length == 0) {
    response.set_content("", type);
    return {};
  }
  Blob blob = repo.cached_blob(file.sha256);
  std::filesystem::path path = LMP_TRY(repo.hub().blobs.path(file.sha256));
  if (!blob && file.size <= kCachedBlobMax) {
    std::string content = LMP_TRY(read_file(path, kCachedBlobMax));
    blob = std::make_shared<const std::string>(std::move(content));
    repo.keep_blob(file.sha256, blob);
  }
  if (blob) {
    if (blob->size() < range.first + range.length)
      return fail(ExitCode::kFailure, "blob " + file.sha256 + " is shorter than recorded");
    response.set_content_provider(
        range.length, type,
        [blob, first = range.first](std::size_t offset, std::size_t length,
                                    httplib::DataSink& sink) {
          return sink.write(blob->data() + first + offset, length);
        });
    return {};
  }
  auto fd = std::make_shared<UniqueFd>(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!*fd) return fail(ExitCode::kFailure, "cannot open blob " + file.sha256);
  response.set_content_provider(
      range.length, type,
      [fd, first = range.first](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
        std::string buffer(std::min(length, kChunk), '\0');
        ssize_t n =
            ::pread(fd->get(), buffer.data(), buffer.size(), static_cast<off_t>(first + offset));
        return n > 0 && sink.write(buffer.data(), static_cast<std::size_t>(n));
      });
  return {};
}

// The main file of a version: the one whose download counts (docs/hub.md).
const char* main_file(const registry::VersionEntry& version) {
  return version.file("package.json") ? "package.json" : "app.wasm";
}

void serve_file(Repository& repo, const httplib::Request& request, httplib::Response& response,
                const std::string& package, const registry::VersionEntry& version,
                const registry::FileEntry& file, const char* cache_control) {
  std::string etag = "\"" + file.sha256 + "\"";
  response.set_header("ETag", etag);
  response.set_header("Cache-Control", cache_control);
  response.set_header("Accept-Ranges", "bytes");
  if (etag_matches(request.get_header_value("If-None-Match"), etag)) {
    response.status = 304;
    return;
  }
  ByteRange range{0, file.size};
  RangeAnswer answer = RangeAnswer::kWhole;
  std::string if_range = request.get_header_value("If-Range");
  if (request.has_header("Range") && (if_range.empty() || if_range == etag))
    answer = parse_range(request.get_header_value("Range"), file.size, range);
  if (answer == RangeAnswer::kUnsatisfiable) {
    response.status = 416;
    response.set_header("Content-Range", "bytes */" + std::to_string(file.size));
    return;
  }
  if (auto set = set_blob_content(repo, response, file, range); !set) {
    log::error(set.error().message);
    send_error(response, 500, "cannot read " + package + "/" + version.version + "/" + file.name,
               "the server log has the cause");
    return;
  }
  response.status = answer == RangeAnswer::kPartial ? 206 : 200;
  if (answer == RangeAnswer::kPartial)
    response.set_header("Content-Range", "bytes " + std::to_string(range.first) + "-" +
                                             std::to_string(range.first + range.length - 1) + "/" +
                                             std::to_string(file.size));
  if (request.method == "GET" && range.first == 0 && file.name == main_file(version))
    repo.hub().downloads.count(package, version.version);
}

void not_found(httplib::Response& response, const std::string& what) {
  send_error(response, 404, what + " not found", "see /index.json for what this hub holds");
}

void storage_failed(httplib::Response& response, const Error& error) {
  log::error(error.message);
  send_error(response, 500, "the hub's database failed", "the server log has the cause");
}

}  // namespace

void add_repository_routes(httplib::Server& server, HubContext& hub) {
  auto repo = std::make_shared<Repository>(hub);
  static const std::string kName = "([a-z0-9][a-z0-9._-]{0,63})";
  static const std::string kFile =
      "(package\\.json|app\\.wasm|README\\.md|config\\.json|lmp\\.sig)";
  static const std::string kVersion = "([0-9]+\\.[0-9]+\\.[0-9]+[0-9A-Za-z.+-]{0,58})";

  server.Get("/index.json", [repo](const httplib::Request& request, httplib::Response& response) {
    auto snapshot = repo->current();
    if (!snapshot) return storage_failed(response, snapshot.error());
    const IndexSnapshot& index = **snapshot;
    response.set_header("ETag", index.etag);
    response.set_header("Cache-Control", kRevalidate);
    if (etag_matches(request.get_header_value("If-None-Match"), index.etag)) {
      response.status = 304;
      return;
    }
    response.set_content(index.text, "application/json");
  });

  server.Get("/" + kName + "/" + kFile,
             [repo](const httplib::Request& request, httplib::Response& response) {
               auto snapshot = repo->current();
               if (!snapshot) return storage_failed(response, snapshot.error());
               std::string name = request.matches[1], file_name = request.matches[2];
               const registry::PackageEntry* package = (*snapshot)->index.find(name);
               const registry::VersionEntry* latest = package ? package->latest() : nullptr;
               if (!latest) return not_found(response, "package '" + name + "'");
               const registry::FileEntry* file = latest->file(file_name);
               if (!file) return not_found(response, name + "/" + file_name);
               serve_file(*repo, request, response, name, *latest, *file, kRevalidate);
             });

  server.Get("/" + kName + "/" + kVersion + "/" + kFile,
             [repo](const httplib::Request& request, httplib::Response& response) {
               std::string name = request.matches[1], version_text = request.matches[2],
                           file_name = request.matches[3];
               auto lookup = [&](const IndexSnapshot* snapshot) -> const registry::VersionEntry* {
                 if (!snapshot) return nullptr;
                 const registry::PackageEntry* package = snapshot->index.find(name);
                 if (!package) return nullptr;
                 auto it = package->versions.find(version_text);
                 return it == package->versions.end() ? nullptr : &it->second;
               };
               // Published versions never change: the cached index answers without the
               // database unless the version is newer than it.
               std::shared_ptr<const IndexSnapshot> snapshot = repo->cached();
               const registry::VersionEntry* version = lookup(snapshot.get());
               if (!version) {
                 auto fresh = repo->current();
                 if (!fresh) return storage_failed(response, fresh.error());
                 snapshot = *fresh;
                 version = lookup(snapshot.get());
               }
               if (!version) return not_found(response, name + " " + version_text);
               const registry::FileEntry* file = version->file(file_name);
               if (!file) return not_found(response, name + "/" + version_text + "/" + file_name);
               serve_file(*repo, request, response, name, *version, *file, kImmutable);
             });
}

}  // namespace lmp::hub
