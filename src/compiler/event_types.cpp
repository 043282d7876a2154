#include "compiler/event_types.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <optional>

#include "common/log.h"
#include "compiler/object_meta.h"

namespace lmp::compiler {
namespace {

const btf_type* struct_type(const btf* b, uint32_t id) {
  const btf_type* t = b ? btf__type_by_id(b, id) : nullptr;
  return t && btf_is_struct(t) && btf_vlen(t) > 0 ? t : nullptr;
}

std::string struct_name(const btf* b, uint32_t id) {
  const btf_type* t = btf__type_by_id(b, id);
  return t ? btf__name_by_offset(b, t->name_off) : "";
}

// Named structs of the BTF, in id order: the open candidate list.
std::vector<uint32_t> all_structs(const btf* b) {
  std::vector<uint32_t> ids;
  for (uint32_t id = 1; id < btf__type_cnt(b); ++id)
    if (const btf_type* t = struct_type(b, id); t && t->name_off != 0) ids.push_back(id);
  return ids;
}

// The struct a map's value is, when it is one.
uint32_t map_value_struct(const bpf_object* obj, const std::string& map) {
  const bpf_map* m = bpf_object__find_map_by_name(obj, map.c_str());
  const btf* b = bpf_object__btf(obj);
  if (!m || !b || bpf_map__btf_value_type_id(m) == 0) return 0;
  int id = btf__resolve_type(b, bpf_map__btf_value_type_id(m));
  return id > 0 && struct_type(b, static_cast<uint32_t>(id)) ? static_cast<uint32_t>(id) : 0;
}

std::vector<std::string> event_buffers(const bpf_object* obj) {
  std::vector<std::string> names;
  bpf_map* m = nullptr;
  bpf_object__for_each_map(m, obj) {
    auto type = bpf_map__type(m);
    if (type == BPF_MAP_TYPE_RINGBUF || type == BPF_MAP_TYPE_PERF_EVENT_ARRAY)
      names.push_back(bpf_map__name(m));
  }
  return names;
}

const package::MapInfo* map_info(const package::Meta& meta, const std::string& buffer) {
  for (const auto& m : meta.bpf_skel.maps)
    if (m.name == buffer || m.ident == buffer) return &m;
  return nullptr;
}

// The struct a map's export_config names: {"btf_type_id": N} or {"struct": "NAME"}.
uint32_t configured_struct(const btf* b, const package::MapInfo* map) {
  if (!map || !map->export_config.is_object()) return 0;
  const auto& config = map->export_config;
  if (auto it = config.find("btf_type_id"); it != config.end() && it->is_number_unsigned())
    if (struct_type(b, it->get<uint32_t>())) return it->get<uint32_t>();
  if (auto it = config.find("struct"); it != config.end() && it->is_string()) {
    int id = btf__find_by_name_kind(b, it->get<std::string>().c_str(), BTF_KIND_STRUCT);
    if (id > 0) return static_cast<uint32_t>(id);
  }
  return 0;
}

BufferChoice pick(const btf* b, const std::vector<uint32_t>& hits, bool sure) {
  BufferChoice c;
  if (hits.empty()) return c;
  c.type_id = hits.front();
  c.guess = !sure || hits.size() > 1;
  for (std::size_t i = 1; i < hits.size(); ++i) c.alternatives.push_back(struct_name(b, hits[i]));
  return c;
}

}  // namespace

bool record_fits(const btf* b, uint32_t type_id, uint32_t size) {
  const btf_type* t = struct_type(b, type_id);
  if (!t) return false;
  if (size == t->size) return true;
  const btf_member& last = btf_members(t)[btf_vlen(t) - 1];
  const btf_type* lt = btf__type_by_id(b, static_cast<uint32_t>(btf__resolve_type(b, last.type)));
  uint32_t start = btf_member_bit_offset(t, btf_vlen(t) - 1) / 8;
  return lt && btf_is_array(lt) && size >= start && size < t->size;
}

BufferChoice choose_buffer_type(const bpf_object* obj, const BufferEvidence& evidence,
                                const std::vector<uint32_t>& candidates) {
  const btf* b = bpf_object__btf(obj);
  if (!b) return {};
  bool open = candidates.empty();
  std::vector<uint32_t> pool = open ? all_structs(b) : candidates;
  auto in_pool = [&](uint32_t id) { return std::find(pool.begin(), pool.end(), id) != pool.end(); };
  // The value of a map the program sends is the record, whatever its size.
  std::vector<uint32_t> hits;
  for (const auto& map : evidence.value_maps)
    if (uint32_t id = map_value_struct(obj, map);
        id && in_pool(id) && std::find(hits.begin(), hits.end(), id) == hits.end())
      hits.push_back(id);
  if (hits.size() == 1) return pick(b, hits, true);
  if (!evidence.sizes.empty()) {
    // An exact size beats a record that only fits as a cut trailing array.
    std::vector<uint32_t> exact, cut;
    for (uint32_t id : pool) {
      auto fits = [&](uint32_t s) { return record_fits(b, id, s); };
      auto equal = [&](uint32_t s) { return s == btf__type_by_id(b, id)->size; };
      if (std::all_of(evidence.sizes.begin(), evidence.sizes.end(), equal))
        exact.push_back(id);
      else if (std::all_of(evidence.sizes.begin(), evidence.sizes.end(), fits))
        cut.push_back(id);
    }
    // Open search: only an exact size counts, and only when one struct has it.
    if (open) return exact.size() == 1 ? pick(b, exact, true) : BufferChoice{};
    return pick(b, exact.empty() ? cut : exact, true);
  }
  if (open) return {};
  if (evidence.variable) {  // sizes computed at run time: structs ending in an array
    hits.clear();
    for (uint32_t id : pool)
      if (const btf_type* t = struct_type(b, id);
          t && t->size > 0 && record_fits(b, id, t->size - 1))
        hits.push_back(id);
    if (!hits.empty()) return pick(b, hits, hits.size() == 1);
  }
  return pick(b, pool, pool.size() == 1);
}

Result<void> plan_export_types(const bpf_object* obj, std::span<const uint8_t> elf,
                               const std::vector<std::string>& names, package::Meta& meta) {
  const btf* b = bpf_object__btf(obj);
  if (!b) return {};
  std::vector<uint32_t> candidates;
  for (const auto& n : names) {
    int id = btf__find_by_name_kind(b, n.c_str(), BTF_KIND_STRUCT);
    if (id > 0)
      candidates.push_back(static_cast<uint32_t>(id));
    else
      log::warn("struct " + n + " is not defined where the program can see it; not exported");
  }
  if (!names.empty() && candidates.empty()) {
    if (!event_buffers(obj).empty())
      log::warn(
          "no export type: the program's ring/perf buffer events will not be printed; "
          "name the header that defines the event struct (lmp build SRC.bpf.c HEADER.h)");
    return {};
  }
  auto evidence = read_record_evidence(elf);
  if (!evidence) log::debug("record sizes: " + evidence.error().message);
  std::vector<uint32_t> chosen;
  bool undecided = false;  // some buffer got no struct, or only a guessed one
  for (const auto& buffer : event_buffers(obj)) {
    package::MapInfo* map = nullptr;
    for (auto& m : meta.bpf_skel.maps)
      if (m.name == buffer || m.ident == buffer) map = &m;
    BufferChoice c;
    c.type_id = configured_struct(b, map);
    if (c.type_id == 0) {
      BufferEvidence e;
      if (evidence)
        if (auto it = evidence->find(buffer); it != evidence->end()) e = it->second;
      c = choose_buffer_type(obj, e, candidates);
      if (c.type_id == 0) {
        undecided = true;
        std::string sizes;
        for (uint32_t size : e.sizes) sizes += (sizes.empty() ? "" : "/") + std::to_string(size);
        if (!names.empty() && !sizes.empty())
          log::warn("buffer " + buffer + ": its " + sizes +
                    "-byte records fit none of the export structs; the first decodes them");
        else if (names.empty())
          log::warn("buffer " + buffer + ": cannot tell which struct its " +
                    (sizes.empty() ? std::string("events are") : sizes + "-byte records are") +
                    " (one struct of that size must be in the object's BTF); mark it with "
                    "/// @export, or keep it in BTF with a global `struct NAME *unused_NAME;`");
        continue;
      }
      if (c.guess) {
        std::string also;
        for (const auto& a : c.alternatives) also += (also.empty() ? "; " : ", ") + a;
        log::warn("buffer " + buffer + ": guessing its events are struct " +
                  struct_name(b, c.type_id) + (also.empty() ? "" : also + " fit too") +
                  "; mark the event struct with /// @export");
        undecided = true;
      }
      if (map) map->export_config = {{"btf_type_id", c.type_id}};
    }
    if (std::find(chosen.begin(), chosen.end(), c.type_id) == chosen.end())
      chosen.push_back(c.type_id);
  }
  std::size_t matched = chosen.size();
  // Structs no buffer was matched to stay exported (in their order) when some buffer is
  // undecided or there is none: the old rule, the first serves.
  if (undecided || chosen.empty())
    for (uint32_t id : candidates)
      if (std::find(chosen.begin(), chosen.end(), id) == chosen.end()) chosen.push_back(id);
  for (uint32_t id : chosen)
    meta.export_types.push_back(LMP_TRY(make_export_type(b, struct_name(b, id))));
  meta.enable_multiple_export_types = matched > 1;
  return {};
}

std::map<std::string, package::ExportType> export_types_for_buffers(
    const bpf_object* obj, std::span<const uint8_t> elf, const package::Meta& meta,
    const std::vector<std::string>& buffers) {
  std::map<std::string, package::ExportType> result;
  const btf* b = obj ? bpf_object__btf(obj) : nullptr;
  std::optional<std::map<std::string, BufferEvidence>> evidence;
  if (meta.export_types.size() > 1 && b)
    if (auto read = read_record_evidence(elf)) evidence = std::move(*read);
  for (std::size_t i = 0; i < buffers.size(); ++i) {
    if (uint32_t id = b ? configured_struct(b, map_info(meta, buffers[i])) : 0) {
      auto same = std::find_if(meta.export_types.begin(), meta.export_types.end(),
                               [&](const auto& t) { return t.type_id == id; });
      if (same != meta.export_types.end()) {
        result[buffers[i]] = *same;
        continue;
      }
      if (auto made = make_export_type(b, struct_name(b, id))) {
        result[buffers[i]] = std::move(*made);
        continue;
      }
    }
    if (meta.export_types.empty()) continue;
    std::size_t index =
        meta.enable_multiple_export_types ? std::min(i, meta.export_types.size() - 1) : 0;
    if (evidence) {
      std::vector<uint32_t> ids;
      for (const auto& t : meta.export_types) ids.push_back(t.type_id);
      BufferEvidence e;
      if (auto it = evidence->find(buffers[i]); it != evidence->end()) e = it->second;
      if (BufferChoice c = choose_buffer_type(obj, e, ids); c.type_id && !c.guess)
        index =
            static_cast<std::size_t>(std::find(ids.begin(), ids.end(), c.type_id) - ids.begin());
    }
    result[buffers[i]] = meta.export_types[index];
  }
  return result;
}

}  // namespace lmp::compiler
