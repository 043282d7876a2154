// The project's own vmlinux.h: lmp build must use it (for <vmlinux.h> and "vmlinux.h") and
// generate none. Only what this program needs.
#ifndef OWN_VMLINUX_H
#define OWN_VMLINUX_H
#define LMP_TEST_OWN_VMLINUX 1
typedef unsigned char __u8;
typedef short __s16;
typedef unsigned short __u16;
typedef int __s32;
typedef unsigned int __u32;
typedef long long __s64;
typedef unsigned long long __u64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;
enum bpf_map_type { BPF_MAP_TYPE_ARRAY = 2 };
#endif
