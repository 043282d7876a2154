// The wasm_bpf imports, declared directly (what a generated skeleton would wrap).
#pragma once

#include <stdint.h>

#define WASM_BPF_IMPORT(name) __attribute__((import_module("wasm_bpf"), import_name(#name)))

WASM_BPF_IMPORT(wasm_load_bpf_object) int64_t wasm_load_bpf_object(const void* obj, int len);
WASM_BPF_IMPORT(wasm_attach_bpf_program)
int wasm_attach_bpf_program(int64_t obj, const char* name, const char* target);
WASM_BPF_IMPORT(wasm_bpf_map_fd_by_name) int wasm_bpf_map_fd_by_name(int64_t obj, const char* name);
WASM_BPF_IMPORT(wasm_bpf_buffer_poll)
int wasm_bpf_buffer_poll(int64_t obj, int fd, int callback_index, int ctx, char* buf, int max,
                         int timeout_ms);
WASM_BPF_IMPORT(wasm_bpf_map_operate)
int wasm_bpf_map_operate(int fd, int cmd, void* key, void* value, void* next_key, int64_t flags);
WASM_BPF_IMPORT(wasm_close_bpf_object) int wasm_close_bpf_object(int64_t obj);

// A buffer callback: its index in __indirect_function_table is the function pointer's value.
typedef int (*sample_fn)(void* ctx, void* data, unsigned size);
#define CALLBACK_INDEX(fn) ((int)(intptr_t)(sample_fn)(fn))
