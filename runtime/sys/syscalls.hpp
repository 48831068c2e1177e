// Thin wrappers for syscalls glibc 2.36 lacks. noexcept: usable in the child.
#pragma once

#include <fcntl.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>

namespace rt::sys {

inline long clone3(clone_args* args) noexcept { return ::syscall(SYS_clone3, args, sizeof(*args)); }
inline int openat2(int dirfd, const char* path, open_how* how) noexcept {
    return static_cast<int>(::syscall(SYS_openat2, dirfd, path, how, sizeof(*how)));
}
inline int pidfd_open(pid_t pid, unsigned flags) noexcept {
    return static_cast<int>(::syscall(SYS_pidfd_open, pid, flags));
}
inline int pidfd_send_signal(int pidfd, int sig, unsigned flags) noexcept {
    return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, flags));
}
inline int open_tree(int dirfd, const char* path, unsigned flags) noexcept {
    return static_cast<int>(::syscall(SYS_open_tree, dirfd, path, flags));
}
inline int move_mount(int from_dfd, const char* from, int to_dfd, const char* to,
                      unsigned flags) noexcept {
    return static_cast<int>(::syscall(SYS_move_mount, from_dfd, from, to_dfd, to, flags));
}
inline int mount_setattr(int dfd, const char* path, unsigned flags, mount_attr* attr) noexcept {
    return static_cast<int>(::syscall(SYS_mount_setattr, dfd, path, flags, attr, sizeof(*attr)));
}
inline int fsopen(const char* fs, unsigned flags) noexcept {
    return static_cast<int>(::syscall(SYS_fsopen, fs, flags));
}
inline int fsconfig(int fd, unsigned cmd, const char* key, const void* value, int aux) noexcept {
    return static_cast<int>(::syscall(SYS_fsconfig, fd, cmd, key, value, aux));
}
inline int fsmount(int fd, unsigned flags, unsigned attr) noexcept {
    return static_cast<int>(::syscall(SYS_fsmount, fd, flags, attr));
}
inline int pivot_root(const char* new_root, const char* put_old) noexcept {
    return static_cast<int>(::syscall(SYS_pivot_root, new_root, put_old));
}
inline int close_range(unsigned first, unsigned last, unsigned flags) noexcept {
    return static_cast<int>(::syscall(SYS_close_range, first, last, flags));
}

// The id changes of the container's init, as plain system calls. glibc's
// wrappers broadcast the change to every thread of the process (setxid);
// a process made by a raw clone3 has one thread but glibc's bookkeeping
// still lists its parent's, so the wrappers would wait forever on them.
inline int raw_setresuid(uid_t r, uid_t e, uid_t s) noexcept { return static_cast<int>(::syscall(SYS_setresuid, r, e, s)); }
inline int raw_setresgid(gid_t r, gid_t e, gid_t s) noexcept { return static_cast<int>(::syscall(SYS_setresgid, r, e, s)); }
inline int raw_setgroups(size_t n, const gid_t* list) noexcept { return static_cast<int>(::syscall(SYS_setgroups, n, list)); }

}  // namespace rt::sys
