// Closed sets of names the runtime-spec (v1.3) allows, shared by validation
// and the `features` document so the two cannot drift apart.
#pragma once

#include <algorithm>
#include <array>
#include <string_view>

namespace rt::spec::names {

// In kernel numbering order (linux/capability.h, Linux 5.9 .. 6.x): the index
// of a name is its capability number.
inline constexpr std::array<std::string_view, 41> capabilities = {
    "CAP_CHOWN",           "CAP_DAC_OVERRIDE",  "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
    "CAP_FSETID",          "CAP_KILL",          "CAP_SETGID",          "CAP_SETUID",
    "CAP_SETPCAP",         "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",       "CAP_NET_RAW",       "CAP_IPC_LOCK",        "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",      "CAP_SYS_RAWIO",     "CAP_SYS_CHROOT",      "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",       "CAP_SYS_ADMIN",     "CAP_SYS_BOOT",        "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",    "CAP_SYS_TIME",      "CAP_SYS_TTY_CONFIG",  "CAP_MKNOD",
    "CAP_LEASE",           "CAP_AUDIT_WRITE",   "CAP_AUDIT_CONTROL",   "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",    "CAP_MAC_ADMIN",     "CAP_SYSLOG",          "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",   "CAP_AUDIT_READ",    "CAP_PERFMON",         "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};

// getrlimit(2), in resource-number order (asm-generic/resource.h): the index
// of a name is its RLIMIT_* value on every architecture Linux containers run on.
inline constexpr std::array<std::string_view, 16> rlimits = {
    "RLIMIT_CPU",     "RLIMIT_FSIZE",      "RLIMIT_DATA",     "RLIMIT_STACK",
    "RLIMIT_CORE",    "RLIMIT_RSS",        "RLIMIT_NPROC",    "RLIMIT_NOFILE",
    "RLIMIT_MEMLOCK", "RLIMIT_AS",         "RLIMIT_LOCKS",    "RLIMIT_SIGPENDING",
    "RLIMIT_MSGQUEUE", "RLIMIT_NICE",      "RLIMIT_RTPRIO",   "RLIMIT_RTTIME",
};

// Alphabetical, as runc's `features` lists them.
inline constexpr std::array<std::string_view, 8> namespaces = {
    "cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts",
};

inline constexpr std::array<std::string_view, 9> seccomp_actions = {
    "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO",  "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
    "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE",
    "SCMP_ACT_TRAP",
};

inline constexpr std::array<std::string_view, 7> seccomp_operators = {
    "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE",
    "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE",
};

// Every architecture name config-linux.md lists (libseccomp 2.6). Whether the
// linked libseccomp knows one is the seccomp compiler's question, not the spec's.
inline constexpr std::array<std::string_view, 23> seccomp_archs = {
    "SCMP_ARCH_AARCH64",  "SCMP_ARCH_ARM",        "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K",
    "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",     "SCMP_ARCH_MIPS64N32",   "SCMP_ARCH_MIPSEL",
    "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PARISC",     "SCMP_ARCH_PARISC64",
    "SCMP_ARCH_PPC",      "SCMP_ARCH_PPC64",      "SCMP_ARCH_PPC64LE",     "SCMP_ARCH_RISCV64",
    "SCMP_ARCH_S390",     "SCMP_ARCH_S390X",      "SCMP_ARCH_SH",          "SCMP_ARCH_SHEB",
    "SCMP_ARCH_X32",      "SCMP_ARCH_X86",        "SCMP_ARCH_X86_64",
};

inline constexpr std::array<std::string_view, 4> seccomp_flags = {
    "SECCOMP_FILTER_FLAG_TSYNC",
    "SECCOMP_FILTER_FLAG_LOG",
    "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
};

// rootfsPropagation: config-linux.md names four values; runc also maps the
// recursive spellings, and dockerd/containerd write "rslave"/"rshared".
inline constexpr std::array<std::string_view, 8> rootfs_propagations = {
    "private", "rprivate", "shared", "rshared", "slave", "rslave", "unbindable", "runbindable",
};

inline constexpr std::array<std::string_view, 7> scheduler_policies = {
    "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH",
    "SCHED_ISO",   "SCHED_IDLE", "SCHED_DEADLINE",
};

inline constexpr std::array<std::string_view, 7> scheduler_flags = {
    "SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM",       "SCHED_FLAG_DL_OVERRUN",
    "SCHED_FLAG_KEEP_POLICY",   "SCHED_FLAG_KEEP_PARAMS",   "SCHED_FLAG_UTIL_CLAMP_MIN",
    "SCHED_FLAG_UTIL_CLAMP_MAX",
};

inline constexpr std::array<std::string_view, 3> io_priority_classes = {
    "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE",
};

inline constexpr std::array<std::string_view, 7> memory_policy_modes = {
    "MPOL_DEFAULT",   "MPOL_BIND",           "MPOL_INTERLEAVE", "MPOL_WEIGHTED_INTERLEAVE",
    "MPOL_PREFERRED", "MPOL_PREFERRED_MANY", "MPOL_LOCAL",
};

inline constexpr std::array<std::string_view, 3> memory_policy_flags = {
    "MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES", "MPOL_F_STATIC_NODES",
};

inline constexpr std::array<std::string_view, 6> hooks = {
    "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
};

template <size_t N>
constexpr bool contains(const std::array<std::string_view, N>& set, std::string_view name) {
    return std::find(set.begin(), set.end(), name) != set.end();
}

}  // namespace rt::spec::names
