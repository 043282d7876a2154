#include "common/listen_address.h"

#include <charconv>

namespace lmp {

Result<ListenAddress> parse_listen_address(const std::string& text, std::string_view option) {
  auto bad = [&] {
    return fail(ExitCode::kUsage, std::string(option) + ": '" + text + "' is not HOST:PORT",
                "e.g. 127.0.0.1:8080, 0.0.0.0:80, [::1]:8080; port 0 picks a free one");
  };
  std::size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return bad();
  ListenAddress address;
  address.host = text.substr(0, colon);
  if (address.host.starts_with('[')) {
    if (!address.host.ends_with(']')) return bad();
    address.host = address.host.substr(1, address.host.size() - 2);
  } else if (address.host.find(':') != std::string::npos) {
    return bad();
  }
  std::string_view port = std::string_view(text).substr(colon + 1);
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), address.port);
  if (address.host.empty() || port.empty() || ec != std::errc() ||
      end != port.data() + port.size() || address.port < 0 || address.port > 65535)
    return bad();
  return address;
}

}  // namespace lmp
