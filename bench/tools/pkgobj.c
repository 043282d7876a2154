// Writes the BPF ELF object carried by an lmp/eunomia package.json (base64 of the
// zlib-compressed object in "bpf_object") to a file, so that the native baselines are
// generated from exactly the object lmp loads.   Usage: pkgobj package.json out.bpf.o
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static int b64(int c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s package.json out.bpf.o\n", argv[0]);
    return 2;
  }
  FILE *f = fopen(argv[1], "rb");
  if (!f) return perror(argv[1]), 1;
  size_t cap = 1 << 20, len = 0, n;
  char *text = malloc(cap + 1);
  while (text && (n = fread(text + len, 1, cap - len, f)) > 0)
    if ((len += n) == cap) text = realloc(text, (cap *= 2) + 1);
  fclose(f);
  if (!text) return fprintf(stderr, "out of memory\n"), 1;
  text[len] = 0;

  const char *p = strstr(text, "\"bpf_object\"");
  if (!p) return fprintf(stderr, "%s: no \"bpf_object\" key\n", argv[1]), 1;
  p += strlen("\"bpf_object\"");
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == ':') p++;
  if (*p++ != '"') return fprintf(stderr, "%s: \"bpf_object\" is not a string\n", argv[1]), 1;

  /* base64 decode up to the closing quote; skip JSON escapes ("\/") and padding */
  unsigned char *zbuf = malloc(len);
  size_t zlen = 0;
  unsigned acc = 0;
  int bits = 0;
  for (; *p && *p != '"'; p++) {
    int v = b64((unsigned char)*p);
    if (v < 0) continue;
    acc = (acc << 6) | (unsigned)v;
    if ((bits += 6) >= 8) {
      bits -= 8;
      zbuf[zlen++] = (unsigned char)(acc >> bits);
    }
  }

  size_t outcap = 1 << 20;
  unsigned char *out = NULL;
  for (;;) {
    out = realloc(out, outcap);
    uLongf outlen = outcap;
    int rc = uncompress(out, &outlen, zbuf, zlen);
    if (rc == Z_BUF_ERROR) {
      outcap *= 2;
      continue;
    }
    if (rc != Z_OK) return fprintf(stderr, "%s: zlib error %d\n", argv[1], rc), 1;
    FILE *o = fopen(argv[2], "wb");
    if (!o || fwrite(out, 1, outlen, o) != outlen || fclose(o) != 0) return perror(argv[2]), 1;
    return 0;
  }
}
