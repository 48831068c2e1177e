// /dev: device nodes (mknod, or a bind of the host node inside a user
// namespace where mknod is not allowed), the standard symlinks, and the
// /dev/console mountpoint. All created relative to fds resolved inside the
// rootfs, never through a path the image could redirect (CVE-2026-41579,
// CVE-2026-88264).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

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

// Creates one node in `parent` (the fd of its directory). mknod first; an
// existing entry (e.g. from the image) is replaced, as runc does. The mode is
// exact because the child runs with umask 0 until the process's own umask.
Status make_node_in(int parent, const char* name, const plan::DeviceNode& d, bool bind) noexcept {
    if (bind) return bind_host_node(parent, name, d);
    if (::mknodat(parent, name, d.mode, d.rdev) != 0) {
        if (errno != EEXIST) return fail("mknod", d.path.c_str());
        if (::unlinkat(parent, name, 0) != 0) return fail("remove", d.path.c_str());
        if (::mknodat(parent, name, d.mode, d.rdev) != 0) return fail("mknod", d.path.c_str());
    }
    if ((d.uid != 0 || d.gid != 0) && ::fchownat(parent, name, d.uid, d.gid, AT_SYMLINK_NOFOLLOW) != 0)
        return fail("chown", d.path.c_str());
    return ok();
}

// Nodes are grouped by directory: one in-root open per directory, not per node.
Status make_nodes(int rootfd, const plan::ChildPlan& plan) noexcept {
    int parent = -1;
    const char* parent_path = nullptr;
    size_t parent_len = 0;
    Status st = ok();
    for (const auto& d : plan.devices) {
        const char* name = std::strrchr(d.path.c_str(), '/');
        name = name != nullptr ? name + 1 : d.path.c_str();
        size_t dir_len = static_cast<size_t>(name - d.path.c_str());
        if (parent < 0 || dir_len != parent_len || std::strncmp(parent_path, d.path.c_str(), dir_len) != 0) {
            if (parent >= 0) ::close(parent);
            const char* ignored = nullptr;
            parent = open_parent_in_root(rootfd, d.path.c_str(), true, &ignored);
            if (parent < 0) return fail_with(-parent, "create device directory for", d.path.c_str());
            parent_path = d.path.c_str();
            parent_len = dir_len;
        }
        // Only character/block nodes can be bound from the host; fifos are
        // always created.
        st = make_node_in(parent, name, d, plan.bind_devices && !S_ISFIFO(d.mode));
        if (!st.ok()) break;
    }
    if (parent >= 0) ::close(parent);
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
    Status nodes = make_nodes(rootfd, plan);
    if (!nodes.ok()) return nodes;
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
