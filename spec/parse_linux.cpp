// config.json "linux" object -> Linux (config-linux.md, runtime-spec v1.0 - v1.3).
#include "json_util.hpp"

namespace rt::spec::json {

namespace {

Namespace read_namespace(const Obj& o) {
    Namespace ns;
    ns.type = o.req_str("type");
    ns.path = o.opt_str("path");
    // Go generators omit an empty path, others write "": both mean "create a
    // new namespace" to runc, so keep one spelling.
    if (ns.path && ns.path->empty()) ns.path.reset();
    return ns;
}

TimeOffset read_time_offset(const Obj& o) {
    return {o.num<int64_t>("secs", 0), o.num<uint32_t>("nanosecs", 0)};
}

Device read_device(const Obj& o) {
    Device d;
    d.type = o.req_str("type");
    d.path = o.req_str("path");
    d.major = o.opt_num<int64_t>("major");
    d.minor = o.opt_num<int64_t>("minor");
    d.file_mode = o.opt_num<uint32_t>("fileMode");
    d.uid = o.opt_num<uint32_t>("uid");
    d.gid = o.opt_num<uint32_t>("gid");
    return d;
}

DeviceCgroup read_device_cgroup(const Obj& o) {
    DeviceCgroup d;
    d.allow = as_bool(o.need("allow"), o.at("allow"));
    d.type = o.opt_str("type");
    d.major = o.opt_num<int64_t>("major");
    d.minor = o.opt_num<int64_t>("minor");
    d.access = o.opt_str("access");
    return d;
}

Memory read_memory(const Obj& o) {
    Memory m;
    m.limit = o.opt_num<int64_t>("limit");
    m.reservation = o.opt_num<int64_t>("reservation");
    m.swap = o.opt_num<int64_t>("swap");
    m.kernel = o.opt_num<int64_t>("kernel");
    m.kernel_tcp = o.opt_num<int64_t>("kernelTCP");
    m.swappiness = o.opt_num<uint64_t>("swappiness");
    m.disable_oom_killer = o.opt_flag("disableOOMKiller");
    m.use_hierarchy = o.opt_flag("useHierarchy");
    m.check_before_update = o.opt_flag("checkBeforeUpdate");
    return m;
}

Cpu read_cpu(const Obj& o) {
    Cpu c;
    c.shares = o.opt_num<uint64_t>("shares");
    c.quota = o.opt_num<int64_t>("quota");
    c.burst = o.opt_num<uint64_t>("burst");
    c.period = o.opt_num<uint64_t>("period");
    c.realtime_runtime = o.opt_num<int64_t>("realtimeRuntime");
    c.realtime_period = o.opt_num<uint64_t>("realtimePeriod");
    c.cpus = o.opt_str("cpus");
    c.mems = o.opt_str("mems");
    c.idle = o.opt_num<int64_t>("idle");
    return c;
}

Pids read_pids(const Obj& o) {
    // The v1.0 schema required "limit"; config-linux.md v1.3 makes it optional.
    return {o.opt_num<int64_t>("limit")};
}

WeightDevice read_weight_device(const Obj& o) {
    WeightDevice d;
    d.major = o.req_num<int64_t>("major");
    d.minor = o.req_num<int64_t>("minor");
    d.weight = o.opt_num<uint16_t>("weight");
    d.leaf_weight = o.opt_num<uint16_t>("leafWeight");
    return d;
}

ThrottleDevice read_throttle_device(const Obj& o) {
    // "rate" is REQUIRED in the prose but not in the schema; runc reads an
    // absent one as 0, and so do we.
    return {o.req_num<int64_t>("major"), o.req_num<int64_t>("minor"), o.num<uint64_t>("rate", 0)};
}

BlockIo read_block_io(const Obj& o) {
    BlockIo b;
    b.weight = o.opt_num<uint16_t>("weight");
    b.leaf_weight = o.opt_num<uint16_t>("leafWeight");
    b.weight_device = o.list("weightDevice", read_weight_device);
    b.throttle_read_bps_device = o.list("throttleReadBpsDevice", read_throttle_device);
    b.throttle_write_bps_device = o.list("throttleWriteBpsDevice", read_throttle_device);
    b.throttle_read_iops_device = o.list("throttleReadIOPSDevice", read_throttle_device);
    b.throttle_write_iops_device = o.list("throttleWriteIOPSDevice", read_throttle_device);
    return b;
}

HugepageLimit read_hugepage_limit(const Obj& o) {
    return {o.req_str("pageSize"), o.req_num<uint64_t>("limit")};
}

NetworkPriority read_network_priority(const Obj& o) {
    return {o.req_str("name"), o.req_num<uint32_t>("priority")};
}

Network read_network(const Obj& o) {
    Network n;
    n.class_id = o.opt_num<uint32_t>("classID");
    n.priorities = o.list("priorities", read_network_priority);
    return n;
}

Rdma read_rdma(const Obj& o) {
    return {o.opt_num<uint32_t>("hcaHandles"), o.opt_num<uint32_t>("hcaObjects")};
}

SeccompArg read_seccomp_arg(const Obj& o) {
    SeccompArg a;
    a.index = o.req_num<uint32_t>("index");
    a.value = o.req_num<uint64_t>("value");
    a.value_two = o.opt_num<uint64_t>("valueTwo");
    a.op = o.req_str("op");
    return a;
}

SeccompSyscall read_seccomp_syscall(const Obj& o) {
    SeccompSyscall s;
    s.names = o.req_strs("names");
    s.action = o.req_str("action");
    s.errno_ret = o.opt_num<uint32_t>("errnoRet");
    s.args = o.list("args", read_seccomp_arg);
    return s;
}

Seccomp read_seccomp(const Obj& o) {
    Seccomp s;
    s.default_action = o.req_str("defaultAction");
    s.default_errno_ret = o.opt_num<uint32_t>("defaultErrnoRet");
    s.architectures = o.strs("architectures");
    s.flags = o.strs("flags");
    s.listener_path = o.opt_str("listenerPath");
    s.listener_metadata = o.opt_str("listenerMetadata");
    s.syscalls = o.list("syscalls", read_seccomp_syscall);
    return s;
}

IntelRdt read_intel_rdt(const Obj& o) {
    IntelRdt r;
    r.clos_id = o.opt_str("closID");
    r.l3_cache_schema = o.opt_str("l3CacheSchema");
    r.mem_bw_schema = o.opt_str("memBwSchema");
    r.schemata = o.strs("schemata");
    r.enable_monitoring = o.opt_flag("enableMonitoring");
    return r;
}

MemoryPolicy read_memory_policy(const Obj& o) {
    MemoryPolicy m;
    m.mode = o.req_str("mode");
    m.nodes = o.opt_str("nodes");
    m.flags = o.strs("flags");
    return m;
}

Personality read_personality(const Obj& o) { return {o.req_str("domain"), o.strs("flags")}; }

}  // namespace

IdMapping read_id_mapping(const Obj& o) {
    return {o.req_num<uint32_t>("containerID"), o.req_num<uint32_t>("hostID"), o.req_num<uint32_t>("size")};
}

Resources read_resources(const Obj& o) {
    Resources r;
    r.devices = o.list("devices", read_device_cgroup);
    r.memory = o.opt_obj("memory", read_memory);
    r.cpu = o.opt_obj("cpu", read_cpu);
    r.pids = o.opt_obj("pids", read_pids);
    r.block_io = o.opt_obj("blockIO", read_block_io);
    r.hugepage_limits = o.list("hugepageLimits", read_hugepage_limit);
    r.network = o.opt_obj("network", read_network);
    r.rdma = o.obj_map("rdma", read_rdma);
    r.unified = o.str_map("unified");
    return r;
}

Linux read_linux(const Obj& o) {
    Linux l;
    l.namespaces = o.list("namespaces", read_namespace);
    l.uid_mappings = o.list("uidMappings", read_id_mapping);
    l.gid_mappings = o.list("gidMappings", read_id_mapping);
    l.time_offsets = o.obj_map("timeOffsets", read_time_offset);
    l.devices = o.list("devices", read_device);
    l.cgroups_path = o.opt_str("cgroupsPath");
    l.resources = o.opt_obj("resources", read_resources);
    l.rootfs_propagation = o.opt_str("rootfsPropagation");
    l.seccomp = o.opt_obj("seccomp", read_seccomp);
    l.sysctl = o.str_map("sysctl");
    l.masked_paths = o.opt_strs("maskedPaths");
    l.readonly_paths = o.opt_strs("readonlyPaths");
    l.mount_label = o.opt_str("mountLabel");
    l.intel_rdt = o.opt_obj("intelRdt", read_intel_rdt);
    l.memory_policy = o.opt_obj("memoryPolicy", read_memory_policy);
    l.personality = o.opt_obj("personality", read_personality);
    // config-linux.md: "If [name is] not specified, the host name is used."
    for (auto& [host, name] : o.obj_map("netDevices", [](const Obj& d) { return d.opt_str("name"); })) {
        l.net_devices[host] = name.value_or(host);
    }
    return l;
}

}  // namespace rt::spec::json
