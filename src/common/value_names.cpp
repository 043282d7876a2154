#include "common/value_names.h"

#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>

#include <array>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <limits>
#include <memory>

namespace lmp {
namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// A whole decimal number without sign; nullopt for anything else.
std::optional<int64_t> decimal(std::string_view s) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || value < 0) {
    return std::nullopt;
  }
  return value;
}

// Errors the kernel returns to tracers but never to user space (include/linux/errno.h), which
// glibc does not name.
constexpr std::array<std::pair<int, const char*>, 19> kKernelErrnos = {{
    {512, "ERESTARTSYS"},
    {513, "ERESTARTNOINTR"},
    {514, "ERESTARTNOHAND"},
    {515, "ENOIOCTLCMD"},
    {516, "ERESTART_RESTARTBLOCK"},
    {517, "EPROBE_DEFER"},
    {518, "EOPENSTALE"},
    {519, "ENOPARAM"},
    {521, "EBADHANDLE"},
    {522, "ENOTSYNC"},
    {523, "EBADCOOKIE"},
    {524, "ENOTSUPP"},
    {525, "ETOOSMALL"},
    {526, "ESERVERFAULT"},
    {527, "EBADTYPE"},
    {528, "EJUKEBOX"},
    {529, "EIOCBQUEUED"},
    {530, "ERECALLCONFLICT"},
    {531, "ENOGRACE"},
}};
constexpr int kMaxUserErrno = 200;  // above EHWPOISON (133) on every architecture

// glibc reserves the first two real-time signals (32, 33) for itself; `kill -l` and
// SIGRTMIN count from the third, and so do the names here.
constexpr int kKernelRtMin = 32;
constexpr int kKernelRtMax = 64;

// A bit set: `fields` are multi-bit values compared under their mask (the access mode of
// open, the mapping type of mmap); `bits` are single flags, or several bits that must all be
// set (O_TMPFILE), listed before the flags they contain.
struct Flag {
  uint64_t mask;
  uint64_t value;
  const char* name;
};
struct FlagSet {
  std::string_view name;
  std::vector<Flag> fields;
  std::vector<Flag> bits;
  const char* zero;  // text for 0 when no field names it, or nullptr ("0")
};

// The kernel's O_LARGEFILE (set by the kernel on 64-bit opens): glibc defines it as 0 there.
#if defined(__aarch64__) || defined(__arm__)
constexpr uint64_t kOLargefile = 0400000;
#else
constexpr uint64_t kOLargefile = 0100000;  // asm-generic, x86
#endif

const std::vector<FlagSet>& flag_sets() {
  static const std::vector<FlagSet> sets = {
      {"open",
       {{O_ACCMODE, O_RDONLY, "O_RDONLY"},
        {O_ACCMODE, O_WRONLY, "O_WRONLY"},
        {O_ACCMODE, O_RDWR, "O_RDWR"}},
       {{O_TMPFILE, O_TMPFILE, "O_TMPFILE"},
        {O_SYNC, O_SYNC, "O_SYNC"},
        {O_CREAT, O_CREAT, "O_CREAT"},
        {O_EXCL, O_EXCL, "O_EXCL"},
        {O_NOCTTY, O_NOCTTY, "O_NOCTTY"},
        {O_TRUNC, O_TRUNC, "O_TRUNC"},
        {O_APPEND, O_APPEND, "O_APPEND"},
        {O_NONBLOCK, O_NONBLOCK, "O_NONBLOCK"},
        {O_DSYNC, O_DSYNC, "O_DSYNC"},
        {O_ASYNC, O_ASYNC, "O_ASYNC"},
        {O_DIRECT, O_DIRECT, "O_DIRECT"},
        {kOLargefile, kOLargefile, "O_LARGEFILE"},
        {O_DIRECTORY, O_DIRECTORY, "O_DIRECTORY"},
        {O_NOFOLLOW, O_NOFOLLOW, "O_NOFOLLOW"},
        {O_NOATIME, O_NOATIME, "O_NOATIME"},
        {O_CLOEXEC, O_CLOEXEC, "O_CLOEXEC"},
        {O_PATH, O_PATH, "O_PATH"}},
       nullptr},
      {"mmap_prot",
       {},
       {{PROT_READ, PROT_READ, "PROT_READ"},
        {PROT_WRITE, PROT_WRITE, "PROT_WRITE"},
        {PROT_EXEC, PROT_EXEC, "PROT_EXEC"},
        {0x8, 0x8, "PROT_SEM"},
        {PROT_GROWSDOWN, PROT_GROWSDOWN, "PROT_GROWSDOWN"},
        {PROT_GROWSUP, PROT_GROWSUP, "PROT_GROWSUP"}},
       "PROT_NONE"},
      {"mmap",
       {{0x3, MAP_SHARED, "MAP_SHARED"},
        {0x3, MAP_PRIVATE, "MAP_PRIVATE"},
        {0x3, 0x3, "MAP_SHARED_VALIDATE"}},
       {{MAP_FIXED, MAP_FIXED, "MAP_FIXED"},
        {MAP_ANONYMOUS, MAP_ANONYMOUS, "MAP_ANONYMOUS"},
        {MAP_GROWSDOWN, MAP_GROWSDOWN, "MAP_GROWSDOWN"},
        {MAP_DENYWRITE, MAP_DENYWRITE, "MAP_DENYWRITE"},
        {MAP_EXECUTABLE, MAP_EXECUTABLE, "MAP_EXECUTABLE"},
        {MAP_LOCKED, MAP_LOCKED, "MAP_LOCKED"},
        {MAP_NORESERVE, MAP_NORESERVE, "MAP_NORESERVE"},
        {MAP_POPULATE, MAP_POPULATE, "MAP_POPULATE"},
        {MAP_NONBLOCK, MAP_NONBLOCK, "MAP_NONBLOCK"},
        {MAP_STACK, MAP_STACK, "MAP_STACK"},
        {MAP_HUGETLB, MAP_HUGETLB, "MAP_HUGETLB"},
        {0x80000, 0x80000, "MAP_SYNC"},
        {0x100000, 0x100000, "MAP_FIXED_NOREPLACE"},
        {0x4000000, 0x4000000, "MAP_UNINITIALIZED"}},
       nullptr},
      {"clone",
       {},
       {{CLONE_VM, CLONE_VM, "CLONE_VM"},
        {CLONE_FS, CLONE_FS, "CLONE_FS"},
        {CLONE_FILES, CLONE_FILES, "CLONE_FILES"},
        {CLONE_SIGHAND, CLONE_SIGHAND, "CLONE_SIGHAND"},
        {0x1000, 0x1000, "CLONE_PIDFD"},
        {CLONE_PTRACE, CLONE_PTRACE, "CLONE_PTRACE"},
        {CLONE_VFORK, CLONE_VFORK, "CLONE_VFORK"},
        {CLONE_PARENT, CLONE_PARENT, "CLONE_PARENT"},
        {CLONE_THREAD, CLONE_THREAD, "CLONE_THREAD"},
        {CLONE_NEWNS, CLONE_NEWNS, "CLONE_NEWNS"},
        {CLONE_SYSVSEM, CLONE_SYSVSEM, "CLONE_SYSVSEM"},
        {CLONE_SETTLS, CLONE_SETTLS, "CLONE_SETTLS"},
        {CLONE_PARENT_SETTID, CLONE_PARENT_SETTID, "CLONE_PARENT_SETTID"},
        {CLONE_CHILD_CLEARTID, CLONE_CHILD_CLEARTID, "CLONE_CHILD_CLEARTID"},
        {0x400000, 0x400000, "CLONE_DETACHED"},
        {CLONE_UNTRACED, CLONE_UNTRACED, "CLONE_UNTRACED"},
        {CLONE_CHILD_SETTID, CLONE_CHILD_SETTID, "CLONE_CHILD_SETTID"},
        {0x2000000, 0x2000000, "CLONE_NEWCGROUP"},
        {CLONE_NEWUTS, CLONE_NEWUTS, "CLONE_NEWUTS"},
        {CLONE_NEWIPC, CLONE_NEWIPC, "CLONE_NEWIPC"},
        {CLONE_NEWUSER, CLONE_NEWUSER, "CLONE_NEWUSER"},
        {CLONE_NEWPID, CLONE_NEWPID, "CLONE_NEWPID"},
        {CLONE_NEWNET, CLONE_NEWNET, "CLONE_NEWNET"},
        {CLONE_IO, CLONE_IO, "CLONE_IO"}},
       nullptr},
  };
  return sets;
}

const FlagSet* find_set(std::string_view name) {
  for (const auto& set : flag_sets()) {
    if (set.name == name) return &set;
  }
  return nullptr;
}

std::string hex(uint64_t value) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value, 16);
  return "0x" + std::string(buf, end);
}

}  // namespace

std::optional<std::string> errno_name(int64_t value) {
  if (value == std::numeric_limits<int64_t>::min() || value == 0) return std::nullopt;
  if (value < 0) value = -value;
  if (value <= kMaxUserErrno) {
    if (const char* name = strerrorname_np(static_cast<int>(value))) return std::string(name);
  }
  for (const auto& [number, name] : kKernelErrnos) {
    if (number == value) return std::string(name);
  }
  return std::nullopt;
}

std::optional<int64_t> errno_number(std::string_view name) {
  if (auto number = decimal(name)) return number;
  std::string wanted = upper(name);
  for (int n = 1; n <= kMaxUserErrno; ++n) {
    const char* known = strerrorname_np(n);
    if (known && wanted == known) return n;
  }
  for (const auto& [number, known] : kKernelErrnos) {
    if (wanted == known) return number;
  }
  return std::nullopt;
}

std::optional<std::string> signal_name(int64_t value) {
  if (value <= 0 || value > kKernelRtMax) return std::nullopt;
  int sig = static_cast<int>(value);
  if (sig < kKernelRtMin) {
    const char* abbrev = sigabbrev_np(sig);
    if (!abbrev) return std::nullopt;
    return "SIG" + std::string(abbrev);
  }
  if (sig < SIGRTMIN) return "SIG" + std::to_string(sig);
  if (sig == SIGRTMIN) return std::string("SIGRTMIN");
  if (sig == SIGRTMAX) return std::string("SIGRTMAX");
  return "SIGRTMIN+" + std::to_string(sig - SIGRTMIN);
}

std::optional<int64_t> signal_number(std::string_view name) {
  if (auto number = decimal(name)) {
    if (*number > 0 && *number <= kKernelRtMax) return number;
    return std::nullopt;
  }
  std::string wanted = upper(name);
  if (wanted.starts_with("SIG")) wanted.erase(0, 3);
  for (int sig = 1; sig < kKernelRtMin; ++sig) {
    const char* abbrev = sigabbrev_np(sig);
    if (abbrev && wanted == abbrev) return sig;
  }
  if (wanted == "IOT") return SIGABRT;
  if (wanted == "POLL") return SIGIO;
  if (wanted == "CLD") return SIGCHLD;
  // RTMIN, RTMAX, RTMIN+N, RTMAX-N, and the glibc-reserved 32/33 as written by signal_name.
  auto rt = [&](std::string_view base, int origin, char sign) -> std::optional<int64_t> {
    std::string_view rest(wanted);
    if (!rest.starts_with(base)) return std::nullopt;
    rest.remove_prefix(base.size());
    int64_t offset = 0;
    if (!rest.empty()) {
      if (rest.front() != sign) return std::nullopt;
      auto n = decimal(rest.substr(1));
      if (!n) return std::nullopt;
      offset = *n;
    }
    int64_t sig = sign == '+' ? origin + offset : origin - offset;
    if (sig < SIGRTMIN || sig > SIGRTMAX) return std::nullopt;
    return sig;
  };
  if (auto sig = rt("RTMIN", SIGRTMIN, '+')) return sig;
  if (auto sig = rt("RTMAX", SIGRTMAX, '-')) return sig;
  if (auto n = decimal(wanted); n && *n >= kKernelRtMin && *n <= kKernelRtMax) return n;
  return std::nullopt;
}

std::optional<std::string> syscall_name(int64_t value) {
  if (value < 0 || value > 0xffff) return std::nullopt;
  std::unique_ptr<char, decltype(&std::free)> name(
      seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, static_cast<int>(value)), &std::free);
  if (!name) return std::nullopt;
  return std::string(name.get());
}

std::optional<int64_t> syscall_number(std::string_view name) {
  if (auto number = decimal(name)) return number;
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.empty()) return std::nullopt;
  int number = seccomp_syscall_resolve_name(lower.c_str());
  if (number < 0) return std::nullopt;  // __NR_SCMP_ERROR, or a pseudo call of another arch
  return number;
}

std::optional<std::string> flags_text(std::string_view set_name, uint64_t value) {
  const FlagSet* set = find_set(set_name);
  if (!set) return std::nullopt;
  std::string out;
  auto add = [&](const std::string& part) { out += (out.empty() ? "" : "|") + part; };
  uint64_t rest = value;
  for (const Flag& field : set->fields) {
    if ((value & field.mask) == field.value) {
      add(field.name);
      rest &= ~field.mask;
      break;
    }
  }
  for (const Flag& bit : set->bits) {
    if (bit.mask != 0 && (rest & bit.mask) == bit.mask) {
      add(bit.name);
      rest &= ~bit.mask;
    }
  }
  if (rest != 0) add(hex(rest));
  if (out.empty()) return std::string(set->zero ? set->zero : "0");
  return out;
}

std::optional<uint64_t> flags_number(std::string_view set_name, std::string_view text) {
  const FlagSet* set = find_set(set_name);
  if (!set) return std::nullopt;
  uint64_t value = 0;
  while (!text.empty()) {
    size_t bar = text.find('|');
    std::string part = upper(text.substr(0, bar));
    text = bar == std::string_view::npos ? std::string_view() : text.substr(bar + 1);
    bool known = false;
    for (const auto* list : {&set->fields, &set->bits}) {
      for (const Flag& flag : *list) {
        if (part == flag.name) value |= flag.value, known = true;
      }
    }
    if (set->zero && part == set->zero) known = true;
    if (!known) {
      uint64_t bits = 0;
      int base = part.starts_with("0X") ? 16 : 10;
      const char* begin = part.data() + (base == 16 ? 2 : 0);
      auto [end, ec] = std::from_chars(begin, part.data() + part.size(), bits, base);
      if (part.empty() || ec != std::errc() || end != part.data() + part.size()) {
        return std::nullopt;
      }
      value |= bits;
    }
  }
  return value;
}

bool is_flag_set(std::string_view set) {
  return find_set(set) != nullptr;
}

std::vector<std::string_view> flag_set_names() {
  std::vector<std::string_view> names;
  for (const auto& set : flag_sets()) names.push_back(set.name);
  return names;
}

}  // namespace lmp
