#include "cgroups/path.hpp"

#include <algorithm>

#include "cgroups/fsutil.hpp"
#include "sys/error.hpp"

namespace rt::cgroups {

namespace {

// Go's path/filepath.Clean for '/'-separated paths.
std::string go_clean(std::string_view p) {
    bool rooted = !p.empty() && p.front() == '/';
    std::vector<std::string_view> parts;
    for (auto seg : util::split(p, '/')) {
        if (seg.empty() || seg == ".") continue;
        if (seg == "..") {
            if (!parts.empty() && parts.back() != "..")
                parts.pop_back();
            else if (!rooted)
                parts.push_back(seg);
            continue;
        }
        parts.push_back(seg);
    }
    std::string out = rooted ? "/" : "";
    for (size_t i = 0; i < parts.size(); ++i) {
        if (i > 0) out += '/';
        out += parts[i];
    }
    if (out.empty()) return ".";
    return out;
}

// The part of `own` below the mount's root. A process whose cgroup is outside
// what the mount shows (a foreign /proc/self/cgroup in a nested container)
// gets the mount root, as runc's filepath.Rel + Join would after cleaning.
std::string below_root(const std::string& root, const std::string& own) {
    if (root == "/" || root.empty()) return own;
    if (own == root) return "/";
    if (util::starts_with(own, root) && own.size() > root.size() && own[root.size()] == '/')
        return own.substr(root.size());
    return "/";
}

std::string dirname(const std::string& p) {
    auto pos = p.rfind('/');
    if (pos == std::string::npos || pos == 0) return "/";
    return p.substr(0, pos);
}

}  // namespace

std::string clean_path(std::string_view p) {
    if (p.empty()) return "";
    std::string c = go_clean(p);
    if (c.front() != '/') {
        c = go_clean("/" + c);
        c = c == "/" ? "." : c.substr(1);
    }
    return go_clean(c);
}

std::string inner_path(const std::optional<std::string>& cgroups_path, std::string_view id) {
    std::string inner = cgroups_path ? clean_path(*cgroups_path) : "";
    if (inner.empty()) inner = clean_path(id);
    if (inner == "/" || inner == "." || inner.empty())
        sys::fail(sys::ErrorKind::invalid_config,
                  "linux.cgroupsPath: `%s` names the root cgroup or the runtime's own cgroup",
                  cgroups_path.value_or(std::string(id)));
    return inner;
}

std::vector<std::string> Paths::v1_dirs(const Layout& layout) const {
    std::vector<std::string> out;
    for (const auto& m : layout.v1) {
        auto it = v1.find(m.controllers.front());
        if (it != v1.end() && std::find(out.begin(), out.end(), it->second) == out.end()) out.push_back(it->second);
    }
    return out;
}

Paths resolve_paths(const Layout& layout, std::string_view inner) {
    bool absolute = !inner.empty() && inner.front() == '/';
    Paths p;
    for (const auto& m : layout.v1) {
        std::string base = absolute ? m.mountpoint : util::join(m.mountpoint, below_root(m.root, m.own));
        std::string dir = util::join(base, inner);
        for (const auto& c : m.controllers) p.v1[c] = dir;
    }
    if (layout.v2) {
        const V2Mount& m = *layout.v2;
        std::string own = below_root(m.root, m.own);
        if (layout.mode == Mode::unified) own = dirname(own);
        p.v2 = util::join(absolute ? m.mountpoint : util::join(m.mountpoint, own), inner);
    }
    return p;
}

std::string expand_slice(std::string_view slice) {
    constexpr std::string_view suffix = ".slice";
    auto bad = [&] { sys::fail(sys::ErrorKind::invalid_config, "invalid slice name: %s", std::string(slice)); };
    if (slice.size() <= suffix.size() || slice.substr(slice.size() - suffix.size()) != suffix) bad();
    if (slice.find('/') != std::string_view::npos) bad();
    auto name = slice.substr(0, slice.size() - suffix.size());
    if (name == "-") return "/";
    std::string path, prefix;
    for (auto component : util::split(name, '-')) {
        if (component.empty()) bad();  // "a--b.slice" and "-a.slice" are not slices
        path += "/" + prefix + std::string(component) + std::string(suffix);
        prefix += std::string(component) + "-";
    }
    return path;
}

SystemdUnit parse_systemd_path(const std::optional<std::string>& cgroups_path, std::string_view id) {
    std::string slice, prefix, name;
    if (!cgroups_path || cgroups_path->empty()) {
        prefix = "berth";
        name = std::string(id);
    } else {
        auto parts = util::split(*cgroups_path, ':');
        if (parts.size() != 3)
            sys::fail(sys::ErrorKind::invalid_config,
                      "linux.cgroupsPath: expected \"slice:prefix:name\" for the systemd cgroup driver, got `%s`",
                      *cgroups_path);
        slice = std::string(parts[0]);
        prefix = std::string(parts[1]);
        name = std::string(parts[2]);
    }
    // The unit name becomes a path component: no separators, no dot names.
    for (const std::string* s : {&prefix, &name})
        if (s->find('/') != std::string::npos || *s == "." || *s == "..")
            sys::fail(sys::ErrorKind::invalid_config, "linux.cgroupsPath: invalid unit name part `%s`", *s);
    if (name.empty()) sys::fail(sys::ErrorKind::invalid_config, "linux.cgroupsPath: empty unit name");
    if (slice.empty()) slice = "system.slice";
    SystemdUnit u;
    u.slice = slice;
    bool is_slice = name.size() > 6 && name.compare(name.size() - 6, 6, ".slice") == 0;
    // runc getUnitName: a scope unless the name itself is a slice.
    u.unit = is_slice ? name : prefix + "-" + name + ".scope";
    u.path = util::join(expand_slice(slice), u.unit);
    if (u.path.front() != '/') u.path = "/" + u.path;
    return u;
}

}  // namespace rt::cgroups
