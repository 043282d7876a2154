// For unit tests: an OciTransport that answers with a handler and records every request.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "registry/oci_transport.h"

namespace lmp::registry::fake {

class FakeTransport : public OciTransport {
 public:
  std::function<HttpResponse(const HttpRequest&)> handler;
  std::vector<HttpRequest> seen;

  Result<HttpResponse> send(const HttpRequest& request) override {
    seen.push_back(request);
    return handler(request);
  }
};

inline HttpResponse answer(long status, std::string body = {},
                           std::map<std::string, std::string> headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

}  // namespace lmp::registry::fake
