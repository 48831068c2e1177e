// linux.resources -> cgroup v2 files, following runc's libcontainer/cgroups/fs2
// (pids.go, memory.go, io.go, cpu.go, cpuset.go, hugetlb.go, fs2.go
// setUnified) and the conversions of utils.go. What v2 has no file for is an
// unsupported error naming the field, never silently dropped.
#include <cstdint>

#include "cgroups/emit.hpp"

namespace rt::cgroups {

using detail::Emitter;
using detail::field;
using detail::field_at;

uint64_t shares_to_weight(uint64_t shares) {
    if (shares == 0) return 0;
    if (shares < 2) shares = 2;  // the v1 kernel's clamp; runc's unsigned formula would wrap
    if (shares > 262144) shares = 262144;
    return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t blkio_weight_to_io_weight(uint16_t weight) {
    if (weight == 0) return 0;
    uint64_t w = weight < 10 ? 10 : weight > 1000 ? 1000 : weight;
    return 1 + (w - 10) * 9999 / 990;
}

int64_t swap_to_v2(int64_t swap, int64_t memory) {
    const std::string fld = field("memory", "swap");
    // Unlimited memory and no swap value: both unlimited, as on v1.
    if (memory == -1 && swap == 0) return -1;
    if (swap == -1 || swap == 0) return swap;
    if (memory == -1) return swap;
    if (memory == 0) detail::invalid(fld, "unable to set swap limit without memory limit");
    if (memory < 0) detail::invalid(field("memory", "limit"), "invalid memory value: " + std::to_string(memory));
    if (swap < memory) detail::invalid(fld, "memory+swap limit should be >= memory limit");
    return swap - memory;
}

namespace {

// runc numToStr: 0 is "unset", -1 is "max".
std::string num_to_str(int64_t v) {
    if (v == 0) return "";
    if (v == -1) return "max";
    return std::to_string(v);
}

void memory(const spec::Resources& r, WritePlan& out) {
    if (!r.memory) return;
    const spec::Memory& m = *r.memory;
    Emitter e{out, Hierarchy::v2, "memory"};
    detail::warn_kernel_memory(m, out);
    if (m.swappiness && *m.swappiness != UINT64_MAX)
        detail::unsupported(field("memory", "swappiness"), "not supported on cgroup v2");
    // runc (fs2) ignores it: v2 has no switch for the OOM killer.
    if (m.disable_oom_killer.value_or(false))
        out.warnings.push_back(field("memory", "disableOOMKiller") + ": cgroup v2 cannot disable the OOM killer, ignored");
    if (m.use_hierarchy && !*m.use_hierarchy)
        detail::unsupported(field("memory", "useHierarchy"), "cgroup v2 is always hierarchical");
    int64_t limit = m.limit.value_or(0), swap = m.swap.value_or(0), low = m.reservation.value_or(0);
    if (limit == 0 && swap == 0 && low == 0) return;
    if (m.check_before_update.value_or(false)) out.memory_check = MemoryCheck{limit, swap};
    int64_t v2swap = swap_to_v2(swap, limit);
    std::string s = num_to_str(v2swap);
    if (s.empty() && v2swap == 0 && swap > 0) s = "0";  // swap == limit: no swap at all
    if (!s.empty()) {
        // Without swap accounting the file is absent: "max" and "0" then
        // already hold (runc ignores ENOENT for exactly these two).
        Write& w = e.add("memory.swap.max", s, field("memory", "swap"));
        w.optional = s == "max" || s == "0";
    }
    if (auto v = num_to_str(limit); !v.empty()) e.add("memory.max", v, field("memory", "limit"));
    if (auto v = num_to_str(low); !v.empty()) e.add("memory.low", v, field("memory", "reservation"));
}

void io(const spec::Resources& r, WritePlan& out) {
    if (!r.block_io) return;
    const spec::BlockIo& b = *r.block_io;
    Emitter e{out, Hierarchy::v2, "io"};
    if (b.leaf_weight.value_or(0) != 0) detail::unsupported(field("blockIO", "leafWeight"), "not supported on cgroup v2");
    // BFQ takes the v1 range as is; without it io.weight gets the converted value.
    if (b.weight.value_or(0) != 0) {
        Write& w = e.add("io.bfq.weight", std::to_string(*b.weight), field("blockIO", "weight"));
        w.alt_file = "io.weight";
        w.alt_value = std::to_string(blkio_weight_to_io_weight(*b.weight));
    }
    for (size_t i = 0; i < b.weight_device.size(); ++i) {
        const auto& d = b.weight_device[i];
        std::string fld = field_at("blockIO", "weightDevice", i);
        std::string dev = detail::devno(d.major, d.minor, fld);
        if (d.leaf_weight.value_or(0) != 0) detail::unsupported(fld + ".leafWeight", "not supported on cgroup v2");
        // Per-device weights exist only in BFQ's file (Linux 5.4).
        if (d.weight.value_or(0) != 0) e.add("io.bfq.weight", dev + " " + std::to_string(*d.weight), fld + ".weight");
    }
    auto throttle = [&](const std::vector<spec::ThrottleDevice>& list, const char* key, const char* name) {
        for (size_t i = 0; i < list.size(); ++i) {
            std::string fld = field_at("blockIO", key, i);
            e.add("io.max", detail::devno(list[i].major, list[i].minor, fld) + " " + name + "=" +
                                std::to_string(list[i].rate), fld);
        }
    };
    throttle(b.throttle_read_bps_device, "throttleReadBpsDevice", "rbps");
    throttle(b.throttle_write_bps_device, "throttleWriteBpsDevice", "wbps");
    throttle(b.throttle_read_iops_device, "throttleReadIOPSDevice", "riops");
    throttle(b.throttle_write_iops_device, "throttleWriteIOPSDevice", "wiops");
}

void cpu(const spec::Resources& r, WritePlan& out) {
    if (!r.cpu) return;
    const spec::Cpu& c = *r.cpu;
    Emitter e{out, Hierarchy::v2, "cpu"};
    // The v2 cpu controller has no RT bandwidth files (and cannot even be
    // enabled while RT tasks run in the hierarchy).
    if (c.realtime_runtime.value_or(0) != 0)
        detail::unsupported(field("cpu", "realtimeRuntime"), "not supported on cgroup v2");
    if (c.realtime_period.value_or(0) != 0)
        detail::unsupported(field("cpu", "realtimePeriod"), "not supported on cgroup v2");
    if (c.idle) e.add("cpu.idle", std::to_string(*c.idle), field("cpu", "idle"));
    if (c.shares.value_or(0) != 0) {
        if (*c.shares < 2 || *c.shares > 262144)
            detail::invalid(field("cpu", "shares"), std::to_string(*c.shares) + " is out of range (2-262144)");
        e.add("cpu.weight", std::to_string(shares_to_weight(*c.shares)), field("cpu", "shares"));
    }
    // A burst larger than the old quota is refused until cpu.max is written.
    if (c.burst) e.add("cpu.max.burst", std::to_string(*c.burst), field("cpu", "burst")).retry_einval = true;
    int64_t quota = c.quota.value_or(0);
    uint64_t period = c.period.value_or(0);
    if (quota != 0 || period != 0) {
        // cpu.max is "$MAX $PERIOD"; 100000 is the kernel's default period.
        std::string v = quota > 0 ? std::to_string(quota) : "max";
        v += " " + std::to_string(period != 0 ? period : 100000);
        e.add("cpu.max", v, field("cpu", quota != 0 ? "quota" : "period"));
    }
}

void hugetlb(const spec::Resources& r, WritePlan& out) { detail::hugetlb_section(r, out, Hierarchy::v2, "max"); }

}  // namespace

// Keys become file names in the container's cgroup directory: a single name
// of the form CONTROLLER.PARAMETER, never a path.
std::string detail::unified_controller(const std::string& key, const std::string& fld) {
    if (key.empty() || key == "." || key == ".." || key.find('/') != std::string::npos ||
        key.find('\0') != std::string::npos)
        detail::invalid(fld, "invalid cgroup file name");
    auto dot = key.find('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == key.size())
        detail::invalid(fld, "must be of the form CONTROLLER.PARAMETER");
    return key.substr(0, dot);
}

void v2_section(const spec::Resources& r, Section s, WritePlan& out) {
    switch (s) {
        case Section::cpuset: detail::cpuset_section(r, out, Hierarchy::v2); break;
        case Section::devices: break;  // a BPF program, not files
        case Section::memory: memory(r, out); break;
        case Section::cpu: cpu(r, out); break;
        case Section::pids: detail::pids_section(r, out, Hierarchy::v2); break;
        case Section::blkio: io(r, out); break;
        case Section::hugetlb: hugetlb(r, out); break;
        case Section::net_cls:
            if (r.network && r.network->class_id.value_or(0) != 0)
                detail::unsupported(field("network", "classID"), "not supported on cgroup v2");
            break;
        case Section::net_prio:
            if (r.network && !r.network->priorities.empty())
                detail::unsupported(field("network", "priorities"), "not supported on cgroup v2");
            break;
        case Section::rdma:
            for (const auto& [dev, lim] : r.rdma) {
                std::string fld = detail::field_key("rdma", dev);
                Emitter{out, Hierarchy::v2, "rdma"}.add("rdma.max", detail::rdma_line(dev, lim, fld), fld);
            }
            break;
        case Section::unified:
            for (const auto& [key, value] : r.unified) {
                std::string fld = detail::field_key("unified", key);
                std::string ctrl = detail::unified_controller(key, fld);
                Emitter{out, Hierarchy::v2, ctrl.c_str()}.add(key, value, fld);
            }
            break;
    }
}

WritePlan v2_writes(const spec::Resources& r) {
    WritePlan out;
    for (Section s : {Section::pids, Section::memory, Section::blkio, Section::cpu, Section::cpuset,
                      Section::hugetlb, Section::rdma, Section::net_cls, Section::net_prio, Section::unified})
        v2_section(r, s, out);
    return out;
}

}  // namespace rt::cgroups
