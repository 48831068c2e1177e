#include <doctest/doctest.h>

#include "tests/cgroups_test_util.hpp"

#include <string>
#include <vector>

#include "cgroups/devices.hpp"
#include "spec/parse.hpp"
#include "sys/error.hpp"

using namespace rt::cgroups;
using cgtest::Lines;
using cgtest::lines;
using cgtest::res;

namespace {

std::string error_of(auto&& f) { return cgtest::error_of(f, rt::sys::ErrorKind::invalid_config); }

Lines rule_lines(const std::vector<DeviceRule>& rules) {
    Lines out;
    for (const auto& r : rules) out.push_back(std::string(r.allow ? "allow " : "deny ") + cgroup_line(r));
    return out;
}

// What the v1 kernel sees: each devices.allow/devices.deny write as a rule.
std::vector<DeviceRule> rules_from_writes(const WritePlan& p) {
    std::vector<DeviceRule> out;
    for (const auto& w : p.writes) {
        DeviceRule r;
        r.allow = w.file == "devices.allow";
        r.type = w.value[0];
        auto colon = w.value.find(':'), space = w.value.find(' ', 2);
        std::string major = w.value.substr(2, colon - 2), minor = w.value.substr(colon + 1, space - colon - 1);
        r.major = major == "*" ? -1 : std::stoll(major);
        r.minor = minor == "*" ? -1 : std::stoll(minor);
        r.access = w.value.substr(space + 1);
        out.push_back(r);
    }
    return out;
}

// Every decision on a grid of devices and accesses.
Lines decisions(const DeviceEmulator& e) {
    Lines out;
    for (char type : {'b', 'c'})
        for (int64_t major : {1, 4, 5, 8, 10, 136})
            for (int64_t minor : {0, 2, 3, 5, 200, 229})
                for (const char* access : {"r", "w", "m", "rw", "rwm"})
                    if (e.allows(type, major, minor, access))
                        out.push_back(std::string(1, type) + " " + std::to_string(major) + ":" +
                                      std::to_string(minor) + " " + access);
    return out;
}

}  // namespace

TEST_CASE("cgroups devices: runc's default allowances, in order") {
    CHECK(rule_lines(default_device_rules()) == Lines{
        "allow c *:* m", "allow b *:* m", "allow c 1:3 rwm", "allow c 1:8 rwm", "allow c 1:7 rwm",
        "allow c 5:0 rwm", "allow c 1:5 rwm", "allow c 1:9 rwm", "allow c 136:* rwm", "allow c 5:2 rwm",
        "allow c 10:200 rwm",
    });
}

TEST_CASE("cgroups devices: the emulated list equals runc 1.1.5's devices.list") {
    // `cat devices.list` of a runc container with no device rules.
    DeviceEmulator e = emulate(device_rules(res("{}")));
    CHECK_FALSE(e.default_allow());
    Lines list;
    for (const auto& r : e.exceptions()) list.push_back(cgroup_line(r));
    CHECK(list == Lines{"b *:* m", "c *:* m", "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm",
                        "c 5:0 rwm", "c 5:2 rwm", "c 10:200 rwm", "c 136:* rwm"});
}

TEST_CASE("cgroups devices: v1 writes deny all, then the listed rules, then the defaults") {
    WritePlan p;
    v1_device_writes(device_rules(res(R"({"devices":[{"allow":false,"access":"rwm"},
        {"allow":true,"type":"c","major":10,"minor":229,"access":"rw"},
        {"allow":true,"type":"b","major":8,"minor":0,"access":"mr"}]})")), p);
    Lines got;
    for (const auto& w : p.writes) got.push_back(to_string(w));
    CHECK(got == Lines{
        "devices:devices.deny=a *:* rwm", "devices:devices.deny=a *:* rwm",
        "devices:devices.allow=c 10:229 rw", "devices:devices.allow=b 8:0 rm",
        "devices:devices.allow=c *:* m", "devices:devices.allow=b *:* m", "devices:devices.allow=c 1:3 rwm",
        "devices:devices.allow=c 1:8 rwm", "devices:devices.allow=c 1:7 rwm", "devices:devices.allow=c 5:0 rwm",
        "devices:devices.allow=c 1:5 rwm", "devices:devices.allow=c 1:9 rwm", "devices:devices.allow=c 136:* rwm",
        "devices:devices.allow=c 5:2 rwm", "devices:devices.allow=c 10:200 rwm",
    });
    CHECK(p.writes[0].field == "linux.resources.devices");
    CHECK(p.writes[2].field == "linux.resources.devices[1]");
    CHECK(p.writes[4].field == "linux.resources.devices (runtime default)");
}

TEST_CASE("cgroups devices: decisions") {
    DeviceEmulator e = emulate(device_rules(res(R"({"devices":[{"allow":false,"access":"rwm"},
        {"allow":true,"type":"c","major":10,"minor":229,"access":"rw"}]})")));
    CHECK(e.allows('c', 1, 3, "rw"));
    CHECK(e.allows('c', 1, 3, "rwm"));
    CHECK(e.allows('c', 10, 229, "rw"));
    CHECK_FALSE(e.allows('c', 10, 229, "rwm"));  // m only from "c *:* m", never both in one rule
    CHECK(e.allows('c', 10, 229, "m"));
    CHECK_FALSE(e.allows('c', 4, 0, "r"));
    CHECK(e.allows('c', 4, 0, "m"));
    CHECK_FALSE(e.allows('b', 8, 0, "r"));
    CHECK(e.allows('c', 136, 5, "rw"));

    // Privileged: one allow-all rule (docker --privileged).
    DeviceEmulator all = emulate(device_rules(res(R"({"devices":[{"allow":true,"access":"rwm"}]})")));
    CHECK(all.default_allow());
    CHECK(all.exceptions().empty());
    CHECK(all.allows('b', 8, 0, "rwm"));

    // Deny-list mode: any overlap with a deny exception refuses.
    DeviceEmulator bl = emulate({{'a', -1, -1, "rwm", true, 0}, {'c', 1, 3, "w", false, 1}});
    CHECK(bl.allows('c', 1, 3, "r"));
    CHECK_FALSE(bl.allows('c', 1, 3, "w"));
    CHECK_FALSE(bl.allows('c', 1, 3, "rw"));
    CHECK(bl.allows('c', 1, 4, "rw"));

    // A deny of part of an exact allow narrows it.
    DeviceEmulator part = emulate({{'a', -1, -1, "rwm", false, 0}, {'c', 1, 3, "rwm", true, 1},
                                   {'c', 1, 3, "w", false, 2}});
    CHECK(part.allows('c', 1, 3, "rm"));
    CHECK_FALSE(part.allows('c', 1, 3, "w"));
    CHECK(rule_lines(part.exceptions()) == Lines{"allow c 1:3 rm"});
}

TEST_CASE("cgroups devices: holes in wildcard rules are refused (v1 would ignore them)") {
    const char* json = R"({"devices":[{"allow":false,"access":"rwm"},
        {"allow":true,"type":"c","access":"rwm"},{"allow":false,"type":"c","major":5,"minor":1,"access":"rwm"}]})";
    const char* msg = "linux.resources.devices[2]: `c 5:1 rwm` cannot punch a hole in the wildcard rule "
                      "`c *:* rwm` (cgroup v1 would ignore it)";
    CHECK(error_of([&] { emulate(device_rules(res(json))); }) == msg);
    WritePlan p;
    CHECK(error_of([&] { v1_device_writes(device_rules(res(json)), p); }) == msg);
    // Denying the whole wildcard itself is fine.
    CHECK_NOTHROW(emulate({{'c', -1, -1, "rwm", true, 0}, {'c', -1, -1, "w", false, 1}}));
}

TEST_CASE("cgroups devices: validation and canonical lines") {
    CHECK(error_of([] { device_rules(res(R"({"devices":[{"allow":true,"type":"c"}]})")); }) ==
          "linux.resources.devices[0].access: must not be empty");
    CHECK(error_of([] { device_rules(res(R"({"devices":[{"allow":true,"access":"rwx"}]})")); }) ==
          "linux.resources.devices[0].access: `rwx` is not a combination of r, w and m");
    CHECK(error_of([] { device_rules(res(R"({"devices":[{"allow":true,"type":"u","access":"r"}]})")); }) ==
          "linux.resources.devices[0].type: unknown device type `u` (expected a, c or b)");
    CHECK(error_of([] { device_rules(res(R"({"devices":[{"allow":true,"type":"c","major":-2,"access":"r"}]})")); }) ==
          "linux.resources.devices[0].major: invalid device number -2");
    auto rules = device_rules(res(R"({"devices":[{"allow":true,"type":"a","major":1,"minor":3,"access":"r"},
        {"allow":true,"type":"c","major":1,"access":"mwr"},{"allow":true,"type":"b","major":-1,"minor":7,"access":"w"}]})"));
    CHECK(cgroup_line(rules[0]) == "a *:* rwm");
    CHECK(cgroup_line(rules[1]) == "c 1:* rwm");
    CHECK(cgroup_line(rules[2]) == "b *:7 w");
    CHECK(rules[1].index == 1);
}

TEST_CASE("cgroups devices: v1 writes and the emulator decide identically") {
    for (const char* json : {
             "{}",
             R"({"devices":[{"allow":false,"access":"rwm"},{"allow":true,"type":"c","major":10,"minor":229,"access":"rw"},
                 {"allow":true,"type":"b","major":8,"minor":0,"access":"r"}]})",
             R"({"devices":[{"allow":true,"access":"rwm"}]})",
             R"({"devices":[{"allow":true,"access":"rwm"},{"allow":false,"type":"c","major":5,"minor":2,"access":"rw"},
                 {"allow":false,"type":"b","major":8,"access":"w"}]})",
             R"({"devices":[{"allow":false,"access":"rwm"},{"allow":true,"type":"c","major":1,"minor":3,"access":"rwm"},
                 {"allow":false,"type":"c","major":1,"minor":3,"access":"w"}]})",
         }) {
        auto rules = device_rules(res(json));
        WritePlan p;
        v1_device_writes(rules, p);
        Lines direct = decisions(emulate(rules));
        CHECK(decisions(emulate(rules_from_writes(p))) == direct);
        CHECK_FALSE(direct.empty());
    }
}
