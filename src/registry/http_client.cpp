#include "registry/http_client.h"

#include <curl/curl.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "common/log.h"
#include "registry/digest.h"
#include "registry/progress.h"

namespace lmp::registry {
namespace {

using Clock = std::chrono::steady_clock;

void init_curl() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
using CurlHandle = std::unique_ptr<CURL, CurlDeleter>;

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

// Where a transfer's bytes go. write() returns false to abort (reason in `error`, exit
// code in `code`).
class Sink {
 public:
  virtual ~Sink() = default;
  virtual bool write(std::string_view bytes) = 0;
  virtual bool reset() = 0;  // before a retry
  std::string error;
  ExitCode code = ExitCode::kFailure;

 protected:
  // False, with the error set, when `more` bytes on top of `have` pass `max`.
  bool within(std::uint64_t have, std::size_t more, std::uint64_t max) {
    if (more <= max && have <= max - more) return true;
    error = "more than " + std::to_string(max) + " bytes; stopped";
    code = ExitCode::kNetwork;
    return false;
  }
};

class StringSink : public Sink {
 public:
  explicit StringSink(std::size_t max) : max_(max) {}
  bool write(std::string_view bytes) override {
    if (!within(data.size(), bytes.size(), max_)) return false;
    data.append(bytes);
    return true;
  }
  bool reset() override { return data.clear(), true; }
  std::string data;

 private:
  std::size_t max_;
};

class FileSink : public Sink {
 public:
  FileSink(std::FILE* file, std::uint64_t max) : file_(file), max_(max) {}
  bool write(std::string_view bytes) override {
    if (!within(size, bytes.size(), max_)) return false;
    if (std::fwrite(bytes.data(), 1, bytes.size(), file_.get()) != bytes.size()) {
      error = "cannot write the downloaded file";
      return false;
    }
    hash_.update(bytes);
    size += bytes.size();
    return true;
  }
  bool reset() override {
    hash_ = Sha256();
    size = 0;
    return std::fflush(file_.get()) == 0 && ::ftruncate(fileno(file_.get()), 0) == 0 &&
           std::fseek(file_.get(), 0, SEEK_SET) == 0;
  }
  bool close() {
    bool ok = std::fflush(file_.get()) == 0 && ::fsync(fileno(file_.get())) == 0;
    return std::fclose(file_.release()) == 0 && ok;
  }
  std::string digest() { return hash_.finish(); }
  std::uint64_t size = 0;

 private:
  std::unique_ptr<std::FILE, FileCloser> file_;
  std::uint64_t max_;
  Sha256 hash_;
};

// State the curl callbacks see.
struct Transfer {
  Sink* sink;
  ProgressBar* bar;
  long stall_timeout_ms;
  Clock::time_point deadline;
  curl_off_t last_bytes = -1;
  std::uint64_t received = 0;  // bytes the sink took
  Clock::time_point last_progress = Clock::now();
  bool stalled = false;
  bool past_deadline = false;
};

size_t on_write(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  if (!t->sink->write(std::string_view(data, size * count))) return 0;
  t->received += size * count;
  return size * count;
}

int on_progress(void* user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  auto now = Clock::now();
  if (now >= t->deadline) {  // a server dripping bytes resets the stall timer, not this
    t->past_deadline = true;
    return 1;
  }
  if (dlnow != t->last_bytes) {
    t->last_bytes = dlnow;
    t->last_progress = now;
  } else if (now - t->last_progress > std::chrono::milliseconds(t->stall_timeout_ms)) {
    t->stalled = true;
    return 1;
  }
  t->bar->update(static_cast<std::uint64_t>(dlnow), static_cast<std::uint64_t>(dltotal));
  return 0;
}

std::string reason_phrase(long status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 408:
      return "Request Timeout";
    case 410:
      return "Gone";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "";
  }
}

// The outcome of one attempt.
struct Attempt {
  CURLcode code = CURLE_OK;
  long status = 0;
  bool stalled = false;
  bool past_deadline = false;
  std::string detail;       // curl's error buffer
  long retry_after_s = -1;  // a 429/503 response's Retry-After, in seconds
};

// Longest Retry-After lmp waits for; a server asking for more gets an error instead.
constexpr long kMaxRetryAfterSeconds = 60;

constexpr const char* kTooLargeHint =
    "a file must have the size its index or manifest lists; others are limited by "
    "LMP_MAX_DOWNLOAD_BYTES";

bool is_transient(const Attempt& a) {
  if (a.code == CURLE_HTTP_RETURNED_ERROR) return a.status == 429 || a.status >= 500;
  return a.code == CURLE_RECV_ERROR || a.code == CURLE_SEND_ERROR || a.code == CURLE_PARTIAL_FILE ||
         a.code == CURLE_GOT_NOTHING;
}

class CurlHttpClient : public HttpClient {
 public:
  // libcurl is loaded and initialised at the first transfer, not here: resolving a cached
  // package creates a client but never downloads.
  explicit CurlHttpClient(HttpSettings settings) : settings_(settings) {}

  Result<std::string> fetch(const std::string& url, std::size_t max_bytes) override {
    StringSink sink(max_bytes);
    LMP_CHECK(run(url, sink, "", max_bytes));
    return std::move(sink.data);
  }

  Result<Download> fetch_to_file(const std::string& url, const std::filesystem::path& dest,
                                 std::string_view label, std::uint64_t max_bytes) override {
    std::FILE* f = std::fopen(dest.c_str(), "wbe");
    if (!f) return fail(ExitCode::kFailure, "cannot create " + dest.string());
    std::setvbuf(f, nullptr, _IOFBF, 1 << 20);  // few large writes, not one per 8 KiB
    FileSink sink(f, max_bytes);
    LMP_CHECK(run(url, sink, label, max_bytes));
    std::uint64_t size = sink.size;
    std::string digest = sink.digest();
    if (!sink.close()) return fail(ExitCode::kFailure, "cannot write " + dest.string());
    return Download{size, std::move(digest)};
  }

 private:
  Result<void> run(const std::string& url, Sink& sink, std::string_view label,
                   std::uint64_t max_bytes) {
    auto deadline = Clock::now() + std::chrono::milliseconds(settings_.deadline_ms);
    for (int attempt = 0;; ++attempt) {
      Attempt a = attempt_once(url, sink, label, max_bytes, deadline);
      if (a.code == CURLE_OK) return {};
      if (attempt >= settings_.retries || !is_transient(a) ||
          a.retry_after_s > kMaxRetryAfterSeconds)
        return describe(url, a, sink, max_bytes);
      // The server's Retry-After when it sent one, else exponential backoff.
      long delay = a.retry_after_s >= 0 ? a.retry_after_s * 1000
                                        : settings_.backoff_ms << std::min(attempt, 6);
      if (Clock::now() + std::chrono::milliseconds(delay) >= deadline) {
        a.past_deadline = true;
        return describe(url, a, sink, max_bytes);
      }
      log::debug("GET " + url + ": attempt " + std::to_string(attempt + 1) + " failed (" +
                 curl_easy_strerror(a.code) + "), retrying in " + std::to_string(delay) + " ms");
      std::this_thread::sleep_for(std::chrono::milliseconds(delay));
      if (!sink.reset()) return fail(ExitCode::kFailure, "GET " + url + ": cannot reset output");
    }
  }

  Attempt attempt_once(const std::string& url, Sink& sink, std::string_view label,
                       std::uint64_t max_bytes, Clock::time_point deadline) {
    Attempt a;
    init_curl();
    CurlHandle curl(curl_easy_init());
    if (!curl) return a.code = CURLE_FAILED_INIT, a;
    ProgressBar bar{std::string(label)};
    Transfer t{&sink, &bar, settings_.stall_timeout_ms, deadline};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    char errbuf[CURL_ERROR_SIZE] = {};
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,file");
    // Never from https down to http.
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR,
                     url.starts_with("https:") ? "https" : "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, settings_.connect_timeout_ms);
    // The progress callback enforces the deadline; this is the backstop.
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
                     static_cast<long>(std::max<long long>(1, left.count())) + 1000L);
    // A Content-Length over the limit fails before any byte is written.
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
                     static_cast<curl_off_t>(std::min<std::uint64_t>(max_bytes, INT64_MAX)));
    curl_easy_setopt(c, CURLOPT_USERAGENT, "lmp/" LMP_REGISTRY_VERSION);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 512L * 1024);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, &t);
    a.code = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a.status);
    if (a.code == CURLE_OK) bar.finish(t.received);
    if (a.status == 429 || a.status == 503) {
      curl_off_t retry_after = -1;
      if (curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK && retry_after > 0)
        a.retry_after_s = static_cast<long>(retry_after);
    }
    a.stalled = t.stalled;
    a.past_deadline =
        t.past_deadline || (a.code == CURLE_OPERATION_TIMEDOUT && Clock::now() >= deadline);
    a.detail = errbuf;
    return a;
  }

  std::unexpected<Error> describe(const std::string& url, const Attempt& a, const Sink& sink,
                                  std::uint64_t max_bytes) {
    std::string where = "GET " + url + ": ";
    std::string detail = a.detail.empty() ? curl_easy_strerror(a.code) : a.detail;
    if (a.past_deadline)
      return fail(ExitCode::kNetwork,
                  where + "timed out: the download took longer than " +
                      std::to_string(settings_.deadline_ms) + " ms",
                  "the server is too slow; LMP_HTTP_DEADLINE_MS sets the limit");
    switch (a.code) {
      case CURLE_HTTP_RETURNED_ERROR: {
        std::string reason = reason_phrase(a.status);
        std::string msg = where + "HTTP " + std::to_string(a.status);
        if (!reason.empty()) msg += " " + reason;
        bool missing = a.status == 404 || a.status == 410;
        return fail(missing ? ExitCode::kNotFound : ExitCode::kNetwork, msg);
      }
      case CURLE_COULDNT_RESOLVE_HOST:
      case CURLE_COULDNT_RESOLVE_PROXY:
        return fail(ExitCode::kNetwork, where + detail, "check the host name and your network");
      case CURLE_COULDNT_CONNECT:
        return fail(ExitCode::kNetwork, where + detail, "is the server running?");
      case CURLE_FILE_COULDNT_READ_FILE:
        return fail(ExitCode::kNotFound, where + "no such file");
      case CURLE_ABORTED_BY_CALLBACK:
        if (a.stalled)
          return fail(ExitCode::kNetwork,
                      where + "timed out: no data for " +
                          std::to_string(settings_.stall_timeout_ms) + " ms",
                      "the server stopped sending; try again later");
        break;
      case CURLE_WRITE_ERROR:
        if (!sink.error.empty())
          return fail(sink.code, where + sink.error,
                      sink.code == ExitCode::kNetwork ? kTooLargeHint : "");
        break;
      case CURLE_FILESIZE_EXCEEDED:
        return fail(ExitCode::kNetwork,
                    where + "the server announces more than " + std::to_string(max_bytes) +
                        " bytes; not downloaded",
                    kTooLargeHint);
      case CURLE_PARTIAL_FILE:
        return fail(ExitCode::kNetwork, where + "connection closed before the end of the file");
      default:
        break;
    }
    return fail(ExitCode::kNetwork, where + detail);
  }

  HttpSettings settings_;
};

long env_long(const char* name, long fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  char* end = nullptr;
  long n = std::strtol(v, &end, 10);
  return (end && *end == '\0' && n >= 0) ? n : fallback;
}

}  // namespace

HttpSettings HttpSettings::from_env() {
  HttpSettings s;
  long timeout = env_long("LMP_HTTP_TIMEOUT_MS", 0);
  if (timeout > 0) {
    s.stall_timeout_ms = timeout;
    s.connect_timeout_ms = std::min(s.connect_timeout_ms, timeout);
  }
  s.retries = static_cast<int>(env_long("LMP_HTTP_RETRIES", s.retries));
  if (long deadline = env_long("LMP_HTTP_DEADLINE_MS", 0); deadline > 0) s.deadline_ms = deadline;
  return s;
}

std::uint64_t max_download_bytes() {
  const char* v = std::getenv("LMP_MAX_DOWNLOAD_BYTES");
  if (!v || !*v) return kDefaultMaxDownloadBytes;
  char* end = nullptr;
  unsigned long long n = std::strtoull(v, &end, 10);
  return end && *end == '\0' && n > 0 && v[0] != '-' ? n : kDefaultMaxDownloadBytes;
}

std::unique_ptr<HttpClient> make_curl_client(const HttpSettings& settings) {
  return std::make_unique<CurlHttpClient>(settings);
}

}  // namespace lmp::registry
