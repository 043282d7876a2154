// Several structs; the events are not the first one.
#pragma once

struct settings {  // never sent
  unsigned int level;
  unsigned int mask;
};

struct exec_event {  // sent through rb
  int pid;
  int ppid;
  char comm[16];
  char marker[8];
};

struct tag_event {  // sent through tags
  unsigned long long tag;
  int pid;
  int pad;
  unsigned long long magic;
};
