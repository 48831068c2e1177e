// Semantic checks of a parsed Spec (config.md, config-linux.md), plus the
// checks runc makes in libcontainer/configs/validate so that a config runc
// refuses is refused here too, with a message naming the field.
//
// Checks that need the host (does the namespace path exist, is the rootfs a
// directory, is SELinux on) belong to the code that acts on the spec.
#include "validate.hpp"

#include <algorithm>
#include <set>

#include "json_util.hpp"
#include "names.hpp"
#include "sys/error.hpp"

namespace rt::spec {

using json::fail;
using json::Where;

namespace {

std::string quoted(std::string_view v) { return "`" + std::string(v) + "`"; }

bool is_abs(std::string_view p) { return !p.empty() && p.front() == '/'; }

void require_abs(std::string_view p, const Where& w) {
    if (!is_abs(p)) fail(w, "must be an absolute path");
}

template <size_t N>
void require_known(std::string_view v, const std::array<std::string_view, N>& set, const Where& w,
                   const char* what) {
    if (!names::contains(set, v)) fail(w, std::string("unknown ") + what + " " + quoted(v));
}

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// Splits s at every `sep` (an empty s gives one empty part).
std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> parts;
    for (size_t pos; (pos = s.find(sep)) != std::string_view::npos; s.remove_prefix(pos + 1)) {
        parts.push_back(s.substr(0, pos));
    }
    parts.push_back(s);
    return parts;
}

// SemVer 2.0 (semver.org): MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD].
bool semver_number(std::string_view s) { return all_digits(s) && (s.size() == 1 || s.front() != '0'); }

bool semver_ident(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
    });
}

bool valid_semver(std::string_view v) {
    size_t plus = v.find('+');
    if (plus != std::string_view::npos) {
        for (auto id : split(v.substr(plus + 1), '.'))
            if (!semver_ident(id)) return false;
        v = v.substr(0, plus);
    }
    size_t dash = v.find('-');
    if (dash != std::string_view::npos) {
        for (auto id : split(v.substr(dash + 1), '.'))
            if (!semver_ident(id) || (all_digits(id) && !semver_number(id))) return false;
        v = v.substr(0, dash);
    }
    auto core = split(v, '.');
    return core.size() == 3 && std::all_of(core.begin(), core.end(), semver_number);
}

void check_oci_version(const std::string& v, const Where& w) {
    if (!valid_semver(v)) fail(w, quoted(v) + " is not a valid SemVer 2.0 version");
    if (v.substr(0, v.find('.')) != "1") fail(w, quoted(v) + " is not supported (major version must be 1)");
}

// "0-3,7": cpus and memory nodes (execCPUAffinity, memoryPolicy.nodes).
bool valid_id_list(std::string_view s) {
    if (trim(s).empty()) return true;
    for (auto item : split(s, ',')) {
        item = trim(item);
        size_t dash = item.find('-');
        if (dash == std::string_view::npos) {
            if (!all_digits(item) || item.size() > 9) return false;
            continue;
        }
        auto lo = trim(item.substr(0, dash)), hi = trim(item.substr(dash + 1));
        if (!all_digits(lo) || !all_digits(hi) || lo.size() > 9 || hi.size() > 9) return false;
        if (std::stoul(std::string(lo)) > std::stoul(std::string(hi))) return false;
    }
    return true;
}

void check_id_mappings(const std::vector<IdMapping>& maps, const Where& w) {
    for (size_t i = 0; i < maps.size(); ++i) {
        const IdMapping& m = maps[i];
        if (m.size == 0) fail(w.index(i).field("size"), "must be greater than zero");
        if (uint64_t(m.container_id) + m.size - 1 > UINT32_MAX ||
            uint64_t(m.host_id) + m.size - 1 > UINT32_MAX)
            fail(w.index(i), "range exceeds the 32-bit id space");
    }
}

// --- process -------------------------------------------------------------

void check_env(const std::vector<std::string>& env, const Where& w) {
    // runc (populateProcessEnvironment) refuses the same entries.
    for (size_t i = 0; i < env.size(); ++i) {
        size_t eq = env[i].find('=');
        if (eq == std::string::npos) fail(w.index(i), quoted(env[i]) + " is missing '='");
        if (eq == 0) fail(w.index(i), "variable name must not be empty");
    }
}

void check_rlimits(const std::vector<Rlimit>& rlimits, const Where& w) {
    std::set<std::string> seen;
    for (size_t i = 0; i < rlimits.size(); ++i) {
        const Rlimit& r = rlimits[i];
        Where wi = w.index(i);
        require_known(r.type, names::rlimits, wi.field("type"), "rlimit");
        // config.md: duplicated types MUST be an error.
        if (!seen.insert(r.type).second) fail(wi.field("type"), "duplicate rlimit " + quoted(r.type));
        // setrlimit(2) would fail with EINVAL inside the container; say why here.
        if (r.soft > r.hard)
            fail(wi.field("soft"),
                 "soft limit " + std::to_string(r.soft) + " exceeds hard limit " + std::to_string(r.hard));
    }
}

void check_scheduler(const Scheduler& s, const Where& w) {
    require_known(s.policy, names::scheduler_policies, w.field("policy"), "policy");
    for (size_t i = 0; i < s.flags.size(); ++i)
        require_known(s.flags[i], names::scheduler_flags, w.field("flags").index(i), "flag");
    // The same rules as runc's validate.scheduler (sched_setattr(2)).
    int32_t nice = s.nice.value_or(0);
    if (nice < -20 || nice > 19) fail(w.field("nice"), "must be between -20 and 19");
    if (s.priority.value_or(0) != 0 && s.policy != "SCHED_FIFO" && s.policy != "SCHED_RR")
        fail(w.field("priority"), "only valid with SCHED_FIFO or SCHED_RR");
    if (s.policy != "SCHED_DEADLINE") {
        for (auto [key, v] :
             {std::pair{"runtime", s.runtime}, {"deadline", s.deadline}, {"period", s.period}})
            if (v.value_or(0) != 0) fail(w.field(key), "only valid with SCHED_DEADLINE");
    }
}

void check_process(const Process& p, const Where& w) {
    if (p.args.empty()) fail(w.field("args"), "must not be empty");
    require_abs(p.cwd, w.field("cwd"));
    check_env(p.env, w.field("env"));
    check_rlimits(p.rlimits, w.field("rlimits"));
    if (p.oom_score_adj && (*p.oom_score_adj < -1000 || *p.oom_score_adj > 1000))
        fail(w.field("oomScoreAdj"), "must be between -1000 and 1000");
    if (p.scheduler) check_scheduler(*p.scheduler, w.field("scheduler"));
    if (p.io_priority) {
        require_known(p.io_priority->class_, names::io_priority_classes, w.field("ioPriority").field("class"),
                      "class");
        if (p.io_priority->priority < 0 || p.io_priority->priority > 7)
            fail(w.field("ioPriority").field("priority"), "must be between 0 and 7");
    }
    if (const auto& a = p.exec_cpu_affinity) {
        for (auto [key, v] : {std::pair{"initial", &a->initial}, {"final", &a->final}})
            if (*v && !valid_id_list(**v))
                fail(w.field("execCPUAffinity").field(key), quoted(**v) + " is not a valid CPU list");
    }
}

// "config.json: process" -> {"config.json", "process"}.
Where where_from_doc(std::string_view doc) {
    size_t sep = doc.find(": ");
    if (sep == std::string_view::npos) return {std::string(doc), ""};
    return {std::string(doc.substr(0, sep)), std::string(doc.substr(sep + 2))};
}

// --- top level -------------------------------------------------------------

const Namespace* find_namespace(const Spec& s, std::string_view type) {
    if (!s.linux) return nullptr;
    for (const auto& ns : s.linux->namespaces)
        if (ns.type == type) return &ns;
    return nullptr;
}

bool has_new_namespace(const Spec& s, std::string_view type) {
    const Namespace* ns = find_namespace(s, type);
    return ns && !ns->path;
}

void check_mounts(const Spec& s, const Where& w) {
    for (size_t i = 0; i < s.mounts.size(); ++i) {
        const Mount& m = s.mounts[i];
        Where wi = w.index(i);
        if (m.destination.empty()) fail(wi.field("destination"), "must not be empty");
        require_abs(m.destination, wi.field("destination"));
        // config.md: each of uidMappings/gidMappings "MUST be specified along with" the other.
        if (m.uid_mappings.empty() != m.gid_mappings.empty())
            fail(wi.field(m.uid_mappings.empty() ? "gidMappings" : "uidMappings"),
                 m.uid_mappings.empty() ? "must be specified along with uidMappings"
                                        : "must be specified along with gidMappings");
        check_id_mappings(m.uid_mappings, wi.field("uidMappings"));
        check_id_mappings(m.gid_mappings, wi.field("gidMappings"));
        // config.md "idmap": without mappings of its own the mount borrows the
        // container's; with neither an error MUST be returned.
        bool idmap = std::any_of(m.options.begin(), m.options.end(),
                                 [](const std::string& o) { return o == "idmap" || o == "ridmap"; });
        if (idmap && m.uid_mappings.empty() && !find_namespace(s, "user"))
            fail(wi.field("options"), "`idmap` needs uidMappings/gidMappings or a user namespace");
    }
}

void check_hooks(const Hooks& hooks, const Where& w) {
    auto check = [&](const std::vector<Hook>& list, const char* name) {
        for (size_t i = 0; i < list.size(); ++i) {
            Where wi = w.field(name).index(i);
            require_abs(list[i].path, wi.field("path"));
            if (list[i].timeout && *list[i].timeout <= 0)
                fail(wi.field("timeout"), "must be greater than zero");
        }
    };
    check(hooks.prestart, "prestart");
    check(hooks.create_runtime, "createRuntime");
    check(hooks.create_container, "createContainer");
    check(hooks.start_container, "startContainer");
    check(hooks.poststart, "poststart");
    check(hooks.poststop, "poststop");
}

void check_uts(const Spec& s, const Where& w) {
    // runc's validate.uts: any uts entry will do, joined or new.
    bool uts = find_namespace(s, "uts") != nullptr;
    if (s.hostname && !s.hostname->empty() && !uts)
        fail(w.field("hostname"), "unable to set hostname without a private UTS namespace");
    if (s.domainname && !s.domainname->empty() && !uts)
        fail(w.field("domainname"), "unable to set domainname without a private UTS namespace");
}

// --- linux -----------------------------------------------------------------

void check_namespaces(const Linux& l, const Where& w) {
    std::set<std::string> seen;
    for (size_t i = 0; i < l.namespaces.size(); ++i) {
        const Namespace& ns = l.namespaces[i];
        Where wi = w.index(i);
        require_known(ns.type, names::namespaces, wi.field("type"), "namespace type");
        // config-linux.md: duplicated types MUST be an error.
        if (!seen.insert(ns.type).second) fail(wi.field("type"), "duplicate namespace " + quoted(ns.type));
        if (ns.path) require_abs(*ns.path, wi.field("path"));
    }
}

// runc's validate.namespaces (and specconv) rules for user and time namespaces.
void check_user_and_time(const Spec& s, const Linux& l, const Where& w) {
    const Namespace* user = find_namespace(s, "user");
    bool maps = !l.uid_mappings.empty() || !l.gid_mappings.empty();
    if (!user && maps)
        fail(w.field(l.uid_mappings.empty() ? "gidMappings" : "uidMappings"), "requires a user namespace");
    if (user && !user->path) {
        if (l.uid_mappings.empty()) fail(w.field("uidMappings"), "required by a new user namespace");
        if (l.gid_mappings.empty()) fail(w.field("gidMappings"), "required by a new user namespace");
    }
    check_id_mappings(l.uid_mappings, w.field("uidMappings"));
    check_id_mappings(l.gid_mappings, w.field("gidMappings"));

    if (l.time_offsets.empty()) return;
    // Offsets can only be written before the first process enters a new one (time_namespaces(7)).
    if (!has_new_namespace(s, "time")) fail(w.field("timeOffsets"), "requires a new time namespace");
    for (const auto& [clock, off] : l.time_offsets) {
        Where wc = w.field("timeOffsets").key(clock);
        if (clock != "monotonic" && clock != "boottime")
            fail(wc, "unknown clock (expected monotonic or boottime)");
        if (off.nanosecs >= 1000000000u) fail(wc.field("nanosecs"), "must be less than 1000000000");
    }
}

void check_devices(const std::vector<Device>& devices, const Where& w) {
    for (size_t i = 0; i < devices.size(); ++i) {
        const Device& d = devices[i];
        Where wi = w.index(i);
        if (d.type != "c" && d.type != "b" && d.type != "u" && d.type != "p")
            fail(wi.field("type"), "unknown device type " + quoted(d.type) + " (expected c, b, u or p)");
        require_abs(d.path, wi.field("path"));
        // config-linux.md: major/minor are "REQUIRED unless type is p".
        if (d.type != "p") {
            if (!d.major) fail(wi.field("major"), "required field missing");
            if (!d.minor) fail(wi.field("minor"), "required field missing");
        }
    }
}

bool valid_page_size(std::string_view s) {
    // The schema's ^[1-9][0-9]*[KMG]B$: hugetlb file names use exactly this form.
    if (s.size() < 3 || s.back() != 'B') return false;
    char unit = s[s.size() - 2];
    auto digits = s.substr(0, s.size() - 2);
    return (unit == 'K' || unit == 'M' || unit == 'G') && all_digits(digits) && digits.front() != '0';
}

void check_resources(const Resources& r, const Where& w) {
    for (size_t i = 0; i < r.devices.size(); ++i) {
        const DeviceCgroup& d = r.devices[i];
        Where wi = w.field("devices").index(i);
        if (d.type && *d.type != "a" && *d.type != "c" && *d.type != "b")
            fail(wi.field("type"), "unknown device type " + quoted(*d.type) + " (expected a, c or b)");
        if (d.access && d.access->find_first_not_of("rwm") != std::string::npos)
            fail(wi.field("access"), quoted(*d.access) + " is not a combination of r, w and m");
    }
    for (size_t i = 0; i < r.hugepage_limits.size(); ++i) {
        const std::string& size = r.hugepage_limits[i].page_size;
        if (!valid_page_size(size))
            fail(w.field("hugepageLimits").index(i).field("pageSize"),
                 quoted(size) + " is not a valid page size (expected e.g. 2MB)");
    }
    // Keys become file names under the container's cgroup directory.
    for (const auto& [file, value] : r.unified) {
        if (file.empty() || file == "." || file == ".." || file.find('/') != std::string::npos)
            fail(w.field("unified").key(file), "invalid cgroup file name");
    }
}

void check_seccomp(const Seccomp& s, const Where& w) {
    auto errno_ok = [](const std::string& action) {
        return action == "SCMP_ACT_ERRNO" || action == "SCMP_ACT_TRACE";
    };
    require_known(s.default_action, names::seccomp_actions, w.field("defaultAction"), "action");
    // config-linux.md: an errno with an action that takes none MUST be an error.
    if (s.default_errno_ret && !errno_ok(s.default_action))
        fail(w.field("defaultErrnoRet"), "only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
    for (size_t i = 0; i < s.architectures.size(); ++i)
        require_known(s.architectures[i], names::seccomp_archs, w.field("architectures").index(i),
                      "architecture");
    for (size_t i = 0; i < s.flags.size(); ++i)
        require_known(s.flags[i], names::seccomp_flags, w.field("flags").index(i), "flag");
    if (s.listener_metadata && !s.listener_path) fail(w.field("listenerMetadata"), "requires listenerPath");

    bool notify = s.default_action == "SCMP_ACT_NOTIFY";
    for (size_t i = 0; i < s.syscalls.size(); ++i) {
        const SeccompSyscall& sc = s.syscalls[i];
        Where wi = w.field("syscalls").index(i);
        if (sc.names.empty()) fail(wi.field("names"), "must not be empty");
        for (size_t j = 0; j < sc.names.size(); ++j)
            if (sc.names[j].empty()) fail(wi.field("names").index(j), "must not be empty");
        require_known(sc.action, names::seccomp_actions, wi.field("action"), "action");
        if (sc.errno_ret && !errno_ok(sc.action))
            fail(wi.field("errnoRet"), "only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
        for (size_t k = 0; k < sc.args.size(); ++k) {
            Where wk = wi.field("args").index(k);
            if (sc.args[k].index > 5)
                fail(wk.field("index"), "must be at most 5 (syscalls take six arguments)");
            require_known(sc.args[k].op, names::seccomp_operators, wk.field("op"), "operator");
        }
        notify = notify || sc.action == "SCMP_ACT_NOTIFY";
    }
    // The notify fd has nowhere to go otherwise (runc: "seccomp listenerPath is not set").
    if (notify && (!s.listener_path || s.listener_path->empty()))
        fail(w.field("listenerPath"), "required when SCMP_ACT_NOTIFY is used");
}

// runc accepts "net/ipv4/ip_forward" for "net.ipv4.ip_forward" (sysctl.d(5));
// as in runc, '.' and '/' swap when the first separator is '/'.
std::string sysctl_dotted(std::string key) {
    size_t first = key.find_first_of("./");
    if (first == std::string::npos || key[first] == '.') return key;
    for (char& c : key) c = c == '.' ? '/' : c == '/' ? '.' : c;
    return key;
}

// runc's validate.sysctl: only namespaced sysctls may be set, and only when
// the container has the namespace; anything else would change the host.
void check_sysctl(const Spec& s, const Linux& l, const Where& w) {
    static const std::set<std::string> ipc = {"kernel.msgmax", "kernel.msgmnb",         "kernel.msgmni",
                                              "kernel.sem",    "kernel.shmall",         "kernel.shmmax",
                                              "kernel.shmmni", "kernel.shm_rmid_forced"};
    for (const auto& [raw, value] : l.sysctl) {
        Where wk = w.field("sysctl").key(raw);
        if (raw.empty()) fail(wk, "name must not be empty");
        std::string key = sysctl_dotted(raw);
        if (ipc.count(key) || key.rfind("fs.mqueue.", 0) == 0) {
            if (!find_namespace(s, "ipc")) fail(wk, "not allowed in the host's IPC namespace");
            continue;
        }
        if (key.rfind("net.", 0) == 0) {
            // A joined network namespace may still be the host's; the code that
            // opens the path can tell, this check cannot.
            if (!find_namespace(s, "network")) fail(wk, "not allowed in the host's network namespace");
            continue;
        }
        if (find_namespace(s, "uts")) {
            if (key == "kernel.domainname") continue;
            if (key == "kernel.hostname") fail(wk, "conflicts with the hostname field");
        }
        fail(wk, "not in a separate kernel namespace");
    }
}

void check_path_lists(const Spec& s, const Linux& l, const Where& w) {
    for (auto [name, list] :
         {std::pair{"maskedPaths", &l.masked_paths}, {"readonlyPaths", &l.readonly_paths}}) {
        if (!*list) continue;
        for (size_t i = 0; i < (*list)->size(); ++i) require_abs((**list)[i], w.field(name).index(i));
        // runc: "unable to restrict sys entries without a private MNT namespace".
        if (!(*list)->empty() && !find_namespace(s, "mount"))
            fail(w.field(name), "requires a mount namespace");
    }
}

void check_intel_rdt(const IntelRdt& r, const Where& w) {
    // closID names a directory under /sys/fs/resctrl.
    if (r.clos_id && (r.clos_id->empty() || *r.clos_id == "." || *r.clos_id == ".." ||
                      r.clos_id->find('/') != std::string::npos))
        fail(w.field("closID"), quoted(*r.clos_id) + " is not a valid CLOS name");
    // Each of these is written as lines of the resctrl "schemata" file.
    if (r.l3_cache_schema && r.l3_cache_schema->find('\n') != std::string::npos)
        fail(w.field("l3CacheSchema"), "must not contain a newline");
    if (r.mem_bw_schema &&
        (r.mem_bw_schema->rfind("MB:", 0) != 0 || r.mem_bw_schema->find('\n') != std::string::npos))
        fail(w.field("memBwSchema"), "must be one line starting with `MB:`");
    for (size_t i = 0; i < r.schemata.size(); ++i)
        if (r.schemata[i].find('\n') != std::string::npos)
            fail(w.field("schemata").index(i), "must not contain a newline");
}

void check_memory_policy(const MemoryPolicy& m, const Where& w) {
    require_known(m.mode, names::memory_policy_modes, w.field("mode"), "mode");
    for (size_t i = 0; i < m.flags.size(); ++i)
        require_known(m.flags[i], names::memory_policy_flags, w.field("flags").index(i), "flag");
    bool nodes = m.nodes && !trim(*m.nodes).empty();
    if (m.nodes && !valid_id_list(*m.nodes))
        fail(w.field("nodes"), quoted(*m.nodes) + " is not a valid node list");
    // set_mempolicy(2): these modes take no nodemask, those need a non-empty one.
    if (nodes && (m.mode == "MPOL_DEFAULT" || m.mode == "MPOL_LOCAL"))
        fail(w.field("nodes"), "must be empty with " + m.mode);
    if (!nodes && m.mode != "MPOL_DEFAULT" && m.mode != "MPOL_LOCAL" && m.mode != "MPOL_PREFERRED")
        fail(w.field("nodes"), "required with " + m.mode);
}

// The kernel's dev_valid_name().
bool valid_ifname(std::string_view n) {
    if (n.empty() || n.size() >= 16 || n == "." || n == "..") return false;
    return std::none_of(n.begin(), n.end(),
                        [](char c) { return c == '/' || c == ':' || c == ' ' || (c >= '\t' && c <= '\r'); });
}

void check_net_devices(const Spec& s, const Linux& l, const Where& w) {
    if (l.net_devices.empty()) return;
    // Moving a device into the host's own namespace is a no-op at best.
    if (!has_new_namespace(s, "network")) fail(w.field("netDevices"), "requires a new network namespace");
    for (const auto& [host, name] : l.net_devices) {
        Where wd = w.field("netDevices").key(host);
        if (!valid_ifname(host)) fail(wd, quoted(host) + " is not a valid interface name");
        if (!valid_ifname(name)) fail(wd.field("name"), quoted(name) + " is not a valid interface name");
    }
}

void check_linux(const Spec& s, const Where& w) {
    if (!s.linux) return;
    const Linux& l = *s.linux;
    check_namespaces(l, w.field("namespaces"));
    check_user_and_time(s, l, w);
    check_devices(l.devices, w.field("devices"));
    if (l.resources) check_resources(*l.resources, w.field("resources"));
    // "" is what runc maps to "leave it alone"; some generators write it.
    if (l.rootfs_propagation && !l.rootfs_propagation->empty())
        require_known(*l.rootfs_propagation, names::rootfs_propagations, w.field("rootfsPropagation"),
                      "propagation");
    if (l.seccomp) check_seccomp(*l.seccomp, w.field("seccomp"));
    check_sysctl(s, l, w);
    check_path_lists(s, l, w);
    if (l.intel_rdt) check_intel_rdt(*l.intel_rdt, w.field("intelRdt"));
    if (l.memory_policy) check_memory_policy(*l.memory_policy, w.field("memoryPolicy"));
    if (l.personality) {
        const Personality& p = *l.personality;
        if (p.domain != "LINUX" && p.domain != "LINUX32")
            fail(w.field("personality").field("domain"),
                 "unknown domain " + quoted(p.domain) + " (expected LINUX or LINUX32)");
        // config-linux.md: "Currently no flag values are supported."
        if (!p.flags.empty()) fail(w.field("personality").field("flags"), "no flags are supported");
    }
    check_net_devices(s, l, w);
}

}  // namespace

void validate(const Spec& s) {
    Where w{"config.json", ""};
    check_oci_version(s.oci_version, w.field("ociVersion"));
    if (!s.root) fail(w.field("root"), "required field missing");
    if (s.root->path.empty()) fail(w.field("root").field("path"), "must not be empty");
    if (!s.process) fail(w.field("process"), "required field missing");
    check_process(*s.process, w.field("process"));
    check_mounts(s, w.field("mounts"));
    if (s.hooks) check_hooks(*s.hooks, w.field("hooks"));
    if (s.annotations.count("")) fail(w.field("annotations"), "keys must not be empty");
    check_uts(s, w);
    check_linux(s, w.field("linux"));
}

void validate_process(const Process& process, std::string_view doc) {
    check_process(process, where_from_doc(doc));
}

bool valid_container_id(std::string_view id) {
    // runc libcontainer/factory_linux.go validateID: the id names a directory.
    if (id.empty() || id == "." || id == "..") return false;
    return std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
               c == '+' || c == '-' || c == '.';
    });
}

bool known_capability(std::string_view name) { return names::contains(names::capabilities, name); }

std::vector<std::string> process_warnings(const Process& p, std::string_view doc) {
    std::vector<std::string> out;
    if (!p.capabilities) return out;
    Where w = where_from_doc(doc).field("capabilities");
    const Capabilities& c = *p.capabilities;
    for (auto [name, set] : {std::pair{"bounding", &c.bounding},
                             {"effective", &c.effective},
                             {"inheritable", &c.inheritable},
                             {"permitted", &c.permitted},
                             {"ambient", &c.ambient}}) {
        if (!*set) continue;
        for (size_t i = 0; i < (*set)->size(); ++i) {
            const std::string& cap = (**set)[i];
            if (known_capability(cap)) continue;
            Where wi = w.field(name).index(i);
            out.push_back(wi.doc + ": " + wi.path + ": ignoring unknown capability " + quoted(cap));
        }
    }
    return out;
}

std::vector<std::string> warnings(const Spec& s) {
    if (!s.process) return {};
    return process_warnings(*s.process);
}

}  // namespace rt::spec
