// HOST:PORT for a server to listen on (lmp-hub serve --listen, lmp run --metrics).
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace lmp {

struct ListenAddress {
  std::string host;  // without brackets for IPv6
  int port = 0;
};

// "HOST:PORT" or "[V6]:PORT"; port 0 means any free port. kUsage naming `option` when
// malformed.
Result<ListenAddress> parse_listen_address(const std::string& text,
                                           std::string_view option = "--listen");

}  // namespace lmp
