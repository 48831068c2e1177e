// spec/validate.cpp: each rule with a failing case and its exact message.
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <sstream>

#include "spec/features.hpp"
#include "spec/parse.hpp"
#include "spec/validate.hpp"
#include "sys/error.hpp"

#ifndef TESTS_DATA_DIR
#define TESTS_DATA_DIR "tests/data"
#endif

using namespace rt::spec;
using rt::sys::Error;
using rt::sys::ErrorKind;

namespace {

// `runc spec`'s template: valid, with pid/network/ipc/uts/mount namespaces.
Spec base() { return parse_spec(default_spec_json(false)); }

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::invalid_config);
        return e.what();
    }
    return "";
}

std::string validate_error(const Spec& s) {
    return error_of([&] { validate(s); });
}

// The validate() message after `edit` is applied to the base spec.
std::string after(const std::function<void(Spec&)>& edit) {
    Spec s = base();
    edit(s);
    return validate_error(s);
}

Linux& lx(Spec& s) { return *s.linux; }
Process& proc(Spec& s) { return *s.process; }

void add_ns(Spec& s, const std::string& type, std::optional<std::string> path = std::nullopt) {
    lx(s).namespaces.push_back({type, std::move(path)});
}

void remove_ns(Spec& s, const std::string& type) {
    auto& ns = lx(s).namespaces;
    ns.erase(std::remove_if(ns.begin(), ns.end(), [&](const Namespace& n) { return n.type == type; }), ns.end());
}

std::string read_data(const std::string& name) {
    std::ifstream f(std::string(TESTS_DATA_DIR) + "/" + name);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

}  // namespace

TEST_CASE("validate: good configs pass") {
    CHECK(validate_error(base()) == "");
    CHECK(validate_error(parse_spec(default_spec_json(true))) == "");
    CHECK(validate_error(parse_spec(read_data("full-v1.3.json"))) == "");
    Spec example = parse_spec(read_data("runtime-spec-example.json"));
    example.oci_version = "1.0.0";  // the example says 0.5.0-dev
    CHECK(validate_error(example) == "");
}

TEST_CASE("validate: ociVersion must be SemVer 2.0 with major version 1") {
    for (const char* ok : {"1.0.0", "1.0.2-dev", "1.3.0", "1.2.1+build.7", "1.0.0-rc.1", "1.10.0-0a"}) {
        CAPTURE(ok);
        CHECK(after([&](Spec& s) { s.oci_version = ok; }) == "");
    }
    CHECK(after([](Spec& s) { s.oci_version = "2.0.0"; }) ==
          "config.json: ociVersion: `2.0.0` is not supported (major version must be 1)");
    CHECK(after([](Spec& s) { s.oci_version = "0.5.0-dev"; }) ==
          "config.json: ociVersion: `0.5.0-dev` is not supported (major version must be 1)");
    for (const char* bad : {"banana", "", "1.0", "1.0.0.0", "01.0.0", "1.0.0-", "1.0.0-01", "1.0.0+", "v1.0.0",
                            "1.0.0-a..b", "1.0.x"}) {
        CAPTURE(bad);
        CHECK(after([&](Spec& s) { s.oci_version = bad; }) ==
              "config.json: ociVersion: `" + std::string(bad) + "` is not a valid SemVer 2.0 version");
    }
}

TEST_CASE("validate: root and process are required") {
    CHECK(after([](Spec& s) { s.root.reset(); }) == "config.json: root: required field missing");
    CHECK(after([](Spec& s) { s.root->path.clear(); }) == "config.json: root.path: must not be empty");
    CHECK(after([](Spec& s) { s.process.reset(); }) == "config.json: process: required field missing");
}

TEST_CASE("validate: process") {
    CHECK(after([](Spec& s) { proc(s).args.clear(); }) == "config.json: process.args: must not be empty");
    CHECK(after([](Spec& s) { proc(s).cwd = "tmp"; }) == "config.json: process.cwd: must be an absolute path");
    CHECK(after([](Spec& s) { proc(s).cwd = ""; }) == "config.json: process.cwd: must be an absolute path");
    CHECK(after([](Spec& s) { proc(s).env.push_back("NOEQUALS"); }) ==
          "config.json: process.env[2]: `NOEQUALS` is missing '='");
    CHECK(after([](Spec& s) { proc(s).env.push_back("=x"); }) ==
          "config.json: process.env[2]: variable name must not be empty");
    CHECK(after([](Spec& s) { proc(s).oom_score_adj = 1001; }) ==
          "config.json: process.oomScoreAdj: must be between -1000 and 1000");
    CHECK(after([](Spec& s) { proc(s).oom_score_adj = -1000; }) == "");
}

TEST_CASE("validate: rlimits") {
    CHECK(after([](Spec& s) { proc(s).rlimits.push_back({"RLIMIT_FOO", 1, 1}); }) ==
          "config.json: process.rlimits[1].type: unknown rlimit `RLIMIT_FOO`");
    CHECK(after([](Spec& s) { proc(s).rlimits.push_back({"RLIMIT_NOFILE", 1, 1}); }) ==
          "config.json: process.rlimits[1].type: duplicate rlimit `RLIMIT_NOFILE`");
    CHECK(after([](Spec& s) { proc(s).rlimits = {{"RLIMIT_CORE", 10, 1}}; }) ==
          "config.json: process.rlimits[0].soft: soft limit 10 exceeds hard limit 1");
    CHECK(after([](Spec& s) { proc(s).rlimits = {{"RLIMIT_RTTIME", 1, UINT64_MAX}, {"RLIMIT_AS", 0, 0}}; }) == "");
}

TEST_CASE("validate: scheduler, ioPriority, execCPUAffinity") {
    auto sched = [](Scheduler sc) { return after([&](Spec& s) { proc(s).scheduler = sc; }); };
    CHECK(sched({"SCHED_FIFO", std::nullopt, 10, {}, {}, {}, {}}) == "");
    CHECK(sched({"SCHED_LOTTERY", {}, {}, {}, {}, {}, {}}) ==
          "config.json: process.scheduler.policy: unknown policy `SCHED_LOTTERY`");
    CHECK(sched({"SCHED_OTHER", {}, {}, {"SCHED_FLAG_X"}, {}, {}, {}}) ==
          "config.json: process.scheduler.flags[0]: unknown flag `SCHED_FLAG_X`");
    CHECK(sched({"SCHED_OTHER", 20, {}, {}, {}, {}, {}}) == "config.json: process.scheduler.nice: must be between -20 and 19");
    CHECK(sched({"SCHED_OTHER", {}, 5, {}, {}, {}, {}}) ==
          "config.json: process.scheduler.priority: only valid with SCHED_FIFO or SCHED_RR");
    CHECK(sched({"SCHED_BATCH", {}, {}, {}, {}, 100, {}}) ==
          "config.json: process.scheduler.deadline: only valid with SCHED_DEADLINE");

    CHECK(after([](Spec& s) { proc(s).io_priority = IoPriority{"IOPRIO_CLASS_NONE", 0}; }) ==
          "config.json: process.ioPriority.class: unknown class `IOPRIO_CLASS_NONE`");
    CHECK(after([](Spec& s) { proc(s).io_priority = IoPriority{"IOPRIO_CLASS_RT", 8}; }) ==
          "config.json: process.ioPriority.priority: must be between 0 and 7");

    for (const char* ok : {"", "0", "0-3,7", " 1 , 2-4 "}) {
        CAPTURE(ok);
        CHECK(after([&](Spec& s) { proc(s).exec_cpu_affinity = ExecCpuAffinity{ok, ok}; }) == "");
    }
    for (const char* bad : {"a", "3-1", "1,,2", "-1", "1-"}) {
        CAPTURE(bad);
        CHECK(after([&](Spec& s) { proc(s).exec_cpu_affinity = ExecCpuAffinity{std::nullopt, bad}; }) ==
              "config.json: process.execCPUAffinity.final: `" + std::string(bad) + "` is not a valid CPU list");
    }
}

TEST_CASE("validate: unknown capabilities are warnings, not errors") {
    Spec s = base();
    proc(s).capabilities->effective->push_back("CAP_FOO");
    proc(s).capabilities->ambient->insert(proc(s).capabilities->ambient->begin(), "chown");
    CHECK(validate_error(s) == "");
    auto w = warnings(s);
    REQUIRE(w.size() == 2);
    CHECK(w[0] == "config.json: process.capabilities.effective[3]: ignoring unknown capability `CAP_FOO`");
    CHECK(w[1] == "config.json: process.capabilities.ambient[0]: ignoring unknown capability `chown`");
    CHECK(warnings(base()).empty());
    CHECK(known_capability("CAP_CHECKPOINT_RESTORE"));
    CHECK(known_capability("CAP_CHOWN"));
    CHECK_FALSE(known_capability("CAP_FOO"));
    CHECK(process_warnings(*s.process, "process.json")[0] ==
          "process.json: capabilities.effective[3]: ignoring unknown capability `CAP_FOO`");
}

TEST_CASE("validate: validate_process for exec") {
    Process p = parse_process(R"({"args":["sh"],"cwd":"/"})");
    CHECK(error_of([&] { validate_process(p, "process.json"); }) == "");
    p.args.clear();
    CHECK(error_of([&] { validate_process(p, "process.json"); }) == "process.json: args: must not be empty");
    CHECK(error_of([&] { validate_process(p); }) == "config.json: process.args: must not be empty");
    p.args = {"sh"};
    p.cwd = "relative";
    CHECK(error_of([&] { validate_process(p, "process.json"); }) == "process.json: cwd: must be an absolute path");
    p.cwd = "/";
    p.rlimits = {{"RLIMIT_NPROC", 2, 1}};
    CHECK(error_of([&] { validate_process(p, "process.json"); }) ==
          "process.json: rlimits[0].soft: soft limit 2 exceeds hard limit 1");
}

TEST_CASE("validate: hostname and domainname need a UTS namespace") {
    CHECK(after([](Spec& s) { remove_ns(s, "uts"); }) ==
          "config.json: hostname: unable to set hostname without a private UTS namespace");
    CHECK(after([](Spec& s) {
        remove_ns(s, "uts");
        s.hostname.reset();
        s.domainname = "example.org";
    }) == "config.json: domainname: unable to set domainname without a private UTS namespace");
    CHECK(after([](Spec& s) {
        remove_ns(s, "uts");
        s.hostname = "";
    }) == "");
    CHECK(after([](Spec& s) {
        remove_ns(s, "uts");
        add_ns(s, "uts", "/proc/1/ns/uts");
    }) == "");
}

TEST_CASE("validate: mounts") {
    CHECK(after([](Spec& s) { s.mounts[0].destination = ""; }) == "config.json: mounts[0].destination: must not be empty");
    CHECK(after([](Spec& s) { s.mounts[2].destination = "dev/pts"; }) ==
          "config.json: mounts[2].destination: must be an absolute path");
    CHECK(after([](Spec& s) { s.mounts[1].uid_mappings = {{0, 1000, 1}}; }) ==
          "config.json: mounts[1].uidMappings: must be specified along with gidMappings");
    CHECK(after([](Spec& s) { s.mounts[1].gid_mappings = {{0, 1000, 1}}; }) ==
          "config.json: mounts[1].gidMappings: must be specified along with uidMappings");
    CHECK(after([](Spec& s) {
        s.mounts[1].uid_mappings = {{0, 1000, 0}};
        s.mounts[1].gid_mappings = {{0, 1000, 1}};
    }) == "config.json: mounts[1].uidMappings[0].size: must be greater than zero");
    CHECK(after([](Spec& s) { s.mounts[1].options.push_back("idmap"); }) ==
          "config.json: mounts[1].options: `idmap` needs uidMappings/gidMappings or a user namespace");
    CHECK(after([](Spec& s) {
        s.mounts[1].options.push_back("ridmap");
        s.mounts[1].uid_mappings = s.mounts[1].gid_mappings = {{0, 1000, 1}};
    }) == "");
}

TEST_CASE("validate: hooks and annotations") {
    CHECK(after([](Spec& s) { s.hooks = Hooks{}; s.hooks->create_runtime.push_back({"hook.sh", {}, {}, {}}); }) ==
          "config.json: hooks.createRuntime[0].path: must be an absolute path");
    CHECK(after([](Spec& s) { s.hooks = Hooks{}; s.hooks->poststop = {{"/a", {}, {}, 1}, {"/b", {}, {}, 0}}; }) ==
          "config.json: hooks.poststop[1].timeout: must be greater than zero");
    CHECK(after([](Spec& s) { s.hooks = Hooks{}; s.hooks->prestart = {{"/a", {}, {}, -3}}; }) ==
          "config.json: hooks.prestart[0].timeout: must be greater than zero");
    CHECK(after([](Spec& s) { s.annotations[""] = "x"; }) == "config.json: annotations: keys must not be empty");
}

TEST_CASE("validate: namespaces") {
    CHECK(after([](Spec& s) { add_ns(s, "foo"); }) == "config.json: linux.namespaces[5].type: unknown namespace type `foo`");
    CHECK(after([](Spec& s) { add_ns(s, "pid"); }) == "config.json: linux.namespaces[5].type: duplicate namespace `pid`");
    CHECK(after([](Spec& s) { add_ns(s, "cgroup", "proc/1/ns/cgroup"); }) ==
          "config.json: linux.namespaces[5].path: must be an absolute path");
    CHECK(after([](Spec& s) { add_ns(s, "cgroup", "/proc/1/ns/cgroup"); }) == "");
}

TEST_CASE("validate: user namespace and id mappings") {
    CHECK(after([](Spec& s) { add_ns(s, "user"); }) == "config.json: linux.uidMappings: required by a new user namespace");
    CHECK(after([](Spec& s) {
        add_ns(s, "user");
        lx(s).uid_mappings = {{0, 1000, 1}};
    }) == "config.json: linux.gidMappings: required by a new user namespace");
    CHECK(after([](Spec& s) { lx(s).uid_mappings = {{0, 1000, 1}}; }) == "config.json: linux.uidMappings: requires a user namespace");
    CHECK(after([](Spec& s) { lx(s).gid_mappings = {{0, 1000, 1}}; }) == "config.json: linux.gidMappings: requires a user namespace");
    CHECK(after([](Spec& s) { add_ns(s, "user", "/proc/1/ns/user"); }) == "");  // joined: mappings are the owner's
    CHECK(after([](Spec& s) {
        add_ns(s, "user");
        lx(s).uid_mappings = {{0, 1000, 1}};
        lx(s).gid_mappings = {{0, 4294967295u, 2}};
    }) == "config.json: linux.gidMappings[0]: range exceeds the 32-bit id space");
}

TEST_CASE("validate: time namespace offsets") {
    CHECK(after([](Spec& s) { lx(s).time_offsets["monotonic"] = {1, 0}; }) ==
          "config.json: linux.timeOffsets: requires a new time namespace");
    CHECK(after([](Spec& s) {
        add_ns(s, "time", "/proc/1/ns/time");
        lx(s).time_offsets["monotonic"] = {1, 0};
    }) == "config.json: linux.timeOffsets: requires a new time namespace");
    CHECK(after([](Spec& s) {
        add_ns(s, "time");
        lx(s).time_offsets["realtime"] = {1, 0};
    }) == R"(config.json: linux.timeOffsets["realtime"]: unknown clock (expected monotonic or boottime))");
    CHECK(after([](Spec& s) {
        add_ns(s, "time");
        lx(s).time_offsets["boottime"] = {1, 1000000000};
    }) == R"(config.json: linux.timeOffsets["boottime"].nanosecs: must be less than 1000000000)");
    CHECK(after([](Spec& s) {
        add_ns(s, "time");
        lx(s).time_offsets["boottime"] = {-5, 999999999};
    }) == "");
}

TEST_CASE("validate: devices") {
    auto dev = [](Device d) { return after([&](Spec& s) { lx(s).devices.push_back(d); }); };
    CHECK(dev({"x", "/dev/x", 1, 3, {}, {}, {}}) ==
          "config.json: linux.devices[0].type: unknown device type `x` (expected c, b, u or p)");
    CHECK(dev({"c", "dev/null", 1, 3, {}, {}, {}}) == "config.json: linux.devices[0].path: must be an absolute path");
    CHECK(dev({"c", "/dev/null", {}, 3, {}, {}, {}}) == "config.json: linux.devices[0].major: required field missing");
    CHECK(dev({"u", "/dev/null", 1, {}, {}, {}, {}}) == "config.json: linux.devices[0].minor: required field missing");
    CHECK(dev({"p", "/dev/fifo", {}, {}, {}, {}, {}}) == "");
}

TEST_CASE("validate: resources") {
    auto res = [](const std::function<void(Resources&)>& f) { return after([&](Spec& s) { f(*lx(s).resources); }); };
    CHECK(res([](Resources& r) { r.devices[0].type = "x"; }) ==
          "config.json: linux.resources.devices[0].type: unknown device type `x` (expected a, c or b)");
    CHECK(res([](Resources& r) { r.devices[0].access = "rwx"; }) ==
          "config.json: linux.resources.devices[0].access: `rwx` is not a combination of r, w and m");
    CHECK(res([](Resources& r) { r.hugepage_limits = {{"64kB", 1}}; }) ==
          "config.json: linux.resources.hugepageLimits[0].pageSize: `64kB` is not a valid page size (expected e.g. 2MB)");
    CHECK(res([](Resources& r) { r.hugepage_limits = {{"02MB", 1}}; }) ==
          "config.json: linux.resources.hugepageLimits[0].pageSize: `02MB` is not a valid page size (expected e.g. 2MB)");
    CHECK(res([](Resources& r) { r.hugepage_limits = {{"2MB", 1}, {"1GB", 1}, {"64KB", 1}}; }) == "");
    CHECK(res([](Resources& r) { r.unified["../../cgroup.procs"] = "1"; }) ==
          R"(config.json: linux.resources.unified["../../cgroup.procs"]: invalid cgroup file name)");
    CHECK(res([](Resources& r) { r.unified["memory.max"] = "max"; }) == "");

    Spec bad = parse_spec(read_data("runtime-spec-bad-linux-hugepage.json"));
    bad.process = base().process;
    CHECK(validate_error(bad) ==
          "config.json: linux.resources.hugepageLimits[0].pageSize: `64kB` is not a valid page size (expected e.g. 2MB)");
}

TEST_CASE("validate: rootfsPropagation") {
    for (const char* ok :
         {"private", "shared", "slave", "unbindable", "rprivate", "rshared", "rslave", "runbindable", ""}) {
        CAPTURE(ok);
        CHECK(after([&](Spec& s) { lx(s).rootfs_propagation = ok; }) == "");
    }
    CHECK(after([](Spec& s) { lx(s).rootfs_propagation = "bogus"; }) ==
          "config.json: linux.rootfsPropagation: unknown propagation `bogus`");
}

TEST_CASE("validate: seccomp") {
    auto sec = [](const std::function<void(Seccomp&)>& f) {
        return after([&](Spec& s) {
            Seccomp sc;
            sc.default_action = "SCMP_ACT_ERRNO";
            sc.syscalls.push_back({{"read"}, "SCMP_ACT_ALLOW", {}, {{0, 1, {}, "SCMP_CMP_EQ"}}});
            f(sc);
            lx(s).seccomp = sc;
        });
    };
    CHECK(sec([](Seccomp&) {}) == "");
    CHECK(sec([](Seccomp& s) { s.default_action = "SCMP_ACT_FOO"; }) ==
          "config.json: linux.seccomp.defaultAction: unknown action `SCMP_ACT_FOO`");
    CHECK(sec([](Seccomp& s) {
        s.default_action = "SCMP_ACT_KILL";
        s.default_errno_ret = 1;
    }) == "config.json: linux.seccomp.defaultErrnoRet: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
    CHECK(sec([](Seccomp& s) { s.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_FOO"}; }) ==
          "config.json: linux.seccomp.architectures[1]: unknown architecture `SCMP_ARCH_FOO`");
    CHECK(sec([](Seccomp& s) { s.flags = {"SECCOMP_FILTER_FLAG_NEW_LISTENER"}; }) ==
          "config.json: linux.seccomp.flags[0]: unknown flag `SECCOMP_FILTER_FLAG_NEW_LISTENER`");
    CHECK(sec([](Seccomp& s) { s.listener_metadata = "x"; }) == "config.json: linux.seccomp.listenerMetadata: requires listenerPath");
    CHECK(sec([](Seccomp& s) { s.syscalls[0].names.clear(); }) == "config.json: linux.seccomp.syscalls[0].names: must not be empty");
    CHECK(sec([](Seccomp& s) { s.syscalls[0].names = {"read", ""}; }) ==
          "config.json: linux.seccomp.syscalls[0].names[1]: must not be empty");
    CHECK(sec([](Seccomp& s) { s.syscalls[0].action = "SCMP_ACT_MAYBE"; }) ==
          "config.json: linux.seccomp.syscalls[0].action: unknown action `SCMP_ACT_MAYBE`");
    CHECK(sec([](Seccomp& s) { s.syscalls[0].errno_ret = 1; }) ==
          "config.json: linux.seccomp.syscalls[0].errnoRet: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
    CHECK(sec([](Seccomp& s) { s.syscalls[0].args[0].index = 6; }) ==
          "config.json: linux.seccomp.syscalls[0].args[0].index: must be at most 5 (syscalls take six arguments)");
    CHECK(sec([](Seccomp& s) { s.syscalls[0].args[0].op = "SCMP_CMP_FOO"; }) ==
          "config.json: linux.seccomp.syscalls[0].args[0].op: unknown operator `SCMP_CMP_FOO`");
    CHECK(sec([](Seccomp& s) { s.syscalls[0].action = "SCMP_ACT_NOTIFY"; }) ==
          "config.json: linux.seccomp.listenerPath: required when SCMP_ACT_NOTIFY is used");
    CHECK(sec([](Seccomp& s) {
        s.syscalls[0].action = "SCMP_ACT_NOTIFY";
        s.listener_path = "/run/agent.sock";
    }) == "");
}

TEST_CASE("validate: sysctl follows runc's namespace rules") {
    auto sysctl = [](const std::string& key, const std::function<void(Spec&)>& edit = {}) {
        return after([&](Spec& s) {
            if (edit) edit(s);
            lx(s).sysctl[key] = "1";
        });
    };
    CHECK(sysctl("net.ipv4.ip_forward") == "");
    CHECK(sysctl("net/ipv4/conf/eth0.100/rp_filter") == "");
    CHECK(sysctl("kernel.shmmax") == "");
    CHECK(sysctl("fs.mqueue.msg_max") == "");
    CHECK(sysctl("kernel.domainname") == "");
    CHECK(sysctl("") == R"(config.json: linux.sysctl[""]: name must not be empty)");
    CHECK(sysctl("vm.swappiness") == R"(config.json: linux.sysctl["vm.swappiness"]: not in a separate kernel namespace)");
    CHECK(sysctl("kernel.hostname") == R"(config.json: linux.sysctl["kernel.hostname"]: conflicts with the hostname field)");
    CHECK(sysctl("net.ipv4.ip_forward", [](Spec& s) { remove_ns(s, "network"); }) ==
          R"(config.json: linux.sysctl["net.ipv4.ip_forward"]: not allowed in the host's network namespace)");
    CHECK(sysctl("kernel/sem", [](Spec& s) { remove_ns(s, "ipc"); }) ==
          R"(config.json: linux.sysctl["kernel/sem"]: not allowed in the host's IPC namespace)");
}

TEST_CASE("validate: masked and readonly paths") {
    CHECK(after([](Spec& s) { lx(s).masked_paths->push_back("proc/foo"); }) ==
          "config.json: linux.maskedPaths[10]: must be an absolute path");
    CHECK(after([](Spec& s) { lx(s).readonly_paths->at(0) = ""; }) ==
          "config.json: linux.readonlyPaths[0]: must be an absolute path");
    CHECK(after([](Spec& s) { remove_ns(s, "mount"); }) == "config.json: linux.maskedPaths: requires a mount namespace");
    CHECK(after([](Spec& s) {
        remove_ns(s, "mount");
        lx(s).masked_paths->clear();
        lx(s).readonly_paths.reset();
    }) == "");
}

TEST_CASE("validate: intelRdt, memoryPolicy, personality, netDevices") {
    auto rdt = [](IntelRdt r) { return after([&](Spec& s) { lx(s).intel_rdt = r; }); };
    CHECK(rdt({"../x", {}, {}, {}, {}}) == "config.json: linux.intelRdt.closID: `../x` is not a valid CLOS name");
    CHECK(rdt({{}, {}, "L3:0=1", {}, {}}) == "config.json: linux.intelRdt.memBwSchema: must be one line starting with `MB:`");
    CHECK(rdt({{}, "L3:0=1\nMB:0=1", {}, {}, {}}) == "config.json: linux.intelRdt.l3CacheSchema: must not contain a newline");
    CHECK(rdt({{}, {}, {}, {"L3:0=1", "a\nb"}, {}}) == "config.json: linux.intelRdt.schemata[1]: must not contain a newline");

    auto mpol = [](MemoryPolicy m) { return after([&](Spec& s) { lx(s).memory_policy = m; }); };
    CHECK(mpol({"MPOL_BIND", "0-1", {"MPOL_F_STATIC_NODES"}}) == "");
    CHECK(mpol({"MPOL_LOCAL", {}, {}}) == "");
    CHECK(mpol({"MPOL_PREFERRED", "", {}}) == "");
    CHECK(mpol({"MPOL_FOO", {}, {}}) == "config.json: linux.memoryPolicy.mode: unknown mode `MPOL_FOO`");
    CHECK(mpol({"MPOL_BIND", "0", {"MPOL_F_X"}}) == "config.json: linux.memoryPolicy.flags[0]: unknown flag `MPOL_F_X`");
    CHECK(mpol({"MPOL_BIND", "x", {}}) == "config.json: linux.memoryPolicy.nodes: `x` is not a valid node list");
    CHECK(mpol({"MPOL_DEFAULT", "0", {}}) == "config.json: linux.memoryPolicy.nodes: must be empty with MPOL_DEFAULT");
    CHECK(mpol({"MPOL_INTERLEAVE", {}, {}}) == "config.json: linux.memoryPolicy.nodes: required with MPOL_INTERLEAVE");

    CHECK(after([](Spec& s) { lx(s).personality = Personality{"LINUX32", {}}; }) == "");
    CHECK(after([](Spec& s) { lx(s).personality = Personality{"BSD", {}}; }) ==
          "config.json: linux.personality.domain: unknown domain `BSD` (expected LINUX or LINUX32)");
    CHECK(after([](Spec& s) { lx(s).personality = Personality{"LINUX", {"ADDR_NO_RANDOMIZE"}}; }) ==
          "config.json: linux.personality.flags: no flags are supported");

    CHECK(after([](Spec& s) { lx(s).net_devices["eth0"] = "eth0"; }) == "");
    CHECK(after([](Spec& s) { lx(s).net_devices["eth0"] = "averyveryverylongname"; }) ==
          R"(config.json: linux.netDevices["eth0"].name: `averyveryverylongname` is not a valid interface name)");
    CHECK(after([](Spec& s) { lx(s).net_devices["a/b"] = "eth0"; }) ==
          R"(config.json: linux.netDevices["a/b"]: `a/b` is not a valid interface name)");
    CHECK(after([](Spec& s) {
        remove_ns(s, "network");
        lx(s).net_devices["eth0"] = "eth0";
    }) == "config.json: linux.netDevices: requires a new network namespace");
}

TEST_CASE("validate: container ids") {
    for (const char* ok : {"a", "abc-DEF_1.2+3", "...", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}) {
        CAPTURE(ok);
        CHECK(valid_container_id(ok));
    }
    for (const char* bad : {"", ".", "..", "a/b", "a b", "../x", "a\n", "ä", "a:b"}) {
        CAPTURE(bad);
        CHECK_FALSE(valid_container_id(bad));
    }
}
