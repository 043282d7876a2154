// str_cat("a", 1, "b") == "a1b": string building without std::format (absent in GCC 12).
#pragma once

#include <sstream>
#include <string>

namespace lmp::compiler {

template <typename... Parts>
std::string str_cat(const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return out.str();
}

}  // namespace lmp::compiler
