// lmp-hub serve: one cpp-httplib server carrying three route sets over one HubContext:
// the static repository (repository_routes.cpp), the JSON API (api_routes.cpp) and the web
// store (store_routes.cpp). Handlers are thin: they parse the request, call Accounts /
// Storage / publish(), and render JSON or HTML.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "common/listen_address.h"
#include "common/result.h"
#include "hub/accounts.h"
#include "hub/blob_store.h"
#include "hub/storage.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace lmp::hub {

class DownloadCounter;  // download_counter.h

struct ServeSettings {
  std::string listen = "127.0.0.1:8080";  // HOST:PORT; port 0 picks a free one
  std::filesystem::path data_dir = "hub-data";
  std::string public_url;  // base URL for links; empty = http://LISTEN
  bool registration_open = true;
  // Lifetime of the tokens a password login hands out (`lmp login`); zero: no expiry.
  std::chrono::seconds login_token_lifetime = kLoginTokenLifetime;
};

// What every handler may use. Owned by serve(); outlives the httplib::Server.
struct HubContext {
  ServeSettings settings;
  Storage& storage;
  BlobStore& blobs;
  Accounts& accounts;
  DownloadCounter& downloads;
  std::string public_url;  // settings.public_url or http://HOST:PORT, no trailing '/'
};

// Route registration of each part (each in its own file).
void add_repository_routes(httplib::Server& server, HubContext& hub);
void add_api_routes(httplib::Server& server, HubContext& hub);
void add_store_routes(httplib::Server& server, HubContext& hub);

// Server settings every hub gets (a thread per connection up to a large pool, the 64 MiB
// payload limit, keep-alive, TCP_NODELAY, X-Content-Type-Options on every answer, request
// logging at debug level) and the three route sets, repository first (the hot path), then
// the API, then the store. serve() and in-process tests use it.
void configure_server(httplib::Server& server, HubContext& hub);

using lmp::ListenAddress;  // common/listen_address.h
using lmp::parse_listen_address;

// The client's address for rate limiting: the socket peer (no proxy headers are trusted).
std::string client_address(const httplib::Request& request);

// Locks DIR, opens storage and blobs, binds, prints "lmp-hub listening on URL" to stderr
// and serves until SIGINT/SIGTERM; then flushes download counts and returns 0.
Result<int> serve(const ServeSettings& settings);

}  // namespace lmp::hub
