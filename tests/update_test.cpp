// update: individual flags -> request, request merged onto the saved
// resources, and the merged value written back into the saved config.
#include <doctest/doctest.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "cgroups/resources.hpp"
#include "cli.hpp"
#include "spec/parse.hpp"
#include "spec/resources_json.hpp"
#include "sys/error.hpp"
#include "update.hpp"

using rt::spec::Resources;

namespace {

rt::cli::UpdateOptions flags(std::initializer_list<const char*> args) {
    std::vector<const char*> argv{"berth", "update"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("ctr");
    auto inv = rt::cli::parse(static_cast<int>(argv.size()), argv.data());
    return std::get<rt::cli::UpdateOptions>(inv.options);
}

std::string json(const Resources& r) { return rt::spec::resources_json(r); }

}  // namespace

TEST_CASE("update: individual flags make runc's request") {
    std::vector<std::string> warnings;
    Resources r = rt::update::from_flags(
        flags({"--memory", "64m", "--memory-swap", "128m", "--memory-reservation", "32m", "--cpu-quota", "50000",
               "--cpu-period", "100000", "--cpu-share", "512", "--cpuset-cpus", "0", "--cpuset-mems", "0",
               "--cpu-rt-period", "1000000", "--cpu-rt-runtime", "950000", "--pids-limit", "50", "--blkio-weight",
               "300"}),
        warnings);
    CHECK(warnings.empty());
    CHECK(json(r) ==
          R"({"memory":{"limit":67108864,"reservation":33554432,"swap":134217728},)"
          R"("cpu":{"shares":512,"quota":50000,"period":100000,"realtimeRuntime":950000,"realtimePeriod":1000000,)"
          R"("cpus":"0","mems":"0"},"pids":{"limit":50},"blockIO":{"weight":300}})");
}

TEST_CASE("update: flags left out stay absent; zero pids/weight mean not given") {
    std::vector<std::string> warnings;
    CHECK(json(rt::update::from_flags(flags({"--pids-limit", "0", "--blkio-weight", "0"}), warnings)) == "{}");
    CHECK(json(rt::update::from_flags(flags({"--memory", "-1"}), warnings)) == R"({"memory":{"limit":-1}})");
    CHECK(json(rt::update::from_flags(flags({"--pids-limit", "-1"}), warnings)) == R"({"pids":{"limit":-1}})");
    CHECK(warnings.empty());
}

TEST_CASE("update: kernel memory flags are ignored with runc's warning") {
    std::vector<std::string> warnings;
    Resources r = rt::update::from_flags(flags({"--kernel-memory", "10m", "--kernel-memory-tcp", "1m"}), warnings);
    CHECK(json(r) == "{}");
    CHECK(warnings == std::vector<std::string>{"Setting --kernel-memory is ignored and will be removed",
                                               "Setting --kernel-memory-tcp is ignored and will be removed"});
}

TEST_CASE("update: Intel RDT schemas are refused") {
    std::vector<std::string> warnings;
    try {
        rt::update::from_flags(flags({"--l3-cache-schema", "L3:0=f"}), warnings);
        FAIL("no error");
    } catch (const rt::sys::Error& e) {
        CHECK(e.kind() == rt::sys::ErrorKind::unsupported);
        CHECK(std::string(e.what()).find("Intel RDT/CAT: l3 cache schema is not enabled") == 0);
    }
    CHECK_THROWS_WITH_AS(rt::update::from_flags(flags({"--mem-bw-schema", "MB:0=70"}), warnings),
                         doctest::Contains("Intel RDT/MBA: memory bandwidth schema is not enabled"), rt::sys::Error);
    // With --resources the flags are ignored (runc), RDT ones included.
    CHECK_FALSE(flags({"-r", "-", "--l3-cache-schema", "x"}).l3_cache_schema.has_value());
}

TEST_CASE("update: resources JSON round-trips through the parser") {
    const char* text =
        R"({"devices":[{"allow":false,"access":"rwm"},{"allow":true,"type":"c","major":1,"minor":3,"access":"rwm"}],)"
        R"("memory":{"limit":67108864,"reservation":0,"swap":-1,"swappiness":10,"disableOOMKiller":true},)"
        R"("cpu":{"shares":1024,"quota":-1,"burst":0,"period":100000,"cpus":"0-1","idle":1},"pids":{"limit":-1},)"
        R"("blockIO":{"weight":500,"weightDevice":[{"major":8,"minor":0,"weight":100}],)"
        R"("throttleReadBpsDevice":[{"major":8,"minor":0,"rate":1048576}]},)"
        R"("hugepageLimits":[{"pageSize":"2MB","limit":0}],"network":{"classID":16,"priorities":[{"name":"eth0","priority":5}]},)"
        R"("rdma":{"mlx4_0":{"hcaHandles":2}},"unified":{"memory.high":"max"}})";
    Resources r = rt::spec::parse_resources(text);
    CHECK(json(r) == text);
    CHECK(json(rt::spec::parse_resources(json(r))) == text);
}

TEST_CASE("update: merged resources replace linux.resources in the saved config, the rest is kept") {
    std::string config =
        R"({"ociVersion":"1.0.2","process":{"args":["sh"],"cwd":"/"},"linux":{"namespaces":[{"type":"pid"}],)"
        R"("resources":{"devices":[{"allow":false,"access":"rwm"}],"memory":{"limit":33554432},"pids":{"limit":20}}}})";
    Resources saved = *rt::spec::parse_spec(config).linux->resources;
    std::vector<std::string> warnings;
    Resources merged = rt::cgroups::merge_update(saved, rt::update::from_flags(flags({"--pids-limit", "30"}), warnings));
    std::string out = rt::spec::with_resources(config, merged);
    CHECK(out == R"({"ociVersion":"1.0.2","process":{"args":["sh"],"cwd":"/"},"linux":{"namespaces":[{"type":"pid"}],)"
                 R"("resources":{"devices":[{"allow":false,"access":"rwm"}],"memory":{"limit":33554432},"pids":{"limit":30}}}})");
    // A second update merges onto the persisted values.
    Resources again = rt::cgroups::merge_update(*rt::spec::parse_spec(out).linux->resources,
                                                rt::spec::parse_resources(R"({"memory":{"limit":0,"reservation":0}})"));
    CHECK(json(again) == R"({"devices":[{"allow":false,"access":"rwm"}],"memory":{"limit":33554432},"pids":{"limit":30}})");
    // No linux object at all: one is made.
    CHECK(rt::spec::with_resources(R"({"ociVersion":"1.0.2"})", merged) ==
          R"({"ociVersion":"1.0.2","linux":{"resources":{"devices":[{"allow":false,"access":"rwm"}],)"
          R"("memory":{"limit":33554432},"pids":{"limit":30}}}})");
    CHECK_THROWS_AS(rt::spec::with_resources("[1]", merged), rt::sys::Error);
}
