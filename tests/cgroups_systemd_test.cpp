// The systemd cgroup driver: the pure parts (properties, paths, helper
// protocol), the helper process handling against a fake berth-systemd, and
// (root, systemd as PID 1 only: integration/vm/systemd-driver-check.sh) the
// real thing.
#include <doctest/doctest.h>

#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>

#include "cgroups/fsutil.hpp"
#include "cgroups/systemd.hpp"
#include "cgroups/systemd_annotations.hpp"
#include "cgroups/systemd_props.hpp"
#include "sdbus/protocol.hpp"
#include "spec/parse.hpp"
#include "sys/error.hpp"
#include "sys/fd.hpp"
#include "sys/self_path.hpp"
#include "sys/syscalls.hpp"

using namespace rt::cgroups;
using rt::sdbus::DeviceList;
using rt::sdbus::Number;
using rt::sdbus::Property;
using rt::sdbus::Value;

namespace {

constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

Layout unified(const std::string& mountpoint = "/sys/fs/cgroup") {
    return parse_layout("30 25 0:26 / " + mountpoint + " rw - cgroup2 cgroup2 rw,nsdelegate\n",
                        "0::/system.slice/containerd.service\n", "cpuset cpu io memory hugetlb pids");
}

Layout hybrid() {
    return parse_layout(
        "31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
        "34 30 0:31 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
        "35 30 0:32 / /sys/fs/cgroup/devices rw - cgroup cgroup rw,devices\n"
        "36 30 0:33 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n"
        "39 30 0:36 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd\n"
        "40 30 0:37 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n",
        "9:name=systemd:/user.slice\n4:memory:/user.slice\n0::/user.slice\n", "hugetlb");
}

std::vector<Property> props_of(const std::string& json, const Layout& layout, bool devices,
                               std::vector<std::string>* warnings_out = nullptr) {
    std::vector<std::string> warnings;
    auto out = resource_properties(rt::spec::parse_resources(json), layout, devices, warnings);
    if (warnings_out != nullptr) *warnings_out = warnings;
    return out;
}

// The value of the last property called `name` (DeviceAllow comes twice).
const Value* find(const std::vector<Property>& props, const std::string& name) {
    const Value* v = nullptr;
    for (const auto& p : props)
        if (p.name == name) v = &p.value;
    return v;
}

std::vector<std::string> names(const std::vector<Property>& props) {
    std::vector<std::string> out;
    for (const auto& p : props) out.push_back(p.name);
    return out;
}

std::string error_of(auto&& f) {
    try {
        f();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "no error";
}

std::string slurp(const std::string& path) {
    std::ifstream f(path);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

void spit(const std::string& path, const std::string& text, mode_t mode = 0644) {
    std::ofstream(path) << text;
    ::chmod(path.c_str(), mode);
}

// Sets an environment variable for one scope.
struct Env {
    std::string name;
    Env(std::string n, const std::string& value) : name(std::move(n)) { ::setenv(name.c_str(), value.c_str(), 1); }
    ~Env() { ::unsetenv(name.c_str()); }
};

}  // namespace

TEST_CASE("systemd protocol: a request survives encode and decode, every value type") {
    rt::sdbus::Request r;
    r.unit = "docker-abc.scope";
    r.hold = true;
    r.properties = {{"Delegate", true},
                    {"MemoryMax", uint64_t{67108864}},
                    {"TasksMax", kMax},
                    {"Slice", std::string("system.slice")},
                    {"Wants", std::vector<std::string>{"a.slice", "b \"quoted\".slice"}},
                    {"AllowedCPUs", std::vector<uint8_t>{0x87, 0x01}, 244},
                    {"PIDs", std::vector<uint32_t>{1, 4294967295u}},
                    {"DeviceAllow", DeviceList{}},
                    {"DeviceAllow", DeviceList{{"/dev/char/1:3", "rwm"}, {"char-*", "m"}}},
                    {"Nice", Number{'i', -5, 0, 0}},
                    {"X", Number{'x', INT64_MIN, 0, 0}},
                    {"Y", Number{'y', 0, 255, 0}},
                    {"Q", Number{'q', 0, 65535, 0}},
                    {"D", Number{'d', 0, 0, 2.5}}};
    std::string line = rt::sdbus::encode(r);
    CHECK(line.find('\n') == std::string::npos);
    CHECK(rt::sdbus::decode(line) == r);
    CHECK(rt::sdbus::encode({"x.scope", {{"MemoryMax", uint64_t{5}}}, false}) ==
          R"({"unit":"x.scope","properties":[{"name":"MemoryMax","type":"t","value":5}]})");
    CHECK(rt::sdbus::encode({"x.scope", {{"AllowedCPUs", std::vector<uint8_t>{1}, 244}}, true}) ==
          R"({"unit":"x.scope","hold":true,"properties":[{"name":"AllowedCPUs","type":"ay","value":[1],"since":244}]})");
    CHECK(std::string(rt::sdbus::signature(Value(DeviceList{}))) == "a(ss)");
    CHECK(std::string(rt::sdbus::signature(Value(Number{'u', 0, 1, 0}))) == "u");
    CHECK(rt::sdbus::encode({"x.scope", {{"Nice", Number{'n', -3, 0, 0}}}, false}) ==
          R"({"unit":"x.scope","properties":[{"name":"Nice","type":"n","value":-3}]})");
}

TEST_CASE("systemd: GVariant text values of org.systemd.property.* annotations") {
    CHECK(parse_gvariant("true") == Value(true));
    CHECK(parse_gvariant(" boolean false ") == Value(false));
    CHECK(parse_gvariant("uint64 300") == Value(uint64_t{300}));
    CHECK(parse_gvariant("uint64 0x10") == Value(uint64_t{16}));
    CHECK(parse_gvariant("42") == Value(Number{'i', 42, 0, 0}));
    CHECK(parse_gvariant("-7") == Value(Number{'i', -7, 0, 0}));
    CHECK(parse_gvariant("int64 -9000000000") == Value(Number{'x', -9000000000, 0, 0}));
    CHECK(parse_gvariant("uint32 4294967295") == Value(Number{'u', 0, 4294967295u, 0}));
    CHECK(parse_gvariant("byte 255") == Value(Number{'y', 0, 255, 0}));
    CHECK(parse_gvariant("2.5") == Value(Number{'d', 0, 0, 2.5}));
    CHECK(parse_gvariant("double 3") == Value(Number{'d', 0, 0, 3}));
    CHECK(parse_gvariant("'inactive-or-failed'") == Value(std::string("inactive-or-failed")));
    CHECK(parse_gvariant(R"("it's \"quoted\"")") == Value(std::string("it's \"quoted\"")));
    CHECK(parse_gvariant("string 'x'") == Value(std::string("x")));
    CHECK(parse_gvariant("['a.service', \"b.service\"]") ==
          Value(std::vector<std::string>{"a.service", "b.service"}));
    CHECK(parse_gvariant("@as []") == Value(std::vector<std::string>{}));
    for (const char* bad : {"", "yes", "uint64 -1", "byte 256", "int32 2147483648", "'open", "[1, 2]",
                            "@au []", "1 2", "uint64 12abc", "double nan"})
        CHECK_MESSAGE(error_of([&] { parse_gvariant(bad); }) != "no error", bad);
}

TEST_CASE("systemd: annotations become unit properties as runc's initSystemdProps") {
    std::map<std::string, std::string> a = {{"org.systemd.property.TimeoutStopSec", "uint64 123"},
                                            {"org.systemd.property.RuntimeMaxSec", "2.5"},
                                            {"org.systemd.property.TimeoutStartUSec", "uint64 7"},
                                            {"org.systemd.property.CollectMode", "'inactive-or-failed'"},
                                            {"org.systemd.property.DefaultDependencies", "true"},
                                            {"org.opencontainers.image.title", "ignored"},
                                            {"com.example.property.Foo", "ignored"}};
    auto props = annotation_properties(a);
    REQUIRE(props.size() == 5);
    // std::map order: by annotation key.
    CHECK(props[0] == rt::sdbus::Property{"CollectMode", std::string("inactive-or-failed")});
    CHECK(props[1] == rt::sdbus::Property{"DefaultDependencies", true});
    CHECK(props[2] == rt::sdbus::Property{"RuntimeMaxUSec", uint64_t{2500000}});
    CHECK(props[3] == rt::sdbus::Property{"TimeoutStartUSec", uint64_t{7}});
    CHECK(props[4] == rt::sdbus::Property{"TimeoutStopUSec", uint64_t{123000000}});
    auto err = [](const char* key, const char* value) {
        return error_of([&] { annotation_properties({{key, value}}); });
    };
    CHECK(err("org.systemd.property.Ab", "true") ==
          "annotations: org.systemd.property.Ab=true: property name too short");
    CHECK(err("org.systemd.property.Cpu_Quota", "1") ==
          "annotations: org.systemd.property.Cpu_Quota=1: property name has a non-letter `_`");
    CHECK(err("org.systemd.property.TimeoutStopSec", "int32 -1") ==
          "annotations: org.systemd.property.TimeoutStopSec=int32 -1: negative seconds");
    CHECK(err("org.systemd.property.TimeoutStopSec", "'1min'") ==
          "annotations: org.systemd.property.TimeoutStopSec='1min': a ...Sec property wants a number");
    CHECK(err("org.systemd.property.KillMode", "mixed").find("unknown word `mixed`") != std::string::npos);
}

TEST_CASE("systemd protocol: malformed requests are refused with a reason") {
    CHECK(error_of([] { rt::sdbus::decode("nope"); }) == "bad request: not a JSON object");
    CHECK(error_of([] { rt::sdbus::decode("{}"); }) == "bad request: missing unit");
    CHECK(error_of([] {
              rt::sdbus::decode(R"({"unit":"x","properties":[{"name":"A","type":"t","value":-1}]})");
          }) == "bad request: property A: value does not match type t");
    CHECK(error_of([] {
              rt::sdbus::decode(R"({"unit":"x","properties":[{"name":"A","type":"ay","value":[256]}]})");
          }) == "bad request: property A: element out of range");
    CHECK(error_of([] {
              rt::sdbus::decode(R"({"unit":"x","properties":[{"name":"A","type":"v","value":[]}]})");
          }) == "bad request: property A: unknown type `v`");
    CHECK(rt::sdbus::decode(R"({"unit":"x"})").properties.empty());
}

TEST_CASE("systemd: CPU lists become systemd's byte masks, lowest CPU in the first byte") {
    CHECK(cpu_mask("0", "f") == std::vector<uint8_t>{0x01});
    CHECK(cpu_mask("0-2,7", "f") == std::vector<uint8_t>{0x87});
    CHECK(cpu_mask("8", "f") == std::vector<uint8_t>{0x00, 0x01});
    CHECK(cpu_mask(" 1, 3-5 ,", "f") == std::vector<uint8_t>{0x3a});
    CHECK(cpu_mask("0-9", "f") == std::vector<uint8_t>{0xff, 0x03});
    for (const char* bad : {"", ",", "3-1", "a", "-1", "1-", "70000"})
        CHECK(error_of([&] { cpu_mask(bad, "linux.resources.cpu.cpus"); }).rfind("linux.resources.cpu.cpus: ", 0) == 0);
}

TEST_CASE("systemd: CPU quota per second rounds up to whole percent, as runc") {
    CHECK(quota_per_sec(50000, 100000) == 500000);
    CHECK(quota_per_sec(33333, 100000) == 340000);
    CHECK(quota_per_sec(50000, 0) == 500000);  // the kernel's default period
    CHECK(quota_per_sec(-1, 100000) == kMax);
    CHECK(quota_per_sec(0, 0) == kMax);
    CHECK(quota_per_sec(std::numeric_limits<int64_t>::max(), 1) == kMax - 1);
}

TEST_CASE("systemd: StartTransientUnit properties of a scope and of a slice") {
    auto scope = unit_properties("berth-abc.scope", "system.slice", "berth container abc", unified());
    CHECK(names(scope) == std::vector<std::string>{"Description", "Slice", "Delegate", "MemoryAccounting",
                                                   "CPUAccounting", "IOAccounting", "TasksAccounting",
                                                   "DefaultDependencies"});
    CHECK(*find(scope, "Description") == Value(std::string("berth container abc")));
    CHECK(*find(scope, "Slice") == Value(std::string("system.slice")));
    CHECK(*find(scope, "Delegate") == Value(true));
    CHECK(*find(scope, "DefaultDependencies") == Value(false));

    auto slice = unit_properties("pod-x.slice", "kubepods.slice", "", hybrid());
    CHECK(names(slice) == std::vector<std::string>{"Wants", "MemoryAccounting", "CPUAccounting",
                                                   "BlockIOAccounting", "TasksAccounting", "DefaultDependencies"});
    CHECK(*find(slice, "Wants") == Value(std::vector<std::string>{"kubepods.slice"}));
}

TEST_CASE("systemd: resources as cgroup v2 properties") {
    auto p = props_of(R"({"memory":{"limit":67108864,"reservation":33554432,"swap":134217728},
        "cpu":{"shares":512,"quota":50000,"period":100000,"cpus":"0-1","mems":"0"},
        "pids":{"limit":20},"blockIO":{"weight":500}})",
                      unified(), false);
    CHECK(names(p) == std::vector<std::string>{"MemoryMax", "MemoryLow", "MemorySwapMax", "CPUWeight",
                                               "CPUQuotaPeriodUSec", "CPUQuotaPerSecUSec", "AllowedCPUs",
                                               "AllowedMemoryNodes", "TasksMax", "IOWeight"});
    CHECK(*find(p, "MemoryMax") == Value(uint64_t{67108864}));
    CHECK(*find(p, "MemoryLow") == Value(uint64_t{33554432}));
    CHECK(*find(p, "MemorySwapMax") == Value(uint64_t{67108864}));  // OCI swap is memory+swap
    CHECK(*find(p, "CPUWeight") == Value(uint64_t{20}));           // shares_to_weight(512)
    CHECK(*find(p, "CPUQuotaPeriodUSec") == Value(uint64_t{100000}));
    CHECK(*find(p, "CPUQuotaPerSecUSec") == Value(uint64_t{500000}));
    CHECK(*find(p, "AllowedCPUs") == Value(std::vector<uint8_t>{0x03}));
    CHECK(*find(p, "TasksMax") == Value(uint64_t{20}));
    CHECK(*find(p, "IOWeight") == Value(blkio_weight_to_io_weight(500)));
    for (const auto& prop : p)
        CHECK(prop.since == (prop.name == "CPUQuotaPeriodUSec" ? 242u : prop.name.rfind("Allowed", 0) == 0 ? 244u : 0u));

    // Unlimited values are systemd's infinity; swap equal to the limit is no swap.
    p = props_of(R"({"memory":{"limit":-1},"pids":{"limit":-1},"cpu":{"quota":-1}})", unified(), false);
    CHECK(*find(p, "MemoryMax") == Value(kMax));
    CHECK(*find(p, "MemorySwapMax") == Value(kMax));
    CHECK(*find(p, "TasksMax") == Value(kMax));
    CHECK(*find(p, "CPUQuotaPerSecUSec") == Value(kMax));
    p = props_of(R"({"memory":{"limit":1048576,"swap":1048576}})", unified(), false);
    CHECK(*find(p, "MemorySwapMax") == Value(uint64_t{0}));
    // Zero is "leave alone", as for the files.
    CHECK(props_of(R"({"memory":{"limit":0},"pids":{"limit":0},"cpu":{"shares":0}})", unified(), false).empty());
    CHECK(error_of([] { props_of(R"({"memory":{"limit":2097152,"swap":1048576}})", unified(), false); }) ==
          "linux.resources.memory.swap: memory+swap limit should be >= memory limit");
}

TEST_CASE("systemd: linux.resources.unified keys systemd knows become properties") {
    auto p = props_of(R"({"unified":{"cpu.max":"max 50000","cpu.weight":"300","memory.high":"1048576",
        "memory.min":"max","pids.max":"7","cpuset.cpus":"2","io.max":"8:0 rbps=1"}})",
                      unified(), false);
    CHECK(names(p) == std::vector<std::string>{"CPUQuotaPeriodUSec", "CPUQuotaPerSecUSec", "CPUWeight",
                                               "AllowedCPUs", "MemoryHigh", "MemoryMin", "TasksMax"});
    CHECK(*find(p, "CPUQuotaPeriodUSec") == Value(uint64_t{50000}));
    CHECK(*find(p, "CPUQuotaPerSecUSec") == Value(kMax));
    CHECK(*find(p, "MemoryMin") == Value(kMax));
    CHECK(*find(p, "AllowedCPUs") == Value(std::vector<uint8_t>{0x04}));
    CHECK(error_of([] { props_of(R"({"unified":{"memory.max":"lots"}})", unified(), false); }) ==
          "linux.resources.unified[\"memory.max\"]: `lots` is not a number or \"max\"");
}

TEST_CASE("systemd: resources as cgroup v1 properties on hybrid hosts") {
    auto p = props_of(R"({"memory":{"limit":67108864,"reservation":1,"swap":134217728},
        "cpu":{"shares":512,"quota":25000},"pids":{"limit":20},"blockIO":{"weight":500}})",
                      hybrid(), false);
    CHECK(names(p) == std::vector<std::string>{"MemoryLimit", "CPUShares", "CPUQuotaPerSecUSec", "TasksMax",
                                               "BlockIOWeight"});
    CHECK(*find(p, "CPUShares") == Value(uint64_t{512}));
    CHECK(*find(p, "CPUQuotaPerSecUSec") == Value(uint64_t{250000}));
    CHECK(*find(p, "BlockIOWeight") == Value(uint64_t{500}));
}

TEST_CASE("systemd: device rules as DevicePolicy and DeviceAllow") {
    std::vector<std::string> warnings;
    // The usual list: deny all, then allows (plus berth's defaults).
    auto p = props_of(R"({"devices":[{"allow":false,"access":"rwm"},{"allow":true,"type":"b","major":8,
        "minor":0,"access":"r"}]})",
                      unified(), true, &warnings);
    CHECK(names(p) == std::vector<std::string>{"DevicePolicy", "DeviceAllow", "DeviceAllow"});
    CHECK(*find(p, "DevicePolicy") == Value(std::string("strict")));
    CHECK(p[1].value == Value(DeviceList{}));  // resets what an earlier call appended
    const auto& allow = std::get<DeviceList>(*find(p, "DeviceAllow"));
    auto has = [&](const std::string& path, const std::string& perms) {
        return std::find(allow.begin(), allow.end(), std::make_pair(path, perms)) != allow.end();
    };
    CHECK(has("/dev/char/1:3", "rwm"));   // /dev/null
    CHECK(has("/dev/block/8:0", "r"));
    CHECK(has("char-136", "rwm"));       // /dev/pts/*
    CHECK(has("char-*", "m"));           // mknod of anything
    CHECK(has("block-*", "m"));
    CHECK(warnings.empty());

    // Allow everything: policy auto, no list (no BPF program from systemd).
    p = props_of(R"({"devices":[{"allow":true,"access":"rwm"}]})", unified(), true, &warnings);
    CHECK(*find(p, "DevicePolicy") == Value(std::string("auto")));
    CHECK(*find(p, "DeviceAllow") == Value(DeviceList{}));

    // Deny rules only: systemd cannot say that. v1: deny-all at systemd's
    // level (the devices cgroup has the rules); v2: berth's BPF filter has them.
    const char* deny = R"({"devices":[{"allow":true,"access":"rwm"},{"allow":false,"type":"c","major":10,
        "minor":229,"access":"rwm"}]})";
    p = props_of(deny, hybrid(), true, &warnings);
    CHECK(*find(p, "DevicePolicy") == Value(std::string("strict")));
    CHECK(*find(p, "DeviceAllow") == Value(DeviceList{}));
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].rfind("linux.resources.devices: systemd cannot express deny rules", 0) == 0);
    p = props_of(deny, unified(), true, &warnings);
    CHECK(*find(p, "DevicePolicy") == Value(std::string("auto")));
    CHECK(warnings.empty());

    // "c *:3" has no systemd spelling.
    p = props_of(R"({"devices":[{"allow":false,"access":"rwm"},{"allow":true,"type":"c","minor":3,"access":"r"}]})",
                 unified(), true, &warnings);
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0] == "linux.resources.devices: systemd cannot express `c *:3 r`; only berth's own device rules "
                         "apply it");
    // `update` leaves devices alone.
    CHECK(props_of(R"({"devices":[{"allow":true,"access":"rwm"}]})", unified(), false).empty());
}

TEST_CASE("systemd: unit, slice and paths from linux.cgroupsPath") {
    Systemd def = Systemd::for_container(unified(), std::nullopt, "abc");
    CHECK(def.unit() == "berth-abc.scope");
    CHECK(def.slice() == "system.slice");
    CHECK(def.paths().v2 == "/sys/fs/cgroup/system.slice/berth-abc.scope");
    CHECK(def.paths().v1.empty());

    Systemd docker = Systemd::for_container(hybrid(), std::string("machine-pods.slice:docker:abc"), "ignored");
    CHECK(docker.unit() == "docker-abc.scope");
    CHECK(docker.slice() == "machine-pods.slice");
    // Every hierarchy at <mount>/<expanded slice>/<unit>, whatever berth's own cgroup.
    const std::string inner = "/machine.slice/machine-pods.slice/docker-abc.scope";
    CHECK(docker.paths().v2 == "/sys/fs/cgroup/unified" + inner);
    CHECK(docker.paths().v1.at("memory") == "/sys/fs/cgroup/memory" + inner);
    CHECK(docker.paths().v1.at("cpuacct") == "/sys/fs/cgroup/cpu,cpuacct" + inner);
    CHECK(docker.paths().v1.at("name=systemd") == "/sys/fs/cgroup/systemd" + inner);

    Systemd slice = Systemd::for_container(unified(), std::string(":berth:pod1.slice"), "x");
    CHECK(slice.unit() == "pod1.slice");
    CHECK(slice.paths().v2 == "/sys/fs/cgroup/system.slice/pod1.slice");

    // Later commands: from the saved unit, slice and paths.
    Systemd later(unified(), docker.unit(), docker.slice(), docker.paths());
    CHECK(later.unit() == "docker-abc.scope");
    CHECK(later.paths().v2 == docker.paths().v2);
}

TEST_CASE("systemd: argv[0] resolution for finding berth-systemd beside berth") {
    auto exec = [](const std::string& p) { return p == "/usr/local/bin/berth" || p == "/work/build/berth"; };
    CHECK(rt::sys::resolve_argv0("/opt/berth", "/x", "", exec) == "/opt/berth");
    CHECK(rt::sys::resolve_argv0("build/berth", "/work", "", exec) == "/work/build/berth");
    CHECK(rt::sys::resolve_argv0("berth", "/x", "/usr/bin:/usr/local/bin", exec) == "/usr/local/bin/berth");
    CHECK(rt::sys::resolve_argv0("berth", "/work/build", "/usr/bin::/bin", exec) == "/work/build/berth");
    CHECK(rt::sys::resolve_argv0("berth", "/x", "/usr/bin", exec) == "");
    CHECK(rt::sys::resolve_argv0("", "/x", "/usr/bin", exec) == "");
}

// A fake berth-systemd: logs "<op> <request>", answers from $FAKE_<OP>
// and, for start-unit, holds until EOF like the real one, then logs it.
TEST_CASE("systemd: the helper process, its replies and its release (fake helper)") {
    char tmpl[] = "/tmp/berth-sdtest-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    const std::string dir = tmpl;
    rt::sys::ScopeExit rm([&] { CHECK(std::system(("rm -rf " + dir).c_str()) == 0); });
    const std::string helper = dir + "/fake-helper", log = dir + "/log";
    spit(helper,
         "#!/bin/sh\n"
         "IFS= read -r line\n"
         "echo \"$1 $line\" >> " + log + "\n"
         "case $1 in\n"
         "start-unit) echo \"$FAKE_START\"; [ \"$FAKE_START\" = exit ] && exit 3; cat >/dev/null;"
         " echo released >> " + log + " ;;\n"
         "set-properties) echo \"$FAKE_SET\" ;;\n"
         "stop-unit) echo \"$FAKE_STOP\" ;;\n"
         "esac\n",
         0755);
    ::mkdir((dir + "/cg").c_str(), 0755);
    Layout layout = unified(dir + "/cg");
    Env env("BERTH_SYSTEMD_HELPER", helper);
    CHECK(systemd_helper_path() == helper);

    Env start("FAKE_START", "ok /system.slice/berth-t1.scope");
    Env set("FAKE_SET", "ok");
    Env stop("FAKE_STOP", "ok");
    {
        Systemd sd = Systemd::for_container(layout, std::nullopt, "t1");
        sd.create();
        const std::string leaf = dir + "/cg/system.slice/berth-t1.scope";
        CHECK(sd.paths().v2 == leaf);
        CHECK(sd.exists());
        std::string sent = slurp(log);
        CHECK(sent.rfind("start-unit {\"unit\":\"berth-t1.scope\",\"hold\":true,\"properties\":[", 0) == 0);
        CHECK(sent.find(R"({"name":"Description","type":"s","value":"berth container t1"})") != std::string::npos);
        CHECK(sent.find("released") == std::string::npos);  // still holding the scope
        spit(leaf + "/cgroup.procs", "");
        sd.join(getpid());
        CHECK(slurp(leaf + "/cgroup.procs") == std::to_string(getpid()));
        CHECK(slurp(log).find("released\n") != std::string::npos);  // join let it go

        spit(leaf + "/pids.max", "");
        auto warnings = sd.set(rt::spec::parse_resources(R"({"pids":{"limit":20}})"), false);
        CHECK(warnings.empty());
        CHECK(slurp(log).find(R"(set-properties {"unit":"berth-t1.scope","properties":[{"name":"TasksMax","type":"t","value":20}]})") !=
              std::string::npos);
        CHECK(slurp(leaf + "/pids.max") == "20");  // and the file, as runc does both

        ::unlink((leaf + "/cgroup.procs").c_str());
        ::unlink((leaf + "/pids.max").c_str());
        sd.destroy();
        CHECK(slurp(log).find("stop-unit {\"unit\":\"berth-t1.scope\",\"properties\":[]}") != std::string::npos);
        CHECK_FALSE(sd.exists());
    }
    // systemd placing the unit elsewhere than the slice's expansion: its word wins.
    {
        Env other("FAKE_START", "ok /custom.slice/berth-t2.scope");
        Systemd sd = Systemd::for_container(layout, std::nullopt, "t2");
        sd.create();
        CHECK(sd.paths().v2 == dir + "/cg/custom.slice/berth-t2.scope");
        sd.destroy();
    }
    // A failure comes back once, as systemd said it, and ends the helper.
    {
        Env err("FAKE_START", "error start unit berth-t3.scope: Unit berth-t3.scope already exists.");
        Systemd sd = Systemd::for_container(layout, std::nullopt, "t3");
        CHECK(error_of([&] { sd.create(); }) == "systemd: start unit berth-t3.scope: Unit berth-t3.scope already exists.");
    }
    {
        Env err("FAKE_START", "exit");
        Systemd sd = Systemd::for_container(layout, std::nullopt, "t4");
        CHECK(error_of([&] { sd.create(); }) ==
              "systemd: unexpected reply from `" + helper + "`: exit");
        Env gone("FAKE_START", "");
        CHECK(error_of([&] { sd.create(); }) == "systemd: unexpected reply from `" + helper + "`: ");
    }
    {
        Env err("FAKE_STOP", "error stop unit berth-t5.scope: Access denied");
        Systemd sd = Systemd::for_container(layout, std::nullopt, "t5");
        CHECK(error_of([&] { sd.destroy(); }) == "systemd: stop unit berth-t5.scope: Access denied");
    }
    {
        spit(helper, "#!/bin/sh\nexit 3\n", 0755);
        Systemd sd = Systemd::for_container(layout, std::nullopt, "t6");
        CHECK(error_of([&] { sd.create(); }) == "systemd: helper `" + helper + "` exited with status 3 without replying");
        Env missing("BERTH_SYSTEMD_HELPER", dir + "/none");
        CHECK(error_of([&] { sd.create(); }) == "systemd: run the helper `" + dir +
                                                   "/none` (berth-systemd beside berth, or $BERTH_SYSTEMD_HELPER): "
                                                   "No such file or directory");
    }
}

// ------------------------------------------------------- systemd as PID 1 ---

namespace {

bool systemd_booted() {
    struct stat st;
    return geteuid() == 0 && ::lstat("/run/systemd/system", &st) == 0 && S_ISDIR(st.st_mode);
}

std::string run(const std::string& cmd) {
    std::string out;
    if (FILE* f = ::popen(cmd.c_str(), "r")) {
        char buf[512];
        while (size_t n = std::fread(buf, 1, sizeof buf, f)) out.append(buf, n);
        ::pclose(f);
    }
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

std::string show(const std::string& unit, const std::string& prop) {
    return run("systemctl show -p " + prop + " --value " + unit);
}

}  // namespace

TEST_CASE("cgroups systemd host: a scope with limits, a process cloned into it, destroy" *
          doctest::skip(!systemd_booted())) {
    Layout layout = detect_layout();
    const std::string id = "unit-" + std::to_string(getpid());
    Systemd sd = Systemd::for_container(layout, std::nullopt, id);
    const std::string unit = sd.unit();
    pid_t child = -1;
    rt::sys::ScopeExit cleanup([&] {
        if (child > 0) {
            ::kill(child, SIGKILL);
            ::waitpid(child, nullptr, 0);
        }
        try {
            sd.destroy();
        } catch (...) {
        }
    });
    sd.create();
    MESSAGE("created " << unit << ": " << show(unit, "ActiveState") << ", cgroup " << sd.paths().v2);
    CHECK(show(unit, "ActiveState") == "active");
    CHECK(show(unit, "Delegate") == "yes");
    // Held by the helper until join: one process in the scope.
    CHECK(rt::cgroups::util::fields(slurp(sd.paths().v2 + "/cgroup.procs")).size() == 1);

    // As create does: clone into the leaf, join (v1 directories made now), then set.
    const bool v2 = layout.mode == Mode::unified;
    rt::sys::UniqueFd leaf = sd.open_leaf();
    REQUIRE(leaf);
    clone_args args{};
    args.flags = CLONE_INTO_CGROUP;
    args.exit_signal = SIGCHLD;
    args.cgroup = static_cast<uint64_t>(leaf.get());
    child = static_cast<pid_t>(rt::sys::clone3(&args));
    REQUIRE(child >= 0);
    if (child == 0) {
        for (;;) ::pause();
    }
    sd.join(child);
    std::string own = slurp("/proc/" + std::to_string(child) + "/cgroup");
    MESSAGE("/proc/" << child << "/cgroup: " << own);
    CHECK(own.find("0::/system.slice/" + unit + "\n") != std::string::npos);
    if (!v2)  // every v1 hierarchy, systemd's or not
        for (const char* c : {"memory:", "cpuset:", "freezer:", "name=systemd:"})
            CHECK(own.find(c + ("/system.slice/" + unit + "\n")) != std::string::npos);
    // The helper is gone; the child keeps the scope alive.
    CHECK(sd.pids() == std::vector<pid_t>{child});
    CHECK(show(unit, "ActiveState") == "active");

    auto warnings = sd.set(rt::spec::parse_resources(R"({"memory":{"limit":67108864},"pids":{"limit":20},
        "cpu":{"shares":512,"quota":50000,"period":100000,"cpus":"0"},
        "devices":[{"allow":false,"access":"rwm"}]})"),
                           true);
    for (const auto& w : warnings) MESSAGE("warning: " << w);
    MESSAGE("systemctl show: " << run("systemctl show -p MemoryMax,MemoryLimit,TasksMax,CPUWeight,CPUShares,"
                                      "CPUQuotaPerSecUSec,AllowedCPUs,DevicePolicy " + unit + " | tr '\\n' ' '"));
    // v1 and hybrid hosts get the v1 names (runc genV1ResourcesProperties).
    CHECK(show(unit, v2 ? "MemoryMax" : "MemoryLimit") == "67108864");
    CHECK(show(unit, "TasksMax") == "20");
    CHECK(show(unit, v2 ? "CPUWeight" : "CPUShares") == (v2 ? "20" : "512"));
    CHECK(show(unit, "CPUQuotaPerSecUSec") == "500ms");
    CHECK(show(unit, "AllowedCPUs") == "0");
    CHECK(show(unit, "DevicePolicy") == "strict");
    CHECK(show(unit, "DeviceAllow").find("/dev/char/1:3 rwm") != std::string::npos);
    if (v2) {
        CHECK(slurp(sd.paths().v2 + "/memory.max") == "67108864\n");
        CHECK(slurp(sd.paths().v2 + "/pids.max") == "20\n");
        CHECK(slurp(sd.paths().v2 + "/cpu.max") == "50000 100000\n");
        CHECK(slurp(sd.paths().v2 + "/cpuset.cpus") == "0\n");
    } else {
        CHECK(slurp(sd.paths().v1.at("memory") + "/memory.limit_in_bytes") == "67108864\n");
        CHECK(slurp(sd.paths().v1.at("pids") + "/pids.max") == "20\n");
        CHECK(slurp(sd.paths().v1.at("cpu") + "/cpu.cfs_quota_us") == "50000\n");
        CHECK(slurp(sd.paths().v1.at("cpu") + "/cpu.shares") == "512\n");
        CHECK(slurp(sd.paths().v1.at("cpuset") + "/cpuset.cpus") == "0\n");  // not systemd's: berth made it
        CHECK(slurp(sd.paths().v1.at("devices") + "/devices.list").find("c 1:3 rwm\n") != std::string::npos);
    }

    // Later commands work from the saved unit, slice and paths.
    Systemd later(layout, sd.unit(), sd.slice(), sd.paths());
    later.freeze(true);
    CHECK(later.freezer_state() == FreezerState::frozen);
    later.freeze(false);
    CHECK(later.freezer_state() == FreezerState::thawed);
    CHECK(later.stats().pids.current == 1);
    later.set(rt::spec::parse_resources(R"({"memory":{"limit":134217728}})"), false);
    CHECK(show(unit, v2 ? "MemoryMax" : "MemoryLimit") == "134217728");
    CHECK(show(unit, "DevicePolicy") == "strict");  // update leaves devices alone

    // Starting the same unit again joins it (runc: an existing unit is fine).
    Systemd again = Systemd::for_container(layout, std::nullopt, id);
    again.create();
    CHECK(again.paths().v2 == sd.paths().v2);

    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    child = -1;
    later.destroy();
    MESSAGE("after destroy: LoadState=" << show(unit, "LoadState") << ", directory exists: " << later.exists());
    CHECK(show(unit, "LoadState") == "not-found");
    CHECK_FALSE(later.exists());
    later.destroy();  // a missing unit is fine
}

TEST_CASE("cgroups systemd host: systemd's refusal comes back once, naming the unit" *
          doctest::skip(!systemd_booted())) {
    Systemd bad(detect_layout(), "bad name.scope", "system.slice", Paths{});
    std::string err = error_of([&] { bad.create(); });
    MESSAGE(err);
    CHECK(err.rfind("systemd: start unit bad name.scope: ", 0) == 0);
}
