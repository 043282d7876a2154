#include "compiler/libbpf_compat.h"

#include <array>
#include <string>
#include <system_error>

#include "common/file.h"
#include "compiler/str_cat.h"
#include "compiler/vmlinux.h"

namespace lmp::compiler {
namespace {

namespace fs = std::filesystem;

// Written for lmp from the documented behaviour of libbpf's macros (names and contracts
// only). Everything sits behind #ifndef so the installed libbpf's own definition wins.
constexpr std::string_view kHelpers =
    R"(/* lmp: libbpf compatibility layer over bpf/bpf_helpers.h. */
#include_next <bpf/bpf_helpers.h>
#ifndef __LMP_COMPAT_BPF_HELPERS_H
#define __LMP_COMPAT_BPF_HELPERS_H

/* True when the weak ksym (kfunc or kernel variable) `sym` was found in the running kernel.
 * The symbol must be declared __weak, or the check would always be true. */
#ifndef bpf_ksym_exists
#define bpf_ksym_exists(sym) ({                                                     \
	_Static_assert(!__builtin_constant_p(!!(sym)), #sym " must be declared __weak"); \
	!!(sym);                                                                      \
})
#endif

/* A map attribute given as an unsigned long (e.g. map_extra). */
#ifndef __ulong
#define __ulong(name, val) enum { ___bpf_concat(__lmp_ulong_, __COUNTER__) = (val) } name
#endif

/* BTF type tags for kernel pointers stored in maps. */
#ifndef __kptr_untrusted
#define __kptr_untrusted __attribute__((btf_type_tag("kptr_untrusted")))
#endif
#ifndef __percpu_kptr
#define __percpu_kptr __attribute__((btf_type_tag("percpu_kptr")))
#endif
#ifndef __uptr
#define __uptr __attribute__((btf_type_tag("uptr")))
#endif

/* Argument tags of global BPF subprograms. */
#ifndef __arg_ctx
#define __arg_ctx __attribute__((btf_decl_tag("arg:ctx")))
#endif
#ifndef __arg_nonnull
#define __arg_nonnull __attribute__((btf_decl_tag("arg:nonnull")))
#endif
#ifndef __arg_nullable
#define __arg_nullable __attribute__((btf_decl_tag("arg:nullable")))
#endif
#ifndef __arg_trusted
#define __arg_trusted __attribute__((btf_decl_tag("arg:trusted")))
#endif
#ifndef __arg_arena
#define __arg_arena __attribute__((btf_decl_tag("arg:arena")))
#endif

#ifndef __bpf_fastcall
#if defined(__has_attribute) && __has_attribute(bpf_fastcall)
#define __bpf_fastcall __attribute__((bpf_fastcall))
#else
#define __bpf_fastcall
#endif
#endif

/* Open-coded iterators (kernel 6.4+). bpf_for_each(TYPE, CUR, ARGS...) walks a
 * bpf_iter_TYPE; bpf_for(I, START, END) counts I over [START, END); bpf_repeat(N) runs N
 * times. The iterator lives on the stack and is destroyed when the loop is left. */
#ifndef bpf_for_each
struct bpf_iter_num;
extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __weak __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __weak __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __weak __ksym;

#define bpf_for_each(type, cur, args...)                                              \
	for (struct bpf_iter_##type __lmp_iter                                            \
		     __attribute__((aligned(8), cleanup(bpf_iter_##type##_destroy))),         \
	     *__lmp_iter_init __attribute__((unused)) =                                   \
		     (bpf_iter_##type##_new(&__lmp_iter, ##args),                             \
		      (void)bpf_iter_##type##_destroy, (void *)0);                            \
	     ((cur) = bpf_iter_##type##_next(&__lmp_iter));)
#endif

#ifndef bpf_for
#define bpf_for(i, start, end)                                                        \
	for (struct bpf_iter_num __lmp_iter                                               \
		     __attribute__((aligned(8), cleanup(bpf_iter_num_destroy))),              \
	     *__lmp_iter_init __attribute__((unused)) =                                   \
		     (bpf_iter_num_new(&__lmp_iter, (start), (end)),                          \
		      (void)bpf_iter_num_destroy, (void *)0);                                 \
	     ({                                                                           \
		     int *__lmp_next = bpf_iter_num_next(&__lmp_iter);                        \
		     __lmp_next && ((i) = *__lmp_next, (i) >= (start) && (i) < (end));        \
	     });)
#endif

#ifndef bpf_repeat
#define bpf_repeat(N)                                                                 \
	for (struct bpf_iter_num __lmp_iter                                               \
		     __attribute__((aligned(8), cleanup(bpf_iter_num_destroy))),              \
	     *__lmp_iter_init __attribute__((unused)) =                                   \
		     (bpf_iter_num_new(&__lmp_iter, 0, (N)),                                  \
		      (void)bpf_iter_num_destroy, (void *)0);                                 \
	     bpf_iter_num_next(&__lmp_iter);)
#endif

#endif /* __LMP_COMPAT_BPF_HELPERS_H */
)";

constexpr std::string_view kCoreRead =
    R"(/* lmp: libbpf compatibility layer over bpf/bpf_core_read.h. */
#include_next <bpf/bpf_core_read.h>
#ifndef __LMP_COMPAT_BPF_CORE_READ_H
#define __LMP_COMPAT_BPF_CORE_READ_H

/* Casts `ptr` to a read-only pointer to kernel type `type` (kernel 6.2+ kfunc). */
#ifndef bpf_core_cast
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id)
	__attribute__((section(".ksyms"), weak));
#define bpf_core_cast(ptr, type) \
	((typeof(type) *)bpf_rdonly_cast((ptr), bpf_core_type_id_kernel(type)))
#endif

#endif /* __LMP_COMPAT_BPF_CORE_READ_H */
)";

constexpr std::string_view kTracing =
    R"(/* lmp: libbpf compatibility layer over bpf/bpf_tracing.h. */
#include_next <bpf/bpf_tracing.h>
#ifndef __LMP_COMPAT_BPF_TRACING_H
#define __LMP_COMPAT_BPF_TRACING_H

/* Uprobe programs read their arguments like kprobes. */
#ifndef BPF_UPROBE
#define BPF_UPROBE(name, args...) BPF_KPROBE(name, ##args)
#endif
#ifndef BPF_URETPROBE
#define BPF_URETPROBE(name, args...) BPF_KRETPROBE(name, ##args)
#endif

#endif /* __LMP_COMPAT_BPF_TRACING_H */
)";

// glibc's <gnu/stubs.h> picks stubs-32.h for -target bpf (no __x86_64__ there), which only
// multilib systems install; sources that include <errno.h> (libbpf-tools' maps.bpf.h) need
// it to exist. It only lists unimplemented libc functions, so an empty one is harmless.
constexpr std::string_view kStubs32 =
    "/* lmp: empty stand-in so <errno.h> works with -target bpf without multilib. */\n";

constexpr std::array kHeaders = {
    CompatHeader{"bpf/bpf_helpers.h", kHelpers},
    CompatHeader{"bpf/bpf_core_read.h", kCoreRead},
    CompatHeader{"bpf/bpf_tracing.h", kTracing},
    CompatHeader{"gnu/stubs-32.h", kStubs32},
};

}  // namespace

std::span<const CompatHeader> libbpf_compat_headers() {
  return kHeaders;
}

Result<fs::path> libbpf_compat_dir() {
  std::string all;
  for (const auto& h : kHeaders) all += str_cat(h.path, "\n", h.content);
  fs::path dir = lmp_home() / "cache" / "libbpf-compat" / fnv1a_hex(all);
  for (const auto& h : kHeaders) {
    fs::path file = dir / h.path;
    std::error_code ec;
    if (fs::is_regular_file(file, ec)) continue;
    fs::create_directories(file.parent_path(), ec);
    if (ec) {
      return fail(ExitCode::kFailure,
                  str_cat("cannot create ", file.parent_path().string(), ": ", ec.message()));
    }
    LMP_CHECK(write_file_atomic(file, h.content));
  }
  return dir;
}

}  // namespace lmp::compiler
