// Typed model of config.json (runtime-spec v1.0 - v1.3, Linux part).
//
// Field names are the JSON names in snake_case. Optional JSON fields are
// std::optional (or an empty container where "absent" and "empty" mean the
// same thing to the runtime). Unknown JSON keys are ignored by the parser, as
// config.md requires. No syscalls here; parse.cpp fills it, validate.cpp
// checks it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace rt::spec {

struct User {
    uint32_t uid = 0;
    uint32_t gid = 0;
    std::optional<uint32_t> umask;
    std::vector<uint32_t> additional_gids;
    std::optional<std::string> username;  // windows only; parsed, ignored
};

struct ConsoleSize {
    uint32_t height = 0;
    uint32_t width = 0;
};

struct Capabilities {
    // Each set is optional: absent means "empty set" for the kernel, but the
    // distinction is kept for the `state`/`spec` round-trip.
    std::optional<std::vector<std::string>> bounding, effective, inheritable, permitted, ambient;
};

struct Rlimit {
    std::string type;  // "RLIMIT_NOFILE"
    uint64_t soft = 0;
    uint64_t hard = 0;
};

struct Scheduler {
    std::string policy;  // SCHED_OTHER, SCHED_FIFO, ...
    std::optional<int32_t> nice, priority;
    std::vector<std::string> flags;
    std::optional<uint64_t> runtime, deadline, period;
};

struct IoPriority {
    std::string class_;  // IOPRIO_CLASS_RT | IOPRIO_CLASS_BE | IOPRIO_CLASS_IDLE
    int32_t priority = 0;
};

struct ExecCpuAffinity {
    std::optional<std::string> initial, final;
};

struct Process {
    bool terminal = false;
    std::optional<ConsoleSize> console_size;
    User user;
    std::vector<std::string> args;
    std::optional<std::string> command_line;  // windows only
    std::vector<std::string> env;
    std::string cwd;
    std::optional<Capabilities> capabilities;
    std::vector<Rlimit> rlimits;
    bool no_new_privileges = false;
    std::optional<std::string> apparmor_profile;
    std::optional<int32_t> oom_score_adj;
    std::optional<Scheduler> scheduler;
    std::optional<std::string> selinux_label;
    std::optional<IoPriority> io_priority;
    std::optional<ExecCpuAffinity> exec_cpu_affinity;
};

struct Root {
    std::string path;
    bool readonly = false;
};

struct IdMapping {
    uint32_t container_id = 0;
    uint32_t host_id = 0;
    uint32_t size = 0;
};

struct Mount {
    std::string destination;
    std::optional<std::string> type;
    std::optional<std::string> source;
    std::vector<std::string> options;
    std::vector<IdMapping> uid_mappings, gid_mappings;
};

struct Hook {
    std::string path;
    std::vector<std::string> args;
    std::vector<std::string> env;
    std::optional<int64_t> timeout;  // seconds, > 0
};

struct Hooks {
    std::vector<Hook> prestart, create_runtime, create_container, start_container, poststart,
        poststop;
};

struct Namespace {
    std::string type;  // pid network mount ipc uts user cgroup time
    std::optional<std::string> path;
};

struct Device {
    std::string type;  // c, b, u, p
    std::string path;
    std::optional<int64_t> major, minor;
    std::optional<uint32_t> file_mode;
    std::optional<uint32_t> uid, gid;
};

struct DeviceCgroup {
    bool allow = false;
    std::optional<std::string> type;  // a, c, b
    std::optional<int64_t> major, minor;
    std::optional<std::string> access;  // rwm subset
};

struct Memory {
    std::optional<int64_t> limit, reservation, swap, kernel, kernel_tcp;
    std::optional<uint64_t> swappiness;
    std::optional<bool> disable_oom_killer, use_hierarchy, check_before_update;
};

struct Cpu {
    std::optional<uint64_t> shares;
    std::optional<int64_t> quota;
    std::optional<uint64_t> burst, period;
    std::optional<int64_t> realtime_runtime;
    std::optional<uint64_t> realtime_period;
    std::optional<std::string> cpus, mems;
    std::optional<int64_t> idle;
};

struct Pids {
    std::optional<int64_t> limit;
};

struct WeightDevice {
    int64_t major = 0, minor = 0;
    std::optional<uint16_t> weight, leaf_weight;
};

struct ThrottleDevice {
    int64_t major = 0, minor = 0;
    uint64_t rate = 0;
};

struct BlockIo {
    std::optional<uint16_t> weight, leaf_weight;
    std::vector<WeightDevice> weight_device;
    std::vector<ThrottleDevice> throttle_read_bps_device, throttle_write_bps_device,
        throttle_read_iops_device, throttle_write_iops_device;
};

struct HugepageLimit {
    std::string page_size;  // "2MB", "1GB", optionally with ".rsvd"? no: see cgroups issue
    uint64_t limit = 0;
};

struct NetworkPriority {
    std::string name;
    uint32_t priority = 0;
};

struct Network {
    std::optional<uint32_t> class_id;
    std::vector<NetworkPriority> priorities;
};

struct Rdma {
    std::optional<uint32_t> hca_handles, hca_objects;
};

struct Resources {
    std::vector<DeviceCgroup> devices;
    std::optional<Memory> memory;
    std::optional<Cpu> cpu;
    std::optional<Pids> pids;
    std::optional<BlockIo> block_io;
    std::vector<HugepageLimit> hugepage_limits;
    std::optional<Network> network;
    std::map<std::string, Rdma> rdma;
    std::map<std::string, std::string> unified;
};

struct SeccompArg {
    uint32_t index = 0;
    uint64_t value = 0;
    std::optional<uint64_t> value_two;
    std::string op;  // SCMP_CMP_*
};

struct SeccompSyscall {
    std::vector<std::string> names;
    std::string action;  // SCMP_ACT_*
    std::optional<uint32_t> errno_ret;
    std::vector<SeccompArg> args;
};

struct Seccomp {
    std::string default_action;
    std::optional<uint32_t> default_errno_ret;
    std::vector<std::string> architectures;
    std::vector<std::string> flags;
    std::optional<std::string> listener_path;
    std::optional<std::string> listener_metadata;
    std::vector<SeccompSyscall> syscalls;
};

struct IntelRdt {
    std::optional<std::string> clos_id, l3_cache_schema, mem_bw_schema;
    std::vector<std::string> schemata;
    std::optional<bool> enable_monitoring;
};

struct MemoryPolicy {
    std::string mode;  // MPOL_*
    std::optional<std::string> nodes;
    std::vector<std::string> flags;
};

struct Personality {
    std::string domain;  // LINUX | LINUX32
    std::vector<std::string> flags;
};

struct TimeOffset {
    int64_t secs = 0;
    uint32_t nanosecs = 0;
};

struct Linux {
    std::vector<Namespace> namespaces;
    std::vector<IdMapping> uid_mappings, gid_mappings;
    std::map<std::string, TimeOffset> time_offsets;  // "monotonic", "boottime"
    std::vector<Device> devices;
    std::optional<std::string> cgroups_path;
    std::optional<Resources> resources;
    std::optional<std::string> rootfs_propagation;
    std::optional<Seccomp> seccomp;
    std::map<std::string, std::string> sysctl;
    std::optional<std::vector<std::string>> masked_paths;
    std::optional<std::vector<std::string>> readonly_paths;
    std::optional<std::string> mount_label;
    std::optional<IntelRdt> intel_rdt;
    std::optional<MemoryPolicy> memory_policy;
    std::optional<Personality> personality;
    std::map<std::string, std::string> net_devices;  // host name -> container name
};

struct Spec {
    std::string oci_version;
    std::optional<Process> process;
    std::optional<Root> root;
    std::optional<std::string> hostname, domainname;
    std::vector<Mount> mounts;
    std::optional<Hooks> hooks;
    std::map<std::string, std::string> annotations;
    std::optional<Linux> linux;
};

}  // namespace rt::spec
