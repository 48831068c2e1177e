// The host's cgroup layout, detected once per invocation.
//
//   legacy   only cgroup v1 hierarchies (one mount per controller set)
//   hybrid   v1 controllers plus a cgroup2 mount (systemd puts it at
//            /sys/fs/cgroup/unified) that may hold the controllers not bound
//            to a v1 hierarchy (e.g. hugetlb on this project's CI host)
//   unified  one cgroup2 mount (/sys/fs/cgroup) with every controller
//
// A controller lives in exactly one hierarchy: on hybrid hosts the v1-bound
// ones (cpu, memory, ...) are driven through v1 files and the ones listed in
// the cgroup2 mount's cgroup.controllers through v2 files.
//
// Parsing is pure (strings in, Layout out) so tests feed mountinfo text;
// detect_layout() reads the real files.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rt::cgroups {

enum class Mode { legacy, hybrid, unified };
const char* mode_name(Mode m);  // "legacy" | "hybrid" | "unified"

struct V1Mount {
    std::string mountpoint;                // /sys/fs/cgroup/cpu,cpuacct
    std::string root;                      // mountinfo field 4: the hierarchy path mounted there
    std::vector<std::string> controllers;  // {"cpu", "cpuacct"}; a named hierarchy: {"name=systemd"}
    std::string own;                       // this process's cgroup in the hierarchy (/proc/self/cgroup)
};

struct V2Mount {
    std::string mountpoint;                // /sys/fs/cgroup or /sys/fs/cgroup/unified
    std::string root;
    std::string own;                       // the "0::" line of /proc/self/cgroup
    std::vector<std::string> controllers;  // cgroup.controllers at the mount root
};

struct Layout {
    Mode mode = Mode::unified;
    std::vector<V1Mount> v1;  // mountinfo order, one entry per hierarchy
    std::optional<V2Mount> v2;

    // The v1 hierarchy holding `controller` ("cpu", "name=systemd"), or null.
    const V1Mount* v1_mount(std::string_view controller) const;
    // True when `controller` is driven through cgroup v2 on this host: listed
    // in the cgroup2 mount's cgroup.controllers and not bound to a v1 mount.
    bool on_v2(std::string_view controller) const;
};

// The cgroup2 mountpoint found in `mountinfo` (preferring one under
// /sys/fs/cgroup), or "" when there is none.
std::string find_v2_mountpoint(std::string_view mountinfo);

// `v2_controllers` is the text of <v2 mountpoint>/cgroup.controllers ("" when
// there is no cgroup2 mount). Throws rt::sys::Error (unsupported) when no
// cgroup filesystem is mounted.
Layout parse_layout(std::string_view mountinfo, std::string_view self_cgroup,
                    std::string_view v2_controllers);

// Reads /proc/self/mountinfo, /proc/self/cgroup and cgroup.controllers.
Layout detect_layout();

}  // namespace rt::cgroups
