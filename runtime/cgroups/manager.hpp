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
    // True when clone3(CLONE_INTO_CGROUP) into open_leaf() alone puts a
    // process in all of the container's cgroups (cgroup v2 only): nothing
    // then needs to wait for join().
    virtual bool joined_by_clone() const = 0;
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
