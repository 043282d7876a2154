// The package model: eunomia-bpf compatible package.json (JSON or YAML).
// See docs/package-format.md. This module never touches the kernel or the network.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"

namespace lmp::package {

// `@cmdarg` of a global: how it appears as a program option.
struct CmdArg {
  std::optional<nlohmann::json> default_value;  // JSON key "default"
  std::string long_name;                        // JSON key "long"; empty = derive from name
  std::string short_name;                       // JSON key "short"; one character or empty
  std::string help;                             // JSON key "help"

  bool operator==(const CmdArg&) const = default;
};

// One global variable of a data section (.rodata, .bss, .data, ...).
struct Variable {
  std::string name;
  std::string type;         // C type text from BTF, e.g. "unsigned int", "char[16]"
  std::string description;  // from `///` plain text or @description
  std::optional<CmdArg> cmdarg;
  std::optional<nlohmann::json> value;              // initial value set before load
  nlohmann::json extra = nlohmann::json::object();  // other @key annotations, kept verbatim

  bool operator==(const Variable&) const = default;
};

struct DataSection {
  std::string name;  // ".rodata", ".bss", ...
  std::vector<Variable> variables;

  bool operator==(const DataSection&) const = default;
};

// `@sample` of a map: how `lmp run` samples and prints it.
struct Sample {
  uint32_t interval_ms = 1000;
  std::string type = "default_kv";  // "log2_hist" | "linear_hist" | "default_kv"
  std::string unit;                 // e.g. "usecs"; default depends on type
  bool clear_map = false;

  bool operator==(const Sample&) const = default;
};

struct MapInfo {
  std::string name;   // name in the ELF object
  std::string ident;  // C identifier
  std::optional<bool> mmaped;
  std::optional<Sample> sample;
  nlohmann::json export_config;                     // opaque, may be null
  nlohmann::json extra = nlohmann::json::object();  // other @key annotations

  bool operator==(const MapInfo&) const = default;
};

struct ProgInfo {
  std::string name;
  std::string attach;  // ELF section name, e.g. "tp/sched/sched_process_exec"
  bool link = true;
  // Attach extras as written (ifindex, flags, tchook, tcopts, ...) and other @key annotations.
  nlohmann::json extra = nlohmann::json::object();

  bool operator==(const ProgInfo&) const = default;
};

// From @brief/@details/@version on LICENSE (and description).
struct Doc {
  std::string version;
  std::string brief;
  std::string details;
  std::string description;

  bool operator==(const Doc&) const = default;
};

struct BpfSkel {
  std::string obj_name;
  std::vector<DataSection> data_sections;
  std::vector<MapInfo> maps;
  std::vector<ProgInfo> progs;
  std::optional<Doc> doc;

  bool operator==(const BpfSkel&) const = default;
};

struct ExportMember {
  std::string name;
  std::string type;    // informational; decoding uses BTF
  std::string format = {};  // `/// @format` word (output/value_format.h); empty: inferred

  bool operator==(const ExportMember&) const = default;
};

struct ExportType {
  std::string name;
  uint32_t size = 0;
  uint32_t type_id = 0;
  std::vector<ExportMember> members;

  bool operator==(const ExportType&) const = default;
};

struct Meta {
  BpfSkel bpf_skel;
  std::vector<ExportType> export_types;
  std::string eunomia_version = "0.3.4";
  uint32_t perf_buffer_pages = 64;
  uint32_t perf_buffer_time_ms = 10;
  uint32_t poll_timeout_ms = 100;
  bool debug_verbose = false;
  bool print_header = true;
  bool enable_multiple_export_types = false;

  bool operator==(const Meta&) const = default;
};

struct Package {
  std::vector<uint8_t> bpf_object;  // the uncompressed ELF object
  Meta meta;

  bool operator==(const Package&) const = default;
};

// Packages larger than this (text form) are refused as oversized.
inline constexpr std::size_t kMaxPackageBytes = 64u * 1024 * 1024;
// A bpf_object_size above this is refused before anything is inflated.
inline constexpr std::size_t kMaxBpfObjectBytes = 256u * 1024 * 1024;

// Parses package text, JSON or YAML (detected). Validates and decodes bpf_object
// (base64 -> zlib -> ELF, size checked). Unknown keys are ignored. Errors are
// ExitCode::kBadPackage with the JSON path, e.g. "meta.bpf_skel.progs[2].attach: expected a
// string".
Result<Package> parse_package(std::string_view text);

// The first step of parse_package: the text as a JSON document (YAML converted),
// with the size and nesting limits applied but nothing validated.
Result<nlohmann::json> parse_package_document(std::string_view text);

// Reads and parses a package file; errors are prefixed with the path.
Result<Package> read_package_file(const std::filesystem::path& path);

// Parses only the meta object (no bpf_object), e.g. from a meta-only JSON.
Result<Meta> parse_meta(const nlohmann::json& meta);

// Serialises to the eunomia-bpf layout: top-level bpf_object (base64 of zlib),
// bpf_object_size and meta.
nlohmann::json to_json(const Package& package);
nlohmann::json to_json(const Meta& meta);
std::string write_package_json(const Package& package);  // pretty JSON text
std::string write_package_yaml(const Package& package);  // YAML text

}  // namespace lmp::package
