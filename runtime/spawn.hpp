// Parent side of process creation, shared by create/run and exec: socketpair,
// clone3, id maps, serving the child's requests, relaying its logs.
#pragma once

#include <sys/types.h>

#include <functional>

#include "plan.hpp"

namespace rt::spawn {

// Called on HooksPlease with the init's host pid (prestart/createRuntime).
using HooksCallback = std::function<void(pid_t init_pid)>;

// Starts the child described by `plan` and waits until it is Ready (blocked
// before execve, or on exec.fifo). Returns the host pid of the process, which
// is the caller's child (CLONE_PARENT). On any error the process is killed and
// reaped and rt::sys::Error is thrown with the child's reason.
pid_t start(plan::ChildPlan& plan, const HooksCallback& on_hooks);

}  // namespace rt::spawn
