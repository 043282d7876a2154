// Errors as values: one Error type (code, message, hint) and Result<T>.
// Every module returns Result; only main() turns an Error into text and an exit code.
#pragma once

#include <expected>
#include <string>
#include <utility>

namespace lmp {

// Process exit codes; documented in docs/exit-codes.md.
enum class ExitCode : int {
  kOk = 0,
  kFailure = 1,     // generic runtime failure
  kUsage = 2,       // bad command line or bad program option
  kBadPackage = 3,  // malformed, truncated or invalid package / config
  kPermission = 4,  // not root / missing capabilities
  kKernel = 5,      // kernel refused: no BTF, verifier rejection, attach failure
  kBuild = 6,       // compiler failure during lmp build
  kNotFound = 7,    // file or reference not found
  kNetwork = 8,     // download / registry failures
  kConflict = 9,    // exists already: a published version (immutable), a user, an owner
};

// What went wrong (message) and what the user can do about it (hint).
struct Error {
  ExitCode code = ExitCode::kFailure;
  std::string message;
  std::string hint;

  // Prefixes the message with where it happened, e.g. "reading foo.json: ".
  Error&& context(const std::string& where) && {
    message = where + ": " + message;
    return std::move(*this);
  }
};

template <typename T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(ExitCode code, std::string message, std::string hint = {}) {
  return std::unexpected(Error{code, std::move(message), std::move(hint)});
}

}  // namespace lmp

// Propagates an error from an expression returning Result<T>; yields the value.
#define LMP_TRY(expr)                                                      \
  ({                                                                       \
    auto&& lmp_try_result_ = (expr);                                       \
    if (!lmp_try_result_) return std::unexpected(lmp_try_result_.error()); \
    std::move(*lmp_try_result_);                                           \
  })

// Like LMP_TRY for Result<void>.
#define LMP_CHECK(expr)                                                        \
  do {                                                                         \
    auto&& lmp_check_result_ = (expr);                                         \
    if (!lmp_check_result_) return std::unexpected(lmp_check_result_.error()); \
  } while (0)
