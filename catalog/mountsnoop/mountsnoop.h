// Event reported by mountsnoop for every finished mount(2) or umount2(2).
#ifndef LMP_CATALOG_MOUNTSNOOP_H
#define LMP_CATALOG_MOUNTSNOOP_H

#define MOUNTSNOOP_TASK_COMM_LEN 16
#define MOUNTSNOOP_FSTYPE_LEN 16
#define MOUNTSNOOP_PATH_LEN 128

enum mount_op {
  MOUNT = 1,
  UMOUNT = 2,
};

struct mount_event {
  int pid;
  int tid;
  enum mount_op op;
  int ret;
  unsigned long long flags;  // MS_* flags for mount, MNT_*/UMOUNT_* flags for umount
  char comm[MOUNTSNOOP_TASK_COMM_LEN];
  char fstype[MOUNTSNOOP_FSTYPE_LEN];  // mount only
  char source[MOUNTSNOOP_PATH_LEN];    // mount only
  char target[MOUNTSNOOP_PATH_LEN];
};

#endif
