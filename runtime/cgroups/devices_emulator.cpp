// The v1 devices controller's semantics as a pure state machine (runc's
// devices_emulator.go): what the BPF program on v2 must decide, and what the
// v1 kernel decides after v1_device_writes().
#include <algorithm>

#include "cgroups/devices.hpp"
#include "cgroups/emit.hpp"

namespace rt::cgroups {

namespace {

unsigned perm_bits(std::string_view access) {
    unsigned bits = 0;
    for (char c : access) bits |= c == 'r' ? 1u : c == 'w' ? 2u : c == 'm' ? 4u : 0u;
    return bits;
}

std::string perm_string(unsigned bits) {
    std::string s;
    if (bits & 1) s += 'r';
    if (bits & 2) s += 'w';
    if (bits & 4) s += 'm';
    return s;
}

std::string rule_field(const DeviceRule& r) {
    return r.index >= 0 ? "linux.resources.devices[" + std::to_string(r.index) + "]"
                        : "linux.resources.devices (runtime default)";
}

}  // namespace

void DeviceEmulator::add(const DeviceRule& r, unsigned perms) {
    for (auto& e : rules_)
        if (e.type == r.type && e.major == r.major && e.minor == r.minor) {
            e.perms |= perms;
            return;
        }
    rules_.push_back({r.type, r.major, r.minor, perms});
}

void DeviceEmulator::remove(const DeviceRule& r, unsigned perms) {
    // v1 removes exact entries only: taking "c 1:3 w" out of "c *:* rwm"
    // leaves the wildcard in force. Refuse rather than pretend (runc rmRule).
    for (const auto& e : rules_) {
        bool wider = e.type == r.type && (e.major == -1 || e.major == r.major) &&
                     (e.minor == -1 || e.minor == r.minor) && !(e.major == r.major && e.minor == r.minor);
        if (wider && (e.perms & perms) != 0)
            detail::invalid(rule_field(r), "`" + cgroup_line(r) + "` cannot punch a hole in the wildcard rule `" +
                                               cgroup_line(DeviceRule{e.type, e.major, e.minor,
                                                                      perm_string(e.perms), false, -1}) +
                                               "` (cgroup v1 would ignore it)");
    }
    for (auto it = rules_.begin(); it != rules_.end(); ++it)
        if (it->type == r.type && it->major == r.major && it->minor == r.minor) {
            it->perms &= ~perms;
            if (it->perms == 0) rules_.erase(it);
            return;
        }
}

void DeviceEmulator::apply(const DeviceRule& rule) {
    // "a": reset to allow-all or deny-all, whatever the numbers and access.
    if (rule.type == 'a') {
        default_allow_ = rule.allow;
        rules_.clear();
        return;
    }
    unsigned perms = perm_bits(rule.access);
    // An exception is the opposite of the default: an allow in allow-list
    // mode adds one, an allow in deny-list mode removes one.
    if (rule.allow != default_allow_)
        add(rule, perms);
    else
        remove(rule, perms);
}

bool DeviceEmulator::allows(char type, int64_t major, int64_t minor, std::string_view access) const {
    unsigned want = perm_bits(access);
    for (const auto& e : rules_) {
        if (e.type != type || (e.major != -1 && e.major != major) || (e.minor != -1 && e.minor != minor)) continue;
        if (default_allow_) {
            if (e.perms & want) return false;  // any overlap with a deny exception
        } else if ((want & ~e.perms) == 0) {
            return true;  // one exception must grant every requested bit
        }
    }
    return default_allow_;
}

std::vector<DeviceRule> DeviceEmulator::exceptions() const {
    std::vector<DeviceRule> out;
    for (const auto& e : rules_) out.push_back({e.type, e.major, e.minor, perm_string(e.perms), !default_allow_, -1});
    std::sort(out.begin(), out.end(), [](const DeviceRule& a, const DeviceRule& b) {
        if (a.major != b.major) return a.major < b.major;
        if (a.minor != b.minor) return a.minor < b.minor;
        return a.type < b.type;
    });
    return out;
}

DeviceEmulator emulate(const std::vector<DeviceRule>& rules) {
    DeviceEmulator e;
    for (const auto& r : rules) e.apply(r);
    return e;
}

}  // namespace rt::cgroups
