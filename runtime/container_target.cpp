#include "container_target.hpp"

#include "container.hpp"
#include "spec/validate.hpp"
#include "sys/error.hpp"

namespace rt::container_target {

std::unique_ptr<cgroups::Manager> Target::cgroup() const {
    if (!record)
        sys::fail(sys::ErrorKind::unsupported, "container %s has no recorded cgroup (created by an older berth)",
                  saved.id);
    return container_cgroup::open(*record);
}

Target open(const std::string& root, const std::string& id) {
    // The id becomes a path under the root: never let "../x" through.
    if (!spec::valid_container_id(id)) sys::fail(sys::ErrorKind::invalid_config, "invalid container id format: %s", id);
    auto dir = state::Dir::open(root, id);
    auto saved = dir.load();
    auto st = container::status(dir, saved);
    auto record = container_cgroup::load(dir.path());
    return Target{std::move(dir), std::move(saved), st, std::move(record)};
}

}  // namespace rt::container_target
