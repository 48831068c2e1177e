// Parent side of process creation, shared by create/run and exec: socketpair,
// clone3, id maps, serving the child's requests, relaying its logs.
#pragma once

#include <sys/types.h>

#include <functional>
#include <vector>

#include "plan.hpp"
#include "sys/fd.hpp"

namespace rt::spawn {

struct Callbacks {
    // Called with the first cloned process right after clone3, while it
    // sets up: places it in the container's cgroups as far as the runtime
    // does, and returns the files the init joins the rest through itself
    // (cgroups::Manager::self_join_files), sent to it with CgroupDone.
    // May be empty.
    std::function<std::vector<sys::UniqueFd>(pid_t)> place_cgroup;
    // Called with the init when stage A forked it, where the runtime moves
    // processes itself (CgroupDone then waits for it). May be empty.
    std::function<void(pid_t)> join_init;
    // Called on HooksPlease with the init's host pid (cgroup limits, then
    // prestart/createRuntime hooks).
    std::function<void(pid_t init_pid)> on_hooks;
};

// Starts the child described by `plan` and waits until it is Ready (blocked
// before execve, or on exec.fifo). With plan.cgroup_fd the first process is
// created in that cgroup2 directory (CLONE_INTO_CGROUP). Returns the host pid of the process, which
// is the caller's child (CLONE_PARENT). On any error the process is killed and
// reaped and rt::sys::Error is thrown with the child's reason.
pid_t start(plan::ChildPlan& plan, const Callbacks& cb);

}  // namespace rt::spawn
