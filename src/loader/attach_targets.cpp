// uprobes, uretprobes and USDT probes on a target from --attach or from the section name.
#include "loader/attach_targets.h"

#include <bpf/libbpf.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <sstream>
#include <vector>

#include "loader/bpf_object_handle.h"

namespace lmp::loader {
namespace {

const char* const kUprobeExample =
    "e.g. --attach PROGRAM=libc.so.6:malloc or PROGRAM=/bin/bash:readline";
const char* const kUsdtExample = "e.g. --attach PROGRAM=/usr/bin/python3:python:function__entry";

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::istringstream in(text);
  std::string part;
  while (std::getline(in, part, separator))
    if (!part.empty()) parts.push_back(part);
  return parts;
}

// The directories libbpf searches for a library (LD_LIBRARY_PATH first), plus Debian's
// multiarch ones, where libc.so.6 lives.
std::vector<std::string> library_dirs() {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("LD_LIBRARY_PATH")) dirs = split(env, ':');
  for (const char* dir : {"/usr/lib64", "/usr/lib", "/lib64", "/lib"}) dirs.push_back(dir);
#if defined(__x86_64__)
  dirs.insert(dirs.end(), {"/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu"});
#elif defined(__aarch64__)
  dirs.insert(dirs.end(), {"/usr/lib/aarch64-linux-gnu", "/lib/aarch64-linux-gnu"});
#endif
  return dirs;
}

bool parse_number(const std::string& text, unsigned long& value) {
  if (text.empty()) return false;
  char* end = nullptr;
  errno = 0;
  value = std::strtoul(text.c_str(), &end, 0);
  return errno == 0 && *end == '\0' && std::isdigit(static_cast<unsigned char>(text[0]));
}

// The section's own target: the text after "uprobe/", "usdt/", ...; empty when none.
std::string section_target(const std::string& section) {
  auto slash = section.find('/');
  return slash == std::string::npos ? std::string() : section.substr(slash + 1);
}

// The --attach target for the program, which overrides the section's own.
std::string target_text(bpf_program* program, const AttachContext& context) {
  auto given = context.targets.find(bpf_program__name(program));
  if (given != context.targets.end()) return given->second;
  return section_target(bpf_program__section_name(program));
}

Result<Attachments> one_link(bpf_link* link) {
  Attachments attachments;
  attachments.push_back(std::make_unique<LinkAttachment>(link));
  return attachments;
}

ExitCode code_for_attach_targets(int err) {
  return err == EPERM || err == EACCES ? ExitCode::kPermission : ExitCode::kKernel;
}

Result<Attachments> attach_uprobe(bpf_program* program, const std::string& text, bool retprobe) {
  UprobeTarget target = LMP_TRY(parse_uprobe_target(text));
  std::string path = LMP_TRY(resolve_binary(target.binary));
  LIBBPF_OPTS(bpf_uprobe_opts, opts, .retprobe = retprobe);
  if (!target.function.empty()) opts.func_name = target.function.c_str();
  bpf_link* link = bpf_program__attach_uprobe_opts(program, -1, path.c_str(),
                                                   static_cast<size_t>(target.offset), &opts);
  if (link) return one_link(link);
  int err = errno;
  if (err == ENOENT && !target.function.empty())
    return fail(ExitCode::kNotFound, "no function " + target.function + " in " + path,
                "list its symbols with: nm -D " + path + " (or nm " + path + ")");
  return fail(code_for_attach_targets(err), "uprobe on " + path + ": " + libbpf_error_text(err),
              "run with -v to see libbpf's messages");
}

Result<Attachments> attach_usdt(bpf_program* program, const std::string& text) {
  UsdtTarget target = LMP_TRY(parse_usdt_target(text));
  std::string path = LMP_TRY(resolve_binary(target.binary));
  bpf_link* link = bpf_program__attach_usdt(program, -1, path.c_str(), target.provider.c_str(),
                                            target.name.c_str(), nullptr);
  if (link) return one_link(link);
  int err = errno;
  if (err == ENOENT)
    return fail(ExitCode::kNotFound,
                "no USDT probe " + target.provider + ":" + target.name + " in " + path,
                "list its probes with: readelf -n " + path);
  if (err == ESRCH)  // libbpf found no __bpf_usdt_specs map in the object
    return fail(ExitCode::kBadPackage, "the program is not built for USDT",
                "include <bpf/usdt.bpf.h> and declare it with BPF_USDT(...)");
  return fail(code_for_attach_targets(err), "USDT probe on " + path + ": " + libbpf_error_text(err),
              "run with -v to see libbpf's messages");
}

}  // namespace

Result<UprobeTarget> parse_uprobe_target(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
    return fail(ExitCode::kUsage, "uprobe target '" + text + "': expected BINARY:FUNCTION[+OFFSET]",
                kUprobeExample);
  UprobeTarget target{text.substr(0, colon), text.substr(colon + 1), 0};
  if (parse_number(target.function, target.offset)) {
    target.function.clear();  // BINARY:OFFSET
    return target;
  }
  if (auto plus = target.function.find('+'); plus != std::string::npos) {
    if (plus == 0 || !parse_number(target.function.substr(plus + 1), target.offset))
      return fail(
          ExitCode::kUsage,
          "uprobe target '" + text + "': expected BINARY:FUNCTION+OFFSET with a number OFFSET",
          kUprobeExample);
    target.function.resize(plus);
  }
  return target;
}

Result<UsdtTarget> parse_usdt_target(const std::string& text) {
  auto last = text.rfind(':');
  auto middle =
      last == std::string::npos || last == 0 ? std::string::npos : text.rfind(':', last - 1);
  if (middle == std::string::npos || middle == 0 || middle + 1 == last || last + 1 == text.size())
    return fail(ExitCode::kUsage, "USDT target '" + text + "': expected BINARY:PROVIDER:NAME",
                kUsdtExample);
  return UsdtTarget{text.substr(0, middle), text.substr(middle + 1, last - middle - 1),
                    text.substr(last + 1)};
}

Result<std::string> resolve_binary(const std::string& binary) {
  if (binary.find('/') != std::string::npos) {
    if (access(binary.c_str(), R_OK) != 0)
      return fail(ExitCode::kNotFound, "binary " + binary + " not found (or not readable)");
    return binary;
  }
  bool library = binary.find(".so") != std::string::npos;
  std::vector<std::string> dirs;
  if (library) {
    dirs = library_dirs();
  } else if (const char* env = std::getenv("PATH")) {
    dirs = split(env, ':');
  }
  for (const auto& dir : dirs) {
    std::string candidate = dir + "/" + binary;
    if (access(candidate.c_str(), R_OK) == 0) return candidate;
  }
  return fail(ExitCode::kNotFound,
              (library ? "library " : "program ") + binary + " not found in " +
                  (library ? "LD_LIBRARY_PATH or the system library directories" : "PATH"),
              "give its full path, e.g. /usr/lib/x86_64-linux-gnu/" + binary);
}

Result<void> check_attach_targets(bpf_object* object, const AttachContext& context) {
  std::string probes;
  bpf_program* program = nullptr;
  bpf_object__for_each_program(program, object) {
    if (bpf_program__type(program) == BPF_PROG_TYPE_KPROBE &&
        is_user_probe_section(bpf_program__section_name(program)))
      probes += (probes.empty() ? "" : ", ") + std::string(bpf_program__name(program));
  }
  for (const auto& [name, text] : context.targets) {
    program = bpf_object__find_program_by_name(object, name.c_str());
    if (program && bpf_program__type(program) == BPF_PROG_TYPE_KPROBE &&
        is_user_probe_section(bpf_program__section_name(program)))
      continue;
    return fail(ExitCode::kUsage,
                "--attach " + name + "=" + text + ": " +
                    (program ? "program " + name + " (SEC(\"" + bpf_program__section_name(program) +
                                   "\")) is not a uprobe, uretprobe or USDT program"
                             : "no program named " + name),
                probes.empty() ? "this package has no uprobe, uretprobe or USDT program"
                               : "programs that take --attach: " + probes);
  }
  return {};
}

bool is_user_probe_section(const std::string& section) {
  return section.starts_with("uprobe") || section.starts_with("uretprobe") ||
         section.starts_with("usdt");
}

Result<Attachments> attach_user_probe(bpf_program* program, const AttachContext& context) {
  std::string name = bpf_program__name(program);
  std::string section = bpf_program__section_name(program);
  bool usdt = section.starts_with("usdt");
  std::string text = target_text(program, context);
  if (text.empty())
    return fail(ExitCode::kUsage,
                "the section names no " +
                    std::string(usdt ? "binary and USDT probe" : "binary and function") +
                    ": pass --attach " + name + "=" +
                    (usdt ? "BINARY:PROVIDER:NAME" : "BINARY:FUNCTION"),
                usdt ? kUsdtExample : kUprobeExample);
  // The errors name the binary and function or probe, whether from --attach or the section.
  return usdt ? attach_usdt(program, text)
              : attach_uprobe(program, text, section.starts_with("uretprobe"));
}

}  // namespace lmp::loader
