// Namespaces: join by fd, create with unshare, time offsets, hostname, sysctls.
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "child/child.hpp"
#include "sys/syscalls.hpp"

namespace rt::child {

Status join_namespaces(const plan::ChildPlan& plan) noexcept {
    for (const auto& j : plan.joins) {
        if (::setns(j.fd, j.nstype) != 0) return fail("setns", j.path.c_str());
    }
    return ok();
}

static Status write_file(const char* path, const std::string& content) noexcept {
    int fd = ::open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return fail("open", path);
    ssize_t n = ::write(fd, content.data(), content.size());
    int e = errno;
    ::close(fd);
    if (n != static_cast<ssize_t>(content.size())) return fail_with(n < 0 ? e : EIO, "write", path);
    return ok();
}

Status create_namespaces(const plan::ChildPlan& plan) noexcept {
    // A late cgroup namespace is the init's to create (wait_cgroup).
    int flags = plan.unshare_flags & ~(plan.late_cgroupns ? CLONE_NEWCGROUP : 0);
    if (flags != 0 && ::unshare(flags) != 0)
        return fail("unshare namespaces");
    // Offsets can only be written before the first process enters the new
    // time namespace (time_namespaces(7)); the init is forked after this.
    if (!plan.timens_offsets.empty())
        return write_file("/proc/self/timens_offsets", plan.timens_offsets);
    return ok();
}

Status set_uts_names(const plan::ChildPlan& plan) noexcept {
    if (plan.hostname && ::sethostname(plan.hostname->data(), plan.hostname->size()) != 0)
        return fail("sethostname", plan.hostname->c_str());
    if (plan.domainname && ::setdomainname(plan.domainname->data(), plan.domainname->size()) != 0)
        return fail("setdomainname", plan.domainname->c_str());
    return ok();
}

// Written through the container's own /proc after pivot_root, so a sysctl
// applies to the container's namespaces (net.*, kernel.shm*, ...). The path
// is opened without following symlinks out of /proc/sys (CVE-2025-52881
// class: a redirected procfs write).
Status write_sysctls(const plan::ChildPlan& plan) noexcept {
    if (plan.sysctls.empty()) return ok();
    int dir = ::open("/proc/sys", O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (dir < 0) return fail("open", "/proc/sys");
    for (const auto& s : plan.sysctls) {
        open_how how{};
        how.flags = O_WRONLY | O_CLOEXEC | O_NOFOLLOW;
        how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
        int fd = sys::openat2(dir, s.path.c_str(), &how);
        if (fd < 0) {
            int e = errno;
            ::close(dir);
            return fail_with(e, "open sysctl", s.path.c_str());
        }
        ssize_t n = ::write(fd, s.value.data(), s.value.size());
        int e = errno;
        ::close(fd);
        if (n < 0) {
            ::close(dir);
            return fail_with(e, "write sysctl", s.path.c_str());
        }
    }
    ::close(dir);
    return ok();
}

}  // namespace rt::child
