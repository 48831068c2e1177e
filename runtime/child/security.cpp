// Process identity and privileges: rlimits, session keyring, groups,
// uid/gid, capabilities (libcap-ng, state prepared by the parent), umask,
// no_new_privs. Order follows runc's finalizeNamespace: the bounding set is
// dropped while still privileged, ids change with PR_SET_KEEPCAPS so the
// permitted set survives, then the final sets are applied.
#include <cap-ng.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "child/child.hpp"
#include "sys/syscalls.hpp"

namespace rt::child {

namespace {

// Drops every capability the plan's bounding set lacks (PR_CAPBSET_DROP,
// while still privileged). Stops at the first number the kernel does not know.
Status drop_bounding(const plan::ChildPlan& plan) noexcept {
    for (int cap = 0; cap < 64; ++cap) {
        if (plan.caps[0] & (1ULL << cap)) continue;
        if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) {
            if (errno == EINVAL) break;
            return fail("drop bounding capability");
        }
    }
    return ok();
}

Status join_keyring(const plan::ChildPlan& plan) noexcept {
    if (plan.no_new_keyring || plan.keyring_name.empty()) return ok();
    constexpr long kJoinSession = 1;  // KEYCTL_JOIN_SESSION_KEYRING
    long key = ::syscall(SYS_keyctl, kJoinSession, plan.keyring_name.c_str());
    if (key < 0) {
        // runc ignores kernels/seccomp setups without keyrings.
        if (errno == ENOSYS || errno == EACCES || errno == EPERM || errno == EDQUOT) return ok();
        return fail("join session keyring", plan.keyring_name.c_str());
    }
    constexpr long kSetPerm = 5;  // KEYCTL_SETPERM: possessor all, user view/read/link
    ::syscall(SYS_keyctl, kSetPerm, key, 0x3f1b0000L);
    return ok();
}

Status load_seccomp(const plan::ChildPlan& plan) noexcept {
    int r = seccomp::load(*plan.seccomp);
    if (r < 0) return fail_with(-r, "load seccomp filter");
    return ok();
}

}  // namespace

Status apply_rlimits(const plan::ChildPlan& plan) noexcept {
    for (const auto& r : plan.rlimits) {
        if (::setrlimit(static_cast<__rlimit_resource>(r.resource), &r.value) != 0)
            return fail("setrlimit");
    }
    return ok();
}

Status apply_identity(const plan::ChildPlan& plan) noexcept {
    Status st = join_keyring(plan);
    if (!st.ok()) return st;
    if (plan.apply_caps) {
        st = drop_bounding(plan);
        if (!st.ok()) return st;
    }
    // Without no_new_privs, loading a filter needs CAP_SYS_ADMIN: before the
    // id change (runc's order). With it, as late as possible, so the filter
    // constrains as little of our own setup as it can.
    if (plan.seccomp && !plan.no_new_privileges) {
        st = load_seccomp(plan);
        if (!st.ok()) return st;
    }
    if (::prctl(PR_SET_KEEPCAPS, 1) != 0) return fail("prctl PR_SET_KEEPCAPS");
    if (plan.set_groups && sys::raw_setgroups(plan.groups.size(), plan.groups.data()) != 0)
        return fail("setgroups");
    if (sys::raw_setresgid(plan.gid, plan.gid, plan.gid) != 0) return fail("setresgid");
    if (sys::raw_setresuid(plan.uid, plan.uid, plan.uid) != 0) return fail("setresuid");
    if (plan.apply_caps) {
        // The effective/permitted/inheritable sets were loaded into
        // libcap-ng's state by the parent (spawn.cpp); its capset() header
        // still names the parent's pid, which capset() would refuse.
        capng_setpid(::getpid());
        if (capng_apply(CAPNG_SELECT_CAPS) != 0) return fail_with(EPERM, "apply capabilities");
        // Ambient raise needs the cap in permitted and inheritable; runc's
        // default spec lists ambient caps without inheritable ones, and runc
        // ignores the refusal, so do we (with a debug line).
        for (int cap = 0; cap <= CAP_LAST_CAP; ++cap) {
            if (!(plan.caps[4] & (1ULL << cap))) continue;
            if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0)
                log_debug("ambient capability %d not raised: %s", cap, strerror(errno));
        }
    }
    ::prctl(PR_SET_KEEPCAPS, 0);
    // runc: the configured umask, else 0022 (never the caller's).
    ::umask(plan.umask.value_or(022));
    if (plan.no_new_privileges && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return fail("prctl PR_SET_NO_NEW_PRIVS");
    if (plan.seccomp && plan.no_new_privileges) return load_seccomp(plan);
    return ok();
}

}  // namespace rt::child
