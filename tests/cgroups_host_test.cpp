// The cgroupfs driver against the real kernel: needs root, skipped otherwise
// and where /sys/fs/cgroup is not writable. Creates one cgroup named after
// the test's pid (relative, like a container without cgroupsPath), moves a
// forked child into it and removes it again.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <sstream>
#include <string>

#include "cgroups/cgroupfs.hpp"
#include "spec/parse.hpp"
#include "sys/error.hpp"
#include "sys/fd.hpp"

using namespace rt::cgroups;

namespace {

std::string slurp(const std::string& path) {
    std::ifstream f(path);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

}  // namespace

TEST_CASE("cgroups host: create, join, set, stats, freeze, destroy on this kernel" * doctest::skip(geteuid() != 0)) {
    Layout layout = detect_layout();
    std::string id = "berth-unit-" + std::to_string(getpid());
    Cgroupfs cg = Cgroupfs::for_container(layout, std::nullopt, id);
    // create() enables controllers for the children of the cgroup2 root (as
    // runc's fs2 does); the test puts the root's subtree_control back.
    std::string root_control = layout.v2 ? layout.v2->mountpoint + "/cgroup.subtree_control" : "";
    std::string enabled_before = root_control.empty() ? "" : slurp(root_control);
    rt::sys::ScopeExit cleanup([&] {
        try {
            cg.destroy();
        } catch (...) {
        }
        if (root_control.empty()) return;
        for (const auto& c : layout.v2->controllers)
            if (enabled_before.find(c) == std::string::npos) std::ofstream(root_control) << "-" << c;
    });
    try {
        cg.create();
    } catch (const rt::sys::Error& e) {
        if (e.errnum() == EROFS || e.errnum() == EACCES || e.errnum() == EPERM) {
            MESSAGE("cgroupfs not writable here, skipped: " << e.what());
            return;
        }
        throw;
    }
    CHECK(cg.exists());
    // As create does: join (which makes the v1 directories) before set().
    pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        pause();
        _exit(0);
    }
    rt::sys::ChildGuard guard(child);
    cg.join(child);
    auto warnings = cg.set(rt::spec::parse_resources(R"({"memory":{"limit":67108864},"pids":{"limit":20},
        "cpu":{"shares":512,"quota":50000,"period":100000}})"), true);
    INFO("warnings: " << warnings.size());
    auto sizes = Cgroupfs::host_hugepage_sizes();
    bool hugetlb = std::find(sizes.begin(), sizes.end(), "2MB") != sizes.end() &&
                   (layout.v1_mount("hugetlb") != nullptr || layout.on_v2("hugetlb"));
    if (hugetlb) {
        // On the CI host this is the hybrid case: hugetlb lives on cgroup2.
        cg.set(rt::spec::parse_resources(R"({"hugepageLimits":[{"pageSize":"2MB","limit":4194304}]})"), false);
        std::string file = layout.on_v2("hugetlb") ? cg.paths().v2 + "/hugetlb.2MB.max"
                                                   : cg.paths().v1.at("hugetlb") + "/hugetlb.2MB.limit_in_bytes";
        CHECK(slurp(file) == "4194304\n");
    }

    auto pids = cg.pids();
    CHECK(std::find(pids.begin(), pids.end(), child) != pids.end());
    CHECK(slurp("/proc/" + std::to_string(child) + "/cgroup").find("/" + id + "\n") != std::string::npos);

    Stats s = cg.stats();
    CHECK(s.pids.current == 1);
    CHECK(s.pids.limit == 20);
    CHECK(s.memory.usage.limit == 67108864);
    CHECK(stats_event_json(id, s).find("\"pids\":{\"current\":1,\"limit\":20}") != std::string::npos);
    if (hugetlb) CHECK(s.hugetlb.count("2MB") == 1);

    if (const V1Mount* m = layout.v1_mount("cpu")) {
        CHECK(slurp(cg.paths().v1.at("cpu") + "/cpu.cfs_quota_us") == "50000\n");
        CHECK(slurp(cg.paths().v1.at("cpu") + "/cpu.shares") == "512\n");
        (void)m;
    } else {
        CHECK(slurp(cg.paths().v2 + "/cpu.max") == "50000 100000\n");
    }
    if (layout.v1_mount("devices") != nullptr) {
        std::string list = slurp(cg.paths().v1.at("devices") + "/devices.list");
        CHECK(list.find("c 1:3 rwm\n") != std::string::npos);
        CHECK(list.find("a *:* rwm") == std::string::npos);
    }

    cg.freeze(true);
    CHECK(cg.freezer_state() == FreezerState::frozen);
    cg.freeze(false);
    CHECK(cg.freezer_state() == FreezerState::thawed);

    kill(child, SIGKILL);
    waitpid(guard.release(), nullptr, 0);
    cg.destroy();
    CHECK_FALSE(cg.exists());
}
