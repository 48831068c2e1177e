#include <doctest/doctest.h>

#include <unistd.h>

#include <string>

#include "cgroups/layout.hpp"
#include "cgroups/path.hpp"
#include "sys/error.hpp"

using namespace rt::cgroups;

namespace {

// This project's CI host (Debian, systemd hybrid): v1 controllers one per
// mount, cgroup2 at /sys/fs/cgroup/unified holding hugetlb.
const char* kHybridMountinfo =
    "22 1 0:20 / /sys rw,nosuid - sysfs sysfs rw\n"
    "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "32 30 0:29 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
    "33 30 0:30 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
    "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "35 30 0:32 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n"
    "36 30 0:33 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
    "37 30 0:34 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio\n"
    "38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
    "39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
    "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
const char* kHybridSelf =
    "9:name=systemd:/\n8:pids:/\n7:blkio:/\n6:freezer:/\n5:devices:/\n"
    "4:memory:/process_api/e70741368f03706bad00d556cb22d7d8\n3:cpuset:/\n2:cpuacct:/\n1:cpu:/\n0::/\n";

const char* kUnifiedMountinfo =
    "24 1 0:22 / /sys rw - sysfs sysfs rw\n"
    "28 24 0:24 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 "
    "rw,nsdelegate,memory_recursiveprot\n";

const char* kLegacyMountinfo =
    "25 18 0:23 / /sys/fs/cgroup ro - tmpfs tmpfs ro,mode=755\n"
    "26 25 0:24 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,release_agent=/lib/systemd/x,name=systemd\n"
    "28 25 0:26 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
    "29 25 0:27 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
    "30 25 0:28 / /sys/fs/cgroup/net_cls,net_prio rw - cgroup cgroup rw,net_cls,net_prio\n"
    "31 25 0:29 / /sys/fs/cgroup/devices rw - cgroup cgroup rw,devices\n"
    "32 25 0:30 / /sys/fs/cgroup/cpuset rw - cgroup cgroup rw,cpuset,clone_children\n";
const char* kLegacySelf =
    "7:cpuset:/\n6:devices:/user.slice\n5:net_cls,net_prio:/\n4:memory:/user.slice/user-1000.slice\n"
    "3:cpu,cpuacct:/user.slice\n1:name=systemd:/user.slice/user-1000.slice/session-2.scope\n";

}  // namespace

TEST_CASE("cgroups layout: hybrid host (this CI machine)") {
    Layout l = parse_layout(kHybridMountinfo, kHybridSelf, "hugetlb\n");
    CHECK(l.mode == Mode::hybrid);
    CHECK(std::string(mode_name(l.mode)) == "hybrid");
    REQUIRE(l.v1.size() == 9);
    CHECK(l.v1[0].mountpoint == "/sys/fs/cgroup/cpu");
    CHECK(l.v1[0].controllers == std::vector<std::string>{"cpu"});
    CHECK(l.v1[8].controllers == std::vector<std::string>{"name=systemd"});
    REQUIRE(l.v1_mount("memory") != nullptr);
    CHECK(l.v1_mount("memory")->mountpoint == "/sys/fs/cgroup/memory");
    CHECK(l.v1_mount("memory")->own == "/process_api/e70741368f03706bad00d556cb22d7d8");
    CHECK(l.v1_mount("cpu")->own == "/");
    CHECK(l.v1_mount("hugetlb") == nullptr);
    CHECK(l.v1_mount("name=systemd")->mountpoint == "/sys/fs/cgroup/systemd");
    REQUIRE(l.v2.has_value());
    CHECK(l.v2->mountpoint == "/sys/fs/cgroup/unified");
    CHECK(l.v2->own == "/");
    CHECK(l.v2->controllers == std::vector<std::string>{"hugetlb"});
    CHECK(l.on_v2("hugetlb"));
    CHECK_FALSE(l.on_v2("memory"));
    CHECK_FALSE(l.on_v2("io"));
}

TEST_CASE("cgroups layout: unified host") {
    Layout l = parse_layout(kUnifiedMountinfo, "0::/user.slice/user-1000.slice/session-3.scope\n",
                            "cpuset cpu io memory hugetlb pids rdma misc\n");
    CHECK(l.mode == Mode::unified);
    CHECK(l.v1.empty());
    REQUIRE(l.v2.has_value());
    CHECK(l.v2->mountpoint == "/sys/fs/cgroup");
    CHECK(l.v2->own == "/user.slice/user-1000.slice/session-3.scope");
    CHECK(l.v2->controllers.size() == 8);
    CHECK(l.on_v2("memory"));
    CHECK(l.on_v2("io"));
    CHECK_FALSE(l.on_v2("net_cls"));
    CHECK(find_v2_mountpoint(kUnifiedMountinfo) == "/sys/fs/cgroup");
}

TEST_CASE("cgroups layout: legacy host with co-mounted controllers and mount options") {
    Layout l = parse_layout(kLegacyMountinfo, kLegacySelf, "");
    CHECK(l.mode == Mode::legacy);
    CHECK_FALSE(l.v2.has_value());
    REQUIRE(l.v1.size() == 6);
    const V1Mount* cpu = l.v1_mount("cpuacct");
    REQUIRE(cpu != nullptr);
    CHECK(cpu == l.v1_mount("cpu"));
    CHECK(cpu->mountpoint == "/sys/fs/cgroup/cpu,cpuacct");
    CHECK(cpu->controllers == std::vector<std::string>{"cpu", "cpuacct"});
    CHECK(cpu->own == "/user.slice");
    // xattr, release_agent=, clone_children are mount options, not controllers.
    CHECK(l.v1_mount("name=systemd")->controllers == std::vector<std::string>{"name=systemd"});
    CHECK(l.v1_mount("cpuset")->controllers == std::vector<std::string>{"cpuset"});
    CHECK(l.v1_mount("net_prio")->own == "/");
    CHECK(l.v1_mount("memory")->own == "/user.slice/user-1000.slice");
    CHECK(find_v2_mountpoint(kLegacyMountinfo).empty());
}

TEST_CASE("cgroups layout: duplicate mounts, escapes and a container's view") {
    // A second mount of the same hierarchy outside /sys/fs/cgroup comes
    // first: the one under /sys/fs/cgroup wins. The mount root is the
    // container's own cgroup (no cgroup namespace).
    const char* mi =
        "40 30 0:31 /docker/abc /mnt/cg\\040mem rw - cgroup cgroup rw,memory\n"
        "41 30 0:31 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
        "42 30 0:37 /docker/abc /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n";
    Layout l = parse_layout(mi, "4:memory:/docker/abc\n0::/docker/abc\n", "");
    CHECK(l.mode == Mode::hybrid);
    REQUIRE(l.v1.size() == 1);
    CHECK(l.v1[0].mountpoint == "/sys/fs/cgroup/memory");
    CHECK(l.v1[0].root == "/docker/abc");
    CHECK(l.v2->root == "/docker/abc");
    CHECK(l.v2->controllers.empty());

    Layout only_other = parse_layout("40 30 0:31 / /mnt/cg\\040mem rw - cgroup cgroup rw,memory\n", "", "");
    CHECK(only_other.v1[0].mountpoint == "/mnt/cg mem");
    CHECK(only_other.v1[0].own == "/");
}

TEST_CASE("cgroups layout: no cgroup filesystem is an unsupported error") {
    try {
        parse_layout("22 1 0:20 / /sys rw - sysfs sysfs rw\n", "", "");
        FAIL("no error");
    } catch (const rt::sys::Error& e) {
        CHECK(e.kind() == rt::sys::ErrorKind::unsupported);
        CHECK(std::string(e.what()) == "cgroups: no cgroup filesystem is mounted on this host");
    }
    // A named hierarchy alone is not a controller: with cgroup2 it is unified.
    Layout l = parse_layout("26 25 0:24 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd\n"
                            "27 25 0:25 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n",
                            "1:name=systemd:/\n0::/a\n", "memory");
    CHECK(l.mode == Mode::unified);
}

TEST_CASE("cgroups layout: detect_layout on the real host is consistent") {
    Layout l = detect_layout();
    for (const auto& m : l.v1) {
        CHECK_FALSE(m.controllers.empty());
        CHECK(access(m.mountpoint.c_str(), F_OK) == 0);
    }
    if (l.v2) CHECK(access((l.v2->mountpoint + "/cgroup.procs").c_str(), F_OK) == 0);
    if (l.mode == Mode::unified)
        CHECK(l.v2.has_value());
    else
        CHECK_FALSE(l.v1.empty());
}
