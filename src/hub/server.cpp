// serve(): the lock on DIR, the server's lifecycle and its signals.
#include "hub/server.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <unistd.h>

#include <httplib.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <thread>

#include "common/log.h"
#include "common/unique_fd.h"
#include "hub/download_counter.h"
#include "hub/publish.h"
#include "hub/sqlite_storage.h"

namespace lmp::hub {
namespace {

namespace fs = std::filesystem;

// Connections are served one thread each (httplib's model) and kept alive, so the pool is
// sized for many concurrent clients rather than for the cores.
constexpr std::size_t kThreads = 128;
constexpr std::size_t kKeepAliveRequests = 1000;
constexpr int kListenBacklog = 1024;

// DIR/lock held with flock for the life of the server; it holds the pid for the message a
// second server prints.
Result<UniqueFd> lock_data_dir(const fs::path& dir) {
  fs::path path = dir / "lock";
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (!fd)
    return fail(ExitCode::kFailure, "cannot open " + path.string() + ": " + std::strerror(errno));
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK)
      return fail(ExitCode::kFailure, "cannot lock " + path.string() + ": " + std::strerror(errno));
    char buffer[32] = {};
    ssize_t n = ::pread(fd.get(), buffer, sizeof(buffer) - 1, 0);
    std::string pid = n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : "unknown";
    pid.erase(std::remove(pid.begin(), pid.end(), '\n'), pid.end());
    return fail(ExitCode::kConflict,
                dir.string() + " is in use by another lmp-hub (pid " + pid + ")",
                "stop it first, or serve another --data directory");
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd.get(), 0) != 0 || ::pwrite(fd.get(), pid.data(), pid.size(), 0) < 0)
    return fail(ExitCode::kFailure, "cannot write " + path.string() + ": " + std::strerror(errno));
  return fd;
}

std::string url_host(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

// SIGINT and SIGTERM are blocked in every thread and taken by one waiter, which stops the
// server; the signal mask is restored when serve() returns.
class SignalStopper {
 public:
  explicit SignalStopper(httplib::Server& server) {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, &saved_);
    waiter_ = std::thread([this, &server] {
      int signal = 0;
      sigwait(&set_, &signal);
      if (!done_) log::info("lmp-hub: stopping");
      server.stop();
    });
  }
  ~SignalStopper() {
    done_ = true;
    pthread_kill(waiter_.native_handle(), SIGTERM);
    waiter_.join();
    // A signal that arrived meanwhile stays pending; take it before unblocking.
    timespec zero{};
    while (sigtimedwait(&set_, nullptr, &zero) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, &saved_, nullptr);
  }
  SignalStopper(const SignalStopper&) = delete;
  SignalStopper& operator=(const SignalStopper&) = delete;

 private:
  sigset_t set_{};
  sigset_t saved_{};
  std::atomic<bool> done_{false};
  std::thread waiter_;
};

// Binds HOST:PORT (0: any free port) and returns the port, or -1. httplib 0.11 listens with
// a backlog of 5, so a burst of new connections (64 clients at once) overflows the accept
// queue and waits for SYN retransmits (1 s and more); the socket's backlog is raised here.
int bind_server(httplib::Server& server, const ListenAddress& address) {
  int socket_fd = -1;
  server.set_socket_options([&socket_fd](int fd) {
    httplib::default_socket_options(fd);
    socket_fd = fd;
  });
  int port = address.port;
  if (port == 0) {
    port = server.bind_to_any_port(address.host);
  } else if (!server.bind_to_port(address.host, port)) {
    port = -1;
  }
  if (port > 0 && socket_fd >= 0) ::listen(socket_fd, kListenBacklog);
  return port > 0 ? port : -1;
}

}  // namespace

std::string client_address(const httplib::Request& request) {
  return request.remote_addr;
}

void configure_server(httplib::Server& server, HubContext& hub) {
  server.new_task_queue = [] { return new httplib::ThreadPool(kThreads); };
  server.set_payload_max_length(kMaxUploadBytes);
  server.set_keep_alive_max_count(kKeepAliveRequests);
  server.set_tcp_nodelay(true);
  server.set_default_headers({{"X-Content-Type-Options", "nosniff"}});
  // The hub answers Range itself (single ranges, 416 when unsatisfiable: see
  // repository_routes.cpp). httplib 0.11 would apply the parsed ranges a second time to
  // every answer, errors included, so they are dropped before routing. The Request object
  // is httplib's own mutable one; only the handler signature is const.
  server.set_pre_routing_handler([](const httplib::Request& request, httplib::Response&) {
    const_cast<httplib::Request&>(request).ranges.clear();
    return httplib::Server::HandlerResponse::Unhandled;
  });
  if (log::debug_enabled()) {
    server.set_logger([](const httplib::Request& request, const httplib::Response& response) {
      // The path only: query strings and headers may carry secrets.
      log::debug(request.remote_addr + " " + request.method + " " + request.path + " " +
                 std::to_string(response.status));
    });
  }
  server.set_exception_handler(
      [](const httplib::Request&, httplib::Response& response, std::exception_ptr) {
        response.status = 500;
        response.set_content(R"({"error": "internal error", "hint": "see the server log"})",
                             "application/json");
      });
  add_repository_routes(server, hub);
  add_api_routes(server, hub);
  add_store_routes(server, hub);
}

Result<int> serve(const ServeSettings& settings) {
  ListenAddress address = LMP_TRY(parse_listen_address(settings.listen));
  std::error_code ec;
  fs::create_directories(settings.data_dir, ec);
  if (ec)
    return fail(ExitCode::kFailure,
                "cannot create " + settings.data_dir.string() + ": " + ec.message());
  UniqueFd lock = LMP_TRY(lock_data_dir(settings.data_dir));
  std::unique_ptr<SqliteStorage> storage =
      LMP_TRY(SqliteStorage::open(settings.data_dir / "hub.db"));
  BlobStore blobs = LMP_TRY(BlobStore::open(settings.data_dir));
  Accounts accounts(*storage);
  DownloadCounter downloads(*storage);

  httplib::Server server;
  HubContext hub{settings, *storage, blobs, accounts, downloads, ""};
  configure_server(server, hub);  // before binding: the socket options apply at bind
  int port = bind_server(server, address);
  if (port < 0)
    return fail(ExitCode::kFailure, "cannot listen on " + settings.listen,
                "is the address in use or not on this machine?");
  std::string base = "http://" + url_host(address.host) + ":" + std::to_string(port);
  hub.public_url = settings.public_url.empty() ? base : settings.public_url;
  while (hub.public_url.size() > 1 && hub.public_url.back() == '/') hub.public_url.pop_back();

  {
    SignalStopper stopper(server);
    downloads.start();
    log::info("lmp-hub listening on " + base);
    server.listen_after_bind();
  }
  downloads.stop();
  return 0;
}

}  // namespace lmp::hub
