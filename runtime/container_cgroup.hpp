// The link between a container's lifecycle and its cgroup: which driver and
// which directories, chosen at create and recorded in the state directory
// (cgroup.json) before the cgroup is made, so every later command (and a
// `delete --force` after a crash half-way through create) finds the same
// cgroup without `--systemd-cgroup` or the creator's own cgroup.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "cgroups/layout.hpp"
#include "cgroups/manager.hpp"
#include "cgroups/path.hpp"
#include "spawn.hpp"
#include "spec/spec.hpp"

namespace rt::container_cgroup {

struct Record {
    bool systemd = false;
    cgroups::Paths paths;
    std::string unit, slice;  // systemd driver only
};

struct Opened {
    std::unique_ptr<cgroups::Manager> manager;
    Record record;
    cgroups::Layout layout;
};

// The container's cgroup as `create` resolves it (nothing is created yet).
Opened for_create(bool systemd, const spec::Spec& spec, const std::string& id);
// The driver for a recorded cgroup.
std::unique_ptr<cgroups::Manager> open(const Record& r);
// load() + open(); nullptr when the container has no record.
std::unique_ptr<cgroups::Manager> open_recorded(const std::string& state_dir);

// Atomic (temp file + rename): written before the cgroup is made and again
// once the driver knows where it really is (systemd's ControlGroup).
void save(const std::string& state_dir, const Record& r);
// The record of a created manager (paths as the driver now knows them).
Record record_of(const cgroups::Manager& m, bool systemd);
// nullopt when the container has no record (created before cgroups).
std::optional<Record> load(const std::string& state_dir);

// spawn's cgroup callbacks for m.join_mode(): how the container's first
// process, cloned into m.open_leaf(), gets into the rest of the cgroup
// (create and exec alike).
void set_spawn_callbacks(cgroups::Manager& m, spawn::Callbacks& cb);

// runc's signalAllProcesses: freeze, signal every process, thaw, so none can
// fork away in between. Returns the number of processes signalled.
size_t signal_all(const cgroups::Manager& m, int sig);

}  // namespace rt::container_cgroup
