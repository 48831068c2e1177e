// Device rules: parsing linux.resources.devices, runc's default allowances,
// and the v1 devices.allow/devices.deny writes.
#include "cgroups/devices.hpp"

#include "cgroups/emit.hpp"

namespace rt::cgroups {

namespace {

DeviceRule allow(char type, int64_t major, int64_t minor, const char* access) {
    return DeviceRule{type, major, minor, access, true, -1};
}

std::string canonical_access(std::string_view access, const std::string& fld) {
    if (access.empty()) detail::invalid(fld, "must not be empty");
    unsigned bits = 0;
    for (char c : access) {
        if (c == 'r') bits |= 1;
        else if (c == 'w') bits |= 2;
        else if (c == 'm') bits |= 4;
        else detail::invalid(fld, "`" + std::string(access) + "` is not a combination of r, w and m");
    }
    std::string out;
    if (bits & 1) out += 'r';
    if (bits & 2) out += 'w';
    if (bits & 4) out += 'm';
    return out;
}

int64_t device_number(const std::optional<int64_t>& v, const std::string& fld) {
    if (!v) return -1;
    if (*v < -1) detail::invalid(fld, "invalid device number " + std::to_string(*v));
    return *v;
}

}  // namespace

const std::vector<DeviceRule>& default_device_rules() {
    // runc libcontainer/specconv AllowedDevices, in its order.
    static const std::vector<DeviceRule> rules = {
        allow('c', -1, -1, "m"),   // mknod of any char device
        allow('b', -1, -1, "m"),   // and any block device
        allow('c', 1, 3, "rwm"),   // /dev/null
        allow('c', 1, 8, "rwm"),   // /dev/random
        allow('c', 1, 7, "rwm"),   // /dev/full
        allow('c', 5, 0, "rwm"),   // /dev/tty
        allow('c', 1, 5, "rwm"),   // /dev/zero
        allow('c', 1, 9, "rwm"),   // /dev/urandom
        allow('c', 136, -1, "rwm"),  // /dev/pts/*
        allow('c', 5, 2, "rwm"),   // /dev/ptmx
        allow('c', 10, 200, "rwm"),  // /dev/net/tun
    };
    return rules;
}

std::vector<DeviceRule> device_rules(const spec::Resources& r) {
    std::vector<DeviceRule> out;
    for (size_t i = 0; i < r.devices.size(); ++i) {
        const spec::DeviceCgroup& d = r.devices[i];
        std::string fld = "linux.resources.devices[" + std::to_string(i) + "]";
        DeviceRule rule;
        std::string type = d.type.value_or("a");
        if (type != "a" && type != "b" && type != "c")
            detail::invalid(fld + ".type", "unknown device type `" + type + "` (expected a, c or b)");
        rule.type = type[0];
        rule.major = device_number(d.major, fld + ".major");
        rule.minor = device_number(d.minor, fld + ".minor");
        // runc: "device access at N field cannot be empty".
        rule.access = canonical_access(d.access.value_or(""), fld + ".access");
        rule.allow = d.allow;
        rule.index = static_cast<int>(i);
        out.push_back(std::move(rule));
    }
    const auto& defaults = default_device_rules();
    out.insert(out.end(), defaults.begin(), defaults.end());
    return out;
}

std::string cgroup_line(const DeviceRule& rule) {
    if (rule.type == 'a') return "a *:* rwm";
    auto num = [](int64_t v) { return v < 0 ? std::string("*") : std::to_string(v); };
    return std::string(1, rule.type) + " " + num(rule.major) + ":" + num(rule.minor) + " " + rule.access;
}

void v1_device_writes(const std::vector<DeviceRule>& rules, WritePlan& out) {
    emulate(rules);  // validation only: the kernel applies the same list
    detail::Emitter e{out, Hierarchy::v1, "devices"};
    // Start from deny-all: a new cgroup inherits its parent's list, usually
    // allow-all, and the spec's list is an allow-list.
    e.add("devices.deny", "a *:* rwm", "linux.resources.devices");
    for (const auto& rule : rules) {
        std::string fld = rule.index >= 0 ? "linux.resources.devices[" + std::to_string(rule.index) + "]"
                                          : "linux.resources.devices (runtime default)";
        e.add(rule.allow ? "devices.allow" : "devices.deny", cgroup_line(rule), fld);
    }
}

}  // namespace rt::cgroups
