#include "output/output.h"

namespace lmp::output {
Result<std::unique_ptr<MapPrinter>> MapPrinter::create(const btf*, std::string, uint32_t, uint32_t,
                                                       const package::Sample&, Format,
                                                       std::ostream&) {
  return fail(ExitCode::kFailure, "map printing is not implemented yet");
}
}  // namespace lmp::output
