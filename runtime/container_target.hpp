// What ps, pause, resume, update and events start from: one existing
// container, its state loaded under the state-directory lock, its status
// (frozen = paused) and its recorded cgroup.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "cgroups/manager.hpp"
#include "container_cgroup.hpp"
#include "state.hpp"

namespace rt::container_target {

struct Target {
    state::Dir dir;  // holds the lock: drop the Target before waiting on anything
    state::Saved saved;
    state::Status status;
    std::optional<container_cgroup::Record> record;  // nullopt: created before cgroups
    std::unique_ptr<cgroups::Manager> manager;       // opened from `record`; null without one

    // The container's cgroup; throws when there is no record.
    const cgroups::Manager& cgroup() const;
};

// Throws "invalid container id format: <id>" or, for an unknown id,
// "container does not exist" (kind not_found), as runc's getContainer.
Target open(const std::string& root, const std::string& id);

}  // namespace rt::container_target
