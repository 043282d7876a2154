#include "loader/libbpf_log.h"

#include <bpf/libbpf.h>

#include <cstdarg>
#include <cstdio>
#include <deque>
#include <mutex>
#include <string_view>

#include "common/log.h"

namespace lmp::loader {
namespace {

constexpr std::size_t kKeptLines = 40;
constexpr std::string_view kBeginLog = "-- BEGIN PROG LOAD LOG --";
constexpr std::string_view kEndLog = "-- END PROG LOAD LOG --";

struct State {
  std::mutex mutex;
  bool verbose = false;
  std::deque<std::string> lines;
  std::string partial;  // a line printed in pieces
  std::optional<ProgramLoadLog> load_log;
  bool in_load_log = false;
  std::optional<std::string> failed_program;
};

State& state() {
  static State s;
  return s;
}

// "prog 'NAME': ..." -> NAME
std::optional<std::string> program_of(std::string_view line) {
  constexpr std::string_view kPrefix = "prog '";
  auto start = line.find(kPrefix);
  if (start == std::string_view::npos) return std::nullopt;
  start += kPrefix.size();
  auto end = line.find('\'', start);
  if (end == std::string_view::npos) return std::nullopt;
  return std::string(line.substr(start, end - start));
}

void keep_line(State& s, std::string line) {
  if (line.starts_with("libbpf: ")) line.erase(0, 8);
  if (s.verbose) log::debug("libbpf: " + line);
  if (line.find(kBeginLog) != std::string::npos) {
    s.load_log = ProgramLoadLog{program_of(line).value_or("?"), {}};
    s.in_load_log = true;
  } else if (s.in_load_log && line.find(kEndLog) != std::string::npos) {
    s.in_load_log = false;
    auto before = line.substr(0, line.find(kEndLog));
    if (!before.empty()) s.load_log->lines.push_back(before);
  } else if (s.in_load_log) {
    s.load_log->lines.push_back(line);
  }
  if (line.find("failed to load") != std::string::npos ||
      line.find("BPF program load failed") != std::string::npos) {
    if (auto program = program_of(line)) s.failed_program = program;
  }
  s.lines.push_back(std::move(line));
  while (s.lines.size() > kKeptLines) s.lines.pop_front();
}

int print_callback(enum libbpf_print_level, const char* format, va_list args) {
  va_list copy;
  va_copy(copy, args);
  int length = std::vsnprintf(nullptr, 0, format, copy);
  va_end(copy);
  if (length <= 0) return 0;
  std::string text(static_cast<std::size_t>(length) + 1, '\0');
  std::vsnprintf(text.data(), text.size(), format, args);
  text.resize(static_cast<std::size_t>(length));

  State& s = state();
  std::lock_guard lock(s.mutex);
  s.partial += text;
  std::size_t start = 0;
  for (auto nl = s.partial.find('\n'); nl != std::string::npos; nl = s.partial.find('\n', start)) {
    keep_line(s, s.partial.substr(start, nl - start));
    start = nl + 1;
  }
  s.partial.erase(0, start);
  return length;
}

}  // namespace

void install_libbpf_log(bool verbose) {
  {
    std::lock_guard lock(state().mutex);
    state().verbose = verbose;
  }
  libbpf_set_print(print_callback);
}

std::vector<std::string> recent_libbpf_lines() {
  std::lock_guard lock(state().mutex);
  return {state().lines.begin(), state().lines.end()};
}

std::optional<ProgramLoadLog> last_program_load_log() {
  std::lock_guard lock(state().mutex);
  return state().load_log;
}

std::optional<std::string> last_failed_program() {
  std::lock_guard lock(state().mutex);
  return state().failed_program;
}

void clear_libbpf_log() {
  std::lock_guard lock(state().mutex);
  State& s = state();
  s.lines.clear();
  s.partial.clear();
  s.load_log.reset();
  s.in_load_log = false;
  s.failed_program.reset();
}

}  // namespace lmp::loader
