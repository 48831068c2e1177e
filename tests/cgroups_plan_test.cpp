#include <doctest/doctest.h>

#include "tests/cgroups_test_util.hpp"

#include <string>
#include <vector>

#include "cgroups/layout.hpp"
#include "cgroups/resources.hpp"
#include "spec/parse.hpp"
#include "sys/error.hpp"

using namespace rt::cgroups;
using cgtest::Lines;
using cgtest::lines;
using cgtest::res;

namespace {

std::string error_of(auto&& f, rt::sys::ErrorKind kind = rt::sys::ErrorKind::unsupported) {
    return cgtest::error_of(f, kind);
}

// The CI host: v1 cpu, cpuacct, cpuset, memory, devices, freezer, blkio,
// pids, name=systemd; hugetlb on the cgroup2 mount; no net_cls/rdma.
Layout ci_hybrid() {
    std::string mi;
    int id = 31;
    for (const char* c : {"cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids"})
        mi += std::to_string(id++) + " 30 0:28 / /sys/fs/cgroup/" + c + " rw - cgroup cgroup rw," + c + "\n";
    mi += "39 30 0:36 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd\n"
          "40 30 0:37 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n";
    return parse_layout(mi, "0::/\n", "hugetlb\n");
}

Layout unified() {
    return parse_layout("28 24 0:24 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", "0::/\n",
                        "cpuset cpu io memory hugetlb pids rdma\n");
}

Layout legacy_without_devices() {
    return parse_layout("28 25 0:26 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n", "", "");
}

}  // namespace

TEST_CASE("cgroups plan: hybrid host, v1 controllers via v1 files, hugetlb via v2") {
    WritePlan p = plan_writes(res(R"({"memory":{"limit":1048576},"pids":{"limit":10},
        "hugepageLimits":[{"pageSize":"2MB","limit":4194304}],
        "unified":{"hugetlb.1GB.max":"0","cgroup.max.depth":"3"}})"), ci_hybrid(), false);
    CHECK(lines(p) == Lines{
        "memory:memory.limit_in_bytes=1048576",
        "pids:pids.max=10",
        "v2 hugetlb:hugetlb.2MB.max=4194304",
        "v2 hugetlb:hugetlb.2MB.rsvd.max=4194304 [optional]",
        "v2 cgroup:cgroup.max.depth=3",
        "v2 hugetlb:hugetlb.1GB.max=0",
    });
    CHECK_FALSE(p.devices_ebpf);
}

TEST_CASE("cgroups plan: hybrid host refuses what it cannot do, naming the field") {
    Layout l = ci_hybrid();
    CHECK(error_of([&] { plan_writes(res(R"({"unified":{"memory.high":"1G"}})"), l); }) ==
          "linux.resources.unified[\"memory.high\"]: not supported by this host "
          "(controller `memory` is not on the cgroup v2 hierarchy)");
    CHECK(error_of([&] { plan_writes(res(R"({"network":{"classID":1048577}})"), l); }) ==
          "linux.resources.network.classID: not supported by this host (no net_cls controller)");
    CHECK(error_of([&] { plan_writes(res(R"({"network":{"priorities":[{"name":"eth0","priority":1}]}})"), l); }) ==
          "linux.resources.network.priorities[0]: not supported by this host (no net_prio controller)");
    CHECK(error_of([&] { plan_writes(res(R"({"rdma":{"mlx5_1":{"hcaHandles":3}}})"), l); }) ==
          "linux.resources.rdma[\"mlx5_1\"]: not supported by this host (no rdma controller)");
    // Unset or zero values need no controller.
    CHECK_NOTHROW(plan_writes(res(R"({"network":{"classID":0}})"), l));
    // Invalid values are still invalid where the controller is missing.
    CHECK(error_of([&] { plan_writes(res(R"({"rdma":{"mlx5_1":{}}})"), l); }, rt::sys::ErrorKind::invalid_config) ==
          "linux.resources.rdma[\"mlx5_1\"]: needs hcaHandles or hcaObjects");
}

TEST_CASE("cgroups plan: devices through v1 when mounted, else a BPF program") {
    WritePlan h = plan_writes(res(R"({"pids":{"limit":3}})"), ci_hybrid());
    REQUIRE(h.writes.size() == 1 + 11 + 1);
    CHECK(to_string(h.writes[0]) == "devices:devices.deny=a *:* rwm");
    CHECK_FALSE(h.devices_ebpf);
    CHECK(lines(plan_writes(res(R"({"pids":{"limit":3}})"), ci_hybrid(), false)) == Lines{"pids:pids.max=3"});

    WritePlan u = plan_writes(res(R"({"pids":{"limit":3}})"), unified());
    CHECK(lines(u) == Lines{"v2 pids:pids.max=3"});
    CHECK(u.devices_ebpf);
    CHECK_FALSE(plan_writes(res("{}"), unified(), false).devices_ebpf);

    CHECK(error_of([] { plan_writes(res("{}"), legacy_without_devices()); }) ==
          "linux.resources.devices: not supported by this host (no devices controller)");
    CHECK(error_of([] { plan_writes(res(R"({"unified":{"memory.high":"1"}})"), legacy_without_devices(), false); }) ==
          "linux.resources.unified: cgroup v2 files cannot be set on a cgroup v1 hierarchy");
}

TEST_CASE("cgroups plan: unified host takes every v2 translation") {
    WritePlan p = plan_writes(res(R"({"cpu":{"shares":1024},"memory":{"limit":-1},
        "unified":{"memory.high":"1G"}})"), unified(), false);
    CHECK(lines(p) == Lines{
        "v2 memory:memory.swap.max=max [optional]",
        "v2 memory:memory.max=max",
        "v2 cpu:cpu.weight=39",
        "v2 memory:memory.high=1G",
    });
}

TEST_CASE("cgroups update: docker update trace merged into saved resources (contract 2.5)") {
    rt::spec::Resources saved = res(R"({"devices":[{"allow":false,"access":"rwm"}],
        "memory":{"limit":134217728,"reservation":67108864,"swap":268435456},
        "cpu":{"shares":512,"quota":20000,"period":100000,"cpus":"0"},"pids":{"limit":100},
        "blockIO":{"weight":300},"hugepageLimits":[{"pageSize":"2MB","limit":4194304}]})");
    rt::spec::Resources update = res(R"({"memory":{"limit":67108864,"reservation":0,"swap":134217728,"kernel":0},
        "cpu":{"shares":0,"quota":50000,"period":100000},"pids":{"limit":50},"blockIO":{"weight":0}})");
    rt::spec::Resources m = merge_update(saved, update);
    CHECK(*m.memory->limit == 67108864);
    CHECK(*m.memory->swap == 134217728);
    CHECK(*m.memory->reservation == 67108864);  // zero in the update: unchanged
    CHECK_FALSE(m.memory->kernel.has_value());  // kernel 0: no warning on every update
    CHECK(*m.cpu->shares == 512);
    CHECK(*m.cpu->quota == 50000);
    CHECK(*m.cpu->cpus == "0");
    CHECK(*m.pids->limit == 50);
    CHECK(*m.block_io->weight == 300);
    CHECK(m.devices.size() == 1);

    WritePlan p = plan_writes(m, ci_hybrid(), false);
    CHECK(lines(p) == Lines{
        "cpuset:cpuset.cpus=0",
        "memory:memory.memsw.limit_in_bytes=134217728 [retry]",
        "memory:memory.limit_in_bytes=67108864",
        "memory:memory.soft_limit_in_bytes=67108864",
        "cpu:cpu.shares=512 [verify]",
        "cpu:cpu.cfs_period_us=100000 [retry]",
        "cpu:cpu.cfs_quota_us=50000",
        "pids:pids.max=50",
        "blkio:blkio.weight=300 (else blkio.bfq.weight=300)",
        "v2 hugetlb:hugetlb.2MB.max=4194304",
        "v2 hugetlb:hugetlb.2MB.rsvd.max=4194304 [optional]",
    });
    CHECK(p.warnings.empty());

    CHECK(lines(plan_writes(m, unified(), false)) == Lines{
        "v2 pids:pids.max=50",
        "v2 memory:memory.swap.max=67108864",
        "v2 memory:memory.max=67108864",
        "v2 memory:memory.low=67108864",
        "v2 io:io.bfq.weight=300 (else io.weight=2930)",
        "v2 cpu:cpu.weight=20",
        "v2 cpu:cpu.max=50000 100000",
        "v2 cpuset:cpuset.cpus=0",
        "v2 hugetlb:hugetlb.2MB.max=4194304",
        "v2 hugetlb:hugetlb.2MB.rsvd.max=4194304 [optional]",
    });
}

TEST_CASE("cgroups update: quota or period alone keeps the other; -1 memory drops the saved swap") {
    rt::spec::Resources saved = res(R"({"cpu":{"quota":20000,"period":200000},
        "memory":{"limit":1000,"swap":2000},"unified":{"memory.high":"1","io.weight":"50"},
        "hugepageLimits":[{"pageSize":"2MB","limit":1},{"pageSize":"1GB","limit":2}]})");
    rt::spec::Resources q = merge_update(saved, res(R"({"cpu":{"quota":30000}})"));
    CHECK(*q.cpu->quota == 30000);
    CHECK(*q.cpu->period == 200000);
    rt::spec::Resources per = merge_update(saved, res(R"({"cpu":{"period":100000}})"));
    CHECK(*per.cpu->quota == 20000);
    CHECK(*per.cpu->period == 100000);
    CHECK(lines(plan_writes(res(R"({"cpu":{"quota":30000,"period":200000}})"), unified(), false)) ==
          Lines{"v2 cpu:cpu.max=30000 200000"});

    rt::spec::Resources unl = merge_update(saved, res(R"({"memory":{"limit":-1}})"));
    CHECK(*unl.memory->limit == -1);
    CHECK_FALSE(unl.memory->swap.has_value());
    CHECK(lines(plan_writes(unl, unified(), false))[0] == "v2 memory:memory.swap.max=max [optional]");

    rt::spec::Resources k = merge_update(saved, res(R"({"memory":{"kernel":1048576},"unified":{"io.weight":"70"},
        "hugepageLimits":[{"pageSize":"1GB","limit":5}]})"));
    CHECK(k.unified.at("io.weight") == "70");
    CHECK(k.unified.at("memory.high") == "1");
    REQUIRE(k.hugepage_limits.size() == 2);
    CHECK(k.hugepage_limits[1].limit == 5);
    CHECK(plan_writes(k, unified(), false).warnings ==
          Lines{"linux.resources.memory.kernel: kernel memory limits are not supported, ignored"});
}
