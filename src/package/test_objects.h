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

// Package JSON holding `object` and `meta`.
inline nlohmann::json package_json(const std::vector<uint8_t>& object, nlohmann::json meta) {
  return {{"bpf_object", encode_bpf_object(object)},
          {"bpf_object_size", object.size()},
          {"meta", std::move(meta)}};
}

}  // namespace lmp::package::testing
