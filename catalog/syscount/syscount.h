// Map types of syscount: calls counted per system call number.
#ifndef LMP_CATALOG_SYSCOUNT_H
#define LMP_CATALOG_SYSCOUNT_H

struct syscall_key {
  unsigned int syscall_id;  // the architecture's system call number (x86_64: 0 read, 1 write...)
};

struct syscall_stats {
  unsigned long long count;
};

#endif
