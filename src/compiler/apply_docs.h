// Applies `///` doc blocks to the package skeleton, matching them by identifier.
#pragma once

#include <string_view>
#include <vector>

#include "common/result.h"
#include "compiler/doc_comments.h"
#include "package/package.h"

namespace lmp::compiler {

// A .bss/.data global that is an option only by lmp build's guess (an empty cmdarg,
// object_meta.h) loses it, with a warning, when its option name is "help" or another
// option's, so the guess never turns a package that worked into one `lmp run` refuses.
void drop_clashing_settings(package::BpfSkel& skel);

// Variables get description, cmdarg and value; maps get sample and export_config; programs
// and everything else keep other annotations in `extra`. The LICENSE variable's @brief,
// @details, @version and text fill `skel.doc`. Errors (kBuild, "FILE:LINE: ...") for a
// malformed @cmdarg or @sample; a block naming nothing in the object is only a warning.
// Runs drop_clashing_settings last.
Result<void> apply_doc_comments(const std::vector<DocBlock>& blocks, std::string_view file,
                                package::BpfSkel& skel);

// Sets ExportMember::format from the `/// @format WORD` (or trailing `///< @format WORD`) on
// members of the exported structs. An unknown word is an error (kBuild, "FILE:LINE: unknown
// @format ..." with the valid words); a member of a struct no event buffer exports only logs.
Result<void> apply_member_formats(const std::vector<DocBlock>& blocks, std::string_view file,
                                  std::vector<package::ExportType>& types);

// Parses an @cmdarg / @sample JSON object (exposed for tests).
Result<package::CmdArg> parse_cmdarg(std::string_view text);
Result<package::Sample> parse_sample(std::string_view text);

}  // namespace lmp::compiler
