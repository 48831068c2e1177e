// The device allow-list (config-linux.md "Allowed Device list").
//
// Rules apply in listed order, followed by runc's implicit allowances
// (specconv AllowedDevices: mknod of any char/block device, /dev/null, random,
// full, tty, zero, urandom, /dev/pts/*, /dev/ptmx, tun). Observed on a runc
// 1.1.5 container: devices.list reads exactly those entries.
//
// v1 writes "a *:* rwm" to devices.deny, then each rule to devices.allow or
// devices.deny. v2 has no files: a BPF program must make the same decisions,
// so DeviceEmulator evaluates the rule list with the v1 kernel's semantics
// (runc devices_emulator.go) and both paths are tested against it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cgroups/resources.hpp"
#include "spec/spec.hpp"

namespace rt::cgroups {

struct DeviceRule {
    char type = 'a';                // 'a' (every device), 'b', 'c'
    int64_t major = -1, minor = -1;  // -1: any
    std::string access = "rwm";     // subset of "rwm", in that order
    bool allow = false;
    int index = -1;  // position in linux.resources.devices; -1: a runtime default

    bool operator==(const DeviceRule&) const = default;
};

const std::vector<DeviceRule>& default_device_rules();

// linux.resources.devices (validated: type a/b/c, access a non-empty subset
// of rwm, major/minor >= -1), then the defaults.
std::vector<DeviceRule> device_rules(const spec::Resources& r);

// "c 1:3 rwm", "b 8:* r"; every type-a rule is "a *:* rwm" (the kernel reads
// "a" as every device whatever follows).
std::string cgroup_line(const DeviceRule& rule);

// devices.deny "a *:* rwm", then the rules in order. Runs the emulator first
// so a rule v1 would silently ignore is an error here too.
void v1_device_writes(const std::vector<DeviceRule>& rules, WritePlan& out);

class DeviceEmulator {
public:
    // Starts as deny-all, the state v1_device_writes() begins with.
    // Throws invalid_config for a deny that would punch a hole in a wildcard
    // allow (or an allow in a wildcard deny): v1 ignores those silently.
    void apply(const DeviceRule& rule);

    // Would the v1 kernel let a process do `access` ("r", "rw", "m", ...) on
    // device (type 'b'/'c', major, minor)? Allow-list mode needs one rule
    // granting every bit; deny-list mode refuses on any overlapping rule.
    bool allows(char type, int64_t major, int64_t minor, std::string_view access) const;

    bool default_allow() const { return default_allow_; }
    // The exceptions to the default, sorted by (major, minor, type) as runc
    // does; allow == !default_allow().
    std::vector<DeviceRule> exceptions() const;

private:
    struct Entry {
        char type;
        int64_t major, minor;
        unsigned perms;
    };
    bool default_allow_ = false;
    std::vector<Entry> rules_;

    void add(const DeviceRule& r, unsigned perms);
    void remove(const DeviceRule& r, unsigned perms);
};

DeviceEmulator emulate(const std::vector<DeviceRule>& rules);

}  // namespace rt::cgroups
