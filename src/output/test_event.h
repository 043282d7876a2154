// Test helper: the event struct the event printer tests share. Test-only; not in lmp_output.
#pragma once

#include <string>
#include <vector>

#include "output/output.h"
#include "output/test_btf.h"

namespace lmp::output::testing {

// struct event { int pid; unsigned long long ts; char comm[16]; enum state state;
//                _Bool ok; unsigned flags:4; struct pair { int a, b; } pair; };
struct EventBtf {
  BtfHandle btf = new_btf();
  int id = 0;
  EventBtf() {
    struct btf* b = btf.get();
    int s32 = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
    int u32 = btf__add_int(b, "unsigned int", 4, 0);
    int u64 = btf__add_int(b, "unsigned long long", 8, 0);
    int ch = btf__add_int(b, "char", 1, BTF_INT_SIGNED);
    int boolean = btf__add_int(b, "_Bool", 1, BTF_INT_BOOL);
    int comm = btf__add_array(b, s32, ch, 16);
    int state = btf__add_enum(b, "state", 4);
    btf__add_enum_value(b, "RUNNING", 0);
    btf__add_enum_value(b, "SLEEPING", 1);
    int pair = btf__add_struct(b, "pair", 8);
    btf__add_field(b, "a", s32, 0, 0);
    btf__add_field(b, "b", s32, 32, 0);
    id = btf__add_struct(b, "event", 48);
    btf__add_field(b, "pid", s32, 0, 0);
    btf__add_field(b, "ts", u64, 64, 0);
    btf__add_field(b, "comm", comm, 128, 0);
    btf__add_field(b, "state", state, 256, 0);
    btf__add_field(b, "ok", boolean, 288, 0);
    btf__add_field(b, "flags", u32, 296, 4);
    btf__add_field(b, "pair", pair, 320, 0);
  }
  package::ExportType type() const {
    package::ExportType t{"event", 48, static_cast<uint32_t>(id), {}};
    for (const char* m : {"pid", "ts", "comm", "state", "ok", "flags", "pair"})
      t.members.push_back({m, ""});
    return t;
  }
};

// pid 1234, ts 987654321, comm "bash", state SLEEPING, ok, flags 11, pair {-1, 2}.
inline std::vector<uint8_t> event_sample() {
  std::vector<uint8_t> d(48, 0);
  put<int32_t>(d, 0, 1234);
  put<uint64_t>(d, 8, 987654321);
  put_text(d, 16, "bash", 16);
  put<uint32_t>(d, 32, 1);
  d[36] = 1;
  d[37] = 0x0b;  // flags = 11
  put<int32_t>(d, 40, -1);
  put<int32_t>(d, 44, 2);
  return d;
}

// struct conn { int pid; int sig; u16 family; u16 dport; u32 daddr; int ret; int level; }
// with `/// @format` port on dport, errno on ret and an unknown word on level; sig and daddr
// are decoded by their names.
struct ConnBtf {
  BtfHandle btf = new_btf();
  int id = 0;
  ConnBtf() {
    struct btf* b = btf.get();
    int s32 = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
    int u16 = btf__add_int(b, "unsigned short", 2, 0);
    int u32 = btf__add_int(b, "unsigned int", 4, 0);
    id = btf__add_struct(b, "conn", 24);
    btf__add_field(b, "pid", s32, 0, 0);
    btf__add_field(b, "sig", s32, 32, 0);
    btf__add_field(b, "family", u16, 64, 0);
    btf__add_field(b, "dport", u16, 80, 0);
    btf__add_field(b, "daddr", u32, 96, 0);
    btf__add_field(b, "ret", s32, 128, 0);
    btf__add_field(b, "level", s32, 160, 0);
  }
  package::ExportType type() const {
    return {"conn",
            24,
            static_cast<uint32_t>(id),
            {{"pid", "int"},
             {"sig", "int"},
             {"family", "u16"},
             {"dport", "u16", "port"},
             {"daddr", "u32"},
             {"ret", "int", "errno"},
             {"level", "int", "no-such-format"}}};
  }
};

// pid 7, sig 9 (SIGKILL), family 2 (AF_INET), dport 80, daddr 10.0.0.1, ret -2 (ENOENT),
// level 3.
inline std::vector<uint8_t> conn_sample() {
  std::vector<uint8_t> d(24, 0);
  put<int32_t>(d, 0, 7);
  put<int32_t>(d, 4, 9);
  put<uint16_t>(d, 8, 2);
  d[10] = 0;  // port 80 in network order
  d[11] = 80;
  d[12] = 10;  // 10.0.0.1 in network order
  d[15] = 1;
  put<int32_t>(d, 16, -2);
  put<int32_t>(d, 20, 3);
  return d;
}

}  // namespace lmp::output::testing
