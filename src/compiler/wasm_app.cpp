// app.c for `lmp gen-wasm-skel`: a complete user-space program a developer then edits. It
// parses an option for each global of .rodata/.data, loads and attaches the object, and
// prints every event of the first ring/perf buffer, field by field.
#include <algorithm>

#include "compiler/str_cat.h"
#include "compiler/wasm_skel.h"

namespace lmp::compiler {
namespace {

std::string c_string(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '%') out += '%';  // every literal here is a printf format
    out += (c == '\n' || c == '\t') ? ' ' : c;
  }
  return out + "\"";
}

// One program option: a global variable of .rodata or .data.
struct Option {
  std::string expr;  // skel->rodata->name
  std::string long_name;
  char short_name = 0;
  std::string help;
  CKind kind;
  uint32_t size;  // scalar size, or the char array's length
};

const package::Variable* find_variable(const package::Meta& meta, std::string_view section,
                                       std::string_view name) {
  for (const auto& s : meta.bpf_skel.data_sections) {
    if (s.name != section) continue;
    for (const auto& v : s.variables) {
      if (v.name == name) return &v;
    }
  }
  return nullptr;
}

std::vector<Option> options_of(const WasmSkelModel& model) {
  std::vector<Option> options;
  std::string shorts = "h";
  for (const auto& section : model.sections) {
    const CRecord& record = model.layout.records()[static_cast<std::size_t>(section.record)];
    for (const CField& f : record.fields) {
      bool scalar = f.dims.empty() && f.kind != CKind::kRecord && f.kind != CKind::kPointer &&
                    f.kind != CKind::kChar;
      bool text = f.kind == CKind::kChar && f.dims.size() == 1;
      if (f.name.empty() || f.kind == CKind::kPadding || (!scalar && !text)) continue;
      Option o{str_cat("skel->", section.field, "->", f.name),
               f.name,
               0,
               "",
               f.kind,
               text ? f.dims[0] : f.scalar_size};
      for (char& c : o.long_name) c = c == '_' ? '-' : c;
      if (const auto* v = find_variable(model.package.meta, section.elf_name, f.name)) {
        o.help = v->description;
        if (v->cmdarg) {
          if (!v->cmdarg->long_name.empty()) o.long_name = v->cmdarg->long_name;
          if (v->cmdarg->short_name.size() == 1) o.short_name = v->cmdarg->short_name[0];
          if (!v->cmdarg->help.empty()) o.help = v->cmdarg->help;
        }
      }
      if (o.long_name == "help") continue;
      if (o.short_name && shorts.find(o.short_name) != std::string::npos) o.short_name = 0;
      if (o.short_name) shorts += o.short_name;
      options.push_back(std::move(o));
    }
  }
  return options;
}

std::string placeholder(const Option& o) {
  switch (o.kind) {
    case CKind::kBool:
      return "";
    case CKind::kChar:
      return "=TEXT";
    case CKind::kFloat:
      return "=X";
    default:
      return "=N";
  }
}

// printf arguments showing the option's current value: {format, argument}.
std::pair<std::string, std::string> current_value(const Option& o) {
  switch (o.kind) {
    case CKind::kBool:
      return {"%s", o.expr + " ? \"true\" : \"false\""};
    case CKind::kChar:
      return {"\\\"%.*s\\\"", str_cat("(int)sizeof(", o.expr, "), ", o.expr)};
    case CKind::kFloat:
      return {"%g", "(double)" + o.expr};
    case CKind::kSigned:
      return {"%\" PRId64 \"", "(int64_t)" + o.expr};
    default:
      return {"%\" PRIu64 \"", "(uint64_t)" + o.expr};
  }
}

std::string usage_function(const WasmSkelModel& model, const std::vector<Option>& options) {
  const auto& doc = model.package.meta.bpf_skel.doc;
  std::string about = doc ? (!doc->brief.empty() ? doc->brief : doc->description) : "";
  std::string text =
      str_cat("static void usage(FILE *out, const char *prog, const struct ", model.name,
              "_bpf *skel) {\n", "  fprintf(out, \"Usage: %s [OPTIONS]\\n\", prog);\n");
  if (!about.empty()) text += str_cat("  fprintf(out, \"\\n\" ", c_string(about), " \"\\n\");\n");
  text += "  fprintf(out, \"\\nOptions:\\n\");\n";
  if (options.empty()) text += "  (void)skel;\n";
  for (const Option& o : options) {
    std::string flag = o.short_name ? str_cat("-", o.short_name, ", ") : "    ";
    flag += "--" + o.long_name + placeholder(o);
    std::string help =
        o.help.empty() ? std::string("set ") + o.expr.substr(o.expr.rfind('>') + 1) : o.help;
    auto [format, argument] = current_value(o);
    std::string padded = flag.size() < 24 ? flag + std::string(24 - flag.size(), ' ') : flag + " ";
    text += str_cat("  fprintf(out, \"  \" ", c_string(padded), " ", c_string(help),
                    " \" (default: ", format, ")\\n\", ", argument, ");\n");
  }
  text += str_cat("  fprintf(out, \"  -h, --help              show this help\\n\");\n}\n\n");
  return text;
}

// Helpers app.c gets when it has options; only those the options use (unused static
// functions draw warnings).
constexpr std::string_view kMatchOption =
    R"C(/* Matches argv[*i] against -SHORT / --LONG. *value is the option's value: the rest of
 * "--LONG=VALUE" or "-SVALUE", else the next argument when the option takes one. */
static bool match_option(int argc, char **argv, int *i, char short_name, const char *long_name,
                         bool takes_value, const char **value) {
  const char *arg = argv[*i];
  size_t n = strlen(long_name);
  *value = NULL;
  if (arg[0] == '-' && arg[1] == '-' && strncmp(arg + 2, long_name, n) == 0 &&
      (arg[2 + n] == '=' || arg[2 + n] == '\0')) {
    if (arg[2 + n] == '=') {
      *value = arg + 3 + n;
      return true;
    }
  } else if (short_name && arg[0] == '-' && arg[1] == short_name) {
    if (arg[2] != '\0') {
      if (!takes_value) return false;
      *value = arg + 2;
      return true;
    }
  } else {
    return false;
  }
  if (takes_value && *i + 1 < argc) *value = argv[++*i];
  return true;
}

)C";
constexpr std::string_view kParseSigned =
    R"C(static bool parse_signed(const char *text, int64_t min, int64_t max, int64_t *out) {
  char *end = NULL;
  errno = 0;
  long long v = strtoll(text, &end, 0);
  if (errno || end == text || *end || v < min || v > max) return false;
  *out = v;
  return true;
}

)C";
constexpr std::string_view kParseUnsigned =
    R"C(static bool parse_unsigned(const char *text, uint64_t max, uint64_t *out) {
  char *end = NULL;
  errno = 0;
  if (*text == '-') return false;
  unsigned long long v = strtoull(text, &end, 0);
  if (errno || end == text || *end || v > max) return false;
  *out = v;
  return true;
}

)C";
constexpr std::string_view kParseBool = R"C(static bool parse_bool(const char *text, bool *out) {
  if (!strcmp(text, "true") || !strcmp(text, "1") || !strcmp(text, "yes")) {
    *out = true;
    return true;
  }
  if (!strcmp(text, "false") || !strcmp(text, "0") || !strcmp(text, "no")) {
    *out = false;
    return true;
  }
  return false;
}

)C";
constexpr std::string_view kBadValue =
    R"C(static int bad_value(const char *prog, const char *option, const char *value) {
  if (value)
    fprintf(stderr, "%s: invalid value '%s' for --%s (see --help)\n", prog, value, option);
  else
    fprintf(stderr, "%s: --%s needs a value (see --help)\n", prog, option);
  return -1;
}

)C";

std::string parse_helpers(const std::vector<Option>& options) {
  auto uses = [&](CKind kind) {
    return std::any_of(options.begin(), options.end(),
                       [&](const Option& o) { return o.kind == kind; });
  };
  std::string text(kMatchOption);
  if (uses(CKind::kSigned)) text += kParseSigned;
  if (uses(CKind::kUnsigned)) text += kParseUnsigned;
  if (uses(CKind::kBool)) text += kParseBool;
  return text += kBadValue;
}

std::string parse_function(const WasmSkelModel& model, const std::vector<Option>& options) {
  std::string text = str_cat(
      "/* Sets the globals from the command line. 0 to run, 1 after --help, -1 on bad input. */\n"
      "static int parse_args(int argc, char **argv, struct ",
      model.name, "_bpf *skel) {\n",
      "  for (int i = 1; i < argc; i++) {\n"
      "    const char *value = NULL;\n"
      "    if (!strcmp(argv[i], \"-h\") || !strcmp(argv[i], \"--help\")) {\n"
      "      usage(stdout, argv[0], skel);\n      return 1;\n    }\n");
  for (const Option& o : options) {
    std::string short_char = o.short_name ? str_cat("'", o.short_name, "'") : "0";
    std::string bad = str_cat("return bad_value(argv[0], \"", o.long_name, "\", value);");
    text += str_cat("    if (match_option(argc, argv, &i, ", short_char, ", \"", o.long_name,
                    "\", ", o.kind == CKind::kBool ? "false" : "true", ", &value)) {\n");
    uint32_t bits = o.size * 8;
    switch (o.kind) {
      case CKind::kBool:
        text += str_cat("      bool flag = true;\n      if (value && !parse_bool(value, &flag)) ",
                        bad, "\n      ", o.expr, " = flag;\n");
        break;
      case CKind::kChar:
        text += str_cat("      if (!value || strlen(value) >= sizeof(", o.expr, ")) ", bad,
                        "\n      memset(", o.expr, ", 0, sizeof(", o.expr, "));\n      memcpy(",
                        o.expr, ", value, strlen(value));\n");
        break;
      case CKind::kFloat:
        text += str_cat(
            "      char *end = NULL;\n      double number = value ? strtod(value, &end) "
            ": 0;\n      if (!value || end == value || *end) ",
            bad, "\n      ", o.expr, " = number;\n");
        break;
      case CKind::kSigned:
        text +=
            str_cat("      int64_t number = 0;\n      if (!value || !parse_signed(value, INT", bits,
                    "_MIN, INT", bits, "_MAX, &number)) ", bad, "\n      ", o.expr, " = number;\n");
        break;
      default:
        text +=
            str_cat("      uint64_t number = 0;\n      if (!value || !parse_unsigned(value, UINT",
                    bits, "_MAX, &number)) ", bad, "\n      ", o.expr, " = number;\n");
        break;
    }
    text += "      continue;\n    }\n";
  }
  text +=
      "    (void)value;\n"
      "    fprintf(stderr, \"%s: unknown option '%s' (see --help)\\n\", argv[0], argv[i]);\n"
      "    return -1;\n  }\n  return 0;\n}\n\n";
  return text;
}

// Statements printing `label` then `expr`, a value of field `f` from dimension `dim` on.
void print_value(std::string& out, const CLayout& layout, const CField& f, std::size_t dim,
                 const std::string& expr, const std::string& label, const std::string& indent);

void print_fields(std::string& out, const CLayout& layout, const CRecord& record,
                  const std::string& prefix, const std::string& indent, bool& first) {
  for (const CField& f : record.fields) {
    if (f.kind == CKind::kPadding) continue;
    if (f.name.empty()) {  // anonymous struct/union: its members belong to the outer record
      print_fields(out, layout, layout.records()[static_cast<std::size_t>(f.record)], prefix,
                   indent, first);
      continue;
    }
    std::string label = str_cat(first ? "" : " ", f.name, "=");
    first = false;
    print_value(out, layout, f, 0, prefix + f.name, label, indent);
  }
}

void print_value(std::string& out, const CLayout& layout, const CField& f, std::size_t dim,
                 const std::string& expr, const std::string& label, const std::string& indent) {
  auto line = [&](std::string_view format, const std::string& argument) {
    out +=
        str_cat(indent, "printf(\"", label, format, argument.empty() ? "" : ", ", argument, ");\n");
  };
  if (dim < f.dims.size()) {
    if (f.kind == CKind::kChar && dim + 1 == f.dims.size()) {
      line("%.*s\"", str_cat("(int)sizeof(", expr, "), ", expr));
      return;
    }
    std::string i = str_cat("i", dim);
    line("[\"", "");
    out += str_cat(indent, "for (size_t ", i, " = 0; ", i, " < ", f.dims[dim], "; ", i, "++) {\n");
    print_value(out, layout, f, dim + 1, str_cat(expr, "[", i, "]"), "", indent + "  ");
    out += str_cat(indent, "  if (", i, " + 1 < ", f.dims[dim], ") printf(\",\");\n", indent, "}\n",
                   indent, "printf(\"]\");\n");
    return;
  }
  switch (f.kind) {
    case CKind::kSigned:
      line("%\" PRId64", "(int64_t)" + expr);
      break;
    case CKind::kUnsigned:
    case CKind::kChar:
      line("%\" PRIu64", "(uint64_t)" + expr);
      break;
    case CKind::kBool:
      line("%s\"", expr + " ? \"true\" : \"false\"");
      break;
    case CKind::kFloat:
      line("%g\"", "(double)" + expr);
      break;
    case CKind::kPointer:
      line("0x%\" PRIx64", expr);
      break;
    case CKind::kRecord: {
      bool first = true;
      line("{\"", "");
      print_fields(out, layout, layout.records()[static_cast<std::size_t>(f.record)], expr + ".",
                   indent, first);
      out += str_cat(indent, "printf(\"}\");\n");
      break;
    }
    case CKind::kPadding:
      break;
  }
}

std::string event_callback(const WasmSkelModel& model) {
  std::string text =
      "/* Called for every sample of the buffer; a non-zero return stops polling. */\n"
      "static int handle_event(void *ctx, void *data, size_t size) {\n  (void)ctx;\n";
  if (model.events.empty()) {
    return text + "  (void)data;\n  printf(\"event of %zu bytes\\n\", size);\n  return 0;\n}\n\n";
  }
  int index = model.events.front();
  std::string type = model.layout.record_type(index);
  text +=
      str_cat("  const ", type, " *e = (const ", type, " *)data;\n", "  if (size < sizeof(*e)) {\n",
              "    fprintf(stderr, \"short event: %zu of %zu bytes\\n\", size, sizeof(*e));\n",
              "    return 0;\n  }\n");
  bool first = true;
  print_fields(text, model.layout, model.layout.records()[static_cast<std::size_t>(index)], "e->",
               "  ", first);
  return text + "  printf(\"\\n\");\n  return 0;\n}\n\n";
}

}  // namespace

std::string app_source(const WasmSkelModel& model) {
  const std::string& n = model.name;
  std::vector<Option> options = options_of(model);
  const WasmSkelModel::Map* buffer = nullptr;
  for (const auto& m : model.maps) {
    if (m.is_ringbuf && !buffer) buffer = &m;
  }
  for (const auto& m : model.maps) {
    if (m.is_perf && !buffer) buffer = &m;
  }
  std::string text = str_cat(
      "/* app.c: the user space of ", n,
      ", run by `lmp run app.wasm`. Written once by `lmp gen-wasm-skel`\n"
      " * (which never overwrites it without --force): it is yours to edit. Build it with\n"
      " * `lmp build-wasm`. The skeleton API is in ",
      n, ".skel.h and lmp-wasm.h; see docs/wasm-dev.md. */\n",
      "#include <errno.h>\n#include <inttypes.h>\n#include <stdbool.h>\n#include <stdio.h>\n"
      "#include <stdlib.h>\n#include <string.h>\n#include <unistd.h>\n\n#include \"",
      n, ".skel.h\"\n\n");
  text += usage_function(model, options);
  if (!options.empty()) text += parse_helpers(options);
  text += parse_function(model, options);
  if (buffer) text += event_callback(model);

  text += str_cat(
      "int main(int argc, char **argv) {\n", "  setvbuf(stdout, NULL, _IOLBF, 0);\n", "  struct ",
      n, "_bpf *skel = ", n, "_bpf__open();\n", "  if (!skel) {\n",
      "    fprintf(stderr, \"%s: out of memory\\n\", argv[0]);\n    return 1;\n  }\n",
      buffer ? "  struct bpf_buffer *events = NULL;\n" : "",
      "  int err = parse_args(argc, argv, skel);\n", "  if (err) {\n    ", n,
      "_bpf__destroy(skel);\n    return err < 0 ? 2 : 0;\n  }\n", "  err = ", n,
      "_bpf__load(skel);\n", "  if (err) {\n",
      "    fprintf(stderr, \"%s: cannot load the eBPF object (%d)\\n\", argv[0], err);\n",
      "    goto cleanup;\n  }\n", "  err = ", n, "_bpf__attach(skel);\n", "  if (err) {\n",
      "    fprintf(stderr, \"%s: cannot attach the eBPF programs (%d)\\n\", argv[0], err);\n",
      "    goto cleanup;\n  }\n");
  if (buffer) {
    text +=
        str_cat("  events = bpf_buffer__open(skel->maps.", buffer->name, ", handle_event, NULL);\n",
                "  if (!events) {\n", "    fprintf(stderr, \"%s: cannot open the ",
                buffer->is_ringbuf ? "ring" : "perf", " buffer ", buffer->name,
                "\\n\", argv[0]);\n", "    err = -1;\n    goto cleanup;\n  }\n",
                "  fprintf(stderr, \"Tracing; Ctrl-C to stop.\\n\");\n", "  for (;;) {\n",
                "    err = bpf_buffer__poll(events, 100);\n",
                "    if (err == -LMP_EINTR) {\n      err = 0;\n      break;\n    }\n",
                "    if (err < 0) {\n",
                "      fprintf(stderr, \"%s: polling the buffer failed (%d)\\n\", argv[0], err);\n",
                "      break;\n    }\n    err = 0;\n  }\n");
  } else {
    text +=
        "  fprintf(stderr, \"Attached; Ctrl-C to stop.\\n\");\n"
        "  for (;;) sleep(1);\n";
  }
  text += str_cat("cleanup:\n", buffer ? "  bpf_buffer__free(events);\n" : "", "  ", n,
                  "_bpf__destroy(skel);\n  return err ? 1 : 0;\n}\n");
  return text;
}

}  // namespace lmp::compiler
