// Rootfs: propagation of /, the config's mounts, pivot_root, masked and
// read-only paths. Every mount goes through the new mount API (fsopen /
// open_tree + move_mount onto an O_PATH fd resolved inside the rootfs), so no
// path is resolved twice and nothing depends on /proc inside the container.
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "child/child.hpp"
#include "child/paths.hpp"
#include "sys/syscalls.hpp"

namespace rt::child {

namespace {

using plan::MountStep;

struct Fd {  // the child's tiny RAII: closes on scope exit, nothing else
    int fd;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

int new_filesystem(const MountStep& m) noexcept {
    Fd fs{sys::fsopen(m.fstype.c_str(), FSOPEN_CLOEXEC)};
    if (fs.fd < 0) return -errno;
    if (!m.source.empty() &&
        sys::fsconfig(fs.fd, FSCONFIG_SET_STRING, "source", m.source.c_str(), 0) != 0)
        return -errno;
    for (const auto& p : m.params) {
        int r = p.value.empty()
                    ? sys::fsconfig(fs.fd, FSCONFIG_SET_FLAG, p.key.c_str(), nullptr, 0)
                    : sys::fsconfig(fs.fd, FSCONFIG_SET_STRING, p.key.c_str(), p.value.c_str(), 0);
        if (r != 0) return -errno;
    }
    if (sys::fsconfig(fs.fd, FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0) return -errno;
    int mnt = sys::fsmount(fs.fd, FSMOUNT_CLOEXEC, static_cast<unsigned>(m.attr_set));
    return mnt < 0 ? -errno : mnt;
}

int clone_bind(const MountStep& m) noexcept {
    unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (m.recursive ? AT_RECURSIVE : 0);
    Fd tree{sys::open_tree(AT_FDCWD, m.source.c_str(), flags)};
    if (tree.fd < 0) return -errno;
    if (m.attr_set != 0 || m.attr_clr != 0) {
        mount_attr attr{};
        attr.attr_set = m.attr_set;
        attr.attr_clr = m.attr_clr;
        // "ro" on a bind applies to the top mount only, as runc's remount
        // does; "rro" is planned as a recursive attribute change.
        if (sys::mount_setattr(tree.fd, "", AT_EMPTY_PATH, &attr) != 0) return -errno;
    }
    if (m.rattr_set != 0 || m.rattr_clr != 0) {
        mount_attr attr{};
        attr.attr_set = m.rattr_set;
        attr.attr_clr = m.rattr_clr;
        if (sys::mount_setattr(tree.fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr) != 0) return -errno;
    }
    int fd = tree.fd;
    tree.fd = -1;
    return fd;
}

Status set_propagation(int rootfd, const MountStep& m) noexcept {
    Fd target{open_in_root(rootfd, m.destination.c_str(), Create::none)};
    if (target.fd < 0) return fail_with(-target.fd, "open mount target", m.destination.c_str());
    mount_attr attr{};
    attr.propagation = m.propagation;
    unsigned flags = AT_EMPTY_PATH | (m.propagation_recursive ? AT_RECURSIVE : 0);
    if (sys::mount_setattr(target.fd, "", flags, &attr) != 0)
        return fail("set propagation of", m.destination.c_str());
    return ok();
}

// New filesystems go through classic mount(2) onto the in-root fd of the
// target, reached as /proc/self/fd/N of the host's /proc (still visible:
// this runs before pivot_root). Same safety as move_mount (the target is the
// fd resolved inside the rootfs, runc's fix for CVE-2021-30465), in one
// syscall instead of fsopen/fsconfig.../fsmount/move_mount.
Status mount_filesystem(int target, const MountStep& m) noexcept {
    char path[40];
    std::snprintf(path, sizeof path, "/proc/self/fd/%d", target);
    if (::mount(m.source.c_str(), path, m.fstype.c_str(), m.ms_flags,
                m.data.empty() ? nullptr : m.data.c_str()) != 0)
        return fail("mount", m.destination.c_str());
    return ok();
}

Status mount_one(int rootfd, const MountStep& m) noexcept {
    if (m.kind == MountStep::Kind::remount) {
        Fd target{open_in_root(rootfd, m.destination.c_str(), Create::none)};
        if (target.fd < 0) return fail_with(-target.fd, "open mount target", m.destination.c_str());
        mount_attr attr{};
        attr.attr_set = m.attr_set;
        if (sys::mount_setattr(target.fd, "", AT_EMPTY_PATH, &attr) != 0)
            return fail("remount", m.destination.c_str());
        return ok();
    }
    Fd target{open_in_root(rootfd, m.destination.c_str(),
                           m.file_target ? Create::file : Create::dirs)};
    if (target.fd < 0) return fail_with(-target.fd, "create mount target", m.destination.c_str());
    if (m.kind == MountStep::Kind::filesystem) {
        Status st = mount_filesystem(target.fd, m);
        if (!st.ok() || m.propagation == 0) return st;
        return set_propagation(rootfd, m);
    }
    Fd mnt{clone_bind(m)};
    if (mnt.fd < 0) {
        return fail_with(-mnt.fd, "bind mount", m.destination.c_str());
    }
    if (sys::move_mount(mnt.fd, "", target.fd, "",
                        MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
        return fail("move_mount onto", m.destination.c_str());
    if (m.propagation != 0) return set_propagation(rootfd, m);
    return ok();
}

// /proc and /sys destinations must be real directories in the image, checked
// without following links (CVE-2019-19921, CVE-2023-27561): a symlink there
// could redirect the LSM/sysctl writes that go through them.
Status check_proc_sys_target(int rootfd, const MountStep& m) noexcept {
    if (m.kind != MountStep::Kind::filesystem || (m.fstype != "proc" && m.fstype != "sysfs"))
        return ok();
    const char* rel = m.destination.c_str();
    while (*rel == '/') ++rel;
    struct stat st;
    if (::fstatat(rootfd, rel, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) return ok();
        return fail("stat", m.destination.c_str());
    }
    if (!S_ISDIR(st.st_mode))
        return fail_with(ENOTDIR, "mount target must be a directory (not a symlink):",
                         m.destination.c_str());
    return ok();
}

Status create_cwd(const plan::ChildPlan& plan, int rootfd) noexcept {
    // runc creates a missing cwd inside the rootfs (prepareRootfs).
    int fd = open_in_root(rootfd, plan.cwd.c_str(), Create::dirs);
    if (fd < 0) return fail_with(-fd, "create cwd", plan.cwd.c_str());
    ::close(fd);
    return ok();
}

}  // namespace

Status setup_rootfs(const plan::ChildPlan& plan) noexcept {
    // Stop mount events leaking to the host (slave by default, as runc).
    if (::mount(nullptr, "/", nullptr, plan.root_propagation, nullptr) != 0)
        return fail("set propagation of", "/");
    // The rootfs must be a mount point for pivot_root.
    if (::mount(plan.rootfs.c_str(), plan.rootfs.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
        return fail("bind mount rootfs", plan.rootfs.c_str());
    Fd root{::open(plan.rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)};
    if (root.fd < 0) return fail("open rootfs", plan.rootfs.c_str());
    for (const auto& m : plan.mounts) {
        if (m.needs_cgroup) {
            Status st = wait_cgroup(plan);
            if (!st.ok()) return st;
        }
        Status st = check_proc_sys_target(root.fd, m);
        if (!st.ok()) return st;
        st = mount_one(root.fd, m);
        if (!st.ok()) return st;
    }
    Status st = setup_devices(plan, root.fd);
    if (!st.ok()) return st;
    return create_cwd(plan, root.fd);
}

namespace {

Status pivot() noexcept {
    // pivot_root(".", ".") stacks the old root on top of the new one; the
    // old root is then detached. Made slave first so the unmount does not
    // propagate back into the host.
    if (sys::pivot_root(".", ".") != 0) return fail("pivot_root");
    if (::mount(nullptr, ".", nullptr, MS_SLAVE | MS_REC, nullptr) != 0)
        return fail("set propagation of old root");
    if (::umount2(".", MNT_DETACH) != 0) return fail("unmount old root");
    if (::chdir("/") != 0) return fail("chdir", "/");
    return ok();
}

Status move_root(const plan::ChildPlan& plan) noexcept {
    // --no-pivot (ramdisk roots cannot be pivoted): move the rootfs over /
    // and chroot into it.
    if (::mount(plan.rootfs.c_str(), "/", nullptr, MS_MOVE, nullptr) != 0)
        return fail("move rootfs to /");
    if (::chroot(".") != 0) return fail("chroot");
    if (::chdir("/") != 0) return fail("chdir", "/");
    return ok();
}

MountStep empty_tmpfs() noexcept {
    MountStep m;
    m.fstype = "tmpfs";
    m.source = "tmpfs";
    m.attr_set = MOUNT_ATTR_RDONLY;
    return m;
}

// maskedPaths: files are covered by the container's /dev/null, which must be
// the real 1:3 character device (CVE-2025-31133); directories by an empty
// read-only tmpfs. A missing path is not an error.
Status mask_path(int rootfd, int devnull, int empty_dir, const std::string& path) noexcept {
    Fd target{open_in_root(rootfd, path.c_str(), Create::none)};
    if (target.fd == -ENOENT) return ok();
    if (target.fd < 0) return fail_with(-target.fd, "open masked path", path.c_str());
    struct stat st;
    if (::fstat(target.fd, &st) != 0) return fail("stat masked path", path.c_str());
    // Directories get a clone of one empty read-only tmpfs, files a clone
    // of the verified /dev/null: one open_tree each. Kernels before 6.x
    // (Debian 12's 6.1) refuse to clone a detached mount (EINVAL): there a
    // fresh read-only tmpfs is made per directory.
    int source = S_ISDIR(st.st_mode) ? empty_dir : devnull;
    Fd mnt{sys::open_tree(source, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH)};
    if (mnt.fd < 0) mnt.fd = -errno;
    if (mnt.fd == -EINVAL && S_ISDIR(st.st_mode)) mnt.fd = new_filesystem(empty_tmpfs());
    if (mnt.fd < 0) return fail_with(-mnt.fd, "mask", path.c_str());
    if (sys::move_mount(mnt.fd, "", target.fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
        return fail("mask", path.c_str());
    return ok();
}

Status open_devnull(int rootfd, int* out) noexcept {
    open_how how{};
    how.flags = O_PATH | O_CLOEXEC | O_NOFOLLOW;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS;
    int fd = sys::openat2(rootfd, "dev/null", &how);
    if (fd < 0) return fail("open", "/dev/null");
    struct stat st;
    if (::fstat(fd, &st) != 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3)) {
        ::close(fd);
        return fail_with(EPERM, "refusing /dev/null that is not the 1:3 character device:",
                         "/dev/null");
    }
    *out = fd;
    return ok();
}

Status readonly_path(int rootfd, const std::string& path) noexcept {
    Fd target{open_in_root(rootfd, path.c_str(), Create::none)};
    if (target.fd == -ENOENT) return ok();
    if (target.fd < 0) return fail_with(-target.fd, "open readonly path", path.c_str());
    Fd tree{sys::open_tree(target.fd, "",
                           OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE)};
    if (tree.fd < 0) return fail("bind readonly path", path.c_str());
    mount_attr attr{};
    attr.attr_set = MOUNT_ATTR_RDONLY;
    if (sys::mount_setattr(tree.fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr) != 0)
        return fail("make readonly", path.c_str());
    if (sys::move_mount(tree.fd, "", target.fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
        return fail("bind readonly path", path.c_str());
    return ok();
}

}  // namespace

Status enter_rootfs(const plan::ChildPlan& plan) noexcept {
    Status st = plan.no_pivot ? move_root(plan) : pivot();
    if (!st.ok()) return st;
    Fd root{::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)};
    if (root.fd < 0) return fail("open", "/");
    // sysctls first: /proc/sys is usually among the read-only paths.
    st = write_sysctls(plan);
    if (!st.ok()) return st;
    if (!plan.masked_paths.empty()) {
        int devnull = -1;
        st = open_devnull(root.fd, &devnull);
        if (!st.ok()) return st;
        Fd dn{devnull};
        Fd empty_dir{new_filesystem(empty_tmpfs())};
        if (empty_dir.fd < 0) return fail_with(-empty_dir.fd, "mount", "tmpfs for masked paths");
        for (const auto& p : plan.masked_paths) {
            st = mask_path(root.fd, dn.fd, empty_dir.fd, p);
            if (!st.ok()) return st;
        }
    }
    for (const auto& p : plan.readonly_paths) {
        st = readonly_path(root.fd, p);
        if (!st.ok()) return st;
    }
    if (plan.readonly_root) {
        mount_attr attr{};
        attr.attr_set = MOUNT_ATTR_RDONLY;
        if (sys::mount_setattr(root.fd, "", AT_EMPTY_PATH, &attr) != 0)
            return fail("remount / read-only");
    }
    // Last: an unbindable / would refuse the bind clones made above.
    unsigned long prop = 0;
    if (plan.shared_root_after_pivot) prop = MS_SHARED;
    if (plan.unbindable_root_after_pivot) prop = MS_UNBINDABLE;
    if (prop != 0 && ::mount(nullptr, "/", nullptr, prop | MS_REC, nullptr) != 0)
        return fail("set propagation of", "/");
    return ok();
}

}  // namespace rt::child
