// Helpers for package tests: a tiny BPF ELF object and package text around it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "package/bpf_object.h"

namespace lmp::package::testing {

// A 64-byte ELF64 little-endian header for EM_BPF, padded with `extra` bytes.
inline std::vector<uint8_t> fake_bpf_elf(std::size_t extra = 0) {
  std::vector<uint8_t> elf(64 + extra, 0);
  elf[0] = 0x7f;
  elf[1] = 'E';
  elf[2] = 'L';
  elf[3] = 'F';
  elf[4] = 2;     // ELFCLASS64
  elf[5] = 1;     // ELFDATA2LSB
  elf[6] = 1;     // EV_CURRENT
  elf[16] = 1;    // ET_REL
  elf[18] = 247;  // EM_BPF
  for (std::size_t i = 64; i < elf.size(); ++i) elf[i] = static_cast<uint8_t>(i * 7);
  return elf;
}

// A minimal valid meta object.
inline nlohmann::json minimal_meta() {
  return {{"bpf_skel", {{"obj_name", "minimal_bpf"}}}};
}

// A meta object using every field of the format.
inline nlohmann::json full_meta() {
  return nlohmann::json::parse(R"({
    "bpf_skel": {
      "obj_name": "runqlat_bpf",
      "data_sections": [
        {"name": ".rodata", "variables": [
          {"name": "min_us", "type": "unsigned long long", "size": 8,
           "description": "minimum latency",
           "cmdarg": {"default": 10, "long": "min", "short": "m", "help": "only slower"}},
          {"name": "targ_comm", "type": "char[16]", "value": "bash", "unit": "name"}
        ]},
        {"name": ".bss", "variables": []}
      ],
      "maps": [
        {"name": "hists", "ident": "hists",
         "sample": {"interval": 1000, "type": "log2_hist", "unit": "usecs", "clear_map": true}},
        {"name": "runqlat.rodata", "ident": "rodata", "mmaped": true},
        {"name": "events", "ident": "events", "export_config": {"format": "lines"}}
      ],
      "progs": [
        {"name": "handle_switch", "attach": "tp_btf/sched_switch", "link": true},
        {"name": "tc_ingress", "attach": "tc", "link": false,
         "tchook": {"ifindex": 1, "attach_point": "BPF_TC_INGRESS"}, "tcopts": {"handle": 1}}
      ],
      "doc": {"version": "1.0", "brief": "run queue latency", "details": "Histogram."}
    },
    "export_types": [
      {"name": "event", "size": 24, "type_id": 613,
       "members": [{"name": "pid", "type": "int", "format": "hex"},
                   {"name": "comm", "type": "char[16]"}]}
    ],
    "eunomia_version": "1.0.0",
    "perf_buffer_pages": 128,
    "perf_buffer_time_ms": 20,
    "poll_timeout_ms": 50,
    "debug_verbose": true,
    "print_header": false,
    "enable_multiple_export_types": true
  })");
}

// Package JSON holding `object` and `meta`.
inline nlohmann::json package_json(const std::vector<uint8_t>& object, nlohmann::json meta) {
  return {{"bpf_object", encode_bpf_object(object)},
          {"bpf_object_size", object.size()},
          {"meta", std::move(meta)}};
}

}  // namespace lmp::package::testing
