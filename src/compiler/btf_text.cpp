#include "compiler/btf_text.h"

#include <bpf/btf.h>

namespace lmp::compiler {
namespace {

std::string named(const btf* b, const btf_type* t, const char* prefix) {
  const char* name = btf__name_by_offset(b, t->name_off);
  std::string text = prefix;
  text += name && *name ? name : "<anonymous>";
  return text;
}

// Pointers join with " *", so "char" -> "char *" and "char *" -> "char **".
std::string pointer_to(std::string target) {
  if (!target.empty() && target.back() == '*') return target + "*";
  return target + " *";
}

}  // namespace

void BtfDeleter::operator()(btf* b) const {
  btf__free(b);
}

std::string btf_type_text(const btf* b, uint32_t id) {
  std::string dims;  // array dimensions collected outermost first
  for (int guard = 0; guard < 64; ++guard) {
    if (id == 0) return "void" + dims;
    const btf_type* t = btf__type_by_id(b, id);
    if (!t) return "<invalid>" + dims;
    switch (btf_kind(t)) {
      case BTF_KIND_INT:
      case BTF_KIND_FLOAT:
      case BTF_KIND_TYPEDEF:
        return named(b, t, "") + dims;
      case BTF_KIND_STRUCT:
        return named(b, t, "struct ") + dims;
      case BTF_KIND_UNION:
        return named(b, t, "union ") + dims;
      case BTF_KIND_ENUM:
      case BTF_KIND_ENUM64:
        return named(b, t, "enum ") + dims;
      case BTF_KIND_FWD:
        return named(b, t, btf_kflag(t) ? "union " : "struct ") + dims;
      case BTF_KIND_PTR:
        return pointer_to(btf_type_text(b, t->type)) + dims;
      case BTF_KIND_ARRAY: {
        const struct btf_array* a = btf_array(t);
        dims += "[" + std::to_string(a->nelems) + "]";
        id = a->type;
        continue;
      }
      case BTF_KIND_CONST:
      case BTF_KIND_VOLATILE:
      case BTF_KIND_RESTRICT:
      case BTF_KIND_TYPE_TAG:
      case BTF_KIND_DECL_TAG:
      case BTF_KIND_VAR:
        id = t->type;
        continue;
      case BTF_KIND_FUNC_PROTO:
        return btf_type_text(b, t->type) + " (*)()" + dims;
      case BTF_KIND_FUNC:
      case BTF_KIND_DATASEC:
        return named(b, t, "") + dims;
      default:
        return "<unknown>" + dims;
    }
  }
  return "<too deep>";
}

}  // namespace lmp::compiler
