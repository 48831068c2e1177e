// How a `cgroup` mount is shown to the container. runc's behaviour: on a
// unified host a cgroup2 mount; on v1 and hybrid hosts a tmpfs holding one
// mount per hierarchy. With a cgroup namespace each is a fresh cgroup
// filesystem (the kernel shows the namespace root); without one, the host
// directory of the process's own cgroup is bound there.
#include <fcntl.h>
#include <linux/mount.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "plan.hpp"
#include "sys/error.hpp"
#include "sys/file.hpp"

namespace rt::plan {

namespace {

struct CgroupMount {
    std::string mountpoint;  // /sys/fs/cgroup/cpu
    std::string fstype;      // cgroup | cgroup2
    std::vector<std::string> controllers;  // from the super options: cpu, name=systemd
};

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    size_t start = 0;
    for (;;) {
        size_t pos = s.find(sep, start);
        out.push_back(s.substr(start, pos - start));
        if (pos == std::string::npos) return out;
        start = pos + 1;
    }
}

std::vector<CgroupMount> host_cgroup_mounts() {
    std::vector<CgroupMount> out;
    for (const auto& line : split(sys::read_file("/proc/self/mountinfo"), '\n')) {
        auto dash = line.find(" - ");
        if (dash == std::string::npos) continue;
        auto left = split(line.substr(0, dash), ' ');
        auto right = split(line.substr(dash + 3), ' ');
        if (left.size() < 5 || right.size() < 3) continue;
        if (right[0] != "cgroup" && right[0] != "cgroup2") continue;
        if (left[4].rfind("/sys/fs/cgroup", 0) != 0) continue;
        CgroupMount m{left[4], right[0], {}};
        if (m.fstype == "cgroup") {
            for (const auto& opt : split(right[2], ','))
                if (opt != "rw" && opt != "ro" && opt.rfind("release_agent", 0) != 0 &&
                    opt != "clone_children" && opt != "noprefix" && opt != "xattr")
                    m.controllers.push_back(opt);
        }
        out.push_back(std::move(m));
    }
    return out;
}

// The process's own cgroup path in the hierarchy holding `controllers`
// ("" on v2 means the 0:: line).
std::string own_cgroup(const std::string& self_cgroup, const CgroupMount& m) {
    for (const auto& line : split(self_cgroup, '\n')) {
        auto parts = split(line, ':');
        if (parts.size() < 3) continue;
        std::string path = line.substr(parts[0].size() + parts[1].size() + 2);
        if (m.fstype == "cgroup2") {
            if (parts[0] == "0" && parts[1].empty()) return path;
            continue;
        }
        auto ctrls = split(parts[1], ',');
        bool match = !ctrls.empty() && std::all_of(ctrls.begin(), ctrls.end(), [&](const auto& c) {
            return std::find(m.controllers.begin(), m.controllers.end(), c) != m.controllers.end();
        });
        if (match) return path;
    }
    return "/";
}

MountStep sub_mount(const MountStep& base, const CgroupMount& host, const std::string& dest,
                    bool cgroupns, const std::string& self_cgroup) {
    MountStep s;
    s.destination = dest;
    s.attr_set = base.attr_set;
    if (cgroupns) {
        s.kind = MountStep::Kind::filesystem;
        s.fstype = host.fstype;
        s.source = host.fstype;
        for (const auto& c : host.controllers) {
            auto eq = c.find('=');
            if (eq == std::string::npos)
                s.params.push_back({c, ""});
            else
                s.params.push_back({c.substr(0, eq), c.substr(eq + 1)});
        }
    } else {
        s.kind = MountStep::Kind::bind;
        std::string own = own_cgroup(self_cgroup, host);
        s.source = host.mountpoint + (own == "/" ? "" : own);
    }
    return s;
}

}  // namespace

std::vector<MountStep> plan_cgroup_mount(const MountStep& step, bool cgroupns) {
    auto hosts = host_cgroup_mounts();
    std::string self_cgroup = sys::read_file("/proc/self/cgroup");
    auto unified = std::find_if(hosts.begin(), hosts.end(), [](const auto& m) {
        return m.mountpoint == "/sys/fs/cgroup" && m.fstype == "cgroup2";
    });
    if (unified != hosts.end() || step.fstype == "cgroup2") {
        if (unified == hosts.end())
            sys::fail(sys::ErrorKind::unsupported, "mount `%s`: cgroup2 is not mounted at /sys/fs/cgroup on this host",
                      step.destination);
        return {sub_mount(step, *unified, step.destination, cgroupns, self_cgroup)};
    }
    std::vector<MountStep> out;
    MountStep tmpfs;
    tmpfs.destination = step.destination;
    tmpfs.fstype = "tmpfs";
    tmpfs.source = "tmpfs";
    tmpfs.attr_set = step.attr_set & ~static_cast<uint64_t>(MOUNT_ATTR_RDONLY);
    tmpfs.params.push_back({"mode", "755"});
    out.push_back(tmpfs);
    for (const auto& h : hosts) {
        std::string name = h.mountpoint.substr(h.mountpoint.rfind('/') + 1);
        out.push_back(sub_mount(step, h, step.destination + "/" + name, cgroupns, self_cgroup));
    }
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
