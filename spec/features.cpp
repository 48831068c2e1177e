// The `features` document (features.md, features-linux.md) and the `spec`
// command's template (runc 1.1.5's `runc spec` / `runc spec --rootless`).
#include "features.hpp"

#include <linux/magic.h>
#include <sys/vfs.h>

#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <seccomp.h>
#include <unistd.h>

#include <string_view>

#include "names.hpp"

#ifndef BERTH_VERSION
#define BERTH_VERSION "unknown"
#endif
#ifndef BERTH_COMMIT
#define BERTH_COMMIT "unknown"
#endif

namespace rt::spec {

namespace {

using Writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

// What the mount code implements: config.md's Linux option table minus
// `tmpcopyup` (MAY; not implemented) and `idmap`/`ridmap` (not yet), sorted as
// runc sorts them. dockerd only creates `rro` mounts when `rro` is listed.
constexpr std::string_view mount_options[] = {
    "async",       "atime",      "bind",         "defaults",      "dev",        "diratime",
    "dirsync",     "exec",       "iversion",     "lazytime",      "loud",       "mand",
    "noatime",     "nodev",      "nodiratime",   "noexec",        "noiversion", "nolazytime",
    "nomand",      "norelatime", "nostrictatime", "nosuid",       "nosymfollow", "private",
    "ratime",      "rbind",      "rdev",         "rdiratime",     "relatime",   "remount",
    "rexec",       "rnoatime",   "rnodev",       "rnodiratime",   "rnoexec",    "rnorelatime",
    "rnostrictatime", "rnosuid", "rnosymfollow", "ro",            "rprivate",   "rrelatime",
    "rro",         "rrw",        "rshared",      "rslave",        "rstrictatime", "rsuid",
    "rsymfollow",  "runbindable", "rw",          "shared",        "silent",     "slave",
    "strictatime", "suid",       "symfollow",    "sync",          "unbindable",
};

// Architectures both the spec and the libseccomp we build against know, in
// runc's (alphabetical) order. Newer names are listed only when the header
// defines them, so the document never promises what seccomp_arch_resolve_name fails on.
constexpr std::string_view seccomp_archs[] = {
    "SCMP_ARCH_AARCH64",  "SCMP_ARCH_ARM",
#ifdef SCMP_ARCH_LOONGARCH64
    "SCMP_ARCH_LOONGARCH64",
#endif
#ifdef SCMP_ARCH_M68K
    "SCMP_ARCH_M68K",
#endif
    "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",      "SCMP_ARCH_MIPS64N32",
    "SCMP_ARCH_MIPSEL",   "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PARISC",
    "SCMP_ARCH_PARISC64", "SCMP_ARCH_PPC",      "SCMP_ARCH_PPC64",       "SCMP_ARCH_PPC64LE",
    "SCMP_ARCH_RISCV64",  "SCMP_ARCH_S390",     "SCMP_ARCH_S390X",
#ifdef SCMP_ARCH_SH
    "SCMP_ARCH_SH",       "SCMP_ARCH_SHEB",
#endif
    "SCMP_ARCH_X32",      "SCMP_ARCH_X86",      "SCMP_ARCH_X86_64",
};

// The filter flags the seccomp code passes to seccomp(2).
constexpr std::string_view seccomp_flags[] = {
    "SECCOMP_FILTER_FLAG_TSYNC",
    "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
    "SECCOMP_FILTER_FLAG_LOG",
};

void put(Writer& w, std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }

template <typename Range>
void put_array(Writer& w, std::string_view key, const Range& items) {
    put(w, key);
    w.StartArray();
    for (std::string_view item : items) put(w, item);
    w.EndArray();
}

void put_enabled(Writer& w, std::string_view key, bool enabled) {
    put(w, key);
    w.StartObject();
    put(w, "enabled");
    w.Bool(enabled);
    w.EndObject();
}

void put_seccomp(Writer& w) {
    put(w, "seccomp");
    w.StartObject();
    put(w, "enabled");
    w.Bool(true);
    put_array(w, "actions", names::seccomp_actions);
    put_array(w, "operators", names::seccomp_operators);
    put_array(w, "archs", seccomp_archs);
    put_array(w, "knownFlags", seccomp_flags);
    put_array(w, "supportedFlags", seccomp_flags);
    w.EndObject();
}

// Field order is specs-go/features.Linux's, as runc prints it. The object is
// always present: containerd dereferences it without a nil check.
void put_linux(Writer& w) {
    put(w, "linux");
    w.StartObject();
    put_array(w, "namespaces", names::namespaces);
    put_array(w, "capabilities", names::capabilities);
    put(w, "cgroup");
    w.StartObject();
    // Only what berth really does: both versions (and hybrid hosts), rdma
    // limits; the systemd driver is the system instance's only (no rootless
    // user manager).
    for (auto [key, on] : {std::pair{"v1", true}, {"v2", true}, {"systemd", true}, {"systemdUser", false},
                           {"rdma", true}}) {
        put(w, key);
        w.Bool(on);
    }
    w.EndObject();
    put_seccomp(w);
    put_enabled(w, "apparmor", false);
    put_enabled(w, "selinux", false);
    put_enabled(w, "intelRdt", false);
    put(w, "mountExtensions");
    w.StartObject();
    put_enabled(w, "idmap", false);
    w.EndObject();
    put_enabled(w, "netDevices", false);
    w.EndObject();
}

std::string libseccomp_version() {
    const scmp_version* v = seccomp_version();
    if (!v) return "unknown";
    return std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->micro);
}

// runc 1.1.5's template, with our spec version. Kept as JSON text rather than
// code so it can be compared with `runc spec` by eye.
constexpr const char* spec_template = R"({
  "ociVersion": "1.3.0",
  "process": {
    "terminal": true,
    "user": {"uid": 0, "gid": 0},
    "args": ["sh"],
    "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
    "cwd": "/",
    "capabilities": {
      "bounding": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "effective": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "permitted": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "ambient": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
    },
    "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
    "noNewPrivileges": true
  },
  "root": {"path": "rootfs", "readonly": true},
  "hostname": "runc",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
     "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
    {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
     "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
    {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
     "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
    {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
     "options": ["nosuid", "noexec", "nodev"]},
    {"destination": "/sys", "type": "sysfs", "source": "sysfs",
     "options": ["nosuid", "noexec", "nodev", "ro"]},
    {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
     "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]}
  ],
  "linux": {
    "resources": {"devices": [{"allow": false, "access": "rwm"}]},
    "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}],
    "maskedPaths": ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
                    "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
                    "/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
    "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
  }
})";

using Doc = rapidjson::Document;

rapidjson::Value id_mappings(unsigned host_id, Doc::AllocatorType& a) {
    rapidjson::Value m(rapidjson::kObjectType);
    m.AddMember("containerID", 0, a).AddMember("hostID", host_id, a).AddMember("size", 1, a);
    rapidjson::Value list(rapidjson::kArrayType);
    list.PushBack(m, a);
    return list;
}

// What runc's specconv.ToRootless does to the template: no network namespace
// (a rootless user cannot configure one), a user namespace mapping only the
// caller, /sys bind-mounted (sysfs cannot be mounted without a network
// namespace), no uid=/gid= mount options and no cgroup resources.
void make_rootless(Doc& d) {
    auto& a = d.GetAllocator();
    for (auto& m : d["mounts"].GetArray()) {
        if (std::string_view(m["destination"].GetString()) == "/sys") {
            m["type"].SetString("none");
            m["source"].SetString("/sys");
            rapidjson::Value opts(rapidjson::kArrayType);
            for (const char* o : {"rbind", "nosuid", "noexec", "nodev", "ro"})
                opts.PushBack(rapidjson::StringRef(o), a);
            m["options"] = opts;
            continue;
        }
        if (!m.HasMember("options")) continue;
        auto& opts = m["options"];
        for (auto it = opts.Begin(); it != opts.End();) {
            std::string_view o = it->GetString();
            it = o.rfind("uid=", 0) == 0 || o.rfind("gid=", 0) == 0 ? opts.Erase(it) : it + 1;
        }
    }
    // Rebuilt rather than edited: specs-go puts the mappings first in "linux".
    rapidjson::Value& old = d["linux"];
    rapidjson::Value lx(rapidjson::kObjectType);
    lx.AddMember("uidMappings", id_mappings(geteuid(), a), a);
    lx.AddMember("gidMappings", id_mappings(getegid(), a), a);
    rapidjson::Value ns(rapidjson::kArrayType);
    for (auto& n : old["namespaces"].GetArray()) {
        std::string_view type = n["type"].GetString();
        if (type != "network" && type != "user") ns.PushBack(n, a);
    }
    rapidjson::Value user(rapidjson::kObjectType);
    user.AddMember("type", "user", a);
    ns.PushBack(user, a);
    lx.AddMember("namespaces", ns, a);
    lx.AddMember("maskedPaths", old["maskedPaths"], a);
    lx.AddMember("readonlyPaths", old["readonlyPaths"], a);
    d["linux"] = lx;
}

}  // namespace

std::string features_json() {
    rapidjson::StringBuffer buf;
    Writer w(buf);
    w.SetIndent(' ', 4);  // runc prints `features` with json.MarshalIndent(v, "", "    ")
    w.StartObject();
    put(w, "ociVersionMin");
    put(w, "1.0.0");
    put(w, "ociVersionMax");
    put(w, "1.3.0");
    put_array(w, "hooks", names::hooks);
    put_array(w, "mountOptions", mount_options);
    put_linux(w);
    put(w, "annotations");  // sorted, as Go prints maps
    w.StartObject();
    put(w, "io.github.seccomp.libseccomp.version");
    put(w, libseccomp_version());
    put(w, "org.berth.commit");
    put(w, BERTH_COMMIT);
    put(w, "org.berth.version");
    put(w, BERTH_VERSION);
    w.EndObject();
    w.EndObject();
    return std::string(buf.GetString(), buf.GetSize()) + "\n";
}

// runc's `spec` adds a cgroup namespace on a cgroup v2 host (where one
// cgroup2 mount shows the namespace root); on v1 hosts it does not.
bool unified_host() {
    struct statfs fs {};
    return ::statfs("/sys/fs/cgroup", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
}

std::string default_spec_json(bool rootless) {
    Doc d;
    d.Parse(spec_template);
    if (rootless) make_rootless(d);
    if (unified_host()) {
        rapidjson::Value ns(rapidjson::kObjectType);
        ns.AddMember("type", "cgroup", d.GetAllocator());
        d["linux"]["namespaces"].PushBack(ns, d.GetAllocator());
    }
    rapidjson::StringBuffer buf;
    Writer w(buf);
    w.SetIndent('\t', 1);  // as `runc spec` writes config.json; no trailing newline either
    d.Accept(w);
    return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace rt::spec
