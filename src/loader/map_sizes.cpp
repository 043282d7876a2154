#include "loader/map_sizes.h"

#include <bpf/libbpf.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "loader/libbpf_log.h"

namespace lmp::loader {
namespace {

bool is_cpu_sized(bpf_map_type type) {
  return type == BPF_MAP_TYPE_ARRAY || type == BPF_MAP_TYPE_PERCPU_ARRAY ||
         type == BPF_MAP_TYPE_CPUMAP;
}

std::string type_name(bpf_map_type type) {
  const char* name = libbpf_bpf_map_type_str(type);
  return name ? name : "type " + std::to_string(static_cast<int>(type));
}

std::string map_names(bpf_object* object) {
  std::string names;
  bpf_map* map = nullptr;
  bpf_object__for_each_map(map, object) {
    if (bpf_map__is_internal(map)) continue;
    names += (names.empty() ? "" : ", ") + std::string(bpf_map__name(map));
  }
  return names.empty() ? "none" : names;
}

// The map libbpf reported as failing to create ("map 'NAME': failed to create ..."), if any.
std::optional<std::string> failed_map() {
  auto lines = recent_libbpf_lines();
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    if (!it->starts_with("map '") || it->find("failed to create") == std::string::npos) continue;
    auto end = it->find('\'', 5);
    if (end != std::string::npos) return it->substr(5, end - 5);
  }
  return std::nullopt;
}

}  // namespace

Result<std::vector<MapSize>> parse_map_sizes(const std::vector<std::string>& texts) {
  std::vector<MapSize> sizes;
  for (const std::string& text : texts) {
    auto eq = text.find('=');
    std::string name = text.substr(0, eq);
    uint64_t n = 0;
    bool ok = eq != std::string::npos && !name.empty() && eq + 1 < text.size();
    if (ok) {
      const char* first = text.data() + eq + 1;
      const char* last = text.data() + text.size();
      auto [ptr, ec] = std::from_chars(first, last, n);
      ok = ec == std::errc() && ptr == last && n >= 1 && n <= UINT32_MAX;
    }
    if (!ok)
      return fail(ExitCode::kUsage,
                  "--map-size " + text + ": expected NAME=N with N from 1 to 4294967295",
                  "e.g. --map-size counts=65536");
    sizes.push_back({std::move(name), static_cast<uint32_t>(n)});
  }
  return sizes;
}

Result<std::vector<std::string>> apply_map_sizes(bpf_object* object,
                                                 const std::vector<MapSize>& sizes) {
  for (const MapSize& size : sizes)
    if (bpf_map* map = bpf_object__find_map_by_name(object, size.map.c_str());
        !map || bpf_map__is_internal(map))
      return fail(ExitCode::kUsage,
                  "--map-size: no map " + size.map + " (maps: " + map_names(object) + ")");

  std::vector<std::string> notes;
  auto set = [&](bpf_map* map, int err, const std::string& what) -> Result<void> {
    if (err != 0)
      return fail(ExitCode::kBadPackage, std::string("map ") + bpf_map__name(map) +
                                             ": cannot set " + what + ": " +
                                             std::strerror(err < 0 ? -err : err));
    notes.push_back(std::string("map ") + bpf_map__name(map) + ": " + what);
    return {};
  };
  int cpus = libbpf_num_possible_cpus();
  bpf_map* map = nullptr;
  bpf_object__for_each_map(map, object) {
    if (bpf_map__is_internal(map)) continue;
    auto type = bpf_map__type(map);
    if (type == BPF_MAP_TYPE_STACK_TRACE && bpf_map__value_size(map) == 0)
      LMP_CHECK(
          set(map, bpf_map__set_value_size(map, kStackTraceValueSize),
              "value size 0 -> " + std::to_string(kStackTraceValueSize) + " (127 stack frames)"));
    if (bpf_map__max_entries(map) != 0 || type == BPF_MAP_TYPE_PERF_EVENT_ARRAY) continue;
    uint32_t entries = kDefaultMaxEntries;
    std::string why = "the usual default";
    if (is_cpu_sized(type) && cpus > 0) {
      entries = static_cast<uint32_t>(cpus);
      why = "one per possible CPU";
    } else if (type == BPF_MAP_TYPE_RINGBUF) {
      entries = kDefaultRingBytes;
      why = "256 KiB ring buffer";
    }
    LMP_CHECK(set(map, bpf_map__set_max_entries(map, entries),
                  "max_entries 0 -> " + std::to_string(entries) + " (" + why +
                      "; --map-size NAME=N to change)"));
  }
  for (const MapSize& size : sizes) {
    bpf_map* target = bpf_object__find_map_by_name(object, size.map.c_str());
    LMP_CHECK(set(target, bpf_map__set_max_entries(target, size.max_entries),
                  "max_entries " + std::to_string(size.max_entries) + " (--map-size)"));
  }
  return notes;
}

std::string describe_map(const bpf_map* map) {
  return std::string(bpf_map__name(map)) + " (" + type_name(bpf_map__type(map)) + ", key " +
         std::to_string(bpf_map__key_size(map)) + " B, value " +
         std::to_string(bpf_map__value_size(map)) + " B, max_entries " +
         std::to_string(bpf_map__max_entries(map)) + ")";
}

std::optional<Error> map_creation_error(bpf_object* object, int err) {
  auto name = failed_map();
  if (!name) return std::nullopt;
  bpf_map* map = bpf_object__find_map_by_name(object, name->c_str());
  if (!map) return std::nullopt;
  std::string message = "cannot create map " + describe_map(map) + ": " + std::strerror(err);
  std::string hint;
  auto type = bpf_map__type(map);
  long page = sysconf(_SC_PAGESIZE);
  uint32_t entries = bpf_map__max_entries(map);
  if (err == EPERM) {
    message = "the kernel refused to create map " + describe_map(map) + ": " + std::strerror(err);
    hint = "run as root, or raise the memlock limit (ulimit -l)";
  } else if (bpf_map__value_size(map) == 0 && type != BPF_MAP_TYPE_RINGBUF) {
    message += "; its value size is 0";
    hint = "the program must declare the value (__type(value, T) or __uint(value_size, N))";
  } else if (type == BPF_MAP_TYPE_RINGBUF &&
             (page <= 0 || entries % page != 0 || (entries & (entries - 1)) != 0)) {
    message += "; a ring buffer's max_entries must be a power of 2 multiple of the page size";
    hint = "pass --map-size " + *name + "=" + std::to_string(kDefaultRingBytes);
  } else if (err == E2BIG || err == ENOMEM) {
    message += "; max_entries is too large";
    hint = "pass a smaller --map-size " + *name + "=N";
  } else {
    hint = "check the map's definition; its size can be set with --map-size " + *name + "=N";
  }
  return Error{err == EPERM ? ExitCode::kPermission : ExitCode::kKernel, std::move(message),
               std::move(hint)};
}

}  // namespace lmp::loader
