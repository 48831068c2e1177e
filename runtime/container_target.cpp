#include "container_target.hpp"

#include "container.hpp"
#include "sys/error.hpp"

namespace rt::container_target {

const cgroups::Manager& Target::cgroup() const {
    if (!manager)
        sys::fail(sys::ErrorKind::unsupported, "container %s has no recorded cgroup (created by an older berth)",
                  saved.id);
    return *manager;
}

Target open(const std::string& root, const std::string& id) {
    container::check_id(id);
    auto dir = state::Dir::open(root, id);
    auto saved = dir.load();
    auto record = container_cgroup::load(dir.path());
    auto manager = record ? container_cgroup::open(*record) : nullptr;
    auto st = container::status(dir, saved, manager.get());
    return Target{std::move(dir), std::move(saved), st, std::move(record), std::move(manager)};
}

}  // namespace rt::container_target
