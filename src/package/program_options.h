// The command-line options of an eBPF program, generated from the package's globals:
// every variable of .rodata (the `const volatile` globals), plus .bss/.data variables that
// carry a @cmdarg. Pure: no kernel access, so `lmp run PKG -h` works without privileges.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "package/c_value.h"
#include "package/package.h"

namespace lmp::package {

// One global to write before load.
struct Assignment {
  std::string variable;
  std::string section;  // ".rodata", ".bss", ...
  TypedValue value;
};

struct ProgramOption {
  std::string variable;
  std::string section;
  std::string long_name;   // cmdarg.long, or the variable name with '_' -> '-'
  char short_name = '\0';  // cmdarg.short, or none
  std::string help;        // cmdarg.help, or the variable's description
  CType type;
  std::optional<TypedValue> explicit_default;  // cmdarg.default, else `value`; written at load
  TypedValue shown_default;  // explicit_default, else the object's initializer, else zero
  // For integer options: the names a value may also be given as, "signal" (-s SIGKILL),
  // "errno", "syscall" or "flags:SET"; from the global's `/// @format`, else its name
  // (…signal…, …syscall…, errno). Empty: numbers only.
  std::string names;
};

// What the program's arguments asked for.
struct ParsedArgs {
  enum class Action { kRun, kHelp, kVersion };
  Action action = Action::kRun;
  // In data-section order: user-given values, explicit defaults, and package `value`s of
  // variables that are not options.
  std::vector<Assignment> assignments;
};

// Initial values found in the object itself, by variable name (optional, for help texts).
using ObjectDefaults = std::map<std::string, TypedValue>;

class ProgramOptions {
 public:
  // Errors (kBadPackage): unsupported type of a @cmdarg variable, bad default, two options
  // with the same name, or a short name that is not one character. Variables of other
  // unsupported types (structs, arrays) are left out.
  static Result<ProgramOptions> create(const package::Meta& meta, std::string program_name,
                                       const ObjectDefaults& object_defaults = {});

  // The -h text: usage line, doc.brief, option lines, doc.details.
  std::string help_text() const;
  // The --version text: "NAME VERSION\n".
  std::string version_text() const;

  // Parses the program's own arguments (everything after the package reference).
  // -h/--help and --version win as soon as they are seen. Errors are kUsage, e.g.
  // "unknown option '--foo' for sigsnoop", "option --pid: 'abc' is not an integer".
  Result<ParsedArgs> parse(std::span<const std::string> args) const;

  const std::vector<ProgramOption>& options() const { return options_; }

 private:
  const ProgramOption* find_long(std::string_view name) const;
  const ProgramOption* find_short(char name) const;

  std::string program_name_;
  std::string version_;
  std::string brief_;
  std::string details_;
  bool has_version_option_ = true;
  std::vector<ProgramOption> options_;
  std::vector<Assignment> package_values_;  // `value`s of variables that are not options
};

}  // namespace lmp::package
