// /dev: device nodes (mknod, or a bind of the host node inside a user
// namespace where mknod is not allowed), the standard symlinks, and the
// /dev/console mountpoint. All created relative to fds resolved inside the
// rootfs, never through a path the image could redirect (CVE-2026-41579,
// CVE-2026-88264).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "child/child.hpp"
#include "child/paths.hpp"
#include "sys/syscalls.hpp"

namespace rt::child {

namespace {

Status bind_host_node(int parent, const char* name, const plan::DeviceNode& d) noexcept {
    int fd = ::openat(parent, name, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0644);
    if (fd < 0 && errno != EEXIST) return fail("create device mountpoint", d.path.c_str());
    if (fd >= 0) ::close(fd);
    open_how how{};
    how.flags = O_PATH | O_CLOEXEC | O_NOFOLLOW;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS;
    int target = sys::openat2(parent, name, &how);
    if (target < 0) return fail("open device mountpoint", d.path.c_str());
    int tree = sys::open_tree(AT_FDCWD, d.path.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    int r = tree < 0 ? -1
                     : sys::move_mount(tree, "", target, "",
                                       MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
    int e = errno;
    if (tree >= 0) ::close(tree);
    ::close(target);
    return r == 0 ? ok() : fail_with(e, "bind device", d.path.c_str());
}

Status make_node(int rootfd, const plan::DeviceNode& d, bool bind) noexcept {
    const char* name = nullptr;
    int parent = open_parent_in_root(rootfd, d.path.c_str(), true, &name);
    if (parent < 0) return fail_with(-parent, "create device directory for", d.path.c_str());
    Status st = ok();
    if (bind) {
        st = bind_host_node(parent, name, d);
    } else {
        // An existing entry (e.g. from the image) is replaced, as runc does.
        if (::unlinkat(parent, name, 0) != 0 && errno != ENOENT)
            st = fail("remove", d.path.c_str());
        else if (::mknodat(parent, name, d.mode, d.rdev) != 0)
            st = fail("mknod", d.path.c_str());
        else if (::fchownat(parent, name, d.uid, d.gid, AT_SYMLINK_NOFOLLOW) != 0)
            st = fail("chown", d.path.c_str());
        else if (::fchmodat(parent, name, d.mode & 07777, 0) != 0)
            st = fail("chmod", d.path.c_str());
    }
    ::close(parent);
    return st;
}

struct Link {
    const char* target;
    const char* name;
};

constexpr Link kDevLinks[] = {
    {"/proc/self/fd", "fd"},
    {"/proc/self/fd/0", "stdin"},
    {"/proc/self/fd/1", "stdout"},
    {"/proc/self/fd/2", "stderr"},
    {"pts/ptmx", "ptmx"},
};

Status make_links(int devfd) noexcept {
    for (const auto& l : kDevLinks) {
        if (::symlinkat(l.target, devfd, l.name) != 0 && errno != EEXIST)
            return fail("symlink /dev/", l.name);
    }
    return ok();
}

// /dev/console becomes the pty slave (bound in io.cpp) and needs a regular
// file to be mounted on. Whatever the image put there (a symlink to a host
// path, say) is replaced, never followed (CVE-2025-52565, CVE-2026-88264).
Status make_console_mountpoint(int devdir) noexcept {
    struct stat st;
    if (::fstatat(devdir, "console", &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if (S_ISREG(st.st_mode)) return ok();
        if (::unlinkat(devdir, "console", S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) != 0)
            return fail("remove", "/dev/console");
    }
    int fd = ::openat(devdir, "console", O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0) return fail("create", "/dev/console");
    ::close(fd);
    return ok();
}

}  // namespace

Status setup_devices(const plan::ChildPlan& plan, int rootfd) noexcept {
    for (const auto& d : plan.devices) {
        // Only character/block nodes can be bound from the host; fifos are
        // always created.
        bool bind = plan.bind_devices && !S_ISFIFO(d.mode);
        Status st = make_node(rootfd, d, bind);
        if (!st.ok()) return st;
    }
    if (plan.default_devices) {
        int dev = open_in_root(rootfd, "/dev", Create::dirs);
        if (dev < 0) return fail_with(-dev, "open", "/dev");
        // O_PATH fds cannot be used with symlinkat; reopen as a directory.
        int devdir = ::openat(dev, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ::close(dev);
        if (devdir < 0) return fail("open", "/dev");
        Status st = make_links(devdir);
        if (st.ok() && plan.terminal) st = make_console_mountpoint(devdir);
        ::close(devdir);
        if (!st.ok()) return st;
    }
    return ok();
}

}  // namespace rt::child
