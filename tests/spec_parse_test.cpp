// spec/parse.cpp: config.json -> Spec, and the exact error messages.
#include <doctest/doctest.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "spec/parse.hpp"
#include "sys/error.hpp"

#ifndef TESTS_DATA_DIR
#define TESTS_DATA_DIR "tests/data"
#endif

using namespace rt::spec;
using rt::sys::Error;
using rt::sys::ErrorKind;

namespace {

std::string read_data(const std::string& name) {
    std::ifstream f(std::string(TESTS_DATA_DIR) + "/" + name);
    REQUIRE_MESSAGE(f.good(), "missing test data " << name);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

// The message parse_spec throws for `json`, or "" when it parses.
std::string spec_error(const std::string& json) {
    try {
        parse_spec(json);
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::invalid_config);
        return e.what();
    }
    return "";
}

// Wraps a process body into a minimal config.
std::string with_process(const std::string& body) {
    return R"({"ociVersion":"1.0.0","process":{"cwd":"/",)" + body + "}}";
}

std::string with_linux(const std::string& body) { return R"({"ociVersion":"1.0.0","linux":{)" + body + "}}"; }

std::string with_resources(const std::string& body) { return with_linux(R"("resources":{)" + body + "}"); }

}  // namespace

TEST_CASE("parse: runtime-spec example config") {
    Spec s = parse_spec(read_data("runtime-spec-example.json"));
    CHECK(s.oci_version == "0.5.0-dev");
    REQUIRE(s.process);
    const Process& p = *s.process;
    CHECK(p.terminal);
    CHECK(p.user.uid == 1);
    CHECK(p.user.gid == 1);
    CHECK(p.user.additional_gids == std::vector<uint32_t>{5, 6});
    CHECK(p.args == std::vector<std::string>{"sh"});
    CHECK(p.env.size() == 2);
    CHECK(p.cwd == "/");
    REQUIRE(p.capabilities);
    CHECK(p.capabilities->bounding->size() == 3);
    CHECK(*p.capabilities->ambient == std::vector<std::string>{"CAP_NET_BIND_SERVICE"});
    REQUIRE(p.rlimits.size() == 2);
    CHECK(p.rlimits[0].type == "RLIMIT_CORE");
    CHECK(p.rlimits[0].soft == 1024);
    CHECK(p.apparmor_profile == "acme_secure_profile");
    CHECK(p.selinux_label == "system_u:system_r:svirt_lxc_net_t:s0:c124,c675");
    CHECK(p.no_new_privileges);
    CHECK_FALSE(p.oom_score_adj);
    REQUIRE(s.root);
    CHECK(s.root->path == "rootfs");
    CHECK(s.root->readonly);
    CHECK(s.hostname == "slartibartfast");
    CHECK(s.domainname == "foobarbaz.test");
    REQUIRE(s.mounts.size() == 7);
    CHECK(s.mounts[1].destination == "/dev");
    CHECK(s.mounts[1].type == "tmpfs");
    CHECK(s.mounts[1].options.size() == 4);
    CHECK(s.mounts[0].options.empty());
    REQUIRE(s.hooks);
    CHECK(s.hooks->prestart.size() == 2);
    CHECK(s.hooks->prestart[0].args.size() == 3);
    CHECK(s.hooks->prestart[1].path == "/usr/bin/setup-network");
    CHECK(s.hooks->poststart[0].timeout == 5);
    CHECK_FALSE(s.hooks->poststop[0].timeout);
    CHECK(s.annotations.at("com.example.key2") == "value2");

    REQUIRE(s.linux);
    const Linux& l = *s.linux;
    REQUIRE(l.devices.size() == 2);
    CHECK(l.devices[0].file_mode == 438u);
    CHECK(l.devices[1].major == 8);
    CHECK(l.uid_mappings[0].host_id == 1000);
    CHECK(l.gid_mappings[0].size == 32000);
    CHECK(l.sysctl.at("net.core.somaxconn") == "256");
    CHECK(l.cgroups_path == "/myRuntime/myContainer");
    REQUIRE(l.resources);
    const Resources& r = *l.resources;
    CHECK(r.network->class_id == 1048577u);
    CHECK(r.network->priorities[1].priority == 1000);
    CHECK(r.pids->limit == 32771);
    CHECK(r.hugepage_limits[0].limit == 9223372036854772000ull);
    CHECK(r.memory->kernel == -1);
    CHECK(r.memory->swappiness == 0u);
    CHECK(r.memory->disable_oom_killer == false);
    CHECK(r.cpu->cpus == "2-3");
    CHECK(r.cpu->realtime_runtime == 950000);
    CHECK(r.devices.size() == 3);
    CHECK_FALSE(r.devices[0].type);
    CHECK(r.devices[1].major == 10);
    CHECK(r.block_io->weight_device[1].weight == 500);
    CHECK_FALSE(r.block_io->weight_device[1].leaf_weight);
    CHECK(r.block_io->throttle_write_iops_device[0].rate == 300);
    CHECK(l.rootfs_propagation == "slave");
    REQUIRE(l.seccomp);
    CHECK(l.seccomp->architectures.size() == 2);
    CHECK(l.seccomp->syscalls[0].names[1] == "chmod");
    CHECK(l.time_offsets.at("boottime").secs == 604800);
    CHECK(l.namespaces.size() == 8);
    CHECK(l.masked_paths->size() == 4);
    CHECK(l.readonly_paths->size() == 6);
    CHECK(l.mount_label);
}

TEST_CASE("parse: runtime-spec minimal, rdma and netDevices examples") {
    Spec minimal = parse_spec(read_data("runtime-spec-minimal.json"));
    CHECK(minimal.oci_version == "1.0.0");
    CHECK_FALSE(minimal.process);
    CHECK_FALSE(minimal.linux);
    CHECK(minimal.mounts.empty());

    Spec rdma = parse_spec(read_data("runtime-spec-linux-rdma.json"));
    const auto& m = rdma.linux->resources->rdma;
    REQUIRE(m.size() == 3);
    CHECK(m.at("mlx5_1").hca_handles == 3u);
    CHECK(m.at("mlx5_1").hca_objects == 10000u);
    CHECK_FALSE(m.at("mlx4_0").hca_handles);

    Spec net = parse_spec(read_data("runtime-spec-linux-netdevice.json"));
    const auto& d = net.linux->net_devices;
    REQUIRE(d.size() == 3);
    CHECK(d.at("eth0") == "container_eth0");
    CHECK(d.at("ens4") == "ens4");  // no name: the host name is kept
}

TEST_CASE("parse: every v1.3 field") {
    Spec s = parse_spec(read_data("full-v1.3.json"));
    const Process& p = *s.process;
    CHECK(p.console_size->height == 25);
    CHECK(p.console_size->width == 80);
    CHECK(p.user.umask == 18u);
    CHECK(p.user.username == "u");
    CHECK(p.command_line == "cmd /c");
    CHECK(p.capabilities->effective->empty());  // present but empty, not absent
    CHECK(p.rlimits[0].hard == UINT64_MAX);
    CHECK(p.oom_score_adj == -500);
    CHECK(p.scheduler->policy == "SCHED_DEADLINE");
    CHECK(p.scheduler->nice == -5);
    CHECK_FALSE(p.scheduler->priority);
    CHECK(p.scheduler->flags == std::vector<std::string>{"SCHED_FLAG_RESET_ON_FORK"});
    CHECK(p.scheduler->period == 3000u);
    CHECK(p.io_priority->class_ == "IOPRIO_CLASS_BE");
    CHECK(p.io_priority->priority == 4);
    CHECK(p.exec_cpu_affinity->initial == "0");
    CHECK(p.exec_cpu_affinity->final == "1-3,7");

    const Mount& m = s.mounts[1];
    CHECK(m.uid_mappings[0].host_id == 100000);
    CHECK(m.gid_mappings[0].host_id == 200000);

    const Hooks& h = *s.hooks;
    CHECK(h.create_runtime[0].path == "/bin/cr");
    CHECK(h.create_container[0].path == "/bin/cc");
    CHECK(h.start_container[0].path == "/bin/sc");
    CHECK(h.poststop.size() == 2);
    CHECK(h.prestart[0].env == std::vector<std::string>{"A=1"});

    const Linux& l = *s.linux;
    CHECK(l.namespaces[3].path == "/proc/1/ns/ipc");
    CHECK(l.time_offsets.at("monotonic").secs == -86400);
    CHECK(l.time_offsets.at("monotonic").nanosecs == 500);
    CHECK(l.time_offsets.at("boottime").nanosecs == 0);
    CHECK_FALSE(l.devices[1].major);
    CHECK(l.resources->devices[1].minor == -1);
    CHECK(l.resources->memory->kernel_tcp == 1048576);
    CHECK(l.resources->memory->check_before_update == true);
    CHECK(l.resources->memory->use_hierarchy == false);
    CHECK(l.resources->cpu->burst == 1000u);
    CHECK(l.resources->cpu->idle == 1);
    CHECK(l.resources->pids->limit == -1);
    CHECK(l.resources->block_io->leaf_weight == 300);
    CHECK(l.resources->block_io->throttle_write_bps_device[0].minor == 16);
    CHECK(l.resources->block_io->throttle_read_iops_device[0].rate == 100);
    CHECK(l.resources->hugepage_limits[1].page_size == "1GB");
    CHECK(l.resources->unified.at("io.weight") == "default 100");
    CHECK(l.rootfs_propagation == "rslave");
    const Seccomp& sc = *l.seccomp;
    CHECK(sc.default_errno_ret == 38u);
    CHECK(sc.flags.size() == 2);
    CHECK(sc.listener_path == "/run/agent.sock");
    CHECK(sc.listener_metadata == "meta");
    CHECK(sc.syscalls[1].errno_ret == 1u);
    CHECK(sc.syscalls[1].args[0].value == 8);
    CHECK(sc.syscalls[1].args[0].value_two == 0u);
    CHECK(sc.syscalls[1].args[0].op == "SCMP_CMP_EQ");
    CHECK_FALSE(sc.syscalls[0].errno_ret);
    REQUIRE(l.readonly_paths);
    CHECK(l.readonly_paths->empty());
    CHECK(l.intel_rdt->clos_id == "guaranteed");
    CHECK(l.intel_rdt->schemata == std::vector<std::string>{"L2:0=ff"});
    CHECK(l.intel_rdt->enable_monitoring == true);
    CHECK(l.memory_policy->mode == "MPOL_INTERLEAVE");
    CHECK(l.memory_policy->nodes == "0-1");
    CHECK(l.memory_policy->flags.size() == 1);
    CHECK(l.personality->domain == "LINUX32");
    CHECK(l.personality->flags.empty());
    CHECK(l.net_devices.at("eth1") == "ctr0");
    CHECK(l.net_devices.at("eth2") == "eth2");
}

TEST_CASE("parse: null means absent, unknown keys are ignored, last duplicate wins") {
    Spec s = parse_spec(R"({"ociVersion":"1.0.0","process":null,"hostname":null,"mounts":null,
        "annotations":null,"linux":{"resources":{"memory":{"limit":null}},"seccomp":null},
        "future":{"x":[1,{"y":null}]},"root":{"path":"a","path":"b","readonly":null}})");
    CHECK_FALSE(s.process);
    CHECK_FALSE(s.hostname);
    CHECK(s.mounts.empty());
    CHECK(s.annotations.empty());
    CHECK_FALSE(s.linux->resources->memory->limit);
    CHECK_FALSE(s.linux->seccomp);
    CHECK(s.root->path == "b");
    CHECK_FALSE(s.root->readonly);
}

TEST_CASE("parse: defaults for optional scalars") {
    Spec s = parse_spec(with_process(R"("args":["x"])"));
    CHECK(s.process->user.uid == 0);
    CHECK(s.process->user.gid == 0);
    CHECK_FALSE(s.process->user.umask);
    CHECK_FALSE(s.process->terminal);
    CHECK_FALSE(s.process->capabilities);
    CHECK(s.process->env.empty());
}

TEST_CASE("parse: relative mount destinations are made absolute") {
    Spec s = parse_spec(R"({"ociVersion":"1.0.0","mounts":[{"destination":"data"},{"destination":""}]})");
    CHECK(s.mounts[0].destination == "/data");
    CHECK(s.mounts[1].destination.empty());  // left for validate() to reject
}

TEST_CASE("parse: an empty namespace path means a new namespace") {
    Spec s = parse_spec(with_linux(R"("namespaces":[{"type":"pid","path":""}])"));
    CHECK_FALSE(s.linux->namespaces[0].path);
}

TEST_CASE("parse: type errors name the document and the JSON path") {
    struct Case {
        std::string json, message;
    };
    const Case cases[] = {
        {with_resources(R"("memory":{"limit":"5"})"),
         "config.json: linux.resources.memory.limit: expected integer, got string"},
        {R"({"ociVersion":"1.0.0","mounts":[{"destination":"/a"},{"destination":"/b"},{"destination":7}]})",
         "config.json: mounts[2].destination: expected string, got integer"},
        {R"({"ociVersion":"1.0.0","annotations":{"x":1}})", R"(config.json: annotations["x"]: expected string, got integer)"},
        {with_linux(R"("sysctl":{"net.ipv4.ip_forward":true})"),
         R"(config.json: linux.sysctl["net.ipv4.ip_forward"]: expected string, got boolean)"},
        {R"({"ociVersion":1})", "config.json: ociVersion: expected string, got integer"},
        {R"({"ociVersion":"1.0.0","mounts":{}})", "config.json: mounts: expected array, got object"},
        {R"({"ociVersion":"1.0.0","process":[]})", "config.json: process: expected object, got array"},
        {with_process(R"("terminal":"yes")"), "config.json: process.terminal: expected boolean, got string"},
        {with_process(R"("args":["a",null])"), "config.json: process.args[1]: expected string, got null"},
        {with_process(R"("user":{"uid":1.5})"), "config.json: process.user.uid: expected integer, got number"},
        {with_process(R"("user":{"uid":5.0})"), "config.json: process.user.uid: expected integer, got number"},
        {with_process(R"("user":{"additionalGids":[1,"2"]})"),
         "config.json: process.user.additionalGids[1]: expected integer, got string"},
        {with_process(R"("capabilities":{"bounding":"CAP_KILL"})"),
         "config.json: process.capabilities.bounding: expected array, got string"},
        {with_linux(R"("timeOffsets":{"monotonic":{"secs":"1"}})"),
         R"(config.json: linux.timeOffsets["monotonic"].secs: expected integer, got string)"},
        {with_resources(R"("rdma":{"mlx":[]})"), R"(config.json: linux.resources.rdma["mlx"]: expected object, got array)"},
        {with_resources(R"("unified":{"memory.max":1})"),
         R"(config.json: linux.resources.unified["memory.max"]: expected string, got integer)"},
        {with_linux(R"("seccomp":{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":-1,"op":"SCMP_CMP_EQ"}]}]})"),
         "config.json: linux.seccomp.syscalls[0].args[0].value: value -1 out of range"},
        {R"("just a string")", "config.json: expected object, got string"},
        {with_process(R"("env":["A=\u0000"])"), "config.json: process.env[0]: must not contain a NUL character"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.json);
        CHECK(spec_error(c.json) == c.message);
    }
}

TEST_CASE("parse: integers must fit the target type") {
    CHECK(spec_error(with_process(R"("user":{"uid":4294967296})")) ==
          "config.json: process.user.uid: value 4294967296 out of range");
    CHECK(spec_error(with_process(R"("user":{"uid":-1})")) == "config.json: process.user.uid: value -1 out of range");
    CHECK(spec_error(with_process(R"("user":{"uid":18446744073709551616})")) ==
          "config.json: process.user.uid: value 18446744073709551616 out of range");
    CHECK(spec_error(with_process(R"("oomScoreAdj":2147483648)")) ==
          "config.json: process.oomScoreAdj: value 2147483648 out of range");
    CHECK(spec_error(with_process(R"("scheduler":{"policy":"SCHED_OTHER","nice":-2147483649})")) ==
          "config.json: process.scheduler.nice: value -2147483649 out of range");
    CHECK(spec_error(with_resources(R"("memory":{"limit":9223372036854775808})")) ==
          "config.json: linux.resources.memory.limit: value 9223372036854775808 out of range");
    CHECK(spec_error(with_resources(R"("blockIO":{"weight":65536})")) ==
          "config.json: linux.resources.blockIO.weight: value 65536 out of range");
    CHECK(spec_error(with_resources(R"("cpu":{"shares":-2})")) ==
          "config.json: linux.resources.cpu.shares: value -2 out of range");

    // The extremes themselves fit.
    Spec s = parse_spec(with_resources(
        R"("memory":{"limit":9223372036854775807,"swap":-9223372036854775808},"cpu":{"shares":18446744073709551615})"));
    CHECK(s.linux->resources->memory->limit == INT64_MAX);
    CHECK(s.linux->resources->memory->swap == INT64_MIN);
    CHECK(s.linux->resources->cpu->shares == UINT64_MAX);
    CHECK(parse_spec(with_process(R"("user":{"uid":4294967295})")).process->user.uid == UINT32_MAX);
}

TEST_CASE("parse: required fields") {
    struct Case {
        std::string json, message;
    };
    const Case cases[] = {
        {"{}", "config.json: ociVersion: required field missing"},
        {R"({"ociVersion":null})", "config.json: ociVersion: required field missing"},
        {R"({"ociVersion":"1.0.0","process":{"args":["sh"]}})", "config.json: process.cwd: required field missing"},
        {R"({"ociVersion":"1.0.0","root":{}})", "config.json: root.path: required field missing"},
        {R"({"ociVersion":"1.0.0","mounts":[{"type":"proc"}]})", "config.json: mounts[0].destination: required field missing"},
        {R"({"ociVersion":"1.0.0","hooks":{"poststop":[{"args":[]}]}})",
         "config.json: hooks.poststop[0].path: required field missing"},
        {with_process(R"("consoleSize":{"height":1})"), "config.json: process.consoleSize.width: required field missing"},
        {with_process(R"("rlimits":[{"type":"RLIMIT_NOFILE","soft":1}])"),
         "config.json: process.rlimits[0].hard: required field missing"},
        {with_process(R"("rlimits":[{"soft":1,"hard":1}])"), "config.json: process.rlimits[0].type: required field missing"},
        {with_process(R"("scheduler":{})"), "config.json: process.scheduler.policy: required field missing"},
        {with_process(R"("ioPriority":{"priority":1})"), "config.json: process.ioPriority.class: required field missing"},
        {with_linux(R"("namespaces":[{"path":"/x"}])"), "config.json: linux.namespaces[0].type: required field missing"},
        {with_linux(R"("uidMappings":[{"containerID":0,"hostID":0}])"),
         "config.json: linux.uidMappings[0].size: required field missing"},
        {R"({"ociVersion":"1.0.0","mounts":[{"destination":"/a","gidMappings":[{"hostID":0,"size":1}]}]})",
         "config.json: mounts[0].gidMappings[0].containerID: required field missing"},
        {with_linux(R"("devices":[{"path":"/dev/x"}])"), "config.json: linux.devices[0].type: required field missing"},
        {with_linux(R"("devices":[{"type":"c"}])"), "config.json: linux.devices[0].path: required field missing"},
        {with_linux(R"("seccomp":{})"), "config.json: linux.seccomp.defaultAction: required field missing"},
        {with_linux(R"("seccomp":{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"action":"SCMP_ACT_ALLOW"}]})"),
         "config.json: linux.seccomp.syscalls[0].names: required field missing"},
        {with_linux(R"("seccomp":{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"]}]})"),
         "config.json: linux.seccomp.syscalls[0].action: required field missing"},
        {with_linux(R"("seccomp":{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1}]}]})"),
         "config.json: linux.seccomp.syscalls[0].args[0].op: required field missing"},
        {with_resources(R"("devices":[{"access":"rwm"}])"), "config.json: linux.resources.devices[0].allow: required field missing"},
        {with_resources(R"("hugepageLimits":[{"limit":1}])"),
         "config.json: linux.resources.hugepageLimits[0].pageSize: required field missing"},
        {with_resources(R"("blockIO":{"weightDevice":[{"major":8}]})"),
         "config.json: linux.resources.blockIO.weightDevice[0].minor: required field missing"},
        {with_resources(R"("network":{"priorities":[{"name":"eth0"}]})"),
         "config.json: linux.resources.network.priorities[0].priority: required field missing"},
        {with_linux(R"("memoryPolicy":{"nodes":"0"})"), "config.json: linux.memoryPolicy.mode: required field missing"},
        {with_linux(R"("personality":{})"), "config.json: linux.personality.domain: required field missing"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.json);
        CHECK(spec_error(c.json) == c.message);
    }
}

TEST_CASE("parse: malformed JSON") {
    CHECK(spec_error("{]") == "config.json: invalid JSON at offset 1: Missing a name for object member");
    CHECK(spec_error(read_data("runtime-spec-bad-invalid-json.json")) ==
          "config.json: invalid JSON at offset 1: Missing a name for object member");
    CHECK(spec_error(R"({"ociVersion":"1.0.0" "x":1})") ==
          "config.json: invalid JSON at offset 22: Missing a comma or '}' after an object member");
    CHECK(spec_error("") == "config.json: invalid JSON at offset 0: The document is empty");
    CHECK(spec_error(R"({"ociVersion":"1.0.0"} {})") ==
          "config.json: invalid JSON at offset 23: The document root must not be followed by other values");
    // Deep nesting in an ignored key must not exhaust the stack.
    std::string deep = R"({"ociVersion":"1.0.0","x":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
    CHECK(spec_error(deep).empty());
}

TEST_CASE("parse: the runtime-spec bad examples that are type errors") {
    CHECK(spec_error(read_data("runtime-spec-bad-linux-rdma.json")) ==
          R"(config.json: linux.resources.rdma["mlx5_1"].hcaHandles: expected integer, got string)");
    CHECK(spec_error(read_data("runtime-spec-bad-linux-netdevice.json")) ==
          R"(config.json: linux.netDevices["eth0"].name: expected string, got integer)");
}

TEST_CASE("parse: bare process and resources documents") {
    Process p = parse_process(R"({"args":["ls"],"cwd":"/tmp","env":["A=1"],"user":{"uid":0,"gid":0,"additionalGids":[0]}})");
    CHECK(p.args == std::vector<std::string>{"ls"});
    CHECK(p.cwd == "/tmp");
    try {
        parse_process(R"({"args":["ls"]})");
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(std::string(e.what()) == "process.json: cwd: required field missing");
    }
    try {
        parse_process(R"({"cwd":"/","user":{"uid":"0"}})", "exec process");
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(std::string(e.what()) == "exec process: user.uid: expected integer, got string");
    }

    Resources r = parse_resources(R"({"memory":{"limit":1048576,"swap":2097152},"pids":{"limit":10},"cpu":{"cpus":"0"}})");
    CHECK(r.memory->limit == 1048576);
    CHECK(r.pids->limit == 10);
    CHECK(r.cpu->cpus == "0");
    try {
        parse_resources(R"({"memory":{"limit":"x"}})");
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(std::string(e.what()) == "resources: memory.limit: expected integer, got string");
    }
    try {
        parse_resources("[");
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(std::string(e.what()).rfind("resources: invalid JSON at offset 1: ", 0) == 0);
    }
}

TEST_CASE("parse: load_bundle_config reads, parses and validates") {
    char tmpl[] = "/tmp/berth-spec-test-XXXXXX";
    REQUIRE(mkdtemp(tmpl));
    std::string dir = tmpl;
    std::string file = dir + "/config.json";

    try {
        load_bundle_config(dir);
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::invalid_config);
        CHECK(e.errnum() == ENOENT);
        CHECK(std::string(e.what()) == "config.json: open " + file + ": No such file or directory");
    }

    std::ofstream(file) << read_data("runc-1.1.5-spec.json");
    Spec s = load_bundle_config(dir);
    CHECK(s.hostname == "runc");

    std::ofstream(file) << R"({"ociVersion":"1.0.0","root":{"path":"rootfs"}})";
    try {
        load_bundle_config(dir);
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(std::string(e.what()) == "config.json: process: required field missing");
    }
    unlink(file.c_str());
    rmdir(dir.c_str());
}
