// How a `cgroup` mount is shown to the container. runc's behaviour: on a
// unified host a cgroup2 mount; on v1 and hybrid hosts a tmpfs holding one
// mount per hierarchy. With a cgroup namespace each is a fresh cgroup
// filesystem (the kernel shows the namespace root, the container's cgroup);
// without one, the container's own cgroup directory of each hierarchy is
// bound there, so either way the container sees its own cgroup (and its
// limits, as JVMs and the like read them) and nothing above it.
#include <linux/mount.h>

#include <algorithm>
#include <string>
#include <vector>

#include "plan.hpp"
#include "sys/error.hpp"

namespace rt::plan {

namespace {

MountStep sub_mount(const MountStep& base, const std::string& dest, bool cgroupns, const char* fstype,
                    const std::vector<std::string>& controllers, const std::string& container_dir) {
    MountStep s;
    s.destination = dest;
    s.attr_set = base.attr_set;
    s.needs_cgroup = true;
    if (cgroupns) {
        s.kind = MountStep::Kind::filesystem;
        s.fstype = fstype;
        s.source = fstype;
        for (const auto& c : controllers) {
            auto eq = c.find('=');
            if (eq == std::string::npos)
                s.params.push_back({c, ""});
            else
                s.params.push_back({c.substr(0, eq), c.substr(eq + 1)});
        }
    } else {
        s.kind = MountStep::Kind::bind;
        s.source = container_dir;
    }
    return s;
}

}  // namespace

std::vector<MountStep> plan_cgroup_mount(const MountStep& step, bool cgroupns, const cgroups::Layout& layout,
                                         const cgroups::Paths& paths) {
    bool unified = layout.mode == cgroups::Mode::unified;
    if (unified || step.fstype == "cgroup2") {
        if (!unified)
            sys::fail(sys::ErrorKind::unsupported, "mount `%s`: cgroup2 is not mounted at /sys/fs/cgroup on this host",
                      step.destination);
        return {sub_mount(step, step.destination, cgroupns, "cgroup2", {}, paths.v2)};
    }
    std::vector<MountStep> out;
    MountStep tmpfs;
    tmpfs.destination = step.destination;
    tmpfs.fstype = "tmpfs";
    tmpfs.source = "tmpfs";
    tmpfs.attr_set = step.attr_set & ~static_cast<uint64_t>(MOUNT_ATTR_RDONLY);
    tmpfs.params.push_back({"mode", "755"});
    out.push_back(tmpfs);
    auto name_of = [](const std::string& mountpoint) { return mountpoint.substr(mountpoint.rfind('/') + 1); };
    for (const auto& m : layout.v1) {
        auto dir = paths.v1.find(m.controllers.front());
        if (dir == paths.v1.end()) continue;
        out.push_back(sub_mount(step, step.destination + "/" + name_of(m.mountpoint), cgroupns, "cgroup",
                                m.controllers, dir->second));
    }
    if (layout.v2 && !paths.v2.empty())
        out.push_back(sub_mount(step, step.destination + "/" + name_of(layout.v2->mountpoint), cgroupns, "cgroup2",
                                {}, paths.v2));
    if (step.attr_set & MOUNT_ATTR_RDONLY) {
        MountStep ro;
        ro.kind = MountStep::Kind::remount;
        ro.destination = step.destination;
        ro.attr_set = MOUNT_ATTR_RDONLY;
        out.push_back(ro);
    }
    return out;
}

}  // namespace rt::plan
