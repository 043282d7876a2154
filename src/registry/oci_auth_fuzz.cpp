// libFuzzer target for the registry's WWW-Authenticate and token-response parsers, both fed
// by untrusted servers: they never crash, and every parsed challenge has a scheme.
// Build: cmake -DLMP_FUZZ=ON (see cmake/fuzz.cmake); ninja oci_auth_fuzz.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "registry/oci_auth.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto challenges = lmp::registry::parse_www_authenticate(text)) {
    for (const auto& c : *challenges) {
      if (c.scheme.empty()) std::abort();
      (void)lmp::registry::token_url(c, "repository:a/b:pull");
    }
  }
  (void)lmp::registry::parse_token_response(text);
  if (auto decoded = lmp::registry::base64_decode(text))
    if (lmp::registry::base64_decode(lmp::registry::base64_encode(*decoded)) != decoded)
      std::abort();
  return 0;
}
