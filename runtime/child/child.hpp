// Entry into everything that runs between clone3 and execve.
#pragma once

#include "child/report.hpp"
#include "plan.hpp"

namespace rt::child {

// Stage A: runs right after clone3 in the intermediate process. Joins and
// creates namespaces, forks the init (CLONE_PARENT, so the init is the
// caller's child), reports its pid and _exit()s. Never returns.
void close_unlisted_fds(const plan::ChildPlan& plan) noexcept;
[[noreturn]] void stage_a(const plan::ChildPlan& plan) noexcept;

// The common case, nothing to join and no time namespace: clone3 already
// created every namespace and this process is the init. Never returns.
[[noreturn]] void stage_direct(const plan::ChildPlan& plan) noexcept;

// Steps used by stage A/B, one file each.
Status join_namespaces(const plan::ChildPlan& plan) noexcept;     // namespaces.cpp
Status create_namespaces(const plan::ChildPlan& plan) noexcept;   // namespaces.cpp
Status set_uts_names(const plan::ChildPlan& plan) noexcept; // namespaces.cpp
Status wait_cgroup(const plan::ChildPlan& plan) noexcept;          // child.cpp
Status write_sysctls(const plan::ChildPlan& plan) noexcept;        // namespaces.cpp
Status setup_rootfs(const plan::ChildPlan& plan) noexcept;        // rootfs.cpp: mounts, /dev
Status enter_rootfs(const plan::ChildPlan& plan) noexcept;        // rootfs.cpp: pivot_root + after
Status setup_devices(const plan::ChildPlan& plan, int rootfd) noexcept;  // devices.cpp
Status setup_console(const plan::ChildPlan& plan) noexcept;       // io.cpp
Status apply_rlimits(const plan::ChildPlan& plan) noexcept;       // security.cpp
Status apply_identity(const plan::ChildPlan& plan) noexcept;      // security.cpp
Status prepare_exec(const plan::ChildPlan& plan, const char** exe) noexcept;  // io.cpp
Status wait_for_start(const plan::ChildPlan& plan) noexcept;      // io.cpp
[[noreturn]] void exec_process(const plan::ChildPlan& plan, const char* exe) noexcept;  // io.cpp

}  // namespace rt::child
