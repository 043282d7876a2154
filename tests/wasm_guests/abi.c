// Guest for tests/wasm_test.cpp: `abi.wasm MODE [ARG]` exercises one part of the wasm_bpf
// ABI against the eBPF object it reads from stdin (wasm_abi.bpf.o) and prints what it saw,
// one "name=value" line per result, for the test to check.
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wasm_bpf.h"

enum { LOOKUP = 1, UPDATE = 2, DELETE = 3, NEXT_KEY = 4 };
enum { BPF_ANY = 0, BPF_NOEXIST = 1 };

struct open_event {
  int pid;
  char comm[16];
  char path[128];
};

static char* object;
static int object_len;

static void read_object(void) {
  int cap = 1 << 16;
  object = malloc(cap);
  for (;;) {
    if (object_len == cap) object = realloc(object, cap *= 2);
    ssize_t n = read(0, object + object_len, cap - object_len);
    if (n <= 0) break;
    object_len += n;
  }
}

static int64_t load(void) {
  read_object();
  int64_t obj = wasm_load_bpf_object(object, object_len);
  if (obj <= 0) {
    printf("load failed\n");
    exit(10);
  }
  return obj;
}

static int maps(int64_t obj) {
  int hash = wasm_bpf_map_fd_by_name(obj, "hash_map");
  int array = wasm_bpf_map_fd_by_name(obj, "array_map");
  int percpu = wasm_bpf_map_fd_by_name(obj, "percpu_map");
  printf("fds_ok=%d\n", hash >= 0 && array >= 0 && percpu >= 0);
  printf("unknown_map=%d\n", wasm_bpf_map_fd_by_name(obj, "no_such_map"));

  uint32_t key = 1, next = 0;
  uint64_t value = 11;
  printf("hash_update1=%d\n", wasm_bpf_map_operate(hash, UPDATE, &key, &value, 0, BPF_ANY));
  key = 2, value = 22;
  printf("hash_update2=%d\n", wasm_bpf_map_operate(hash, UPDATE, &key, &value, 0, BPF_ANY));
  printf("hash_noexist=%d\n", wasm_bpf_map_operate(hash, UPDATE, &key, &value, 0, BPF_NOEXIST));
  key = 1, value = 0;
  printf("hash_lookup1=%d value=%llu\n", wasm_bpf_map_operate(hash, LOOKUP, &key, &value, 0, 0),
         (unsigned long long)value);
  uint32_t sum = 0, count = 0;
  for (int rc = wasm_bpf_map_operate(hash, NEXT_KEY, 0, 0, &next, 0); rc == 0;
       rc = wasm_bpf_map_operate(hash, NEXT_KEY, &key, 0, &next, 0)) {
    sum += next, ++count;
    key = next;
  }
  printf("hash_keys=%u sum=%u\n", count, sum);
  key = 1;
  printf("hash_delete=%d\n", wasm_bpf_map_operate(hash, DELETE, &key, 0, 0, 0));
  printf("hash_lookup_deleted=%d\n", wasm_bpf_map_operate(hash, LOOKUP, &key, &value, 0, 0));
  printf("hash_delete_again=%d\n", wasm_bpf_map_operate(hash, DELETE, &key, 0, 0, 0));

  key = 3, value = 33;
  printf("array_update=%d\n", wasm_bpf_map_operate(array, UPDATE, &key, &value, 0, BPF_ANY));
  value = 0;
  printf("array_lookup=%d value=%llu\n", wasm_bpf_map_operate(array, LOOKUP, &key, &value, 0, 0),
         (unsigned long long)value);
  key = 4;
  printf("array_out_of_range=%d\n", wasm_bpf_map_operate(array, LOOKUP, &key, &value, 0, 0));
  key = 0;
  printf("array_delete=%d\n", wasm_bpf_map_operate(array, DELETE, &key, 0, 0, 0));
  count = 0;
  for (int rc = wasm_bpf_map_operate(array, NEXT_KEY, 0, 0, &next, 0); rc == 0;
       rc = wasm_bpf_map_operate(array, NEXT_KEY, &key, 0, &next, 0)) {
    ++count;
    key = next;
  }
  printf("array_keys=%u\n", count);

  // Per-CPU values: one 8-byte slot per possible CPU; 1024 slots is more than enough here.
  static uint64_t slots[1024];
  for (int i = 0; i < 1024; ++i) slots[i] = 7;
  key = 1;
  printf("percpu_update=%d\n", wasm_bpf_map_operate(percpu, UPDATE, &key, slots, 0, BPF_ANY));
  memset(slots, 0, sizeof(slots));
  int rc = wasm_bpf_map_operate(percpu, LOOKUP, &key, slots, 0, 0);
  printf("percpu_lookup=%d first=%llu\n", rc, (unsigned long long)slots[0]);
  return 0;
}

static const char* marker;
static int matched;

static int on_event(void* ctx, void* data, unsigned size) {
  const struct open_event* e = data;
  if (size < sizeof(*e) || !strstr(e->path, marker)) return 0;
  printf("%s event: %s\n", (const char*)ctx, e->path);
  fflush(stdout);
  matched = 1;
  return 1;  // stop this poll
}

// Burns time per sample (tens of microseconds in the interpreter).
static int slow_event(void* ctx, void* data, unsigned size) {
  (void)ctx;
  (void)data;
  volatile unsigned sum = size;
  for (int i = 0; i < 2000; ++i) sum += i;
  return sum == 0xffffffffu;  // never: keeps polling
}

// wasm-bpf's Go SDK polls through module callback-wrapper: no callback index, the callback
// is the export "go-callback".
__attribute__((import_module("callback-wrapper"), import_name("wasm_bpf_buffer_poll"))) int
go_buffer_poll(int64_t obj, int fd, int ctx, char* buf, int max, int timeout_ms);
__attribute__((export_name("go-callback"))) int go_callback(int ctx, void* data, unsigned size) {
  return on_event((void*)(intptr_t)ctx, data, size);
}
static int go_style;  // poll through go_buffer_poll

// Attaches `prog`, then polls `map` until an event whose path contains `marker` arrives.
static int events(int64_t obj, const char* prog, const char* target, const char* map) {
  printf("attach=%d\n", wasm_attach_bpf_program(obj, prog, target));
  int fd = wasm_bpf_map_fd_by_name(obj, map);
  static char buf[sizeof(struct open_event)];
  printf("ready\n");
  fflush(stdout);
  for (int i = 0; i < 300 && !matched; ++i) {
    int rc = go_style ? go_buffer_poll(obj, fd, (int)(intptr_t)map, buf, sizeof(buf), 100)
                      : wasm_bpf_buffer_poll(obj, fd, CALLBACK_INDEX(on_event), (int)(intptr_t)map,
                                             buf, sizeof(buf), 100);
    if (rc < 0) {
      printf("poll=%d\n", rc);
      return 4;
    }
    if (matched) printf("poll_result=%d\n", rc);
  }
  return matched ? 0 : 3;
}

// Burns a long time per sample (about a second in the interpreter): a stop must not wait
// for many of these.
static int very_slow_event(void* ctx, void* data, unsigned size) {
  (void)ctx;
  (void)data;
  volatile unsigned sum = size;
  for (int i = 0; i < 20000000; ++i) sum += i;
  return sum == 0xffffffffu;  // never: keeps polling
}

// Loops forever without waiting: on nothing but itself ("spin"), on sched_yield ("yield")
// or on empty writes ("write").
static int busy(const char* how) {
  printf("ready\n");
  fflush(stdout);
  volatile unsigned n = 0;
  for (;;) {
    if (!strcmp(how, "yield")) sched_yield();
    if (!strcmp(how, "write")) write(1, "", 0);
    ++n;
  }
}

// Allocates 1 MiB blocks until memory runs out; prints how many it got.
static int grow(void) {
  static char* volatile last;  // used, so the compiler keeps the allocations
  int blocks = 0;
  while (blocks < 10000 && (last = malloc(1 << 20))) last[blocks++] = 1;
  printf("blocks=%d\n", blocks);
  return 0;
}

static int bad_calls(void) {
  char text[] = "hello, not an object";
  printf("garbage_load=%lld\n", (long long)wasm_load_bpf_object(text, sizeof(text)));
  printf("bad_pointer_load=%lld\n", (long long)wasm_load_bpf_object((void*)0xfffffff0, 64));
  printf("too_long_load=%lld\n", (long long)wasm_load_bpf_object(text, 0x7fffffff));
  printf("unknown_handle_attach=%d\n", wasm_attach_bpf_program(12345, "ring_openat", 0));
  printf("unknown_handle_map=%d\n", wasm_bpf_map_fd_by_name(12345, "hash_map"));
  printf("unknown_handle_close=%d\n", wasm_close_bpf_object(12345));
  printf("unknown_fd_map_operate=%d\n", wasm_bpf_map_operate(0, LOOKUP, text, text, 0, 0));
  int64_t obj = load();
  printf("bad_pointer_name=%d\n", wasm_bpf_map_fd_by_name(obj, (const char*)0xfffffff0));
  int fd = wasm_bpf_map_fd_by_name(obj, "ring_events");
  printf("too_long_poll=%d\n",
         wasm_bpf_buffer_poll(obj, fd, CALLBACK_INDEX(on_event), 0, text, 0x7fffffff, 0));
  printf("bad_callback_poll=%d\n", wasm_bpf_buffer_poll(obj, fd, 99999, 0, text, 8, 0));
  int hash = wasm_bpf_map_fd_by_name(obj, "hash_map");
  printf("bad_key_pointer=%d\n", wasm_bpf_map_operate(hash, LOOKUP, (void*)0xfffffffe, text, 0, 0));
  printf("bad_cmd=%d\n", wasm_bpf_map_operate(hash, 99, text, text, 0, 0));
  // The rest with something attached, which must be detached when the run ends.
  printf("tc_target=%d\n", wasm_attach_bpf_program(obj, "wasm_tc_ingress", "lo"));
  printf("bad_pointer_attach=%d\n", wasm_attach_bpf_program(obj, (const char*)0xfffffff0, 0));
  printf("bad_target_attach=%d\n",
         wasm_attach_bpf_program(obj, "wasm_tc_ingress", (const char*)0xffffffff));
  printf("bad_buffer_poll=%d\n",
         wasm_bpf_buffer_poll(obj, fd, CALLBACK_INDEX(on_event), 0, (char*)0xfffffff0, 64, 0));
  printf("bad_go_poll=%d\n", go_buffer_poll(obj, fd, 0, (char*)0xfffffff0, 64, 0));
  uint32_t key = 1;
  printf("bad_value_pointer=%d\n",
         wasm_bpf_map_operate(hash, LOOKUP, &key, (void*)0xfffffffc, 0, 0));
  printf("bad_next_key_pointer=%d\n",
         wasm_bpf_map_operate(hash, NEXT_KEY, 0, 0, (void*)0xfffffffe, 0));
  return 0;
}

// Never returns: the limit is never reached, and the store after the call keeps any compiler
// from turning the recursion into a loop.
static volatile int depth, limit = -1;
__attribute__((noinline)) static int recurse(int n) {
  if (n == limit) return 0;
  depth = n;
  int r = recurse(n + 1);
  depth = r;
  return r + 1;
}

// Attaches tc on lo and a tracepoint, then traps as `how` says: unreachable, an
// out-of-bounds write, or call stack exhaustion.
static int crash(int64_t obj, const char* how) {
  printf("tc_target=%d\n", wasm_attach_bpf_program(obj, "wasm_tc_ingress", "lo"));
  printf("by_section=%d\n", wasm_attach_bpf_program(obj, "ring_openat", 0));
  fflush(stdout);
  if (!strcmp(how, "unreachable")) __builtin_trap();
  if (!strcmp(how, "oob")) *(volatile uint32_t*)(uintptr_t)0xfffffff0u = 1;
  if (!strcmp(how, "recurse")) return recurse(0);
  return 2;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s MODE [ARG]\n", argv[0]);
    return 2;
  }
  const char* mode = argv[1];
  const char* arg = argc > 2 ? argv[2] : "";
  printf("argv0=%s\n", argv[0]);
  if (!strcmp(mode, "exit")) exit(atoi(arg));
  if (!strcmp(mode, "trap")) __builtin_trap();
  if (!strcmp(mode, "bad")) return bad_calls();
  if (!strcmp(mode, "spin") || !strcmp(mode, "yield") || !strcmp(mode, "write")) return busy(mode);
  if (!strcmp(mode, "grow")) return grow();
  if (!strcmp(mode, "sleep")) {
    printf("ready\n");
    fflush(stdout);
    for (;;) sleep(1);  // poll_oneoff; ends only when lmp stops the guest
  }
  int64_t obj = load();
  printf("loaded=%d\n", obj > 0);
  if (!strcmp(mode, "load")) return 0;
  if (!strcmp(mode, "maps")) return maps(obj);
  if (!strcmp(mode, "attach")) {
    printf("unknown_prog=%d\n", wasm_attach_bpf_program(obj, "no_such_prog", 0));
    printf("by_section=%d\n", wasm_attach_bpf_program(obj, "ring_openat", 0));
    printf("tracepoint_target=%d\n",
           wasm_attach_bpf_program(obj, "perf_openat", "syscalls:sys_enter_openat"));
    printf("bad_tracepoint_target=%d\n",
           wasm_attach_bpf_program(obj, "perf_openat", "no_such_category:nothing"));
    printf("tc_target=%d\n", wasm_attach_bpf_program(obj, "wasm_tc_ingress", "lo"));
    printf("bad_tc_target=%d\n", wasm_attach_bpf_program(obj, "wasm_tc_ingress", "nosuchif0"));
    return 0;
  }
  marker = arg;
  if (!strcmp(mode, "ring")) return events(obj, "ring_openat", 0, "ring_events");
  if (!strcmp(mode, "go-ring")) {
    go_style = 1;
    return events(obj, "ring_openat", 0, "ring_events");
  }
  if (!strcmp(mode, "crash")) return crash(obj, arg);
  if (!strcmp(mode, "perf"))
    return events(obj, "perf_openat", "syscalls:sys_enter_openat", "perf_events");
  if (!strcmp(mode, "close")) {
    int fd = wasm_bpf_map_fd_by_name(obj, "hash_map");
    printf("close=%d\n", wasm_close_bpf_object(obj));
    printf("attach_after_close=%d\n", wasm_attach_bpf_program(obj, "ring_openat", 0));
    printf("map_fd_after_close=%d\n", wasm_bpf_map_fd_by_name(obj, "hash_map"));
    uint32_t key = 1;
    uint64_t value;
    printf("map_operate_after_close=%d\n", wasm_bpf_map_operate(fd, LOOKUP, &key, &value, 0, 0));
    printf("close_again=%d\n", wasm_close_bpf_object(obj));
    return 0;
  }
  if (!strcmp(mode, "hold")) {  // attach tc on lo and a tracepoint, then poll, ignoring stops
    printf("tc_target=%d\n", wasm_attach_bpf_program(obj, "wasm_tc_ingress", "lo"));
    printf("by_section=%d\n", wasm_attach_bpf_program(obj, "ring_openat", 0));
    int fd = wasm_bpf_map_fd_by_name(obj, "ring_events");
    static char buf[sizeof(struct open_event)];
    marker = "\x01 matches no path";
    printf("ready\n");
    fflush(stdout);
    for (;;) wasm_bpf_buffer_poll(obj, fd, CALLBACK_INDEX(on_event), 0, buf, sizeof(buf), 1000);
  }
  if (!strcmp(mode, "flood")) {  // a callback far slower than the events it is given
    printf("by_section=%d\n", wasm_attach_bpf_program(obj, "ring_openat", 0));
    int fd = wasm_bpf_map_fd_by_name(obj, "ring_events");
    static char buf[sizeof(struct open_event)];
    printf("ready\n");
    fflush(stdout);
    for (;;) wasm_bpf_buffer_poll(obj, fd, CALLBACK_INDEX(slow_event), 0, buf, sizeof(buf), 100);
  }
  if (!strcmp(mode, "slow")) {  // each callback takes about a second
    printf("by_section=%d\n", wasm_attach_bpf_program(obj, "ring_openat", 0));
    int fd = wasm_bpf_map_fd_by_name(obj, "ring_events");
    static char buf[sizeof(struct open_event)];
    printf("ready\n");
    fflush(stdout);
    for (;;)
      wasm_bpf_buffer_poll(obj, fd, CALLBACK_INDEX(very_slow_event), 0, buf, sizeof(buf), 100);
  }
  fprintf(stderr, "unknown mode %s\n", mode);
  return 2;
}
