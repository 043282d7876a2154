// `lmp run --metrics HOST:PORT`: an HTTP server on its own threads that answers GET /metrics
// with the registry in Prometheus's text format (docs/metrics.md).
#pragma once

#include <memory>
#include <string>

#include "common/result.h"
#include "output/metrics.h"

namespace lmp::cli {

class MetricsServer {
 public:
  // Binds `listen` (HOST:PORT; port 0 picks a free one) now, so a port in use is an error
  // before anything loads, and serves until destroyed. Errors: kUsage for a malformed
  // address, kFailure when it cannot be bound.
  static Result<std::unique_ptr<MetricsServer>> start(const std::string& listen,
                                                      output::MetricsRegistry& registry);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // "http://HOST:PORT/metrics" as bound.
  const std::string& url() const { return url_; }

 private:
  MetricsServer() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string url_;
};

}  // namespace lmp::cli
