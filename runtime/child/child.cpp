// The container's init, from clone3 to execve, as two flat step lists.
//
// Stage A (intermediate process, born in the container's cgroup):
//   1. user namespace: new (clone3 CLONE_NEWUSER, the parent writes the maps
//      because gid_map needs CAP_SETGID in the parent namespace) or joined;
//      always first, so the other namespaces are owned by it.
//   2. setns() into every namespace given by path (fds opened by the parent
//      before clone, so no path is resolved in a half-joined state); mount last.
//   3. unshare() the new namespaces; time offsets must be written before any
//      process enters the new time namespace, i.e. before the fork.
//   4. fork the init with CLONE_PARENT: a new pid/time namespace applies to
//      children only, and CLONE_PARENT makes the init the runtime's child, so
//      it reparents to the caller (containerd's shim) when `create` exits.
// When nothing is joined and there is no time namespace, stage A collapses
// into clone3 itself (every CLONE_NEW* flag at once, user namespace owning
// the rest) and the clone is the init: one process creation less.
// Stage B (the init, pid 1 of a new pid namespace):
//   1. hostname/domainname.
//   2. rootfs: propagation of /, mounts (before the first one showing the
//      container's cgroup, and before a late cgroup namespace, the init
//      joins the v1 hierarchies through the `tasks` fds the parent sends,
//      or the parent joins it), /dev; then the parent runs prestart
//      and createRuntime hooks (they must see the mounts, before pivot_root,
//      runtime.md steps 6-7); createContainer hooks; pivot_root; masked and
//      read-only paths (after pivot_root: they are container paths).
//   3. sysctls (through the container's /proc), console, rlimits.
//   4. identity: groups, uid/gid, capabilities, no_new_privs; last because
//      every step above needs privileges.
//   5. chdir + cwd check, executable lookup (so `create` reports "not found"),
//      Ready, block on exec.fifo, startContainer hooks, close fds, execve.
#include "child/child.hpp"

#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>

#include "protocol.hpp"
#include "sys/syscalls.hpp"
#include "sys/unix_socket.hpp"

namespace rt::child {

namespace {

using proto::Msg;

Status run_container_hooks(const std::vector<hooks::Prepared>& list, const std::string& state,
                           const char* kind) noexcept {
    static char err[2048];
    for (const auto& h : list) {
        if (!hooks::run_one(h, state.data(), state.size(), err, sizeof err))
            return fail_with(0, kind, err);
    }
    return ok();
}

[[noreturn]] void stage_b(const plan::ChildPlan& plan) noexcept {
    auto step = [&](Status s) {
        if (!s.ok()) die(s);
    };
    // The init dies with the runtime until it is handed over: if `create`
    // is killed half-way, nothing must be left running.
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) die(fail("prctl PR_SET_PDEATHSIG"));
    step(set_uts_names(plan));
    if (plan.setup_rootfs) step(setup_rootfs(plan));  // waits for the cgroup at its first cgroup mount
    // Hooks see the init in its cgroup (and cgroup namespace).
    step(wait_cgroup(plan));
    if (plan.setup_rootfs) {
        if (plan.parent_hooks) {
            if (!send_msg(static_cast<unsigned>(Msg::hooks_please), 0) ||
                !wait_msg(static_cast<unsigned>(Msg::hooks_done)))
                die(fail_with(EPIPE, "waiting for prestart hooks"));
        }
        if (::chdir(plan.rootfs.c_str()) != 0) die(fail("chdir", plan.rootfs.c_str()));
        step(run_container_hooks(plan.create_container_hooks, plan.hook_state,
                                 "createContainer hook"));
        step(enter_rootfs(plan));
    }
    step(setup_console(plan));
    step(apply_rlimits(plan));
    step(apply_identity(plan));
    const char* exe = nullptr;
    step(prepare_exec(plan, &exe));
    // Detach from the runtime's lifetime before saying Ready: `create` exits
    // as soon as it reads it, and the init then belongs to the caller.
    ::prctl(PR_SET_PDEATHSIG, 0);
    if (!send_msg(static_cast<unsigned>(Msg::ready), 0)) die(fail("send ready"));
    step(wait_for_start(plan));
    step(run_container_hooks(plan.start_container_hooks, plan.hook_state_started,
                             "startContainer hook"));
    exec_process(plan, exe);
}

}  // namespace

// Closes every fd the plan does not list, first thing after clone: the
// runtime's own fds (state-dir lock, log file, a caller's stray sockets) must
// not live on in the container, and a lock held by the init would block the
// next command on this container.
void close_unlisted_fds(const plan::ChildPlan& plan) noexcept {
    int keep[64];
    size_t n = 0;
    auto add = [&](int fd) {
        if (fd >= plan.preserve_upto && n < sizeof keep / sizeof keep[0]) keep[n++] = fd;
    };
    add(plan.sock);
    add(plan.fifo_fd);
    add(plan.console_socket);
    for (const auto& j : plan.joins) add(j.fd);
    std::sort(keep, keep + n);
    unsigned next = static_cast<unsigned>(plan.preserve_upto);
    for (size_t i = 0; i < n; ++i) {
        unsigned fd = static_cast<unsigned>(keep[i]);
        if (fd > next) sys::close_range(next, fd - 1, 0);
        next = fd + 1;
    }
    sys::close_range(next, ~0U, 0);
}

namespace {

// After entering a user namespace our ids are still the host's, which are
// unmapped there: become its root so files we create get a mapped owner.
void become_userns_root() noexcept {
    if (sys::raw_setresgid(0, 0, 0) != 0) die(fail("setresgid to the user namespace's root"));
    if (sys::raw_setresuid(0, 0, 0) != 0) die(fail("setresuid to the user namespace's root"));
}

void enter_common(const plan::ChildPlan& plan) noexcept {
    // Not dumpable until execve (which resets it): a container process must
    // not ptrace us or open /proc/<us>/fd while we join its namespaces
    // (CVE-2016-9962, runc's nsexec). Inherited by the init stage A forks.
    ::prctl(PR_SET_DUMPABLE, 0);
    // Foreground `run` blocks every signal to forward them; the container
    // must start with an empty mask, as after any exec by runc.
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    close_unlisted_fds(plan);
    set_report_socket(plan.sock, plan.debug);
    // Everything the runtime creates gets exactly the mode it asks for
    // (device nodes, mountpoints); the process's umask is set at the end.
    ::umask(0);
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) die(fail("prctl PR_SET_PDEATHSIG"));
    if (plan.new_user) {
        if (!send_msg(static_cast<unsigned>(Msg::maps_please), 0) ||
            !wait_msg(static_cast<unsigned>(Msg::maps_done)))
            die(fail_with(EPIPE, "waiting for id mappings"));
        become_userns_root();
    }
}

}  // namespace

namespace {

// Moves this (single-threaded) process into the cgroup of each v1 `tasks`
// file in fds[] (cgroups::Manager::self_join_files) and closes them.
Status join_by_tasks_files(int* fds, int n) noexcept {
    Status st = ok();
    for (int i = 0; i < n; ++i) {
        if (st.ok() && ::write(fds[i], "0", 1) != 1) {
            static char path[256];
            char link[32];
            std::snprintf(link, sizeof link, "/proc/self/fd/%d", fds[i]);
            ssize_t len = ::readlink(link, path, sizeof path - 1);
            path[len > 0 ? len : 0] = '\0';
            st = fail("join cgroup", path);
        }
        ::close(fds[i]);
    }
    return st;
}

}  // namespace

// See ChildPlan::wait_cgroup: the parent answers once it has joined the
// init to the container's cgroup in every hierarchy, or with the files the
// init joins through itself. Once per init.
Status wait_cgroup(const plan::ChildPlan& plan) noexcept {
    static bool joined = false;
    if (!plan.wait_cgroup || joined) return ok();
    joined = true;
    int fds[sys::max_passed_fds];
    int n = -1;
    if (send_msg(static_cast<unsigned>(Msg::cgroup_please), 0))
        n = wait_msg_fds(static_cast<unsigned>(Msg::cgroup_done), fds, sys::max_passed_fds);
    if (n < 0) return fail_with(EPIPE, "waiting to be placed in the container's cgroup");
    if (Status st = join_by_tasks_files(fds, n); !st.ok()) return st;
    if (plan.late_cgroupns && ::unshare(CLONE_NEWCGROUP) != 0) return fail("unshare cgroup namespace");
    return ok();
}

void stage_direct(const plan::ChildPlan& plan) noexcept {
    enter_common(plan);
    stage_b(plan);
}

void stage_a(const plan::ChildPlan& plan) noexcept {
    enter_common(plan);
    Status st = join_namespaces(plan);
    if (!st.ok()) die(st);
    if (!plan.joins.empty() && plan.joins.front().nstype == CLONE_NEWUSER) become_userns_root();
    st = create_namespaces(plan);
    if (!st.ok()) die(st);

    clone_args args{};
    // clone3 refuses an exit signal with CLONE_PARENT: the init inherits
    // ours (SIGCHLD), which the runtime set when it cloned us.
    args.flags = CLONE_PARENT;
    long pid = ::syscall(SYS_clone3, &args, sizeof args);
    if (pid < 0) die(fail("clone init"));
    if (pid == 0) stage_b(plan);
    if (!send_msg(static_cast<unsigned>(Msg::init_pid), static_cast<int>(pid))) ::_exit(1);
    ::_exit(0);
}

}  // namespace rt::child
