// The one small interface the lifecycle code uses for a container's cgroup.
// Implementations: Cgroupfs (cgroupfs.hpp, v1/hybrid/unified) and, later, a
// systemd driver. Which one a container uses is chosen at create time
// (--systemd-cgroup) and recorded in its state.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "cgroups/stats.hpp"
#include "spec/spec.hpp"
#include "sys/fd.hpp"

namespace rt::cgroups {

enum class FreezerState { thawed, freezing, frozen };

class Manager {
public:
    virtual ~Manager() = default;

    // Creates what the init must be cloned into: the cgroup2 leaf (parents
    // included) and, for systemd, the unit. The v1 directories wait for the
    // first join(): made after clone, they cost nothing while the init sets
    // up in parallel, and the first cpuset directory on a host is dear (the
    // kernel patches its code to enable a static key, 2-6 ms in a VM).
    virtual void create() = 0;
    // The cgroup2 leaf as an O_DIRECTORY fd for clone3(CLONE_INTO_CGROUP);
    // an empty fd on hosts without a cgroup2 mount.
    virtual sys::UniqueFd open_leaf() const = 0;
    // Creates the v1 directories (first call only) and moves `pid` into the
    // cgroup in every hierarchy (harmless where CLONE_INTO_CGROUP placed it).
    virtual void join(pid_t pid) = 0;
    // How a process cloned into open_leaf() gets into the rest of the
    // container's cgroup:
    //   by_clone   clone3(CLONE_INTO_CGROUP) alone did it (cgroup v2 only);
    //   by_itself  the process writes "0" to each of self_join_files() (v1);
    //   by_parent  the runtime calls join(pid).
    enum class Join { by_clone, by_itself, by_parent };
    virtual Join join_mode() const = 0;
    // For Join::by_itself: makes the v1 directories (first call only) and
    // opens, in every v1 hierarchy, the `tasks` file through which a
    // single-threaded process moves itself by writing "0". Unlike a pid
    // written to cgroup.procs, that takes no write lock on the kernel's
    // global cgroup_threadgroup_rwsem, whose first writer after a quiet
    // spell waits out an RCU grace period (5-20 ms measured here, HZ=250);
    // a single thread moving itself needs no threadgroup stability.
    virtual std::vector<sys::UniqueFd> self_join_files() { return {}; }
    // For Join::by_clone: the container's first process is in open_leaf()
    // now, so in the whole cgroup (systemd lets its helper go).
    virtual void cloned_in(pid_t) {}
    // The cgroup exists already (a manager opened from a container's
    // record, for exec): join() only moves processes, it makes nothing.
    virtual void assume_created() = 0;
    // Applies resources; returns warnings to log. `devices` = false keeps
    // the device rules as they are (update).
    virtual std::vector<std::string> set(const spec::Resources& r, bool devices) const = 0;
    virtual void freeze(bool frozen) const = 0;
    virtual FreezerState freezer_state() const = 0;
    // Every process in the cgroup and its descendants.
    virtual std::vector<pid_t> pids() const = 0;
    virtual Stats stats() const = 0;
    virtual bool exists() const = 0;
    // Removes the container's cgroup (descendants first); a missing one is fine.
    virtual void destroy() const = 0;
};

}  // namespace rt::cgroups
