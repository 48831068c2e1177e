#include <doctest/doctest.h>

#include "tests/cgroups_test_util.hpp"

#include <string>
#include <vector>

#include "cgroups/resources.hpp"
#include "spec/parse.hpp"
#include "sys/error.hpp"

using namespace rt::cgroups;
using cgtest::Lines;
using cgtest::lines;
using cgtest::res;

namespace {

std::string error_of(const char* json, rt::sys::ErrorKind kind = rt::sys::ErrorKind::invalid_config) {
    return cgtest::error_of([&] { v1_writes(res(json), false); }, kind);
}

Lines v1(const char* json) { return lines(v1_writes(res(json), false)); }

}  // namespace

TEST_CASE("cgroups v1: memory limits, swap first so memsw >= limit holds") {
    WritePlan p = v1_writes(res(R"({"memory":{"limit":67108864,"reservation":33554432,"swap":134217728,
        "kernel":0,"kernelTCP":1,"swappiness":60,"disableOOMKiller":true,"useHierarchy":true,
        "checkBeforeUpdate":true}})"), false);
    CHECK(lines(p) == Lines{
        "memory:memory.memsw.limit_in_bytes=134217728 [retry]",
        "memory:memory.limit_in_bytes=67108864",
        "memory:memory.soft_limit_in_bytes=33554432",
        "memory:memory.oom_control=1",
        "memory:memory.swappiness=60",
        "memory:memory.use_hierarchy=1",
    });
    CHECK(p.warnings == Lines{
        "linux.resources.memory.kernel: kernel memory limits are not supported, ignored",
        "linux.resources.memory.kernelTCP: kernel memory limits are not supported, ignored",
    });
    CHECK_FALSE(p.memory_check.has_value());  // v1: the kernel refuses with EBUSY itself
    CHECK(p.writes[0].field == "linux.resources.memory.swap");
    CHECK(p.writes[1].field == "linux.resources.memory.limit");
    CHECK(p.writes[0].controller == "memory");
    CHECK(p.writes[0].hierarchy == Hierarchy::v1);
}

TEST_CASE("cgroups v1: memory -1, swap alone, zeros and swappiness") {
    // Unlimited memory without swap: unlimited swap where accounted.
    CHECK(v1(R"({"memory":{"limit":-1}})") == Lines{
        "memory:memory.memsw.limit_in_bytes=-1 [optional]",
        "memory:memory.limit_in_bytes=-1",
    });
    CHECK(v1(R"({"memory":{"limit":-1,"swap":-1}})") == Lines{
        "memory:memory.memsw.limit_in_bytes=-1 [retry]",
        "memory:memory.limit_in_bytes=-1",
    });
    CHECK(v1(R"({"memory":{"swap":104857600}})") == Lines{"memory:memory.memsw.limit_in_bytes=104857600"});
    CHECK(v1(R"({"memory":{"limit":0,"reservation":0,"swap":0,"disableOOMKiller":false}})").empty());
    CHECK(v1(R"({"memory":{"swappiness":18446744073709551615}})").empty());  // int64 -1: unset
    CHECK(v1(R"({"memory":{"swappiness":0,"useHierarchy":false}})") == Lines{
        "memory:memory.swappiness=0",
        "memory:memory.use_hierarchy=0",
    });
    CHECK(error_of(R"({"memory":{"swappiness":101}})") ==
          "linux.resources.memory.swappiness: invalid value 101 (valid range is 0-100)");
}

TEST_CASE("cgroups v1: cpu and cpuset, runc's order and retries") {
    CHECK(v1(R"({"cpu":{"shares":1024,"quota":50000,"period":100000,"burst":1000,"realtimeRuntime":950000,
        "realtimePeriod":1000000,"cpus":"0-1","mems":"0","idle":1}})") == Lines{
        "cpuset:cpuset.cpus=0-1",
        "cpuset:cpuset.mems=0",
        "cpu:cpu.shares=1024 [verify]",
        "cpu:cpu.cfs_period_us=100000 [retry]",
        "cpu:cpu.cfs_burst_us=1000 [retry]",
        "cpu:cpu.cfs_quota_us=50000",
        "cpu:cpu.idle=1",
        "cpu:cpu.rt_period_us=1000000 [retry]",
        "cpu:cpu.rt_runtime_us=950000",
    });
    CHECK(v1(R"({"cpu":{"quota":-1}})") == Lines{"cpu:cpu.cfs_quota_us=-1"});
    CHECK(v1(R"({"cpu":{"shares":0,"quota":0,"period":0,"cpus":"","mems":""}})").empty());
    CHECK(v1(R"({"cpu":{"burst":0,"idle":0}})") == Lines{"cpu:cpu.cfs_burst_us=0 [retry]", "cpu:cpu.idle=0"});
}

TEST_CASE("cgroups v1: pids") {
    CHECK(v1(R"({"pids":{"limit":32771}})") == Lines{"pids:pids.max=32771"});
    CHECK(v1(R"({"pids":{"limit":-1}})") == Lines{"pids:pids.max=max"});
    CHECK(v1(R"({"pids":{"limit":0}})").empty());  // runc 1.1: 0 leaves the limit alone
    CHECK(v1(R"({"pids":{}})").empty());
}

TEST_CASE("cgroups v1: blkio (config-linux.md example)") {
    CHECK(v1(R"({"blockIO":{"weight":10,"leafWeight":10,
        "weightDevice":[{"major":8,"minor":0,"weight":500,"leafWeight":300},{"major":8,"minor":16,"weight":500}],
        "throttleReadBpsDevice":[{"major":8,"minor":0,"rate":600}],
        "throttleWriteBpsDevice":[{"major":8,"minor":0,"rate":700}],
        "throttleReadIOPSDevice":[{"major":8,"minor":16,"rate":200}],
        "throttleWriteIOPSDevice":[{"major":8,"minor":16,"rate":300}]}})") == Lines{
        "blkio:blkio.weight=10 (else blkio.bfq.weight=10)",
        "blkio:blkio.leaf_weight=10",
        "blkio:blkio.weight_device=8:0 500 (else blkio.bfq.weight_device=8:0 500)",
        "blkio:blkio.leaf_weight_device=8:0 300",
        "blkio:blkio.weight_device=8:16 500 (else blkio.bfq.weight_device=8:16 500)",
        "blkio:blkio.throttle.read_bps_device=8:0 600",
        "blkio:blkio.throttle.write_bps_device=8:0 700",
        "blkio:blkio.throttle.read_iops_device=8:16 200",
        "blkio:blkio.throttle.write_iops_device=8:16 300",
    });
    CHECK(v1(R"({"blockIO":{"weight":0}})").empty());
    CHECK(error_of(R"({"blockIO":{"throttleReadBpsDevice":[{"major":-8,"minor":0,"rate":1}]}})") ==
          "linux.resources.blockIO.throttleReadBpsDevice[0]: invalid device number -8:0");
}

TEST_CASE("cgroups v1: hugetlb with the reservation file when present") {
    WritePlan p = v1_writes(res(R"({"hugepageLimits":[{"pageSize":"2MB","limit":209715200},
        {"pageSize":"64KB","limit":1000000}]})"), false);
    CHECK(lines(p) == Lines{
        "hugetlb:hugetlb.2MB.limit_in_bytes=209715200",
        "hugetlb:hugetlb.2MB.rsvd.limit_in_bytes=209715200 [optional]",
        "hugetlb:hugetlb.64KB.limit_in_bytes=1000000",
        "hugetlb:hugetlb.64KB.rsvd.limit_in_bytes=1000000 [optional]",
    });
    CHECK(p.writes[2].field == "linux.resources.hugepageLimits[1]");
    CHECK(error_of(R"({"hugepageLimits":[{"pageSize":"../2MB","limit":1}]})") ==
          "linux.resources.hugepageLimits[0].pageSize: `../2MB` is not a valid page size (expected e.g. 2MB)");
    CHECK(error_of(R"({"hugepageLimits":[{"pageSize":"2M","limit":1}]})") ==
          "linux.resources.hugepageLimits[0].pageSize: `2M` is not a valid page size (expected e.g. 2MB)");
}

TEST_CASE("cgroups v1: network, rdma, unified") {
    CHECK(v1(R"({"network":{"classID":1048577,"priorities":[{"name":"eth0","priority":500},
        {"name":"eth1","priority":1000}]}})") == Lines{
        "net_cls:net_cls.classid=1048577",
        "net_prio:net_prio.ifpriomap=eth0 500",
        "net_prio:net_prio.ifpriomap=eth1 1000",
    });
    CHECK(error_of(R"({"network":{"priorities":[{"name":"eth0 7\nlo","priority":5}]}})") ==
          "linux.resources.network.priorities[0].name: invalid name `eth0 7\nlo`");
    CHECK(v1(R"({"rdma":{"mlx5_1":{"hcaHandles":3,"hcaObjects":10000},"mlx4_0":{"hcaObjects":1000}}})") == Lines{
        "rdma:rdma.max=mlx4_0 hca_object=1000",
        "rdma:rdma.max=mlx5_1 hca_handle=3 hca_object=10000",
    });
    CHECK(error_of(R"({"rdma":{"rxe3":{}}})") == "linux.resources.rdma[\"rxe3\"]: needs hcaHandles or hcaObjects");
    CHECK(error_of(R"({"unified":{"memory.high":"1G"}})", rt::sys::ErrorKind::unsupported) ==
          "linux.resources.unified: cgroup v2 files cannot be set on a cgroup v1 hierarchy");
}

TEST_CASE("cgroups v1: docker update trace (contract 2.5)") {
    WritePlan p = v1_writes(res(R"({"memory":{"limit":67108864,"reservation":0,"swap":134217728,"kernel":0},
        "cpu":{"shares":0,"quota":50000,"period":100000},"pids":{"limit":50},"blockIO":{"weight":0}})"), false);
    CHECK(lines(p) == Lines{
        "memory:memory.memsw.limit_in_bytes=134217728 [retry]",
        "memory:memory.limit_in_bytes=67108864",
        "cpu:cpu.cfs_period_us=100000 [retry]",
        "cpu:cpu.cfs_quota_us=50000",
        "pids:pids.max=50",
    });
    CHECK(p.warnings == Lines{"linux.resources.memory.kernel: kernel memory limits are not supported, ignored"});
}

TEST_CASE("cgroups v1: devices come first after cpuset, then the rest") {
    Lines l = lines(v1_writes(res(R"({"devices":[{"allow":false,"access":"rwm"}],"pids":{"limit":5}})")));
    REQUIRE(l.size() == 2 + 11 + 1);
    CHECK(l[0] == "devices:devices.deny=a *:* rwm");
    CHECK(l[1] == "devices:devices.deny=a *:* rwm");
    CHECK(l[2] == "devices:devices.allow=c *:* m");
    CHECK(l.back() == "pids:pids.max=5");
}
