#include <doctest/doctest.h>

#include <map>
#include <string>

#include "cgroups/stats.hpp"
#include "sys/error.hpp"

using namespace rt::cgroups;

namespace {

Reader files(std::map<std::string, std::string> m) {
    return [m = std::move(m)](const std::string& f) -> std::optional<std::string> {
        auto it = m.find(f);
        if (it == m.end()) return std::nullopt;
        return it->second;
    };
}

const Reader none = files({});

std::string error_of(auto&& f) {
    try {
        f();
    } catch (const rt::sys::Error& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST_CASE("cgroups stats: value parsers") {
    CHECK(parse_value("12\n", "f") == 12);
    CHECK(parse_value("max\n", "f") == UINT64_MAX);
    CHECK(parse_value("-1", "f") == 0);  // negative counters (kernel bugs) read as 0, as runc
    CHECK(parse_value("-99999999999999999999999", "f") == 0);
    CHECK(error_of([] { parse_value("abc", "memory.current"); }) == "parse `memory.current`: unexpected content `abc`");
    CHECK(parse_flat_keyed("a 1\nb 2\n\n", "f") == std::map<std::string, uint64_t>{{"a", 1}, {"b", 2}});
    CHECK(error_of([] { parse_flat_keyed("a 1 2\n", "memory.stat"); }) == "parse `memory.stat`: unexpected content `a 1 2`");
    CHECK(parse_cpu_list("0-3,7\n", "f") == std::vector<uint16_t>{0, 1, 2, 3, 7});
    CHECK(parse_cpu_list("\n", "f").empty());
    CHECK(error_of([] { parse_cpu_list("3-1", "cpuset.cpus"); }) == "parse `cpuset.cpus`: unexpected content `3-1`");
    CHECK(hugepage_sizes({"hugepages-1048576kB", "hugepages-2048kB", "hugepages-64kB", "x", "."}) ==
          std::vector<std::string>{"1GB", "2MB", "64KB"});
}

TEST_CASE("cgroups stats: blkio lines and PSI") {
    auto e = parse_blkio("8:0 Read 1282048\n8:0 Write 2195456\n8:16 Total 3477504\nTotal 3477504\n", "f");
    REQUIRE(e.size() == 3);
    CHECK(e[0] == BlkioEntry{8, 0, "Read", 1282048});
    CHECK(e[2] == BlkioEntry{8, 16, "Total", 3477504});
    CHECK(parse_blkio("8:0 6792\n", "blkio.sectors")[0] == BlkioEntry{8, 0, "", 6792});
    CHECK(parse_blkio("Total 0\n", "f").empty());
    CHECK(error_of([] { parse_blkio("8:0\n", "blkio.x"); }) == "parse `blkio.x`: unexpected content `8:0`");

    Psi p = parse_psi("some avg10=1.31 avg60=4.41 avg300=6.14 total=376323359\n"
                      "full avg10=0.00 avg60=0.50 avg300=0.27 total=17047439\n", "cpu.pressure");
    CHECK(p.some.avg10 == 1.31);
    CHECK(p.some.total == 376323359);
    CHECK(p.full.avg60 == 0.5);
    CHECK(p.full.total == 17047439);
}

TEST_CASE("cgroups stats: v1 and the exact JSON runc 1.1.5 prints") {
    Stats s;
    Reader cpu = files({{"cpu.stat", "nr_periods 0\nnr_throttled 0\nthrottled_time 0\nnr_bursts 0\nburst_time 0\n"}});
    Reader cpuacct = files({
        {"cpuacct.usage", "53955070\n"},
        {"cpuacct.stat", "user 2\nsystem 2\n"},
        {"cpuacct.usage_percpu", "42527701 11427369 \n"},
        {"cpuacct.usage_all", "cpu user system\n0 20000000 20000000\n1 4000000 8000000\n"},
    });
    stat_cpu_v1(cpu, cpuacct, s);
    stat_cpuset_v1(files({{"cpuset.cpus", "0-1\n"}, {"cpuset.mems", "0\n"}, {"cpuset.cpu_exclusive", "0\n"},
                          {"cpuset.sched_load_balance", "1\n"}, {"cpuset.sched_relax_domain_level", "-1\n"}}),
                   s);
    const char* unlimited = "9223372036854771712\n";
    stat_memory_v1(files({
                       {"memory.stat", "cache 8192\nrss 57344\ntotal_cache 8192\n"},
                       {"memory.usage_in_bytes", "671744\n"},
                       {"memory.max_usage_in_bytes", "2232320\n"},
                       {"memory.failcnt", "0\n"},
                       {"memory.limit_in_bytes", unlimited},
                       {"memory.memsw.usage_in_bytes", "671744\n"},
                       {"memory.memsw.max_usage_in_bytes", "2232320\n"},
                       {"memory.memsw.failcnt", "0\n"},
                       {"memory.memsw.limit_in_bytes", unlimited},
                       {"memory.kmem.usage_in_bytes", "249856\n"},
                       {"memory.kmem.max_usage_in_bytes", "544768\n"},
                       {"memory.kmem.failcnt", "0\n"},
                       {"memory.kmem.limit_in_bytes", unlimited},
                       {"memory.kmem.tcp.usage_in_bytes", "0\n"},
                       {"memory.kmem.tcp.max_usage_in_bytes", "0\n"},
                       {"memory.kmem.tcp.failcnt", "0\n"},
                       {"memory.kmem.tcp.limit_in_bytes", unlimited},
                   }),
                   s);
    stat_pids(files({{"pids.current", "1\n"}, {"pids.max", "max\n"}}), s);
    // BFQ files with only totals: nothing to report, as on the CI host.
    stat_blkio_v1(files({{"blkio.bfq.io_serviced_recursive", "Total 0\n"},
                         {"blkio.bfq.io_service_bytes_recursive", "Total 0\n"},
                         {"blkio.throttle.io_serviced_recursive", "Total 0\n"},
                         {"blkio.throttle.io_serviced", "Total 0\n"}}),
                  s);
    stat_hugetlb_v1(none, {"2MB"}, s);
    CHECK(stats_event_json("t2", s) ==
          R"({"type":"stats","id":"t2","data":{"cpu":{"usage":{"total":53955070,"percpu":[42527701,11427369],)"
          R"("percpu_kernel":[20000000,8000000],"percpu_user":[20000000,4000000],"kernel":20000000,"user":20000000},)"
          R"("throttling":{}},"cpuset":{"cpus":[0,1],"cpu_exclusive":0,"mems":[0],"mem_hardwall":0,"mem_exclusive":0,)"
          R"("memory_migrate":0,"memory_spread_page":0,"memory_spread_slab":0,"memory_pressure":0,"sched_load_balance":1,)"
          R"("sched_relax_domain_level":-1},"memory":{"cache":8192,"usage":{"limit":9223372036854771712,"usage":671744,)"
          R"("max":2232320,"failcnt":0},"swap":{"limit":9223372036854771712,"usage":671744,"max":2232320,"failcnt":0},)"
          R"("kernel":{"limit":9223372036854771712,"usage":249856,"max":544768,"failcnt":0},)"
          R"("kernelTCP":{"limit":9223372036854771712,"failcnt":0},"raw":{"cache":8192,"rss":57344,"total_cache":8192}},)"
          R"("pids":{"current":1},"blkio":{},"hugetlb":{},"intel_rdt":{},"network_interfaces":null}})");
}

TEST_CASE("cgroups stats: v1 blkio picks the first complete group") {
    Stats s;
    stat_blkio_v1(files({
                      {"blkio.bfq.io_serviced_recursive", "8:0 Read 124\n8:0 Write 104\nTotal 228\n"},
                      {"blkio.bfq.io_service_bytes_recursive", "8:0 Read 1282048\n8:0 Write 2195456\nTotal 3477504\n"},
                      {"blkio.throttle.io_serviced", "8:0 Read 1\n"},
                  }),
                  s);
    CHECK(s.blkio.io_serviced_recursive == std::vector<BlkioEntry>{{8, 0, "Read", 124}, {8, 0, "Write", 104}});
    CHECK(s.blkio.io_service_bytes_recursive.size() == 2);
    CHECK(s.blkio.sectors_recursive.empty());

    Stats t;  // no BFQ, no CFQ: the throttle files
    stat_blkio_v1(files({{"blkio.throttle.io_serviced_recursive", "8:0 Read 7\n"},
                         {"blkio.throttle.io_service_bytes_recursive", "8:0 Read 4096\n"}}),
                  t);
    CHECK(t.blkio.io_serviced_recursive == std::vector<BlkioEntry>{{8, 0, "Read", 7}});
    CHECK(t.blkio.io_service_bytes_recursive == std::vector<BlkioEntry>{{8, 0, "Read", 4096}});
}

TEST_CASE("cgroups stats: v2 cpu, memory, io, pids, hugetlb and their JSON") {
    Reader dir = files({
        {"cpu.stat", "usage_usec 4115744\nuser_usec 2470208\nsystem_usec 1645536\nnice_usec 0\n"
                     "nr_periods 5\nnr_throttled 1\nthrottled_usec 300\n"},
        {"cpu.pressure", "some avg10=1.31 avg60=4.41 avg300=6.14 total=376323359\n"
                         "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"},
        {"memory.stat", "anon 1000\nfile 8192\n"},
        {"memory.current", "671744\n"},
        {"memory.max", "max\n"},
        {"memory.peak", "2232320\n"},
        {"memory.swap.current", "4096\n"},
        {"memory.swap.max", "max\n"},
        {"io.stat", "8:0 rbytes=1024 wbytes=2048 rios=3 wios=4 dbytes=0 dios=0\n"},
        {"cgroup.procs", "12\n13\n"},
        {"hugetlb.2MB.current", "4194304\n"},
        {"hugetlb.2MB.events", "max 3\n"},
    });
    Stats s;
    stat_cpu_v2(dir, s);
    stat_memory_v2(dir, s);
    stat_io_v2(dir, s);
    stat_pids(dir, s);
    stat_hugetlb_v2(dir, {"2MB", "1GB"}, s);
    CHECK(s.cpu.usage.total == 4115744000);
    CHECK(s.cpu.usage.user == 2470208000);
    CHECK(s.cpu.usage.kernel == 1645536000);
    CHECK(s.cpu.throttling.throttled_time == 300000);
    CHECK(s.memory.cache == 8192);
    CHECK(s.memory.usage.limit == UINT64_MAX);
    CHECK(s.memory.swap.usage == 671744 + 4096);  // memory+swap, as v1 reports it
    CHECK(s.memory.swap.limit == UINT64_MAX);
    CHECK(s.memory.swap.max == 0);
    CHECK(s.pids.current == 2);  // no pids.current: cgroup.procs counted
    CHECK(s.hugetlb.size() == 1);
    CHECK(stats_event_json("c", s) ==
          R"({"type":"stats","id":"c","data":{"cpu":{"usage":{"total":4115744000,"kernel":1645536000,"user":2470208000},)"
          R"("throttling":{"periods":5,"throttledPeriods":1,"throttledTime":300000},)"
          R"("psi":{"some":{"avg10":1.31,"avg60":4.41,"avg300":6.14,"total":376323359},)"
          R"("full":{"avg10":0,"avg60":0,"avg300":0,"total":0}}},)"
          R"("cpuset":{"cpu_exclusive":0,"mem_hardwall":0,"mem_exclusive":0,"memory_migrate":0,"memory_spread_page":0,)"
          R"("memory_spread_slab":0,"memory_pressure":0,"sched_load_balance":0,"sched_relax_domain_level":0},)"
          R"("memory":{"cache":8192,"usage":{"limit":18446744073709551615,"usage":671744,"max":2232320,"failcnt":0},)"
          R"("swap":{"limit":18446744073709551615,"usage":675840,"failcnt":0},"kernel":{"limit":0,"failcnt":0},)"
          R"("kernelTCP":{"limit":0,"failcnt":0},"raw":{"anon":1000,"file":8192}},"pids":{"current":2},)"
          R"("blkio":{"ioServiceBytesRecursive":[{"major":8,"op":"Read","value":1024},{"major":8,"op":"Write","value":2048}],)"
          R"("ioServicedRecursive":[{"major":8,"op":"Read","value":3},{"major":8,"op":"Write","value":4}]},)"
          R"("hugetlb":{"2MB":{"usage":4194304,"failcnt":3}},"intel_rdt":{},"network_interfaces":null}})");
}

TEST_CASE("cgroups stats: v2 limits add up, pids.max is 0 when unlimited") {
    Stats s;
    stat_memory_v2(files({{"memory.stat", "file 0\n"}, {"memory.current", "10\n"}, {"memory.max", "1000000\n"},
                          {"memory.swap.current", "5\n"}, {"memory.swap.max", "500\n"}}),
                   s);
    CHECK(s.memory.swap.limit == 1000500);
    CHECK(s.memory.swap.usage == 15);
    CHECK(s.memory.usage.max == 0);  // no memory.peak before Linux 5.19
    Stats p;
    stat_pids(files({{"pids.current", "3\n"}, {"pids.max", "max\n"}}), p);
    CHECK(p.pids.limit == 0);
    stat_pids(files({{"pids.current", "3\n"}, {"pids.max", "50\n"}}), p);
    CHECK(p.pids.limit == 50);
    Stats empty;
    stat_memory_v2(none, empty);
    stat_cpu_v2(none, empty);
    CHECK(empty.memory.raw.empty());
    CHECK_FALSE(empty.cpu.psi.has_value());
}
