#include "cgroups/layout.hpp"

#include <algorithm>

#include "cgroups/fsutil.hpp"
#include "sys/error.hpp"

namespace rt::cgroups {

namespace {

// Super options of a v1 mount that name controllers. Everything else
// (rw, noprefix, clone_children, xattr, release_agent=..., cpuset_v2_mode,
// favordynmods, ...) is a mount option, not a controller.
constexpr std::string_view kV1Controllers[] = {
    "cpuset", "cpu",        "cpuacct", "blkio", "memory", "devices", "freezer",
    "net_cls", "perf_event", "net_prio", "hugetlb", "pids", "rdma",    "misc", "debug",
};

bool is_v1_controller(std::string_view opt) {
    if (util::starts_with(opt, "name=")) return opt.size() > 5;
    return std::find(std::begin(kV1Controllers), std::end(kV1Controllers), opt) != std::end(kV1Controllers);
}

// mountinfo escapes blanks, tabs, newlines and backslashes as \ooo.
std::string unescape(std::string_view s) {
    auto oct = [](char c) { return c >= '0' && c <= '7'; };
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size() && oct(s[i + 1]) && oct(s[i + 2]) && oct(s[i + 3])) {
            out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
            i += 3;
            continue;
        }
        out += s[i];
    }
    return out;
}

struct RawMount {
    std::string root, mountpoint, fstype;
    std::vector<std::string> controllers;  // v1 only
};

std::vector<RawMount> cgroup_mounts(std::string_view mountinfo) {
    std::vector<RawMount> out;
    for (auto line : util::split(mountinfo, '\n')) {
        auto dash = line.find(" - ");
        if (dash == std::string_view::npos) continue;
        auto left = util::fields(line.substr(0, dash));
        auto right = util::fields(line.substr(dash + 3));
        if (left.size() < 5 || right.size() < 3) continue;
        if (right[0] != "cgroup" && right[0] != "cgroup2") continue;
        RawMount m{unescape(left[3]), unescape(left[4]), std::string(right[0]), {}};
        if (m.fstype == "cgroup") {
            for (auto opt : util::split(right[2], ','))
                if (is_v1_controller(opt)) m.controllers.emplace_back(opt);
            if (m.controllers.empty()) continue;
        }
        out.push_back(std::move(m));
    }
    return out;
}

bool preferred(const std::string& mountpoint) {
    return mountpoint == "/sys/fs/cgroup" || util::starts_with(mountpoint, "/sys/fs/cgroup/");
}

// Several mounts may show the same hierarchy (bind mounts, a container's
// view); the first one under /sys/fs/cgroup wins, else the first one.
template <typename Same>
std::vector<RawMount> dedupe(std::vector<RawMount> mounts, Same same) {
    std::vector<RawMount> out;
    for (auto& m : mounts) {
        auto it = std::find_if(out.begin(), out.end(), [&](const RawMount& o) { return same(o, m); });
        if (it == out.end())
            out.push_back(std::move(m));
        else if (!preferred(it->mountpoint) && preferred(m.mountpoint))
            *it = std::move(m);
    }
    return out;
}

std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
}

// /proc/self/cgroup: "ID:controller,list:/path" per hierarchy, "0::/path" for v2.
struct SelfLine {
    std::vector<std::string> controllers;
    std::string path;
    bool v2 = false;
};

std::vector<SelfLine> parse_self(std::string_view text) {
    std::vector<SelfLine> out;
    for (auto line : util::split(text, '\n')) {
        auto c1 = line.find(':');
        if (c1 == std::string_view::npos) continue;
        auto c2 = line.find(':', c1 + 1);
        if (c2 == std::string_view::npos) continue;
        SelfLine l;
        auto list = line.substr(c1 + 1, c2 - c1 - 1);
        l.path = std::string(line.substr(c2 + 1));
        l.v2 = line.substr(0, c1) == "0" && list.empty();
        if (!list.empty())
            for (auto c : util::split(list, ',')) l.controllers.emplace_back(c);
        out.push_back(std::move(l));
    }
    return out;
}

}  // namespace

const char* mode_name(Mode m) {
    switch (m) {
        case Mode::legacy: return "legacy";
        case Mode::hybrid: return "hybrid";
        case Mode::unified: return "unified";
    }
    return "?";
}

const V1Mount* Layout::v1_mount(std::string_view controller) const {
    for (const auto& m : v1)
        if (std::find(m.controllers.begin(), m.controllers.end(), controller) != m.controllers.end()) return &m;
    return nullptr;
}

bool Layout::on_v2(std::string_view controller) const {
    if (!v2 || v1_mount(controller) != nullptr) return false;
    return std::find(v2->controllers.begin(), v2->controllers.end(), controller) != v2->controllers.end();
}

std::string find_v2_mountpoint(std::string_view mountinfo) {
    std::string found;
    for (auto& m : cgroup_mounts(mountinfo)) {
        if (m.fstype != "cgroup2") continue;
        if (found.empty() || (!preferred(found) && preferred(m.mountpoint))) found = m.mountpoint;
    }
    return found;
}

Layout parse_layout(std::string_view mountinfo, std::string_view self_cgroup, std::string_view v2_controllers) {
    std::vector<RawMount> v1raw, v2raw;
    for (auto& m : cgroup_mounts(mountinfo)) (m.fstype == "cgroup" ? v1raw : v2raw).push_back(std::move(m));
    v1raw = dedupe(std::move(v1raw),
                   [](const RawMount& a, const RawMount& b) { return sorted(a.controllers) == sorted(b.controllers); });
    v2raw = dedupe(std::move(v2raw), [](const RawMount&, const RawMount&) { return true; });
    auto self = parse_self(self_cgroup);

    Layout l;
    bool v1_controllers = false;
    for (auto& raw : v1raw) {
        V1Mount m{raw.mountpoint, raw.root, raw.controllers, "/"};
        for (const auto& s : self)
            if (!s.v2 && sorted(s.controllers) == sorted(m.controllers)) m.own = s.path;
        for (const auto& c : m.controllers)
            if (!util::starts_with(c, "name=")) v1_controllers = true;
        l.v1.push_back(std::move(m));
    }
    if (!v2raw.empty()) {
        V2Mount m{v2raw.front().mountpoint, v2raw.front().root, "/", {}};
        for (const auto& s : self)
            if (s.v2) m.own = s.path;
        for (auto c : util::fields(v2_controllers)) m.controllers.emplace_back(c);
        l.v2 = std::move(m);
    }
    if (v1_controllers)
        l.mode = l.v2 ? Mode::hybrid : Mode::legacy;
    else if (l.v2)
        l.mode = Mode::unified;
    else
        sys::fail(sys::ErrorKind::unsupported, "cgroups: no cgroup filesystem is mounted on this host");
    return l;
}

Layout detect_layout() {
    std::string mountinfo = util::read_file("/proc/self/mountinfo");
    std::string self = util::read_file("/proc/self/cgroup");
    std::string v2mnt = find_v2_mountpoint(mountinfo);
    std::string controllers;
    if (!v2mnt.empty()) controllers = util::read_optional(util::join(v2mnt, "cgroup.controllers")).value_or("");
    return parse_layout(mountinfo, self, controllers);
}

}  // namespace rt::cgroups
