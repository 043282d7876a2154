#include "output/user_maps.h"

#include <charconv>
#include <chrono>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

namespace lmp::output::detail {
namespace {

std::optional<uint64_t> hex_number(std::string_view text) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

struct ProcessMaps {
  std::vector<UserMapping> mappings;
  std::chrono::steady_clock::time_point read_at;
  bool exists = false;
};

std::mutex cache_mutex;
std::map<int64_t, ProcessMaps> cache;
constexpr std::size_t kMaxProcesses = 256;

ProcessMaps read_maps(int64_t pid) {
  ProcessMaps maps;
  maps.read_at = std::chrono::steady_clock::now();
  std::ifstream in("/proc/" + std::to_string(pid) + "/maps");
  if (!in) return maps;
  std::stringstream text;
  text << in.rdbuf();
  maps.exists = true;
  maps.mappings = parse_user_maps(text.str());
  return maps;
}

const UserMapping* find(const std::vector<UserMapping>& mappings, uint64_t address) {
  for (const UserMapping& m : mappings)
    if (address >= m.start && address < m.end) return &m;
  return nullptr;
}

}  // namespace

std::vector<UserMapping> parse_user_maps(std::string_view maps_text) {
  std::vector<UserMapping> mappings;
  while (!maps_text.empty()) {
    std::size_t newline = maps_text.find('\n');
    std::string_view line = maps_text.substr(0, newline);
    maps_text.remove_prefix(newline == std::string_view::npos ? maps_text.size() : newline + 1);
    // START-END PERMS OFFSET DEV INODE [PATH]
    std::vector<std::string_view> fields;
    std::size_t at = 0;
    while (fields.size() < 5 && at < line.size()) {
      std::size_t space = line.find(' ', at);
      fields.push_back(line.substr(at, space - at));
      if (space == std::string_view::npos) {
        at = line.size();
        break;
      }
      at = line.find_first_not_of(' ', space);
      if (at == std::string_view::npos) at = line.size();
    }
    if (fields.size() < 5 || at >= line.size()) continue;  // anonymous: no path
    std::string_view path = line.substr(at);
    if (path.empty() || path.front() != '/' || fields[1].size() < 3 || fields[1][2] != 'x')
      continue;
    std::size_t dash = fields[0].find('-');
    if (dash == std::string_view::npos) continue;
    auto start = hex_number(fields[0].substr(0, dash));
    auto end = hex_number(fields[0].substr(dash + 1));
    auto offset = hex_number(fields[2]);
    if (!start || !end || !offset || *end <= *start) continue;
    if (path.ends_with(" (deleted)")) path.remove_suffix(10);
    std::size_t slash = path.rfind('/');
    mappings.push_back({*start, *end, *offset, std::string(path.substr(slash + 1))});
  }
  return mappings;
}

std::optional<std::string> user_address_text(int64_t pid, uint64_t address) {
  if (pid <= 0) return std::nullopt;
  std::lock_guard lock(cache_mutex);
  auto it = cache.find(pid);
  auto now = std::chrono::steady_clock::now();
  if (it == cache.end()) {
    if (cache.size() >= kMaxProcesses) cache.erase(cache.begin());
    it = cache.emplace(pid, read_maps(pid)).first;
  }
  const UserMapping* mapping = find(it->second.mappings, address);
  if (!mapping && now - it->second.read_at >= std::chrono::seconds(1)) {
    it->second = read_maps(pid);  // a library loaded since, or another process of that pid
    mapping = find(it->second.mappings, address);
  }
  if (!mapping) return std::nullopt;
  char offset[24];
  auto [end, ec] =
      std::to_chars(offset, offset + sizeof offset, address - mapping->start + mapping->offset, 16);
  return mapping->module + "+0x" + std::string(offset, end);
}

}  // namespace lmp::output::detail
