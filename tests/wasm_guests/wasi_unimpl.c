// Guest for tests/wasm_test.cpp: imports WASI functions lmp does not implement, as a module
// linked against a full wasi-libc does. It must load; each call returns the errno lmp gives
// unimplemented functions (76 ENOTCAPABLE for the file system, 52 ENOSYS for the rest).
#include <stdint.h>
#include <stdio.h>

#define WASI_IMPORT(name) \
  __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))

WASI_IMPORT(path_open)
int wasi_path_open(int fd, int dirflags, const char* path, int path_len, int oflags, int64_t rights,
                   int64_t inheriting, int fdflags, int* opened);
WASI_IMPORT(path_filestat_get)
int wasi_path_filestat_get(int fd, int flags, const char* path, int path_len, void* stat);
WASI_IMPORT(fd_readdir) int wasi_fd_readdir(int fd, void* buf, int len, int64_t cookie, int* used);
WASI_IMPORT(sock_accept) int wasi_sock_accept(int fd, int flags, int* accepted);
WASI_IMPORT(proc_raise) int wasi_proc_raise(int signal);

int main(void) {
  int out = -1;
  char stat[64], buf[64];
  printf("path_open=%d\n", wasi_path_open(3, 0, "etc", 3, 0, 0, 0, 0, &out));
  printf("path_filestat_get=%d\n", wasi_path_filestat_get(3, 0, "etc", 3, stat));
  printf("fd_readdir=%d\n", wasi_fd_readdir(3, buf, sizeof buf, 0, &out));
  printf("sock_accept=%d\n", wasi_sock_accept(0, 0, &out));
  printf("proc_raise=%d\n", wasi_proc_raise(9));
  return 0;
}
