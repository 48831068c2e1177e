// Spec + options -> ChildPlan. Pure data transformation (reads nothing but
// stat() of bind sources and the host's cgroup mounts), unit-tested in
// tests/plan_test.cpp.
#include "plan.hpp"

#include <linux/mount.h>
#include <sched.h>
#include <sys/mount.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "spec/names.hpp"
#include "spec/state.hpp"
#include "sys/error.hpp"
#include "sys/fd.hpp"
#include "sys/syscalls.hpp"

namespace rt::plan {

using sys::ErrorKind;
using sys::fail;

namespace {

struct AttrOption {
    const char* name;
    uint64_t set;
    uint64_t clr;
    bool recursive;
};

// Per-mount attributes (mount_setattr), runc's mount option table.
constexpr AttrOption kAttrOptions[] = {
    {"ro", MOUNT_ATTR_RDONLY, 0, false},
    {"rw", 0, MOUNT_ATTR_RDONLY, false},
    {"nosuid", MOUNT_ATTR_NOSUID, 0, false},
    {"suid", 0, MOUNT_ATTR_NOSUID, false},
    {"nodev", MOUNT_ATTR_NODEV, 0, false},
    {"dev", 0, MOUNT_ATTR_NODEV, false},
    {"noexec", MOUNT_ATTR_NOEXEC, 0, false},
    {"exec", 0, MOUNT_ATTR_NOEXEC, false},
    {"noatime", MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME, false},
    {"relatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME, false},
    {"strictatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME, false},
    {"atime", 0, 0, false},
    {"norelatime", 0, 0, false},
    {"nostrictatime", 0, 0, false},
    {"nodiratime", MOUNT_ATTR_NODIRATIME, 0, false},
    {"diratime", 0, MOUNT_ATTR_NODIRATIME, false},
    {"nosymfollow", MOUNT_ATTR_NOSYMFOLLOW, 0, false},
    {"symfollow", 0, MOUNT_ATTR_NOSYMFOLLOW, false},
    {"rro", MOUNT_ATTR_RDONLY, 0, true},
    {"rrw", 0, MOUNT_ATTR_RDONLY, true},
    {"rnosuid", MOUNT_ATTR_NOSUID, 0, true},
    {"rsuid", 0, MOUNT_ATTR_NOSUID, true},
    {"rnodev", MOUNT_ATTR_NODEV, 0, true},
    {"rdev", 0, MOUNT_ATTR_NODEV, true},
    {"rnoexec", MOUNT_ATTR_NOEXEC, 0, true},
    {"rexec", 0, MOUNT_ATTR_NOEXEC, true},
    {"rnoatime", MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME, true},
    {"rrelatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME, true},
    {"rstrictatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME, true},
    {"rnodiratime", MOUNT_ATTR_NODIRATIME, 0, true},
    {"rdiratime", 0, MOUNT_ATTR_NODIRATIME, true},
    {"rnosymfollow", MOUNT_ATTR_NOSYMFOLLOW, 0, true},
    {"rsymfollow", 0, MOUNT_ATTR_NOSYMFOLLOW, true},
    // Recursive forms of the no-op atime spellings (runc accepts them).
    {"ratime", 0, 0, true},
    {"rnorelatime", 0, 0, true},
    {"rnostrictatime", 0, 0, true},
};

struct PropOption {
    const char* name;
    uint64_t flag;
    bool recursive;
};

constexpr PropOption kPropOptions[] = {
    {"private", MS_PRIVATE, false},     {"rprivate", MS_PRIVATE, true},
    {"shared", MS_SHARED, false},       {"rshared", MS_SHARED, true},
    {"slave", MS_SLAVE, false},         {"rslave", MS_SLAVE, true},
    {"unbindable", MS_UNBINDABLE, false}, {"runbindable", MS_UNBINDABLE, true},
};

// Superblock flags with no MOUNT_ATTR_ twin: mount(2) flags for new
// filesystems, meaningless for bind mounts (runc passes them to mount(2),
// which ignores them for binds).
struct SbOption {
    const char* name;
    unsigned long set;
    unsigned long clr;
};
constexpr SbOption kSbOptions[] = {
    {"sync", MS_SYNCHRONOUS, 0}, {"async", 0, MS_SYNCHRONOUS}, {"dirsync", MS_DIRSYNC, 0},
    {"mand", MS_MANDLOCK, 0},    {"nomand", 0, MS_MANDLOCK},   {"lazytime", MS_LAZYTIME, 0},
    {"nolazytime", 0, MS_LAZYTIME}, {"silent", MS_SILENT, 0}, {"loud", 0, MS_SILENT},
    {"iversion", MS_I_VERSION, 0}, {"noiversion", 0, MS_I_VERSION},
};
// Accepted and without effect here, as in runc.
constexpr const char* kNoopOptions[] = {"bind", "rbind", "remount", "defaults"};

template <typename Range>
auto find_named(const Range& table, std::string_view name) -> decltype(&table[0]) {
    for (const auto& e : table)
        if (name == e.name) return &e;
    return nullptr;
}

bool in_list(const auto& list, std::string_view name) {
    return std::any_of(std::begin(list), std::end(list), [&](const char* s) { return name == s; });
}

std::string join_path(const std::string& base, const std::string& rel) {
    if (!rel.empty() && rel[0] == '/') return rel;
    return base + "/" + rel;
}

bool has_option(const spec::Mount& m, std::string_view opt) {
    return std::find(m.options.begin(), m.options.end(), opt) != m.options.end();
}

}  // namespace

// Lexically cleaned absolute path ("//proc/./sys/" -> "/proc/sys"; ".." pops).
std::string clean_path(const std::string& path) {
    std::vector<std::string> parts;
    size_t i = 0;
    while (i < path.size()) {
        size_t j = path.find('/', i);
        if (j == std::string::npos) j = path.size();
        std::string part = path.substr(i, j - i);
        if (part == "..") {
            if (!parts.empty()) parts.pop_back();
        } else if (!part.empty() && part != ".") {
            parts.push_back(part);
        }
        i = j + 1;
    }
    std::string out;
    for (const auto& p : parts) out += "/" + p;
    return out.empty() ? "/" : out;
}

namespace {

// CVE-2019-16884 and runc's checkProcMount: only a procfs may cover /proc
// (LSM labels and sysctls are written through it), and under /proc only the
// files lxcfs emulates may be covered.
void check_proc_destination(const spec::Mount& m, const MountStep& step) {
    std::string dest = clean_path(m.destination);
    if (dest != "/proc" && dest.rfind("/proc/", 0) != 0) return;
    if (dest == "/proc") {
        bool procfs = step.kind == MountStep::Kind::filesystem && step.fstype == "proc";
        if (step.kind == MountStep::Kind::bind) {
            struct statfs fs;
            procfs = ::statfs(step.source.c_str(), &fs) == 0 && fs.f_type == PROC_SUPER_MAGIC;
        }
        if (!procfs)
            fail(ErrorKind::invalid_config, "mount `%s`: only a proc filesystem may be mounted on /proc", m.destination);
        return;
    }
    static constexpr const char* allowed[] = {
        "/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo", "/proc/stat",  "/proc/swaps",
        "/proc/uptime",  "/proc/loadavg",   "/proc/slabinfo", "/proc/net/dev", "/proc/sys/kernel/ns_last_pid",
    };
    if (!in_list(allowed, dest))
        fail(ErrorKind::invalid_config, "mount `%s`: cannot be mounted because it is inside /proc", m.destination);
}

}  // namespace

MountStep plan_mount(const spec::Mount& m, const std::string& bundle) {
    MountStep step;
    step.destination = m.destination;
    bool bind = has_option(m, "bind") || has_option(m, "rbind") || (m.type && *m.type == "bind");
    if (bind) {
        step.kind = MountStep::Kind::bind;
        if (!m.source || m.source->empty())
            fail(ErrorKind::invalid_config, "mount `%s`: bind mount needs a source", m.destination);
        step.source = join_path(bundle, *m.source);
        step.recursive = has_option(m, "rbind");
        struct stat st;
        if (::stat(step.source.c_str(), &st) != 0)
            sys::throw_errno("mount `%s`: stat bind source `%s`", m.destination, step.source);
        step.file_target = !S_ISDIR(st.st_mode);
    } else {
        step.kind = MountStep::Kind::filesystem;
        step.fstype = m.type.value_or("");
        if (step.fstype.empty() || step.fstype == "none")
            fail(ErrorKind::invalid_config, "mount `%s`: type is required unless bind or rbind is given",
                 m.destination);
        step.source = m.source.value_or(step.fstype);
        step.cgroup = step.fstype == "cgroup" || step.fstype == "cgroup2";
    }
    for (const auto& opt : m.options) {
        if (const auto* a = find_named(kAttrOptions, opt)) {
            if (a->recursive) {
                step.rattr_set = (step.rattr_set & ~a->clr) | a->set;
                step.rattr_clr |= a->clr;
            } else {
                step.attr_set = (step.attr_set & ~a->clr) | a->set;
                step.attr_clr = (step.attr_clr & ~a->set) | a->clr;
            }
        } else if (const auto* p = find_named(kPropOptions, opt)) {
            step.propagation = p->flag;
            step.propagation_recursive = p->recursive;
        } else if (const auto* sb = find_named(kSbOptions, opt)) {
            step.sb_flags = (step.sb_flags & ~sb->clr) | sb->set;
        } else if (in_list(kNoopOptions, opt)) {
        } else if (opt == "idmap" || opt == "ridmap" || opt == "tmpcopyup") {
            fail(ErrorKind::unsupported, "mount `%s`: option `%s` is not supported", m.destination, opt);
        } else if (step.kind == MountStep::Kind::filesystem) {
            auto eq = opt.find('=');
            if (eq == std::string::npos)
                step.params.push_back({opt, ""});
            else
                step.params.push_back({opt.substr(0, eq), opt.substr(eq + 1)});
        }
        // Other options of a bind: runc passes them as data, which bind ignores.
    }
    // New filesystems take attributes as set flags; "rw" and friends are the default.
    if (step.kind == MountStep::Kind::filesystem) step.attr_clr = 0;
    else step.sb_flags = 0;
    if (!m.uid_mappings.empty() || !m.gid_mappings.empty())
        fail(ErrorKind::unsupported, "mount `%s`: idmapped mounts are not supported", m.destination);
    check_proc_destination(m, step);
    return step;
}

void finish_mounts(std::vector<MountStep>& steps) {
    static constexpr std::pair<uint64_t, unsigned long> attr_to_ms[] = {
        {MOUNT_ATTR_RDONLY, MS_RDONLY},       {MOUNT_ATTR_NOSUID, MS_NOSUID},
        {MOUNT_ATTR_NODEV, MS_NODEV},         {MOUNT_ATTR_NOEXEC, MS_NOEXEC},
        {MOUNT_ATTR_NOATIME, MS_NOATIME},     {MOUNT_ATTR_STRICTATIME, MS_STRICTATIME},
        {MOUNT_ATTR_NODIRATIME, MS_NODIRATIME}, {MOUNT_ATTR_NOSYMFOLLOW, MS_NOSYMFOLLOW},
    };
    for (auto& m : steps) {
        if (m.kind != MountStep::Kind::filesystem) continue;
        m.ms_flags = m.sb_flags;
        for (const auto& [attr, ms] : attr_to_ms)
            if (m.attr_set & attr) m.ms_flags |= ms;
        // MOUNT_ATTR_RELATIME is 0 in the new API's atime field; mount(2)
        // defaults to relatime as well.
        m.data.clear();
        for (const auto& p : m.params) {
            if (!m.data.empty()) m.data += ',';
            m.data += p.key;
            if (!p.value.empty()) m.data += "=" + p.value;
        }
    }
}

namespace {

// A config namespace type: its clone flag and its /proc/<pid>/ns name.
struct NsType {
    std::string_view type;
    int flag;
    const char* proc;
};

const NsType& ns_type(std::string_view type) {
    static constexpr NsType table[] = {
        {"pid", CLONE_NEWPID, "pid"},    {"network", CLONE_NEWNET, "net"},       {"mount", CLONE_NEWNS, "mnt"},
        {"ipc", CLONE_NEWIPC, "ipc"},    {"uts", CLONE_NEWUTS, "uts"},           {"user", CLONE_NEWUSER, "user"},
        {"cgroup", CLONE_NEWCGROUP, "cgroup"}, {"time", CLONE_NEWTIME, "time"},
    };
    for (const auto& t : table)
        if (t.type == type) return t;
    fail(ErrorKind::invalid_config, "config.json: linux.namespaces: unknown type `%s`", std::string(type));
}

int ns_flag(std::string_view type) { return ns_type(type).flag; }

std::string id_map_text(const std::vector<spec::IdMapping>& maps) {
    std::string out;
    for (const auto& m : maps)
        out += sys::format("%u %u %u\n", m.container_id, m.host_id, m.size);
    return out;
}

// Joins: user first (the rest are then owned by it), mount last (after it
// no host path resolves any more).
void sort_joins(std::vector<NsJoin>& joins) {
    auto rank = [](const NsJoin& j) { return j.nstype == CLONE_NEWUSER ? 0 : j.nstype == CLONE_NEWNS ? 2 : 1; };
    std::stable_sort(joins.begin(), joins.end(), [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
}

void plan_namespaces(ChildPlan& plan, const spec::Linux& linux) {
    std::vector<NsJoin> joins;
    for (const auto& ns : linux.namespaces) {
        int flag = ns_flag(ns.type);
        if (ns.path && !ns.path->empty()) {
            joins.push_back({-1, flag, *ns.path});
        } else if (flag == CLONE_NEWUSER) {
            plan.new_user = true;
        } else {
            plan.unshare_flags |= flag;
        }
    }
    sort_joins(joins);
    plan.joins = std::move(joins);
    if (plan.new_user) {
        plan.uid_map = id_map_text(linux.uid_mappings);
        plan.gid_map = id_map_text(linux.gid_mappings);
    }
    if (plan.unshare_flags & CLONE_NEWTIME) {
        for (const auto& [clock, off] : linux.time_offsets)
            plan.timens_offsets += sys::format("%s %lld %u\n", clock, static_cast<long long>(off.secs), off.nanosecs);
    }
}

bool in_user_namespace(const spec::Linux& linux) {
    return std::any_of(linux.namespaces.begin(), linux.namespaces.end(),
                       [](const auto& ns) { return ns.type == "user"; });
}

// The spec's default devices (runtime-linux.md "Default Devices").
void plan_default_devices(ChildPlan& plan) {
    struct Def {
        const char* path;
        unsigned major, minor;
    };
    static constexpr Def defs[] = {{"/dev/null", 1, 3},    {"/dev/zero", 1, 5},
                                   {"/dev/full", 1, 7},    {"/dev/random", 1, 8},
                                   {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0}};
    for (const auto& d : defs)
        plan.devices.push_back({d.path, static_cast<mode_t>(S_IFCHR | 0666), makedev(d.major, d.minor), 0, 0});
}

void plan_devices(ChildPlan& plan, const spec::Spec& spec) {
    const auto& linux = *spec.linux;
    plan.bind_devices = in_user_namespace(linux);
    plan.default_devices = std::none_of(spec.mounts.begin(), spec.mounts.end(), [](const auto& m) {
        return m.destination == "/dev" && (has_option(m, "bind") || has_option(m, "rbind"));
    });
    if (plan.default_devices) plan_default_devices(plan);
    for (const auto& d : linux.devices) {
        mode_t type = d.type == "b" ? S_IFBLK : d.type == "p" ? S_IFIFO : S_IFCHR;
        DeviceNode node{d.path, static_cast<mode_t>(type | (d.file_mode.value_or(0666) & 07777)),
                        makedev(static_cast<unsigned>(d.major.value_or(0)), static_cast<unsigned>(d.minor.value_or(0))),
                        d.uid.value_or(0), d.gid.value_or(0)};
        // A config device replaces a default one with the same path.
        auto same = std::find_if(plan.devices.begin(), plan.devices.end(), [&](const auto& x) { return x.path == d.path; });
        if (same != plan.devices.end())
            *same = node;
        else
            plan.devices.push_back(node);
    }
}

unsigned long root_propagation(const std::optional<std::string>& p) {
    // Before pivot_root "/" is made slave (runc's default) or private; shared
    // and unbindable are applied to the container's own "/" afterwards, so the
    // host's mounts are never touched.
    if (p && (*p == "private" || *p == "rprivate")) return MS_PRIVATE | MS_REC;
    return MS_SLAVE | MS_REC;
}

// HOME from the image's /etc/passwd for the process uid, "/" when there is
// none (runc's user lookup). The file is opened inside the rootfs so an image
// symlink cannot make us read a host file.
std::string passwd_home(const std::string& rootfs, uid_t uid) {
    sys::UniqueFd root(::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) return "/";
    open_how how{};
    how.flags = O_RDONLY | O_CLOEXEC;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    sys::UniqueFd fd(sys::openat2(root.get(), "etc/passwd", &how));
    if (!fd) return "/";
    std::string text;
    char buf[8192];
    ssize_t n;
    while ((n = ::read(fd.get(), buf, sizeof buf)) > 0 && text.size() < (1 << 20)) text.append(buf, static_cast<size_t>(n));
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(pos, end - pos);
        pos = end + 1;
        std::vector<std::string> f;
        size_t a = 0;
        for (;;) {
            size_t b = line.find(':', a);
            f.push_back(line.substr(a, b - a));
            if (b == std::string::npos) break;
            a = b + 1;
        }
        if (f.size() >= 6 && !f[2].empty() && f[2].find_first_not_of("0123456789") == std::string::npos &&
            std::strtoul(f[2].c_str(), nullptr, 10) == uid)
            return f[5].empty() ? "/" : f[5];
    }
    return "/";
}

bool has_env(const std::vector<std::string>& env, std::string_view key) {
    return std::any_of(env.begin(), env.end(), [&](const std::string& e) {
        return e.size() > key.size() && e.compare(0, key.size(), key) == 0 && e[key.size()] == '=';
    });
}

}  // namespace

void plan_process(ChildPlan& plan, const spec::Process& p) {
    plan.terminal = p.terminal;
    if (p.console_size) {
        plan.console_rows = static_cast<unsigned short>(p.console_size->height);
        plan.console_cols = static_cast<unsigned short>(p.console_size->width);
    }
    plan.uid = p.user.uid;
    plan.gid = p.user.gid;
    plan.groups.assign(p.user.additional_gids.begin(), p.user.additional_gids.end());
    if (p.user.umask) plan.umask = static_cast<mode_t>(*p.user.umask);
    plan.no_new_privileges = p.no_new_privileges;
    plan.oom_score_adj = p.oom_score_adj;
    // Capabilities are always applied: an absent set is an empty set.
    plan.apply_caps = true;
    if (p.capabilities) {
        const std::optional<std::vector<std::string>>* sets[5] = {
            &p.capabilities->bounding, &p.capabilities->effective, &p.capabilities->inheritable,
            &p.capabilities->permitted, &p.capabilities->ambient};
        for (int i = 0; i < 5; ++i) {
            if (!*sets[i]) continue;
            for (const auto& name : **sets[i]) {
                const auto& caps = spec::names::capabilities;
                auto it = std::find(caps.begin(), caps.end(), name);
                if (it == caps.end()) {
                    // Unknown to this kernel table: runc warns and skips.
                    continue;
                }
                plan.caps[i] |= 1ULL << (it - caps.begin());
            }
        }
    }
    for (const auto& r : p.rlimits) {
        const auto& names = spec::names::rlimits;
        auto it = std::find(names.begin(), names.end(), r.type);
        if (it == names.end())
            fail(ErrorKind::invalid_config, "config.json: process.rlimits: unknown type `%s`", r.type);
        plan.rlimits.push_back({static_cast<int>(it - names.begin()), {r.soft, r.hard}});
    }
    plan.cwd = p.cwd;
    plan.argv_storage = p.args;
    plan.env_storage = p.env;
    // Go's exec.LookPath uses the PATH of the environment runc sets up.
    for (const auto& e : p.env) {
        if (e.rfind("PATH=", 0) != 0) continue;
        std::string path = e.substr(5);
        size_t start = 0;
        for (;;) {
            size_t colon = path.find(':', start);
            plan.path_dirs.push_back(path.substr(start, colon - start));
            if (colon == std::string::npos) break;
            start = colon + 1;
        }
    }
    // runc sets HOME from the rootfs' /etc/passwd when the process has none.
    if (!has_env(plan.env_storage, "HOME"))
        plan.env_storage.push_back("HOME=" + passwd_home(plan.rootfs, plan.uid));
}

namespace {

void plan_seccomp(ChildPlan& plan, const spec::Linux& linux) {
    if (!linux.seccomp) return;
    plan.seccomp = seccomp::compile(*linux.seccomp);
    // The listener fd would have to reach listenerPath with the state:
    // not done yet, so refuse rather than run unfiltered.
    if (plan.seccomp->notify)
        fail(ErrorKind::unsupported, "config.json: linux.seccomp: SCMP_ACT_NOTIFY (listenerPath) is not supported yet");
}

cgroups::Paths own_cgroups(const cgroups::Layout& layout) {
    cgroups::Paths p;
    for (const auto& m : layout.v1)
        for (const auto& c : m.controllers) p.v1[c] = m.mountpoint + (m.own == "/" ? "" : m.own);
    if (layout.v2) p.v2 = layout.v2->mountpoint + (layout.v2->own == "/" ? "" : layout.v2->own);
    return p;
}

}  // namespace

ChildPlan build_container_plan(const spec::Spec& spec, const ContainerInput& in) {
    ChildPlan plan;
    const auto& linux = *spec.linux;
    plan_namespaces(plan, linux);
    plan.setup_rootfs = true;
    plan.rootfs = join_path(in.bundle, spec.root->path);
    plan.readonly_root = spec.root->readonly;
    plan.no_pivot = in.no_pivot;
    plan.root_propagation = root_propagation(linux.rootfs_propagation);
    if (linux.rootfs_propagation) {
        const auto& p = *linux.rootfs_propagation;
        plan.shared_root_after_pivot = p == "shared" || p == "rshared";
        plan.unbindable_root_after_pivot = p == "unbindable" || p == "runbindable";
    }
    bool cgroupns = (plan.unshare_flags & CLONE_NEWCGROUP) != 0 ||
                    std::any_of(plan.joins.begin(), plan.joins.end(),
                                [](const auto& j) { return j.nstype == CLONE_NEWCGROUP; });
    std::optional<cgroups::Layout> own_layout;
    cgroups::Paths own_paths;
    for (const auto& m : spec.mounts) {
        MountStep step = plan_mount(m, in.bundle);
        if (!step.cgroup) {
            plan.mounts.push_back(std::move(step));
            continue;
        }
        if (!in.cgroup_layout && !own_layout) {
            own_layout = cgroups::detect_layout();
            own_paths = own_cgroups(*own_layout);
        }
        const auto& layout = in.cgroup_layout ? *in.cgroup_layout : *own_layout;
        const auto& paths = in.cgroup_paths ? *in.cgroup_paths : own_paths;
        for (auto& s : plan_cgroup_mount(step, cgroupns, layout, paths)) plan.mounts.push_back(std::move(s));
    }
    finish_mounts(plan.mounts);
    plan_devices(plan, spec);
    if (linux.masked_paths) plan.masked_paths = *linux.masked_paths;
    if (linux.readonly_paths) plan.readonly_paths = *linux.readonly_paths;
    plan.hostname = spec.hostname;
    plan.domainname = spec.domainname;
    for (const auto& [key, value] : linux.sysctl) {
        std::string path = key;
        std::replace(path.begin(), path.end(), '.', '/');
        plan.sysctls.push_back({path, value});
    }
    plan_process(plan, *spec.process);
    plan_seccomp(plan, linux);
    plan.no_new_keyring = in.no_new_keyring;
    plan.keyring_name = "_ses." + in.id;
    if (spec.hooks) {
        plan.parent_hooks = !spec.hooks->prestart.empty() || !spec.hooks->create_runtime.empty();
        // createContainer hooks run with the runtime's environment by
        // default; startContainer hooks with the process's (runc quirk).
        plan.create_container_hooks = hooks::prepare_all(spec.hooks->create_container, in.runtime_env);
        plan.start_container_hooks = hooks::prepare_all(spec.hooks->start_container, spec.process->env);
        // Container-side hooks see the container's view: pid 1 (runc 1.1.5).
        spec::StateDoc doc;
        doc.oci_version = spec.oci_version;
        doc.id = in.id;
        doc.pid = 1;
        doc.bundle = in.bundle;
        doc.annotations = spec.annotations;
        doc.status = "creating";
        plan.hook_state = spec::state_json_for_hook(doc);
        doc.status = "created";
        plan.hook_state_started = spec::state_json_for_hook(doc);
    }
    plan.preserve_upto = 3 + in.listen_fds + in.preserve_fds;
    if (in.listen_fds > 0) {
        plan.env_storage.push_back(sys::format("LISTEN_FDS=%d", in.listen_fds));
        plan.env_storage.push_back("LISTEN_PID=1");
    }
    seal(plan);
    return plan;
}

ChildPlan build_exec_plan(const spec::Spec& spec, const spec::Process& process, const ExecInput& in) {
    ChildPlan plan;
    const auto& linux = *spec.linux;
    for (const auto& ns : linux.namespaces) {
        const NsType& t = ns_type(ns.type);
        plan.joins.push_back({-1, t.flag, sys::format("/proc/%d/ns/%s", static_cast<int>(in.init_pid), t.proc)});
    }
    sort_joins(plan.joins);
    plan.rootfs = in.rootfs;
    plan_process(plan, process);
    plan_seccomp(plan, linux);
    plan.keyring_name = "_ses." + in.id;
    plan.preserve_upto = 3 + in.preserve_fds;
    seal(plan);
    return plan;
}

}  // namespace rt::plan
