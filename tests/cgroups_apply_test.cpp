// The applier and the cgroupfs driver against a temp-dir "fake cgroupfs":
// directories are hierarchies, plain files are control files (a file that is
// not there is a feature the host lacks).
#include <doctest/doctest.h>

#include "tests/cgroups_test_util.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cgroups/apply.hpp"
#include "cgroups/cgroupfs.hpp"
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

struct FakeTree {
    std::string root;
    FakeTree() {
        char tmpl[] = "/tmp/berth-cgroups-test-XXXXXX";
        REQUIRE(::mkdtemp(tmpl) != nullptr);
        root = tmpl;
    }
    ~FakeTree() { std::filesystem::remove_all(root); }
    std::string path(const std::string& rel) const { return root + "/" + rel; }
    void mkdirs(const std::string& rel) const { std::filesystem::create_directories(path(rel)); }
    // Creates the directory and the files (empty unless given as name=value).
    void files(const std::string& dir, std::initializer_list<std::string> names) const {
        mkdirs(dir);
        for (const auto& n : names) {
            auto eq = n.find('=');
            std::ofstream(path(dir + "/" + n.substr(0, eq))) << (eq == std::string::npos ? "" : n.substr(eq + 1));
        }
    }
    std::string read(const std::string& rel) const {
        std::ifstream f(path(rel));
        std::stringstream s;
        s << f.rdbuf();
        return s.str();
    }
    bool exists(const std::string& rel) const { return ::access(path(rel).c_str(), F_OK) == 0; }

    // v1 cpu cpuacct cpuset memory devices freezer blkio pids + cgroup2 with hugetlb.
    Layout hybrid() const {
        std::string mi;
        for (const char* c : {"cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids"}) {
            mkdirs(c);
            mi += "31 30 0:28 / " + path(c) + " rw - cgroup cgroup rw," + c + "\n";
        }
        files("unified", {"cgroup.controllers=hugetlb\n", "cgroup.subtree_control"});
        mi += "40 30 0:37 / " + path("unified") + " rw - cgroup2 cgroup2 rw\n";
        return parse_layout(mi, "0::/\n", "hugetlb\n");
    }
    Layout unified() const {
        files("v2", {"cgroup.controllers=cpu memory pids\n", "cgroup.subtree_control"});
        return parse_layout("28 24 0:24 / " + path("v2") + " rw - cgroup2 cgroup2 rw\n", "0::/\n",
                            "cpu memory pids\n");
    }
};

}  // namespace

TEST_CASE("cgroups apply: writes land in each hierarchy's directory") {
    FakeTree t;
    t.files("memory/c", {"memory.limit_in_bytes", "memory.memsw.limit_in_bytes", "memory.soft_limit_in_bytes"});
    t.files("cpu/c", {"cpu.shares", "cpu.cfs_period_us", "cpu.cfs_quota_us"});
    t.files("blkio/c", {"blkio.bfq.weight"});  // BFQ only: blkio.weight absent
    t.files("u/c", {"hugetlb.2MB.max"});        // no reservation files on this "kernel"
    Paths p;
    p.v1 = {{"memory", t.path("memory/c")}, {"cpu", t.path("cpu/c")}, {"blkio", t.path("blkio/c")}};
    p.v2 = t.path("u/c");
    WritePlan plan = v1_writes(res(R"({"memory":{"limit":67108864,"swap":134217728,"reservation":1},
        "cpu":{"shares":512,"quota":50000,"period":100000},"blockIO":{"weight":300}})"), false);
    v2_section(res(R"({"hugepageLimits":[{"pageSize":"2MB","limit":4194304}]})"), Section::hugetlb, plan);
    Lines log = apply_writes(plan, p);
    CHECK(log == Lines{
        t.path("memory/c/memory.memsw.limit_in_bytes") + "=134217728",
        t.path("memory/c/memory.limit_in_bytes") + "=67108864",
        t.path("memory/c/memory.soft_limit_in_bytes") + "=1",
        t.path("cpu/c/cpu.shares") + "=512",
        t.path("cpu/c/cpu.cfs_period_us") + "=100000",
        t.path("cpu/c/cpu.cfs_quota_us") + "=50000",
        t.path("blkio/c/blkio.bfq.weight") + "=300",
        t.path("u/c/hugetlb.2MB.max") + "=4194304",
    });
    CHECK(t.read("memory/c/memory.limit_in_bytes") == "67108864");
    CHECK(t.read("cpu/c/cpu.cfs_quota_us") == "50000");
    CHECK(t.read("blkio/c/blkio.bfq.weight") == "300");
    CHECK_FALSE(t.exists("u/c/hugetlb.2MB.rsvd.max"));  // optional: skipped, never created
}

TEST_CASE("cgroups apply: what the host lacks is an error naming field and file") {
    FakeTree t;
    t.files("cpu/c", {"cpu.shares"});
    t.files("blkio/c", {});
    t.files("v2/c", {"cgroup.controllers=memory pids\n", "memory.max"});
    Paths p;
    p.v1 = {{"cpu", t.path("cpu/c")}, {"blkio", t.path("blkio/c")}, {"memory", t.path("gone")}};
    p.v2 = t.path("v2/c");
    auto v1 = [&](const char* json) { apply_writes(v1_writes(res(json), false), p); };
    auto v2 = [&](const char* json) { apply_writes(v2_writes(res(json)), p); };
    CHECK(error_of([&] { v1(R"({"cpu":{"realtimeRuntime":950000}})"); }) ==
          "linux.resources.cpu.realtimeRuntime: not supported by this host (no cpu.rt_runtime_us)");
    CHECK(error_of([&] { v1(R"({"blockIO":{"weight":300}})"); }) ==
          "linux.resources.blockIO.weight: not supported by this host (no blkio.weight nor blkio.bfq.weight)");
    CHECK(error_of([&] { v1(R"({"pids":{"limit":5}})"); }) ==
          "linux.resources.pids.limit: not supported by this host (no pids controller)");
    CHECK(error_of([&] { v1(R"({"memory":{"limit":5}})"); }, rt::sys::ErrorKind::not_found) ==
          "linux.resources.memory.limit: cgroup directory `" + t.path("gone") + "` does not exist");
    CHECK(error_of([&] { v2(R"({"blockIO":{"throttleReadBpsDevice":[{"major":8,"minor":0,"rate":1}]}})"); }) ==
          "linux.resources.blockIO.throttleReadBpsDevice[0]: not supported by this host (controller `io` is not "
          "available in `" + t.path("v2/c") + "`)");
    CHECK(error_of([&] { v2(R"({"pids":{"limit":5}})"); }) ==
          "linux.resources.pids.limit: not supported by this host (no pids.max)");
    CHECK(error_of([&] { v2(R"({"unified":{"cgroup.max.depth":"2"}})"); }) ==
          "linux.resources.unified[\"cgroup.max.depth\"]: not supported by this host (no cgroup.max.depth)");
}

TEST_CASE("cgroups apply: kernel refusals, retries and runc's messages") {
    FakeTree t;
    t.files("memory/c", {"memory.limit_in_bytes", "memory.memsw.limit_in_bytes", "memory.usage_in_bytes=2097152\n",
                         "memory.max_usage_in_bytes=4194304\n"});
    t.files("cpu/c", {"cpu.shares"});
    t.files("v2/c", {"memory.max", "memory.swap.max", "memory.current=5000\n"});
    Paths p;
    p.v1 = {{"memory", t.path("memory/c")}, {"cpu", t.path("cpu/c")}};
    p.v2 = t.path("v2/c");

    // Lowering both limits: memsw first is refused until the limit is lower.
    Lines calls;
    bool refused = false;
    WriteFn einval_once = [&](const std::string& path, std::string_view v) {
        std::string name = path.substr(path.rfind('/') + 1);
        calls.push_back(name + "=" + std::string(v));
        if (name == "memory.memsw.limit_in_bytes" && !refused) {
            refused = true;
            return EINVAL;
        }
        return write_cgroup_file(path, v);
    };
    apply_writes(v1_writes(res(R"({"memory":{"limit":1048576,"swap":2097152}})"), false), p, einval_once);
    CHECK(calls == Lines{"memory.memsw.limit_in_bytes=2097152", "memory.limit_in_bytes=1048576",
                         "memory.memsw.limit_in_bytes=2097152"});
    CHECK(t.read("memory/c/memory.memsw.limit_in_bytes") == "2097152");

    // EINVAL on a write without retry is an error at once.
    WriteFn einval = [](const std::string&, std::string_view) { return EINVAL; };
    CHECK(error_of([&] { apply_writes(v1_writes(res(R"({"memory":{"limit":1}})"), false), p, einval); },
                   rt::sys::ErrorKind::generic) ==
          "linux.resources.memory.limit: write memory.limit_in_bytes: Invalid argument");

    WriteFn ebusy = [](const std::string&, std::string_view) { return EBUSY; };
    CHECK(error_of([&] { apply_writes(v1_writes(res(R"({"memory":{"limit":1048576}})"), false), p, ebusy); },
                   rt::sys::ErrorKind::generic) ==
          "linux.resources.memory.limit: unable to set memory limit to 1048576 (current usage: 2097152, "
          "peak usage: 4194304)");
    CHECK(error_of([&] { apply_writes(v2_writes(res(R"({"memory":{"limit":1048576}})")), p, ebusy); },
                   rt::sys::ErrorKind::generic) ==
          "linux.resources.memory.limit: write memory.max: Device or resource busy");

    // v1 clamps cpu.shares; read back like runc.
    WriteFn clamp = [](const std::string& path, std::string_view v) {
        return write_cgroup_file(path, v == "1" ? "2" : v == "300000" ? "262144" : v);
    };
    CHECK(error_of([&] { apply_writes(v1_writes(res(R"({"cpu":{"shares":1}})"), false), p, clamp); },
                   rt::sys::ErrorKind::invalid_config) == "linux.resources.cpu.shares: the minimum allowed cpu-shares is 2");
    CHECK(error_of([&] { apply_writes(v1_writes(res(R"({"cpu":{"shares":300000}})"), false), p, clamp); },
                   rt::sys::ErrorKind::invalid_config) ==
          "linux.resources.cpu.shares: the maximum allowed cpu-shares is 262144");

    // checkBeforeUpdate on v2 compares with memory.current first.
    CHECK(error_of([&] { apply_writes(v2_writes(res(R"({"memory":{"limit":4000,"checkBeforeUpdate":true}})")), p); },
                   rt::sys::ErrorKind::generic) == "linux.resources.memory.limit: rejecting memory limit 4000 <= usage 5000");
    CHECK(error_of([&] {
              apply_writes(v2_writes(res(R"({"memory":{"limit":9000,"swap":5000,"checkBeforeUpdate":true}})")), p);
          }, rt::sys::ErrorKind::invalid_config) ==
          "linux.resources.memory.swap: memory+swap limit should be >= memory limit");
    CHECK(error_of([&] {
              apply_writes(v2_writes(res(R"({"memory":{"limit":4500,"swap":4900,"checkBeforeUpdate":true}})")), p);
          }, rt::sys::ErrorKind::generic) == "linux.resources.memory.swap: rejecting memory+swap limit 4900 <= usage 5000");
    apply_writes(v2_writes(res(R"({"memory":{"limit":9000,"checkBeforeUpdate":true}})")), p);
    CHECK(t.read("v2/c/memory.max") == "9000");
}

TEST_CASE("cgroups cgroupfs: self_join_files makes the v1 directories and opens each hierarchy's tasks file") {
    FakeTree t;
    Layout l = t.hybrid();
    Cgroupfs cg = Cgroupfs::for_container(l, std::string("/pod/c1"), "ignored");
    CHECK(cg.join_mode() == Manager::Join::by_itself);
    t.files("cpuset", {"cpuset.cpus=0-3\n", "cpuset.mems=0\n"});
    const char* v1[] = {"cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids"};
    // The kernel's files in the new directories.
    for (const char* d : v1) t.files(std::string(d) + "/pod/c1", {"tasks"});
    t.files("cpuset/pod", {"cpuset.cpus", "cpuset.mems"});
    t.files("cpuset/pod/c1", {"cpuset.cpus", "cpuset.mems"});
    cg.create();
    auto fds = cg.self_join_files();
    // One per v1 hierarchy, none for cgroup2 (clone3 placed the process there).
    REQUIRE(fds.size() == std::size(v1));
    for (size_t i = 0; i < fds.size(); ++i) {
        char link[64], target[4096];
        std::snprintf(link, sizeof link, "/proc/self/fd/%d", fds[i].get());
        ssize_t n = ::readlink(link, target, sizeof target - 1);
        REQUIRE(n > 0);
        CHECK(std::string(target, static_cast<size_t>(n)) == t.path(std::string(v1[i]) + "/pod/c1/tasks"));
        CHECK((::fcntl(fds[i].get(), F_GETFL) & O_ACCMODE) == O_WRONLY);
        CHECK((::fcntl(fds[i].get(), F_GETFD) & FD_CLOEXEC) != 0);
    }
    CHECK(t.read("cpuset/pod/c1/cpuset.cpus") == "0-3");
    CHECK(t.read("cpuset/pod/c1/cpuset.mems") == "0");
    // A missing tasks file (no such cgroup) is an error naming it.
    std::filesystem::remove(t.path("pids/pod/c1/tasks"));
    CHECK_THROWS_WITH(cg.self_join_files(), doctest::Contains("pids/pod/c1/tasks"));
}

TEST_CASE("cgroups cgroupfs: create, join, set, freeze, pids, stats on a fake hybrid tree") {
    FakeTree t;
    Layout l = t.hybrid();
    Cgroupfs cg = Cgroupfs::for_container(l, std::string("/pod/c1"), "ignored", std::vector<std::string>{"2MB"});
    CHECK(cg.paths().v1.at("memory") == t.path("memory/pod/c1"));
    CHECK(cg.paths().v2 == t.path("unified/pod/c1"));
    CHECK_FALSE(cg.exists());
    t.files("cpuset", {"cpuset.cpus=0-3\n", "cpuset.mems=0\n"});
    // What the kernel would put in new cpuset directories: empty values.
    t.files("cpuset/pod", {"cpuset.cpus", "cpuset.mems"});
    t.files("cpuset/pod/c1", {"cpuset.cpus", "cpuset.mems"});
    t.files("unified/pod", {"cgroup.controllers=hugetlb\n", "cgroup.subtree_control"});
    cg.create();
    CHECK(cg.exists());
    // Before clone: only the cgroup2 leaf; the v1 directories come with the first join().
    CHECK(t.exists("unified/pod/c1"));
    for (const char* d : {"cpu", "cpuacct", "memory", "devices", "freezer", "blkio", "pids"})
        CHECK_FALSE(t.exists(std::string(d) + "/pod/c1"));
    CHECK(t.read("cpuset/pod/c1/cpuset.cpus").empty());
    CHECK(t.read("unified/cgroup.subtree_control") == "+hugetlb");
    CHECK(t.read("unified/pod/cgroup.subtree_control") == "+hugetlb");

    rt::sys::UniqueFd leaf = cg.open_leaf();
    REQUIRE(leaf);
    struct stat st;
    REQUIRE(::fstat(leaf.get(), &st) == 0);
    CHECK(S_ISDIR(st.st_mode));

    // The kernel's control files.
    for (const char* d : {"cpu", "cpuacct", "cpuset", "memory", "devices", "blkio", "pids", "unified"})
        t.files(std::string(d) + "/pod/c1", {"cgroup.procs"});
    t.files("freezer/pod/c1", {"cgroup.procs", "freezer.state=THAWED\n"});
    t.files("memory/pod/c1", {"memory.limit_in_bytes", "memory.memsw.limit_in_bytes"});
    t.files("pids/pod/c1", {"pids.max", "pids.current=1\n"});
    t.files("devices/pod/c1", {"devices.allow", "devices.deny"});
    t.files("unified/pod/c1", {"hugetlb.2MB.max", "hugetlb.2MB.rsvd.max", "hugetlb.2MB.current=0\n",
                               "hugetlb.2MB.events=max 0\n"});

    cg.join(4242);
    for (const char* d : {"cpu", "memory", "freezer", "unified"})
        CHECK(t.read(std::string(d) + "/pod/c1/cgroup.procs") == "4242");
    CHECK(t.read("cpuset/pod/cpuset.cpus") == "0-3");
    CHECK(t.read("cpuset/pod/c1/cpuset.cpus") == "0-3");
    CHECK(t.read("cpuset/pod/c1/cpuset.mems") == "0");
    // The directories are made (and cpuset initialised) by the first join only.
    std::ofstream(t.path("cpuset/pod/c1/cpuset.cpus")) << "1";
    cg.join(4243);
    CHECK(t.read("memory/pod/c1/cgroup.procs") == "4243");
    CHECK(t.read("cpuset/pod/c1/cpuset.cpus") == "1");

    Lines warnings = cg.set(res(R"({"memory":{"limit":-1,"kernel":5},"pids":{"limit":64},
        "hugepageLimits":[{"pageSize":"2MB","limit":2097152}],"devices":[{"allow":false,"access":"rwm"}]})"),
                            true);
    CHECK(warnings == Lines{"linux.resources.memory.kernel: kernel memory limits are not supported, ignored"});
    CHECK(t.read("memory/pod/c1/memory.limit_in_bytes") == "-1");
    CHECK(t.read("memory/pod/c1/memory.memsw.limit_in_bytes") == "-1");
    CHECK(t.read("pids/pod/c1/pids.max") == "64");
    CHECK(t.read("unified/pod/c1/hugetlb.2MB.rsvd.max") == "2097152");
    // One open per file, one rule per write: a regular file shows them all in order.
    CHECK(t.read("devices/pod/c1/devices.deny") == "a *:* rwma *:* rwm");
    CHECK(t.read("devices/pod/c1/devices.allow") ==
          "c *:* mb *:* mc 1:3 rwmc 1:8 rwmc 1:7 rwmc 5:0 rwmc 1:5 rwmc 1:9 rwmc 136:* rwmc 5:2 rwmc 10:200 rwm");

    CHECK(cg.freezer_state() == FreezerState::thawed);
    cg.freeze(true);
    CHECK(t.read("freezer/pod/c1/freezer.state") == "FROZEN");
    CHECK(cg.freezer_state() == FreezerState::frozen);
    cg.freeze(false);
    CHECK(cg.freezer_state() == FreezerState::thawed);

    t.files("devices/pod/c1/sub", {"cgroup.procs=5\n6\n"});
    std::ofstream(t.path("devices/pod/c1/cgroup.procs")) << "4242\n";
    CHECK(cg.pids() == std::vector<pid_t>{4242, 5, 6});

    Stats s = cg.stats();
    CHECK(s.pids.current == 1);
    CHECK(s.pids.limit == 64);
    REQUIRE(s.hugetlb.count("2MB") == 1);
    CHECK(s.hugetlb["2MB"].failcnt == 0);
}

TEST_CASE("cgroups cgroupfs: destroy removes the leaf and its children, keeps the parents") {
    FakeTree t;
    Layout l = t.hybrid();
    Cgroupfs cg = Cgroupfs::for_container(l, std::nullopt, "ctr");
    cg.create();
    t.mkdirs("memory/ctr/child/grandchild");
    CHECK(cg.exists());
    cg.destroy();
    CHECK_FALSE(cg.exists());
    CHECK_FALSE(t.exists("memory/ctr"));
    CHECK_FALSE(t.exists("unified/ctr"));
    CHECK(t.exists("memory"));
    cg.destroy();  // already gone: fine
    CHECK(cg.pids().empty());
}

TEST_CASE("cgroups cgroupfs: unified host, cgroup.freeze and cgroup.events") {
    FakeTree t;
    Layout l = t.unified();
    Cgroupfs cg = Cgroupfs::for_container(l, std::string("a/b"), "x");
    CHECK(cg.paths().v1.empty());
    CHECK(cg.paths().v2 == t.path("v2/a/b"));  // own cgroup "/": its parent is "/" too
    cg.create();
    CHECK(t.read("v2/cgroup.subtree_control") == "+cpu +memory +pids");
    t.files("v2/a/b", {"cgroup.freeze=0\n", "cgroup.events=populated 1\nfrozen 1\n", "pids.max", "cpu.max",
                       "cgroup.procs=7\n"});
    CHECK(cg.freezer_state() == FreezerState::thawed);
    cg.freeze(true);
    CHECK(cg.freezer_state() == FreezerState::frozen);
    std::ofstream(t.path("v2/a/b/cgroup.events")) << "populated 1\nfrozen 0\n";
    cg.freeze(false);
    CHECK(cg.freezer_state() == FreezerState::thawed);
    // Device rules need a real cgroup2 directory (a BPF program), not a fake tree.
    CHECK_THROWS_WITH(cg.set(res(R"({"pids":{"limit":3}})"), true),
                      doctest::Contains("linux.resources.devices: "));
    Lines w = cg.set(res(R"({"pids":{"limit":3},"cpu":{"quota":1000}})"), false);
    CHECK(w.empty());
    CHECK(t.read("v2/a/b/cpu.max") == "1000 100000");
    CHECK(cg.pids() == std::vector<pid_t>{7});
}
