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

std::string error_of(const char* json, rt::sys::ErrorKind kind = rt::sys::ErrorKind::unsupported) {
    return cgtest::error_of([&] { v2_writes(res(json)); }, kind);
}

Lines v2(const char* json) { return lines(v2_writes(res(json))); }

}  // namespace

TEST_CASE("cgroups v2: conversions (runc utils.go)") {
    CHECK(shares_to_weight(0) == 0);
    CHECK(shares_to_weight(2) == 1);
    CHECK(shares_to_weight(512) == 20);
    CHECK(shares_to_weight(1024) == 39);
    CHECK(shares_to_weight(262144) == 10000);
    CHECK(shares_to_weight(1) == 1);          // clamped like the v1 kernel
    CHECK(shares_to_weight(1000000) == 10000);
    CHECK(blkio_weight_to_io_weight(0) == 0);
    CHECK(blkio_weight_to_io_weight(10) == 1);
    CHECK(blkio_weight_to_io_weight(100) == 910);
    CHECK(blkio_weight_to_io_weight(500) == 4950);
    CHECK(blkio_weight_to_io_weight(1000) == 10000);
    CHECK(swap_to_v2(0, -1) == -1);
    CHECK(swap_to_v2(-1, 100) == -1);
    CHECK(swap_to_v2(0, 100) == 0);
    CHECK(swap_to_v2(300, -1) == 300);
    CHECK(swap_to_v2(300, 100) == 200);
    CHECK(swap_to_v2(100, 100) == 0);
}

TEST_CASE("cgroups v2: memory, swap as memory+swap minus memory") {
    WritePlan p = v2_writes(res(R"({"memory":{"limit":67108864,"reservation":33554432,"swap":134217728,
        "swappiness":18446744073709551615,"disableOOMKiller":false,"useHierarchy":true}})"));
    CHECK(lines(p) == Lines{
        "v2 memory:memory.swap.max=67108864",
        "v2 memory:memory.max=67108864",
        "v2 memory:memory.low=33554432",
    });
    CHECK(p.writes[0].field == "linux.resources.memory.swap");
    CHECK_FALSE(p.memory_check.has_value());
    CHECK(v2(R"({"memory":{"limit":-1}})") == Lines{
        "v2 memory:memory.swap.max=max [optional]",
        "v2 memory:memory.max=max",
    });
    CHECK(v2(R"({"memory":{"limit":100,"swap":100}})") == Lines{
        "v2 memory:memory.swap.max=0 [optional]",
        "v2 memory:memory.max=100",
    });
    CHECK(v2(R"({"memory":{"limit":100,"swap":-1}})") == Lines{
        "v2 memory:memory.swap.max=max [optional]",
        "v2 memory:memory.max=100",
    });
    CHECK(v2(R"({"memory":{"reservation":-1}})") == Lines{"v2 memory:memory.low=max"});
    CHECK(v2(R"({"memory":{"limit":0,"reservation":0,"swap":0}})").empty());

    WritePlan c = v2_writes(res(R"({"memory":{"limit":1000,"swap":3000,"checkBeforeUpdate":true}})"));
    REQUIRE(c.memory_check.has_value());
    CHECK(*c.memory_check == MemoryCheck{1000, 3000});
}

TEST_CASE("cgroups v2: memory errors name the field") {
    using rt::sys::ErrorKind;
    CHECK(error_of(R"({"memory":{"swap":100}})", ErrorKind::invalid_config) ==
          "linux.resources.memory.swap: unable to set swap limit without memory limit");
    CHECK(error_of(R"({"memory":{"limit":200,"swap":100}})", ErrorKind::invalid_config) ==
          "linux.resources.memory.swap: memory+swap limit should be >= memory limit");
    CHECK(error_of(R"({"memory":{"limit":-5,"swap":100}})", ErrorKind::invalid_config) ==
          "linux.resources.memory.limit: invalid memory value: -5");
    CHECK(error_of(R"({"memory":{"swappiness":60}})") ==
          "linux.resources.memory.swappiness: not supported on cgroup v2");
    CHECK(v2_writes(res(R"({"memory":{"disableOOMKiller":true}})")).warnings ==
          Lines{"linux.resources.memory.disableOOMKiller: cgroup v2 cannot disable the OOM killer, ignored"});
    CHECK(error_of(R"({"memory":{"useHierarchy":false}})") ==
          "linux.resources.memory.useHierarchy: cgroup v2 is always hierarchical");
}

TEST_CASE("cgroups v2: cpu weight, cpu.max, burst, idle") {
    CHECK(v2(R"({"cpu":{"shares":1024,"quota":50000,"period":100000,"burst":1000,"idle":0,
        "cpus":"2-3","mems":"0-7"}})") == Lines{
        "v2 cpu:cpu.idle=0",
        "v2 cpu:cpu.weight=39",
        "v2 cpu:cpu.max.burst=1000 [retry]",
        "v2 cpu:cpu.max=50000 100000",
        "v2 cpuset:cpuset.cpus=2-3",
        "v2 cpuset:cpuset.mems=0-7",
    });
    CHECK(v2(R"({"cpu":{"quota":50000}})") == Lines{"v2 cpu:cpu.max=50000 100000"});
    CHECK(v2(R"({"cpu":{"period":200000}})") == Lines{"v2 cpu:cpu.max=max 200000"});
    CHECK(v2(R"({"cpu":{"quota":-1,"period":100000}})") == Lines{"v2 cpu:cpu.max=max 100000"});
    CHECK(v2(R"({"cpu":{"shares":0,"quota":0,"period":0}})").empty());
    CHECK(v2_writes(res(R"({"cpu":{"period":5000}})")).writes[0].field == "linux.resources.cpu.period");
    CHECK(error_of(R"({"cpu":{"realtimeRuntime":950000}})") ==
          "linux.resources.cpu.realtimeRuntime: not supported on cgroup v2");
    CHECK(error_of(R"({"cpu":{"realtimePeriod":1000000}})") ==
          "linux.resources.cpu.realtimePeriod: not supported on cgroup v2");
    CHECK(error_of(R"({"cpu":{"shares":1}})", rt::sys::ErrorKind::invalid_config) ==
          "linux.resources.cpu.shares: 1 is out of range (2-262144)");
}

TEST_CASE("cgroups v2: io weight (BFQ, else converted io.weight) and io.max") {
    CHECK(v2(R"({"blockIO":{"weight":500,
        "weightDevice":[{"major":8,"minor":0,"weight":300},{"major":8,"minor":16}],
        "throttleReadBpsDevice":[{"major":8,"minor":0,"rate":600}],
        "throttleWriteBpsDevice":[{"major":8,"minor":0,"rate":700}],
        "throttleReadIOPSDevice":[{"major":8,"minor":16,"rate":200}],
        "throttleWriteIOPSDevice":[{"major":8,"minor":16,"rate":300}]}})") == Lines{
        "v2 io:io.bfq.weight=500 (else io.weight=4950)",
        "v2 io:io.bfq.weight=8:0 300",
        "v2 io:io.max=8:0 rbps=600",
        "v2 io:io.max=8:0 wbps=700",
        "v2 io:io.max=8:16 riops=200",
        "v2 io:io.max=8:16 wiops=300",
    });
    CHECK(error_of(R"({"blockIO":{"leafWeight":10}})") == "linux.resources.blockIO.leafWeight: not supported on cgroup v2");
    CHECK(error_of(R"({"blockIO":{"weightDevice":[{"major":8,"minor":0,"leafWeight":300}]}})") ==
          "linux.resources.blockIO.weightDevice[0].leafWeight: not supported on cgroup v2");
}

TEST_CASE("cgroups v2: pids, hugetlb, rdma, network") {
    CHECK(v2(R"({"pids":{"limit":32771}})") == Lines{"v2 pids:pids.max=32771"});
    CHECK(v2(R"({"pids":{"limit":-1}})") == Lines{"v2 pids:pids.max=max"});
    CHECK(v2(R"({"hugepageLimits":[{"pageSize":"1GB","limit":1073741824}]})") == Lines{
        "v2 hugetlb:hugetlb.1GB.max=1073741824",
        "v2 hugetlb:hugetlb.1GB.rsvd.max=1073741824 [optional]",
    });
    CHECK(v2(R"({"rdma":{"mlx5_1":{"hcaHandles":3}}})") == Lines{"v2 rdma:rdma.max=mlx5_1 hca_handle=3"});
    CHECK(error_of(R"({"network":{"classID":1048577}})") == "linux.resources.network.classID: not supported on cgroup v2");
    CHECK(error_of(R"({"network":{"priorities":[{"name":"eth0","priority":5}]}})") ==
          "linux.resources.network.priorities: not supported on cgroup v2");
    CHECK(v2(R"({"network":{"classID":0,"priorities":[]}})").empty());
}

TEST_CASE("cgroups v2: unified keys are written last, checked as file names") {
    WritePlan p = v2_writes(res(R"({"pids":{"limit":9},"unified":{"io.max":"259:0 rbps=2097152 wiops=120",
        "memory.high":"1073741824","cgroup.max.descendants":"10"}})"));
    CHECK(lines(p) == Lines{
        "v2 pids:pids.max=9",
        "v2 cgroup:cgroup.max.descendants=10",
        "v2 io:io.max=259:0 rbps=2097152 wiops=120",
        "v2 memory:memory.high=1073741824",
    });
    CHECK(p.writes[2].field == "linux.resources.unified[\"io.max\"]");
    using rt::sys::ErrorKind;
    // GHSA-style escapes: a key is one file in the container's directory.
    CHECK(error_of(R"({"unified":{"../../cpu.max":"1"}})", ErrorKind::invalid_config) ==
          "linux.resources.unified[\"../../cpu.max\"]: invalid cgroup file name");
    CHECK(error_of(R"({"unified":{"..":"1"}})", ErrorKind::invalid_config) ==
          "linux.resources.unified[\"..\"]: invalid cgroup file name");
    CHECK(error_of(R"({"unified":{"memory":"1"}})", ErrorKind::invalid_config) ==
          "linux.resources.unified[\"memory\"]: must be of the form CONTROLLER.PARAMETER");
    CHECK(error_of(R"({"unified":{".high":"1"}})", ErrorKind::invalid_config) ==
          "linux.resources.unified[\".high\"]: must be of the form CONTROLLER.PARAMETER");
}

TEST_CASE("cgroups v2: docker update trace (contract 2.5)") {
    WritePlan p = v2_writes(res(R"({"memory":{"limit":67108864,"reservation":0,"swap":134217728,"kernel":0},
        "cpu":{"shares":0,"quota":50000,"period":100000},"pids":{"limit":50},"blockIO":{"weight":0}})"));
    CHECK(lines(p) == Lines{
        "v2 pids:pids.max=50",
        "v2 memory:memory.swap.max=67108864",
        "v2 memory:memory.max=67108864",
        "v2 cpu:cpu.max=50000 100000",
    });
    CHECK(p.warnings == Lines{"linux.resources.memory.kernel: kernel memory limits are not supported, ignored"});
    CHECK_FALSE(p.devices_ebpf);  // set by plan_writes, which knows the layout
}
