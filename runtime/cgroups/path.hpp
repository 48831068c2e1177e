// Where a container's cgroup lives (config-linux.md "Cgroups Path"), as runc
// resolves it. Pure functions: the layout carries the mountpoints and this
// process's own cgroups.
//
// cgroupfs driver, linux.cgroupsPath =
//   "/a/b"   absolute: <mountpoint>/a/b in every hierarchy
//   "a/b"    relative: under the runtime's own cgroup of that hierarchy
//            (v1 and the hybrid cgroup2 mount), or under the *parent* of its
//            own cgroup on a unified host (runc fs2 defaultDirPath: the own
//            cgroup usually has processes, so controllers cannot be enabled
//            for a child of it)
//   absent   the container id, relative (runc's default without systemd:
//            observed `/proc/<pid>/cgroup` of a runc 1.1.5 container shows
//            `<own cgroup>/<id>` in every hierarchy)
// Paths are cleaned lexically the way runc's utils.CleanPath does, so ".."
// can never climb above the hierarchy root; a path naming the root or the
// runtime's own cgroup is rejected (destroy would remove it).
//
// systemd driver: "slice:prefix:name" -> unit "prefix-name.scope" (or "name"
// when it ends in .slice) under the expanded slice, e.g.
// "system.slice:docker:abc" -> /system.slice/docker-abc.scope.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cgroups/layout.hpp"

namespace rt::cgroups {

// Go's filepath.Clean of "/"+p made relative again for relative input.
std::string clean_path(std::string_view p);

// The cleaned cgroupsPath, or the id when absent. Throws invalid_config
// naming linux.cgroupsPath for paths resolving to "/" or ".".
std::string inner_path(const std::optional<std::string>& cgroups_path, std::string_view id);

struct Paths {
    // Every controller of every v1 hierarchy (named ones too: "name=systemd")
    // -> the container's directory in that hierarchy.
    std::map<std::string, std::string> v1;
    // The container's directory in the cgroup2 mount; "" without one.
    std::string v2;

    // The distinct v1 directories, in `layout` order.
    std::vector<std::string> v1_dirs(const Layout& layout) const;
};

Paths resolve_paths(const Layout& layout, std::string_view inner);

// systemd: "a-b.slice" -> "/a.slice/a-b.slice"; "-.slice" -> "/".
// Throws invalid_config ("invalid slice name: x").
std::string expand_slice(std::string_view slice);

struct SystemdUnit {
    std::string slice;  // "system.slice"
    std::string unit;   // "docker-abc.scope", or "name.slice"
    std::string path;   // the inner path: "/system.slice/docker-abc.scope"
};

// Absent cgroupsPath: "system.slice:berth:<id>". An empty slice means
// system.slice (runc's default for root).
SystemdUnit parse_systemd_path(const std::optional<std::string>& cgroups_path, std::string_view id);

}  // namespace rt::cgroups
