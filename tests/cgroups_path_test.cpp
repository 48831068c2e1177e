#include <doctest/doctest.h>

#include "tests/cgroups_test_util.hpp"

#include <string>

#include "cgroups/cgroupfs.hpp"
#include "cgroups/layout.hpp"
#include "cgroups/path.hpp"
#include "sys/error.hpp"

using namespace rt::cgroups;
using cgtest::Lines;
using cgtest::lines;
using cgtest::res;

namespace {

std::string error_of(auto&& f) { return cgtest::error_of(f, rt::sys::ErrorKind::invalid_config); }

Layout hybrid() {
    return parse_layout(
        "31 30 0:28 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n"
        "32 30 0:29 / /sys/fs/cgroup/cpuacct rw - cgroup cgroup rw,cpuacct\n"
        "34 30 0:31 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
        "39 30 0:36 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd\n"
        "40 30 0:37 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n",
        "9:name=systemd:/\n4:memory:/process_api/e707\n2:cpuacct:/\n1:cpu:/\n0::/\n", "hugetlb");
}

Layout unified(const char* own) {
    return parse_layout("28 24 0:24 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n",
                        std::string("0::") + own + "\n", "cpu io memory pids");
}

}  // namespace

TEST_CASE("cgroups path: clean_path is runc's utils.CleanPath") {
    CHECK(clean_path("") == "");
    CHECK(clean_path("rootfs") == "rootfs");
    CHECK(clean_path("../../../var") == "var");
    CHECK(clean_path("/../../../var") == "/var");
    CHECK(clean_path("/foo/../../../var") == "/var");
    CHECK(clean_path("/foo/bar/") == "/foo/bar");
    CHECK(clean_path("/foo/bar/../") == "/foo");
    CHECK(clean_path("a/./b//c") == "a/b/c");
    CHECK(clean_path("a/../../b") == "b");
    CHECK(clean_path(".") == ".");
    CHECK(clean_path("/") == "/");
}

TEST_CASE("cgroups path: inner path defaults to the id and refuses root or own cgroup") {
    CHECK(inner_path(std::nullopt, "t1") == "t1");
    CHECK(inner_path(std::string(""), "t1") == "t1");
    CHECK(inner_path(std::string("/machine/../c1"), "t1") == "/c1");
    CHECK(inner_path(std::string("../../escape"), "t1") == "escape");
    CHECK(error_of([] { inner_path(std::string("/"), "t1"); }) ==
          "linux.cgroupsPath: `/` names the root cgroup or the runtime's own cgroup");
    CHECK(error_of([] { inner_path(std::string("a/.."), "t1"); }) ==
          "linux.cgroupsPath: `a/..` names the root cgroup or the runtime's own cgroup");
    CHECK(error_of([] { inner_path(std::string("/x/../.."), "t1"); }) ==
          "linux.cgroupsPath: `/x/../..` names the root cgroup or the runtime's own cgroup");
}

TEST_CASE("cgroups path: hybrid, absent cgroupsPath = <own cgroup>/<id> (as runc 1.1.5)") {
    Layout l = hybrid();
    Paths p = resolve_paths(l, inner_path(std::nullopt, "t1"));
    CHECK(p.v1.at("cpu") == "/sys/fs/cgroup/cpu/t1");
    CHECK(p.v1.at("cpuacct") == "/sys/fs/cgroup/cpuacct/t1");
    CHECK(p.v1.at("memory") == "/sys/fs/cgroup/memory/process_api/e707/t1");
    CHECK(p.v1.at("name=systemd") == "/sys/fs/cgroup/systemd/t1");
    // Hybrid: relative to the own cgroup itself, as runc's v1 manager.
    CHECK(p.v2 == "/sys/fs/cgroup/unified/t1");
    CHECK(p.v1_dirs(l) == std::vector<std::string>{"/sys/fs/cgroup/cpu/t1", "/sys/fs/cgroup/cpuacct/t1",
                                                    "/sys/fs/cgroup/memory/process_api/e707/t1",
                                                    "/sys/fs/cgroup/systemd/t1"});
}

TEST_CASE("cgroups path: absolute and nested relative paths") {
    Layout l = hybrid();
    Paths a = resolve_paths(l, inner_path(std::string("/machine/c1"), "t1"));
    CHECK(a.v1.at("memory") == "/sys/fs/cgroup/memory/machine/c1");
    CHECK(a.v1.at("cpu") == "/sys/fs/cgroup/cpu/machine/c1");
    CHECK(a.v2 == "/sys/fs/cgroup/unified/machine/c1");
    Paths r = resolve_paths(l, inner_path(std::string("pod/c1"), "t1"));
    CHECK(r.v1.at("memory") == "/sys/fs/cgroup/memory/process_api/e707/pod/c1");
    CHECK(r.v1.at("cpu") == "/sys/fs/cgroup/cpu/pod/c1");
}

TEST_CASE("cgroups path: unified host, relative goes under the parent of the own cgroup") {
    Layout l = unified("/user.slice/user-1000.slice/session-3.scope");
    Paths r = resolve_paths(l, inner_path(std::string("a/b"), "t1"));
    CHECK(r.v1.empty());
    CHECK(r.v2 == "/sys/fs/cgroup/user.slice/user-1000.slice/a/b");
    CHECK(resolve_paths(l, "/x").v2 == "/sys/fs/cgroup/x");
    CHECK(resolve_paths(unified("/"), "t1").v2 == "/sys/fs/cgroup/t1");
    CHECK(resolve_paths(unified("/init.scope"), "t1").v2 == "/sys/fs/cgroup/t1");
}

TEST_CASE("cgroups path: a container's view (mount root = own cgroup, no cgroupns)") {
    Layout l = parse_layout("41 30 0:31 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
                            "42 30 0:37 /docker/abc /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n",
                            "4:memory:/docker/abc/sub\n0::/elsewhere\n", "");
    Paths p = resolve_paths(l, "t1");
    CHECK(p.v1.at("memory") == "/sys/fs/cgroup/memory/sub/t1");
    CHECK(p.v2 == "/sys/fs/cgroup/unified/t1");  // own cgroup not visible: the mount root
}

TEST_CASE("cgroups path: systemd slice expansion (runc ExpandSlice)") {
    CHECK(expand_slice("system.slice") == "/system.slice");
    CHECK(expand_slice("test-a-b.slice") == "/test.slice/test-a.slice/test-a-b.slice");
    CHECK(expand_slice("-.slice") == "/");
    for (const char* bad : {"test", "test/a.slice", "-test.slice", "test--a.slice", ".slice", "a-.slice", ""})
        CHECK(error_of([&] { expand_slice(bad); }) == std::string("invalid slice name: ") + bad);
}

TEST_CASE("cgroups path: systemd slice:prefix:name") {
    SystemdUnit d = parse_systemd_path(std::string("system.slice:docker:abc"), "abc");
    CHECK(d.slice == "system.slice");
    CHECK(d.unit == "docker-abc.scope");
    CHECK(d.path == "/system.slice/docker-abc.scope");

    SystemdUnit k = parse_systemd_path(std::string("kubepods-besteffort-pod12.slice:cri-containerd:f00"), "f00");
    CHECK(k.path == "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod12.slice/cri-containerd-f00.scope");

    CHECK(parse_systemd_path(std::string(":libpod:x"), "x").path == "/system.slice/libpod-x.scope");
    CHECK(parse_systemd_path(std::string("machine.slice:p:foo.slice"), "x").path == "/machine.slice/foo.slice");
    CHECK(parse_systemd_path(std::string("-.slice:p:c"), "x").path == "/p-c.scope");
    CHECK(parse_systemd_path(std::nullopt, "c9").path == "/system.slice/berth-c9.scope");

    CHECK(error_of([] { parse_systemd_path(std::string("a:b"), "x"); }) ==
          "linux.cgroupsPath: expected \"slice:prefix:name\" for the systemd cgroup driver, got `a:b`");
    CHECK(error_of([] { parse_systemd_path(std::string("x.slice:p:a/b"), "x"); }) ==
          "linux.cgroupsPath: invalid unit name part `a/b`");
    CHECK(error_of([] { parse_systemd_path(std::string("bad:p:c"), "x"); }) == "invalid slice name: bad");
}

TEST_CASE("cgroups path: clone3 into the leaf joins everything only on a unified host") {
    // exec and create skip the CgroupPlease round trip exactly then; with
    // v1 hierarchies the process joins them itself.
    using Join = rt::cgroups::Manager::Join;
    CHECK(Cgroupfs::for_container(unified("/"), std::string("/c1"), "c1").join_mode() == Join::by_clone);
    CHECK(Cgroupfs::for_container(hybrid(), std::string("/c1"), "c1").join_mode() == Join::by_itself);
    Layout v1only = parse_layout("34 30 0:31 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n",
                                 "4:memory:/\n", "");
    CHECK(Cgroupfs::for_container(v1only, std::string("/c1"), "c1").join_mode() == Join::by_itself);
}
