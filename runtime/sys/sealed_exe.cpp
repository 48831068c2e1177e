// CVE-2019-5736 defence without copying the binary on every run.
//
// A process inside the container can reach the runtime's executable through
// /proc/<pid>/exe (while the runtime sits in the container's namespaces, or
// by exec'ing /proc/self/exe as its entrypoint) and, once nothing executes it
// any more, open it for writing and replace the host's runtime. runc and crun
// run from a sealed memfd copy, which costs a copy of the binary per
// invocation. We instead re-exec once from a detached, read-only bind mount of
// the same file (open_tree + mount_setattr): /proc/<pid>/exe then names a path
// on a read-only mount, so opening it for writing fails with EROFS, and the
// mount is not attached anywhere, so nothing in any mount namespace can make
// it writable again. It costs one execve and no copy. When the binary already
// lives on a read-only mount (detected with fstatvfs), nothing is done.
// The same re-exec normally happens earlier, at berth's ELF entry point
// (early_seal.cpp), before the C library starts; this is the safety net that
// also reports why sealing failed.
#include "sys/sealed_exe.hpp"

#include <fcntl.h>
#include <linux/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>

#include "sys/error.hpp"
#include "sys/fd.hpp"
#include "sys/syscalls.hpp"

extern char** environ;

namespace rt::sys {

void ensure_sealed_exe(char** argv) {
    UniqueFd exe(::open("/proc/self/exe", O_PATH | O_CLOEXEC));
    if (!exe) throw_errno("open /proc/self/exe");
    struct statvfs vfs;
    if (::fstatvfs(exe.get(), &vfs) == 0 && (vfs.f_flag & ST_RDONLY)) return;
    UniqueFd tree(open_tree(exe.get(), "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH));
    if (!tree) throw_errno("clone a read-only view of the runtime binary");
    mount_attr attr{};
    attr.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
    check_sys(mount_setattr(tree.get(), "", AT_EMPTY_PATH, &attr), "make the runtime view read-only");
    // The tree fd is CLOEXEC: after execveat the mount lives on only as the
    // new image's exe file.
    ::syscall(SYS_execveat, tree.get(), "", argv, environ, AT_EMPTY_PATH);
    throw_errno("re-exec the runtime from its read-only view");
}

}  // namespace rt::sys
