// Plan building: the decisions the child executes, checked as data.
#include <doctest/doctest.h>

#include <linux/mount.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <string>

#include "plan.hpp"
#include "spec/features.hpp"
#include "spec/parse.hpp"
#include "sys/error.hpp"

using namespace rt;

namespace {

spec::Mount mnt(std::string dest, std::optional<std::string> type, std::optional<std::string> src,
                std::vector<std::string> opts) {
    spec::Mount m;
    m.destination = std::move(dest);
    m.type = std::move(type);
    m.source = std::move(src);
    m.options = std::move(opts);
    return m;
}

spec::Spec default_spec() {
    auto s = spec::parse_spec(spec::default_spec_json(false));
    s.root->path = "/";  // exists; the plan does not look inside
    return s;
}

plan::ContainerInput input() {
    plan::ContainerInput in;
    in.id = "c1";
    in.bundle = "/tmp";
    return in;
}

const plan::MountStep* find_dest(const plan::ChildPlan& p, std::string_view dest) {
    for (const auto& m : p.mounts)
        if (m.destination == dest) return &m;
    return nullptr;
}

}  // namespace

TEST_CASE("plan: filesystem mount options become attributes and fsconfig params") {
    auto m = plan::plan_mount(mnt("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}), "/b");
    CHECK(m.kind == plan::MountStep::Kind::filesystem);
    CHECK(m.fstype == "tmpfs");
    CHECK(m.attr_set == (MOUNT_ATTR_NOSUID | MOUNT_ATTR_STRICTATIME));
    REQUIRE(m.params.size() == 2);
    CHECK(m.params[0].key == "mode");
    CHECK(m.params[0].value == "755");
    CHECK(m.params[1].key == "size");
    auto d = plan::plan_mount(mnt("/dev/pts", "devpts", "devpts", {"newinstance", "gid=5"}), "/b");
    REQUIRE(d.params.size() == 2);
    CHECK(d.params[0].key == "newinstance");
    CHECK(d.params[0].value.empty());
}

TEST_CASE("plan: later options override earlier ones") {
    auto m = plan::plan_mount(mnt("/x", "tmpfs", "tmpfs", {"ro", "rw", "noexec", "exec"}), "/b");
    CHECK((m.attr_set & MOUNT_ATTR_RDONLY) == 0);
    CHECK((m.attr_set & MOUNT_ATTR_NOEXEC) == 0);
}

TEST_CASE("plan: bind mounts, relative sources, recursive attributes, propagation") {
    auto m = plan::plan_mount(mnt("/etc/hostname", "bind", "/etc/hostname", {"rbind", "ro", "rnosuid", "rslave"}), "/b");
    CHECK(m.kind == plan::MountStep::Kind::bind);
    CHECK(m.recursive);
    CHECK(m.file_target);
    CHECK(m.attr_set == MOUNT_ATTR_RDONLY);
    CHECK(m.rattr_set == MOUNT_ATTR_NOSUID);
    CHECK(m.propagation == MS_SLAVE);
    CHECK(m.propagation_recursive);
    auto r = plan::plan_mount(mnt("/data", std::nullopt, "tmp", {"bind"}), "/");
    CHECK(r.source == "//tmp");
    CHECK_FALSE(r.file_target);
    CHECK_FALSE(r.recursive);
}

TEST_CASE("plan: bad mounts are refused with the destination named") {
    CHECK_THROWS_WITH(plan::plan_mount(mnt("/x", "bind", "/no/such/source", {"bind"}), "/b"),
                      doctest::Contains("mount `/x`: stat bind source `/no/such/source`"));
    CHECK_THROWS_WITH(plan::plan_mount(mnt("/x", std::nullopt, "foo", {}), "/b"),
                      doctest::Contains("mount `/x`: type is required"));
    CHECK_THROWS_WITH(plan::plan_mount(mnt("/x", "tmpfs", "tmpfs", {"idmap"}), "/b"),
                      doctest::Contains("option `idmap` is not supported"));
}

TEST_CASE("plan: the default spec") {
    auto s = default_spec();
    auto p = plan::build_container_plan(s, input());
    CHECK_FALSE(p.new_user);
    CHECK(p.joins.empty());
    CHECK(p.unshare_flags == (CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS));
    CHECK(p.root_propagation == (MS_SLAVE | MS_REC));
    CHECK(p.readonly_root);
    CHECK(p.default_devices);
    CHECK(p.devices.size() == 6);
    CHECK(p.devices[0].path == "/dev/null");
    CHECK(p.devices[0].rdev == makedev(1, 3));
    CHECK(p.devices[0].mode == (S_IFCHR | 0666));
    REQUIRE(find_dest(p, "/proc") != nullptr);
    CHECK(find_dest(p, "/proc")->fstype == "proc");
    CHECK(p.hostname == std::optional<std::string>("runc"));
    CHECK(p.keyring_name == "_ses.c1");
    // CAP_AUDIT_WRITE(29), CAP_KILL(5), CAP_NET_BIND_SERVICE(10)
    uint64_t want = (1ULL << 29) | (1ULL << 5) | (1ULL << 10);
    CHECK(p.caps[0] == want);
    CHECK(p.caps[1] == want);
    CHECK(p.caps[2] == 0);
    CHECK(p.caps[3] == want);
    CHECK(p.rlimits.size() == 1);
    CHECK(p.rlimits[0].resource == RLIMIT_NOFILE);
    CHECK(p.rlimits[0].value.rlim_cur == 1024);
    CHECK(p.argv.back() == nullptr);
    CHECK(std::string(p.argv[0]) == "sh");
    CHECK(p.envp.size() == p.env_storage.size() + 1);
    CHECK(std::find(p.path_dirs.begin(), p.path_dirs.end(), "/usr/bin") != p.path_dirs.end());
    CHECK(p.preserve_upto == 3);
}

TEST_CASE("plan: namespaces: joins ordered user first, mount last; user and time") {
    auto s = default_spec();
    s.linux->namespaces = {{"mount", "/proc/1/ns/mnt"}, {"network", "/proc/1/ns/net"},
                           {"user", "/proc/1/ns/user"}, {"pid", std::nullopt},
                           {"time", std::nullopt}};
    s.linux->time_offsets["monotonic"] = {5, 0};
    auto p = plan::build_container_plan(s, input());
    REQUIRE(p.joins.size() == 3);
    CHECK(p.joins[0].nstype == CLONE_NEWUSER);
    CHECK(p.joins[1].nstype == CLONE_NEWNET);
    CHECK(p.joins[2].nstype == CLONE_NEWNS);
    CHECK(p.unshare_flags == (CLONE_NEWPID | CLONE_NEWTIME));
    CHECK(p.timens_offsets == "monotonic 5 0\n");
    CHECK(p.bind_devices);  // joined user namespace: mknod is not allowed

    auto u = default_spec();
    u.linux->namespaces.push_back({"user", std::nullopt});
    u.linux->uid_mappings = {{0, 100000, 65536}};
    u.linux->gid_mappings = {{0, 200000, 1000}, {1000, 300000, 1}};
    auto pu = plan::build_container_plan(u, input());
    CHECK(pu.new_user);
    CHECK((pu.unshare_flags & CLONE_NEWUSER) == 0);
    CHECK(pu.uid_map == "0 100000 65536\n");
    CHECK(pu.gid_map == "0 200000 1000\n1000 300000 1\n");
}

TEST_CASE("plan: config devices replace default ones and keep their mode and owner") {
    auto s = default_spec();
    spec::Device d;
    d.type = "c";
    d.path = "/dev/null";
    d.major = 1;
    d.minor = 3;
    d.file_mode = 0600;
    d.uid = 7;
    spec::Device f;
    f.type = "p";
    f.path = "/dev/fifo";
    s.linux->devices = {d, f};
    auto p = plan::build_container_plan(s, input());
    CHECK(p.devices.size() == 7);
    CHECK(p.devices[0].mode == (S_IFCHR | 0600));
    CHECK(p.devices[0].uid == 7);
    CHECK(p.devices.back().mode == (S_IFIFO | 0666));
}

TEST_CASE("plan: /dev bound from the host: no default devices") {
    auto s = default_spec();
    s.mounts.push_back(mnt("/dev", "bind", "/dev", {"rbind"}));
    auto p = plan::build_container_plan(s, input());
    CHECK_FALSE(p.default_devices);
    CHECK(p.devices.empty());
}

TEST_CASE("plan: rootfsPropagation") {
    auto s = default_spec();
    s.linux->rootfs_propagation = "private";
    CHECK(plan::build_container_plan(s, input()).root_propagation == (MS_PRIVATE | MS_REC));
    s.linux->rootfs_propagation = "shared";
    auto p = plan::build_container_plan(s, input());
    CHECK(p.root_propagation == (MS_SLAVE | MS_REC));
    CHECK(p.shared_root_after_pivot);
    s.linux->rootfs_propagation = "unbindable";
    CHECK(plan::build_container_plan(s, input()).unbindable_root_after_pivot);
}

TEST_CASE("plan: sysctls become /proc/sys paths; LISTEN_FDS and preserved fds") {
    auto s = default_spec();
    s.linux->sysctl = {{"net.ipv4.ip_forward", "1"}};
    auto in = input();
    in.listen_fds = 2;
    in.preserve_fds = 1;
    auto p = plan::build_container_plan(s, in);
    REQUIRE(p.sysctls.size() == 1);
    CHECK(p.sysctls[0].path == "net/ipv4/ip_forward");
    CHECK(p.preserve_upto == 6);
    CHECK(std::find(p.env_storage.begin(), p.env_storage.end(), "LISTEN_FDS=2") != p.env_storage.end());
    CHECK(std::find(p.env_storage.begin(), p.env_storage.end(), "LISTEN_PID=1") != p.env_storage.end());
}

TEST_CASE("plan: a cgroup mount expands to the host's hierarchies") {
    plan::MountStep base;
    base.destination = "/sys/fs/cgroup";
    base.fstype = "cgroup";
    base.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID;
    auto layout = cgroups::detect_layout();
    auto paths = cgroups::resolve_paths(layout, "berth-plan-test");
    auto steps = plan::plan_cgroup_mount(base, true, layout, paths);
    REQUIRE_FALSE(steps.empty());
    if (steps.size() == 1) {  // unified host
        CHECK(steps[0].fstype == "cgroup2");
        CHECK(steps[0].attr_set == base.attr_set);
        CHECK(steps[0].needs_cgroup);
    } else {  // v1 or hybrid: tmpfs, one mount per hierarchy, then read-only
        CHECK(steps.front().fstype == "tmpfs");
        CHECK((steps.front().attr_set & MOUNT_ATTR_RDONLY) == 0);
        CHECK_FALSE(steps.front().needs_cgroup);  // the init mounts it before its cgroup is made
        CHECK(steps.back().kind == plan::MountStep::Kind::remount);
        CHECK_FALSE(steps.back().needs_cgroup);
        for (size_t i = 1; i + 1 < steps.size(); ++i) {
            CHECK(steps[i].destination.rfind("/sys/fs/cgroup/", 0) == 0);
            CHECK(steps[i].needs_cgroup);
        }
    }
}

TEST_CASE("plan: container-side hooks get the container's view of the state") {
    auto s = default_spec();
    spec::Hooks h;
    h.create_container.push_back({"/bin/true", {}, {}, std::nullopt});
    h.start_container.push_back({"/bin/true", {"x", "y"}, {"A=1"}, 5});
    s.hooks = h;
    s.annotations["k"] = "v";
    auto p = plan::build_container_plan(s, input());
    CHECK(p.hook_state.find("\"status\":\"creating\"") != std::string::npos);
    CHECK(p.hook_state.find("\"pid\":1") != std::string::npos);
    CHECK(p.hook_state.find("\"id\":\"c1\"") != std::string::npos);
    CHECK(p.hook_state.find("\"k\":\"v\"") != std::string::npos);
    CHECK(p.hook_state_started.find("\"status\":\"created\"") != std::string::npos);
    REQUIRE(p.start_container_hooks.size() == 1);
    CHECK(p.start_container_hooks[0].timeout_s == 5);
    CHECK(std::string(p.start_container_hooks[0].argv[0]) == "x");
    CHECK_FALSE(p.parent_hooks);
}

TEST_CASE("plan: every mount option `features` lists is understood") {
    auto features = spec::features_json();
    size_t pos = features.find("\"mountOptions\"");
    REQUIRE(pos != std::string::npos);
    size_t end = features.find(']', pos);
    std::string list = features.substr(pos, end - pos);
    size_t q = list.find('"', list.find('['));
    int count = 0;
    while (q != std::string::npos) {
        size_t e = list.find('"', q + 1);
        std::string opt = list.substr(q + 1, e - q - 1);
        q = list.find('"', e + 1);
        // On a new filesystem an option berth did not understand would be
        // passed as data; none of the advertised ones may end up there.
        if (opt != "bind" && opt != "rbind") {
            auto fs = plan::plan_mount(mnt("/x", "tmpfs", "tmpfs", {opt}), "/b");
            CHECK_MESSAGE(fs.params.empty(), "option ", opt, " passed as filesystem data");
        }
        CHECK_NOTHROW(plan::plan_mount(mnt("/y", "bind", "/tmp", {"bind", opt}), "/b"));
        ++count;
    }
    CHECK(count > 40);
}
