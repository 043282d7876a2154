#include "compiler/wasm_skel.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <cstdio>
#include <cstring>

#include "common/file.h"
#include "common/log.h"
#include "compiler/str_cat.h"

namespace lmp::compiler {
namespace {

namespace fs = std::filesystem;

uint64_t read_le(std::span<const uint8_t> bytes, std::size_t at, std::size_t width) {
  uint64_t value = 0;
  for (std::size_t i = 0; i < width; ++i) value |= static_cast<uint64_t>(bytes[at + i]) << (8 * i);
  return value;
}

bool has_global_vars(const btf* b, const btf_type* datasec) {
  const btf_var_secinfo* info = btf_var_secinfos(datasec);
  for (uint16_t i = 0; i < btf_vlen(datasec); ++i) {
    const btf_type* var = btf__type_by_id(b, info[i].type);
    if (var && btf_is_var(var) && btf_var(var)->linkage == BTF_VAR_GLOBAL_ALLOCATED) return true;
  }
  return false;
}

int skel_libbpf_to_log(libbpf_print_level, const char* format, va_list args) {
  char buffer[1024];
  std::vsnprintf(buffer, sizeof(buffer), format, args);
  std::string_view text(buffer);
  while (text.ends_with('\n')) text.remove_suffix(1);
  log::debug(str_cat("libbpf: ", text));
  return 0;
}

std::string c_string_literal(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string byte_array(std::span<const uint8_t> bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  text.reserve(bytes.size() * 6 + bytes.size() / 16 * 4);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    text += i % 16 == 0 ? "\n    " : " ";
    text += "0x";
    text += kHex[bytes[i] >> 4];
    text += kHex[bytes[i] & 15];
    text += ',';
  }
  return text;
}

}  // namespace

bool needs_attach_target(std::string_view section) {
  // Kinds that name their attach point after a '/', alone.
  for (std::string_view bare :
       {"uprobe", "uretprobe", "uprobe.s", "uretprobe.s", "usdt", "kprobe", "kretprobe",
        "tracepoint", "tp", "raw_tracepoint", "raw_tp", "fentry", "fexit", "fmod_ret"}) {
    if (section == bare) return true;
  }
  // Kinds attached to an interface, a socket, a cgroup, ...: the section never says which.
  for (std::string_view prefix : {"xdp", "tc", "classifier", "action", "socket", "sk_", "sockops",
                                  "cgroup", "flow_dissector", "netfilter", "lirc_mode2"}) {
    if (section.starts_with(prefix)) return true;
  }
  return false;
}

std::string skel_name(std::string_view obj_name) {
  std::string name;
  for (char c : obj_name) {
    bool word =
        c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    name += word ? c : '_';
  }
  if (name.size() > 4 && name.ends_with("_bpf")) name.resize(name.size() - 4);
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) name = "_" + name;
  return name;
}

Result<ElfSection> find_elf_section(std::span<const uint8_t> elf, std::string_view name) {
  auto bad = [](std::string_view what) {
    return fail(ExitCode::kBadPackage, str_cat("bpf_object: ", what));
  };
  if (elf.size() < 64 || elf[4] != 2 || elf[5] != 1) {
    return bad("only 64-bit little-endian ELF objects can be embedded in a wasm guest");
  }
  uint64_t shoff = read_le(elf, 0x28, 8);
  uint64_t shentsize = read_le(elf, 0x3a, 2);
  uint64_t shnum = read_le(elf, 0x3c, 2);
  uint64_t shstrndx = read_le(elf, 0x3e, 2);
  if (shentsize < 64 || shoff > elf.size() || shnum > (elf.size() - shoff) / shentsize ||
      shstrndx >= shnum) {
    return bad("malformed ELF section headers");
  }
  auto header = [&](uint64_t index) { return shoff + index * shentsize; };
  uint64_t names_at = read_le(elf, header(shstrndx) + 0x18, 8);
  uint64_t names_size = read_le(elf, header(shstrndx) + 0x20, 8);
  if (names_at > elf.size() || names_size > elf.size() - names_at) {
    return bad("malformed ELF section name table");
  }
  for (uint64_t i = 0; i < shnum; ++i) {
    uint64_t name_off = read_le(elf, header(i), 4);
    if (name_off >= names_size) continue;
    const char* start = reinterpret_cast<const char*>(elf.data() + names_at + name_off);
    std::string_view section_name(start, strnlen(start, names_size - name_off));
    if (section_name != name) continue;
    ElfSection s;
    s.nobits = read_le(elf, header(i) + 4, 4) == 8;  // SHT_NOBITS
    s.offset = read_le(elf, header(i) + 0x18, 8);
    s.size = read_le(elf, header(i) + 0x20, 8);
    if (!s.nobits && (s.offset > elf.size() || s.size > elf.size() - s.offset)) {
      return bad(str_cat("section ", name, " lies outside the file"));
    }
    return s;
  }
  return fail(ExitCode::kBadPackage, str_cat("bpf_object: no section ", name));
}

Result<WasmSkelModel> read_wasm_skel_model(package::Package package) {
  WasmSkelModel model;
  model.name = skel_name(package.meta.bpf_skel.obj_name);
  model.package = std::move(package);
  const package::Package& pkg = model.package;
  libbpf_print_fn_t old_print = libbpf_set_print(skel_libbpf_to_log);
  auto opened = open_bpf_object(pkg.bpf_object, model.name);
  libbpf_set_print(old_print);
  model.object = LMP_TRY(std::move(opened));
  const btf* b = bpf_object__btf(model.object.get());
  if (!b) {
    return fail(ExitCode::kBadPackage, "the package's eBPF object has no BTF",
                "rebuild it with `lmp build`, which keeps BTF");
  }
  model.layout = CLayout(b);

  for (const auto& type : pkg.meta.export_types) {
    const btf_type* t = btf__type_by_id(b, type.type_id);
    if (!t || !btf_is_struct(t) || type.name != btf__name_by_offset(b, t->name_off)) {
      return fail(ExitCode::kBadPackage,
                  str_cat("meta.export_types: struct ", type.name, " is not type ", type.type_id,
                          " of the object's BTF"),
                  "rebuild the package with `lmp build`");
    }
    model.events.push_back(LMP_TRY(model.layout.add_record(type.type_id)));
  }

  for (auto [field, elf_name] : {std::pair{"rodata", ".rodata"}, std::pair{"data", ".data"}}) {
    int id = btf__find_by_name_kind(b, elf_name, BTF_KIND_DATASEC);
    if (id <= 0 || !has_global_vars(b, btf__type_by_id(b, static_cast<uint32_t>(id)))) continue;
    ElfSection where = LMP_TRY(find_elf_section(pkg.bpf_object, elf_name));
    const btf_type* sec = btf__type_by_id(b, static_cast<uint32_t>(id));
    if (where.nobits || sec->size > where.size) {
      return fail(ExitCode::kBadPackage,
                  str_cat("bpf_object: section ", elf_name, " does not hold its variables"));
    }
    WasmSkelModel::Section s{field, elf_name, where.offset, sec->size, -1};
    s.record = LMP_TRY(
        model.layout.add_datasec(static_cast<uint32_t>(id), str_cat(model.name, "_bpf_", field)));
    model.sections.push_back(std::move(s));
  }

  // Map key and value structs, so user space can read maps with the kernel's layout. Best
  // effort: a type that cannot be shared (a bit-field, say) is left out, not an error.
  bpf_map* map = nullptr;
  bpf_object__for_each_map(map, model.object.get()) {
    if (bpf_map__is_internal(map)) continue;
    for (uint32_t id : {bpf_map__btf_key_type_id(map), bpf_map__btf_value_type_id(map)}) {
      int resolved = id ? btf__resolve_type(b, id) : -1;
      const btf_type* t =
          resolved > 0 ? btf__type_by_id(b, static_cast<uint32_t>(resolved)) : nullptr;
      if (!t || !(btf_is_struct(t) || btf_is_union(t))) continue;
      CLayout trial = model.layout;
      if (trial.add_record(static_cast<uint32_t>(resolved))) model.layout = std::move(trial);
    }
  }
  map = nullptr;
  bpf_object__for_each_map(map, model.object.get()) {
    if (bpf_map__is_internal(map)) continue;
    std::string name = bpf_map__name(map);
    if (!is_c_identifier(name)) continue;
    model.maps.push_back({name, bpf_map__type(map) == BPF_MAP_TYPE_RINGBUF,
                          bpf_map__type(map) == BPF_MAP_TYPE_PERF_EVENT_ARRAY});
  }
  bpf_program* prog = nullptr;
  bpf_object__for_each_program(prog, model.object.get()) {
    WasmSkelModel::Prog p;
    p.name = bpf_program__name(prog);
    p.section = bpf_program__section_name(prog);
    p.needs_target = needs_attach_target(p.section);
    for (const auto& info : pkg.meta.bpf_skel.progs) {
      if (info.name == p.name) p.link = info.link;
    }
    model.progs.push_back(std::move(p));
  }
  return model;
}

std::string types_header(const WasmSkelModel& model) {
  std::string guard = "LMP_" + model.name + "_WASM_H";
  return str_cat(
      "/* ", model.name,
      ".wasm.h: the eBPF object's types, laid out exactly as the eBPF program sees them.\n"
      " * Generated by `lmp gen-wasm-skel` from package.json; do not edit. Pointers are uint64_t,\n"
      " * longs are int64_t, every gap is an explicit __pad member. See docs/wasm-dev.md. */\n",
      "#ifndef ", guard, "\n#define ", guard, "\n\n",
      "#include <stdbool.h>\n#include <stddef.h>\n#include <stdint.h>\n\n",
      model.tool_header.guard.empty()
          ? std::string()
          : str_cat("/* Types ", model.name, ".h defines are taken from it when it was included ",
                    "first (its guard\n * ", model.tool_header.guard,
                    " is defined); the asserts check they have the eBPF layout. */\n\n"),
      model.layout.definitions(model.tool_header.tags, model.tool_header.guard), "\n#endif /* ",
      guard, " */\n");
}

std::string skel_header(const WasmSkelModel& model) {
  const std::string& n = model.name;
  std::string guard = "LMP_" + n + "_SKEL_H";
  std::string text = str_cat(
      "/* ", n, ".skel.h: the eBPF object of package.json (obj_name ",
      c_string_literal(model.package.meta.bpf_skel.obj_name),
      ") and libbpf-like functions for it.\n"
      " * Generated by `lmp gen-wasm-skel`; do not edit: run `lmp build && lmp gen-wasm-skel`\n"
      " * again after changing the eBPF program. See docs/wasm-dev.md. */\n",
      "#ifndef ", guard, "\n#define ", guard, "\n\n#include \"lmp-wasm.h\"\n#include \"", n,
      ".wasm.h\"\n\n");
  const auto& object = model.package.bpf_object;
  text += str_cat("/* The eBPF object file: ", object.size(), " bytes. */\n",
                  "static const unsigned char ", n, "_bpf_object[", object.size(),
                  "] __attribute__((aligned(8))) = {", byte_array(object), "\n};\n\n");
  for (const auto& s : model.sections) {
    std::string upper;
    for (char c : s.field) upper += static_cast<char>(c - 'a' + 'A');
    text +=
        str_cat("/* ", s.elf_name, ": the initial values of its globals, at this offset of ", n,
                "_bpf_object. */\n#define ", n, "_BPF_", upper, "_OFFSET ", s.file_offset, "u\n");
  }
  text += str_cat("\nstruct ", n, "_bpf {\n  struct bpf_object *obj;\n  struct {\n");
  for (const auto& m : model.maps) {
    text += str_cat("    struct bpf_map *", m.name, ";",
                    m.is_ringbuf ? "  /* ring buffer */"
                    : m.is_perf  ? "  /* perf buffer */"
                                 : "",
                    "\n");
  }
  if (model.maps.empty()) text += "    char none_;\n";
  text += "  } maps;\n  struct {\n";
  for (const auto& p : model.progs) {
    text += str_cat("    struct bpf_program *", p.name, ";  /* ", p.section, " */\n");
  }
  if (model.progs.empty()) text += "    char none_;\n";
  text += "  } progs;\n";
  for (const auto& s : model.sections) {
    text += str_cat("  /* Initial values: set them after __open and before __load. */\n  ",
                    model.layout.record_type(s.record), " *", s.field, ";\n");
  }
  text += "};\n\n";

  text += str_cat("static inline void ", n, "_bpf__destroy(struct ", n, "_bpf *skel) {\n",
                  "  if (!skel) return;\n");
  for (const auto& m : model.maps) text += str_cat("  free(skel->maps.", m.name, ");\n");
  for (const auto& p : model.progs) text += str_cat("  free(skel->progs.", p.name, ");\n");
  text += "  lmp_bpf_object__close(skel->obj);\n  free(skel);\n}\n\n";

  text += str_cat("/* A copy of the object, not loaded yet; NULL when out of memory. */\n",
                  "static inline struct ", n, "_bpf *", n, "_bpf__open(void) {\n", "  struct ", n,
                  "_bpf *skel = (struct ", n, "_bpf *)calloc(1, sizeof(*skel));\n",
                  "  if (!skel) return NULL;\n", "  skel->obj = lmp_bpf_object__open_mem(", n,
                  "_bpf_object, sizeof(", n, "_bpf_object));\n", "  if (!skel->obj) goto fail;\n");
  for (const auto& m : model.maps) {
    text += str_cat("  skel->maps.", m.name, " = lmp_bpf_map__new(skel->obj, \"", m.name,
                    "\");\n  if (!skel->maps.", m.name, ") goto fail;\n");
  }
  for (const auto& p : model.progs) {
    text +=
        str_cat("  skel->progs.", p.name, " = lmp_bpf_program__new(skel->obj, \"", p.name, "\", ",
                c_string_literal(p.section), ");\n  if (!skel->progs.", p.name, ") goto fail;\n");
  }
  for (const auto& s : model.sections) {
    std::string upper;
    for (char c : s.field) upper += static_cast<char>(c - 'a' + 'A');
    text += str_cat("  skel->", s.field, " = (", model.layout.record_type(s.record),
                    " *)(skel->obj->elf + ", n, "_BPF_", upper, "_OFFSET);\n");
  }
  text += str_cat("  return skel;\nfail:\n  ", n, "_bpf__destroy(skel);\n  return NULL;\n}\n\n");

  text += str_cat(
      "/* Loads the copy, with the values set through rodata/data, into the kernel.\n",
      " * 0, or a negative errno. Later changes to rodata/data do not reach the kernel. */\n",
      "static inline int ", n, "_bpf__load(struct ", n, "_bpf *skel) {\n",
      "  return lmp_bpf_object__load(skel->obj);\n}\n\n", "static inline struct ", n, "_bpf *", n,
      "_bpf__open_and_load(void) {\n", "  struct ", n, "_bpf *skel = ", n, "_bpf__open();\n",
      "  if (skel && ", n, "_bpf__load(skel) != 0) {\n", "    ", n,
      "_bpf__destroy(skel);\n    return NULL;\n  }\n  return skel;\n}\n\n");

  text += str_cat(
      "/* Attaches every program whose autoattach is on (bpf_program__set_autoattach): to the\n",
      " * target set with bpf_set_prog_attach_target / lmp_bpf_program__set_attach_target, else\n",
      " * where its section says. Without a target it skips programs whose section names no\n",
      " * attach point and those marked `@link false`. 0, or the first negative errno. */\n",
      "static inline int ", n, "_bpf__attach(struct ", n, "_bpf *skel) {\n", "  int err = 0;\n");
  for (const auto& p : model.progs) {
    bool by_section = p.link && !p.needs_target;
    if (!by_section) {
      text += str_cat("  /* ", p.section, ": ", p.link ? "names no attach point" : "@link false",
                      "; attached only to a target set by the app */\n");
    }
    text += str_cat("  err = lmp_bpf_program__attach_auto(skel->progs.", p.name, ", ",
                    by_section ? "true" : "false", ");\n  if (err) return err;\n");
  }
  text += str_cat("  return err;\n}\n\n#endif /* ", guard, " */\n");
  return text;
}

namespace {

// Writes every file or none: a target that cannot be replaced by a file is refused first,
// each file goes to a temporary name beside its target, and only when all are written are
// they renamed into place (the temporaries are removed on any failure).
Result<void> write_all_or_nothing(const std::vector<std::pair<fs::path, std::string>>& files) {
  std::error_code ec;
  for (const auto& [path, content] : files) {
    auto status = fs::symlink_status(path, ec);
    if (fs::exists(status) && !fs::is_regular_file(status) && !fs::is_symlink(status))
      return fail(ExitCode::kFailure,
                  str_cat("cannot write ", path.string(), ": it exists and is not a regular file"),
                  "move it away and run lmp gen-wasm-skel again");
  }
  std::vector<fs::path> temporaries;
  auto remove_temporaries = [&] {
    for (const auto& t : temporaries) fs::remove(t, ec);
  };
  for (const auto& [path, content] : files) {
    fs::path temporary =
        path.parent_path() / str_cat(".", path.filename().string(), ".gen-wasm-skel");
    auto written = write_file_atomic(temporary, content);
    if (!written) {
      remove_temporaries();
      return std::unexpected(written.error());
    }
    temporaries.push_back(temporary);
  }
  for (std::size_t i = 0; i < files.size(); ++i) {
    fs::rename(temporaries[i], files[i].first, ec);
    if (ec) {
      remove_temporaries();
      return fail(ExitCode::kFailure,
                  str_cat("cannot write ", files[i].first.string(), ": ", ec.message()));
    }
  }
  return {};
}

}  // namespace

Result<GenWasmSkelResult> gen_wasm_skel(const fs::path& dir, bool force) {
  std::error_code ec;
  fs::path source = dir / "package.json";
  if (!fs::exists(source, ec) && fs::exists(dir / "package.yaml", ec))
    source = dir / "package.yaml";
  if (!fs::exists(source, ec)) {
    return fail(ExitCode::kNotFound, str_cat("no package.json in ", dir.string()),
                "run `lmp build` there first");
  }
  package::Package pkg = LMP_TRY(package::read_package_file(source));
  WasmSkelModel model = LMP_TRY(read_wasm_skel_model(std::move(pkg)));
  // The tool's own header: NAME.h, or OBJ_NAME.h for an obj_name that is no C identifier.
  std::string obj_name = model.package.meta.bpf_skel.obj_name;
  if (obj_name.ends_with("_bpf")) obj_name.resize(obj_name.size() - 4);
  fs::path tool_header = dir / (model.name + ".h");
  if (!fs::is_regular_file(tool_header, ec)) tool_header = dir / (obj_name + ".h");
  if (fs::is_regular_file(tool_header, ec)) {
    model.tool_header = read_tool_header(LMP_TRY(read_file(tool_header)));
    if (model.tool_header.guard.empty() && !model.tool_header.tags.empty())
      log::warn(str_cat(tool_header.string(), " has no #ifndef/#define include guard",
                        model.tool_header.pragma_once ? " (#pragma once cannot be tested)" : "",
                        ": an app.c that includes it and ", model.name,
                        ".skel.h gets its types twice"));
  }
  std::vector<std::pair<fs::path, std::string>> files = {
      {dir / "lmp-wasm.h", std::string(guest_library_header())},
      {dir / "libbpf-wasm.h", std::string(libbpf_wasm_header())},
      {dir / (model.name + ".wasm.h"), types_header(model)},
      {dir / (model.name + ".skel.h"), skel_header(model)},
  };
  GenWasmSkelResult result;
  if (force || !fs::exists(dir / "app.c", ec)) {
    files.emplace_back(dir / "app.c", app_source(model));
  } else {
    result.kept_app = true;
  }
  LMP_CHECK(write_all_or_nothing(files));
  for (const auto& file : files) result.written.push_back(file.first);
  return result;
}

}  // namespace lmp::compiler
