#include "package/program_options.h"

#include <algorithm>
#include <cctype>

#include "common/value_names.h"

namespace lmp::package {
namespace {

constexpr const char* kHelpHint = "run with -h to see its options";

bool is_option_section(const package::DataSection& section, const package::Variable& variable) {
  return section.name == ".rodata" || variable.cmdarg.has_value();
}

std::string derive_long_name(const package::Variable& variable) {
  if (variable.cmdarg && !variable.cmdarg->long_name.empty()) return variable.cmdarg->long_name;
  std::string name = variable.name;
  std::replace(name.begin(), name.end(), '_', '-');
  return name;
}

std::string upper_value_name(std::string_view long_name) {
  std::string out;
  for (char c : long_name) out.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(c)));
  return out;
}

// The names an integer option also accepts (ProgramOption::names).
std::string value_names_of(const package::Variable& variable, std::string_view long_name) {
  if (auto it = variable.extra.find("format"); it != variable.extra.end() && it->is_string()) {
    std::string word = it->get<std::string>();
    if (word == "signal" || word == "errno" || word == "syscall" || word.starts_with("flags:"))
      return word;
    return {};
  }
  for (std::string_view name : {std::string_view(variable.name), long_name}) {
    if (name.find("signal") != std::string_view::npos || name == "sig") return "signal";
    if (name.find("syscall") != std::string_view::npos) return "syscall";
    if (name == "errno" || name.ends_with("_errno") || name.ends_with("-errno")) return "errno";
  }
  return {};
}

// The number `text` names for an option that accepts `names`.
std::optional<int64_t> number_for_name(std::string_view names, std::string_view text) {
  if (names == "signal") return signal_number(text);
  if (names == "errno") return errno_number(text);
  if (names == "syscall") return syscall_number(text);
  if (names.starts_with("flags:")) {
    if (auto bits = flags_number(names.substr(6), text)) return static_cast<int64_t>(*bits);
  }
  return std::nullopt;
}

Result<ProgramOption> make_option(const package::DataSection& section,
                                  const package::Variable& variable, CType type,
                                  const ObjectDefaults& object_defaults) {
  ProgramOption option;
  option.variable = variable.name;
  option.section = section.name;
  option.long_name = derive_long_name(variable);
  option.type = type;
  option.help = variable.description;
  if (type.kind == ValueKind::kSigned || type.kind == ValueKind::kUnsigned)
    option.names = value_names_of(variable, option.long_name);
  if (variable.cmdarg) {
    const auto& cmdarg = *variable.cmdarg;
    if (!cmdarg.help.empty()) option.help = cmdarg.help;
    if (cmdarg.short_name.size() > 1 ||
        (cmdarg.short_name.size() == 1 &&
         !std::isalnum(static_cast<unsigned char>(cmdarg.short_name[0]))))
      return fail(ExitCode::kBadPackage,
                  "short option '" + cmdarg.short_name + "' must be one letter or digit");
    if (!cmdarg.short_name.empty()) option.short_name = cmdarg.short_name[0];
    if (cmdarg.default_value && !cmdarg.default_value->is_null()) {
      auto value = value_from_json(type, *cmdarg.default_value);
      if (!value) return std::unexpected(std::move(value.error()).context("cmdarg.default"));
      option.explicit_default = std::move(*value);
    }
  }
  if (!option.explicit_default && variable.value && !variable.value->is_null()) {
    auto value = value_from_json(type, *variable.value);
    if (!value) return std::unexpected(std::move(value.error()).context("value"));
    option.explicit_default = std::move(*value);
  }
  if (option.long_name.empty() || option.long_name.find_first_of("= \t") != std::string::npos)
    return fail(ExitCode::kBadPackage, "invalid option name '" + option.long_name + "'");
  if (option.explicit_default) {
    option.shown_default = *option.explicit_default;
  } else if (auto it = object_defaults.find(variable.name); it != object_defaults.end()) {
    option.shown_default = it->second;
  } else {
    option.shown_default = zero_value(type);
  }
  return option;
}

}  // namespace

Result<ProgramOptions> ProgramOptions::create(const package::Meta& meta, std::string program_name,
                                              const ObjectDefaults& object_defaults) {
  ProgramOptions result;
  result.program_name_ = std::move(program_name);
  if (const auto& doc = meta.bpf_skel.doc) {
    result.version_ = doc->version;
    result.brief_ = doc->brief.empty() ? doc->description : doc->brief;
    result.details_ = doc->details;
  }
  for (const auto& section : meta.bpf_skel.data_sections) {
    for (const auto& variable : section.variables) {
      auto where = "meta.bpf_skel.data_sections[" + section.name + "]." + variable.name;
      auto type = parse_c_type(variable.type);
      if (!is_option_section(section, variable)) {
        if (!variable.value || variable.value->is_null() || !type) continue;
        auto value = value_from_json(*type, *variable.value);
        if (!value) return std::unexpected(std::move(value.error()).context(where));
        result.package_values_.push_back({variable.name, section.name, std::move(*value)});
        continue;
      }
      if (!type) {
        if (variable.cmdarg) return std::unexpected(std::move(type.error()).context(where));
        continue;  // e.g. a struct in .rodata: not an option, its initializer stays
      }
      auto option = make_option(section, variable, *type, object_defaults);
      if (!option) return std::unexpected(std::move(option.error()).context(where));
      result.options_.push_back(std::move(*option));
    }
  }
  // Names must be unique; -h/--help are reserved, --version yields to a program's own.
  for (std::size_t i = 0; i < result.options_.size(); ++i) {
    const auto& a = result.options_[i];
    if (a.long_name == "help" || a.short_name == 'h')
      return fail(ExitCode::kBadPackage,
                  "variable " + a.variable + ": option -h/--help is reserved for the help text");
    if (a.long_name == "version") result.has_version_option_ = false;
    for (std::size_t j = 0; j < i; ++j) {
      const auto& b = result.options_[j];
      if (a.long_name == b.long_name || (a.short_name && a.short_name == b.short_name))
        return fail(ExitCode::kBadPackage,
                    "variables " + b.variable + " and " + a.variable + " define the same option");
    }
  }
  return result;
}

std::string ProgramOptions::help_text() const {
  std::string usage = "Usage: " + program_name_ + " [-h]";
  std::string lines = "    -h, --help  show this help message and exit\n";
  if (has_version_option_) lines += "    --version  show the program's version and exit\n";
  for (const auto& o : options_) {
    bool is_flag = o.type.kind == ValueKind::kBool;
    usage += " [";
    usage += o.short_name ? std::string("-") + o.short_name : "--" + o.long_name;
    if (!is_flag) usage += " " + upper_value_name(o.long_name);
    usage += "]";

    std::string line = "    ";
    if (o.short_name) line += std::string("-") + o.short_name + ", ";
    line += "--" + o.long_name;
    if (!is_flag) line += "=" + o.type.placeholder();
    line += "  " + o.help;
    bool show_default = is_flag ? std::get<bool>(o.shown_default.value)
                                : !(o.type.kind == ValueKind::kString &&
                                    std::get<std::string>(o.shown_default.value).empty());
    if (show_default) {
      if (!o.help.empty()) line += " ";
      line += "(default: " + o.shown_default.to_string() + ")";
    }
    lines += line + "\n";
  }
  std::string text = usage + "\n";
  if (!brief_.empty()) text += brief_ + "\n";
  text += "\n" + lines;
  if (!details_.empty()) text += "\n" + details_ + "\n";
  return text;
}

std::string ProgramOptions::version_text() const {
  return program_name_ + " " + (version_.empty() ? "(no version)" : version_) + "\n";
}

const ProgramOption* ProgramOptions::find_long(std::string_view name) const {
  for (const auto& o : options_)
    if (o.long_name == name) return &o;
  return nullptr;
}

const ProgramOption* ProgramOptions::find_short(char name) const {
  for (const auto& o : options_)
    if (o.short_name == name) return &o;
  return nullptr;
}

Result<ParsedArgs> ProgramOptions::parse(std::span<const std::string> args) const {
  ParsedArgs parsed;
  std::map<const ProgramOption*, TypedValue> given;
  auto unknown = [&](std::string_view arg) {
    return fail(ExitCode::kUsage, "unknown option '" + std::string(arg) + "' for " + program_name_,
                kHelpHint);
  };
  // Parses `text` for `option` (named `shown` in errors) and records it.
  auto set = [&](const ProgramOption& option, std::string_view shown,
                 std::string_view text) -> Result<void> {
    auto value = parse_value(option.type, text);
    if (!value && !option.names.empty()) {
      if (auto number = number_for_name(option.names, text))
        value = parse_value(option.type, std::to_string(*number));
    }
    if (!value)
      return std::unexpected(Error{ExitCode::kUsage,
                                   "option " + std::string(shown) + ": " + value.error().message,
                                   kHelpHint});
    given.insert_or_assign(&option, std::move(*value));
    return {};
  };
  auto missing = [&](const ProgramOption& option, std::string_view shown) {
    return fail(ExitCode::kUsage,
                "option " + std::string(shown) + " needs a value " + option.type.placeholder(),
                kHelpHint);
  };

  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      if (i + 1 < args.size())
        return fail(ExitCode::kUsage,
                    "unexpected argument '" + args[i + 1] + "' for " + program_name_, kHelpHint);
      break;
    }
    if (arg.size() < 2 || arg[0] != '-')
      return fail(ExitCode::kUsage, "unexpected argument '" + arg + "' for " + program_name_,
                  kHelpHint);
    if (arg.starts_with("--")) {
      auto eq = arg.find('=');
      std::string name = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
      if (name == "help") return ParsedArgs{ParsedArgs::Action::kHelp, {}};
      const ProgramOption* option = find_long(name);
      if (!option && name == "version" && has_version_option_)
        return ParsedArgs{ParsedArgs::Action::kVersion, {}};
      if (!option) return unknown(arg.substr(0, eq));
      std::string shown = "--" + name;
      if (eq != std::string::npos) {
        LMP_CHECK(set(*option, shown, std::string_view(arg).substr(eq + 1)));
      } else if (option->type.kind == ValueKind::kBool) {
        LMP_CHECK(set(*option, shown, "true"));
      } else {
        if (i + 1 >= args.size()) return missing(*option, shown);
        LMP_CHECK(set(*option, shown, args[++i]));
      }
      continue;
    }
    // A cluster of short options: -xk, -p123, -xp 123.
    for (std::size_t j = 1; j < arg.size(); ++j) {
      char c = arg[j];
      if (c == 'h') return ParsedArgs{ParsedArgs::Action::kHelp, {}};
      const ProgramOption* option = find_short(c);
      if (!option) return unknown(std::string("-") + c);
      std::string shown = std::string("-") + c;
      if (option->type.kind == ValueKind::kBool) {
        LMP_CHECK(set(*option, shown, "true"));
        continue;
      }
      if (j + 1 < arg.size()) {
        std::string_view rest = std::string_view(arg).substr(j + 1);
        if (rest.starts_with("=")) rest.remove_prefix(1);
        LMP_CHECK(set(*option, shown, rest));
      } else {
        if (i + 1 >= args.size()) return missing(*option, shown);
        LMP_CHECK(set(*option, shown, args[++i]));
      }
      break;
    }
  }

  for (const auto& o : options_) {
    if (auto it = given.find(&o); it != given.end())
      parsed.assignments.push_back({o.variable, o.section, it->second});
    else if (o.explicit_default)
      parsed.assignments.push_back({o.variable, o.section, *o.explicit_default});
  }
  for (const auto& a : package_values_) parsed.assignments.push_back(a);
  return parsed;
}

}  // namespace lmp::package
