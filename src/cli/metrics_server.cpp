#include "cli/metrics_server.h"

#include <httplib.h>

#include <chrono>
#include <thread>

#include "common/listen_address.h"

namespace lmp::cli {

struct MetricsServer::Impl {
  httplib::Server server;
  std::thread thread;
};

Result<std::unique_ptr<MetricsServer>> MetricsServer::start(const std::string& listen,
                                                            output::MetricsRegistry& registry) {
  ListenAddress address = LMP_TRY(parse_listen_address(listen, "--metrics"));
  std::unique_ptr<MetricsServer> server(new MetricsServer());
  server->impl_ = std::make_unique<Impl>();
  httplib::Server& http = server->impl_->server;
  // Scrapes are rare and small: two threads, so a slow client does not hold up the next.
  http.new_task_queue = [] { return new httplib::ThreadPool(2); };
  // Headers and body go out in two writes: without TCP_NODELAY the body waits for the
  // scraper's delayed ACK (~40 ms per scrape on a kept-alive connection).
  http.set_tcp_nodelay(true);
  http.Get("/metrics", [&registry](const httplib::Request&, httplib::Response& response) {
    output::update_process_metrics(registry);
    response.set_content(registry.render(), "text/plain; version=0.0.4; charset=utf-8");
  });
  http.Get("/", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("lmp run: Prometheus metrics are at /metrics\n", "text/plain");
  });
  int port = address.port;
  if (port == 0)
    port = http.bind_to_any_port(address.host);
  else if (!http.bind_to_port(address.host, port))
    port = -1;
  if (port <= 0)
    return fail(ExitCode::kFailure, "--metrics: cannot listen on " + listen,
                "is the port in use (ss -ltnp), or the address not this machine's?");
  std::string host =
      address.host.find(':') != std::string::npos ? "[" + address.host + "]" : address.host;
  server->url_ = "http://" + host + ":" + std::to_string(port) + "/metrics";
  server->impl_->thread = std::thread([&http] { http.listen_after_bind(); });
  // stop() only stops a server already running: wait for it, so the destructor never hangs.
  for (int i = 0; i < 2000 && !http.is_running(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return server;
}

MetricsServer::~MetricsServer() {
  if (!impl_) return;
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace lmp::cli
