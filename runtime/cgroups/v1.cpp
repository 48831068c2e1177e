// linux.resources -> cgroup v1 files, following runc's libcontainer/cgroups/fs
// (memory.go, cpu.go, cpuset.go, pids.go, blkio.go, hugetlb.go, net_cls.go,
// net_prio.go, rdma.go). Order inside each section is runc's, because the
// kernel validates some values against the current ones (see retry_einval).
#include <cstdint>

#include "cgroups/devices.hpp"
#include "cgroups/emit.hpp"

namespace rt::cgroups {

using detail::Emitter;
using detail::field;
using detail::field_at;

namespace detail {

void check_page_size(const std::string& size, const std::string& fld) {
    bool ok = size.size() >= 3 && size.back() == 'B' && size[0] >= '1' && size[0] <= '9';
    if (ok) {
        char unit = size[size.size() - 2];
        ok = unit == 'K' || unit == 'M' || unit == 'G';
        for (size_t i = 0; ok && i + 2 < size.size(); ++i) ok = size[i] >= '0' && size[i] <= '9';
    }
    if (!ok) invalid(fld, "`" + size + "` is not a valid page size (expected e.g. 2MB)");
}

void hugetlb_section(const spec::Resources& r, WritePlan& out, Hierarchy h, const char* limit) {
    Emitter e{out, h, "hugetlb"};
    for (size_t i = 0; i < r.hugepage_limits.size(); ++i) {
        const auto& hp = r.hugepage_limits[i];
        std::string fld = "linux.resources.hugepageLimits[" + std::to_string(i) + "]";
        check_page_size(hp.page_size, fld + ".pageSize");
        std::string prefix = "hugetlb." + hp.page_size;
        e.add(prefix + "." + limit, std::to_string(hp.limit), fld);
        e.add(prefix + ".rsvd." + limit, std::to_string(hp.limit), fld).optional = true;
    }
}

void check_word(const std::string& word, const std::string& fld) {
    if (word.empty()) invalid(fld, "name must not be empty");
    for (char c : word)
        if (c == ' ' || c == '\t' || c == '\n' || c == '\0') invalid(fld, "invalid name `" + word + "`");
}

void warn_kernel_memory(const spec::Memory& m, WritePlan& out) {
    if (m.kernel) out.warnings.push_back(field("memory", "kernel") + ": kernel memory limits are not supported, ignored");
    if (m.kernel_tcp)
        out.warnings.push_back(field("memory", "kernelTCP") + ": kernel memory limits are not supported, ignored");
}

std::string rdma_line(const std::string& dev, const spec::Rdma& r, const std::string& fld) {
    check_word(dev, fld);
    if (!r.hca_handles && !r.hca_objects) invalid(fld, "needs hcaHandles or hcaObjects");
    std::string line = dev;
    if (r.hca_handles) line += " hca_handle=" + std::to_string(*r.hca_handles);
    if (r.hca_objects) line += " hca_object=" + std::to_string(*r.hca_objects);
    return line;
}

}  // namespace detail

namespace {

void memory(const spec::Resources& r, WritePlan& out) {
    if (!r.memory) return;
    const spec::Memory& m = *r.memory;
    Emitter e{out, Hierarchy::v1, "memory"};
    detail::warn_kernel_memory(m, out);
    int64_t limit = m.limit.value_or(0), swap = m.swap.value_or(0);
    // memsw must stay >= the memory limit at every step. runc reads the
    // current limit to pick the order; writing memsw first and retrying it
    // after the limit when the kernel says EINVAL reaches the same state
    // without a read.
    if (limit == -1 && swap == 0) {
        // Unlimited memory without a swap value: unlimited swap too, where
        // swap accounting exists (runc setMemoryAndSwap).
        e.add("memory.memsw.limit_in_bytes", "-1", field("memory", "limit")).optional = true;
    } else if (swap != 0) {
        e.add("memory.memsw.limit_in_bytes", std::to_string(swap), field("memory", "swap")).retry_einval = limit != 0;
    }
    if (limit != 0) e.add("memory.limit_in_bytes", std::to_string(limit), field("memory", "limit"));
    if (m.reservation.value_or(0) != 0)
        e.add("memory.soft_limit_in_bytes", std::to_string(*m.reservation), field("memory", "reservation"));
    if (m.disable_oom_killer.value_or(false)) e.add("memory.oom_control", "1", field("memory", "disableOOMKiller"));
    // UINT64_MAX is int64 -1 read as unsigned: "unset" for runc.
    if (m.swappiness && *m.swappiness != UINT64_MAX) {
        if (*m.swappiness > 100)
            detail::invalid(field("memory", "swappiness"),
                            "invalid value " + std::to_string(*m.swappiness) + " (valid range is 0-100)");
        e.add("memory.swappiness", std::to_string(*m.swappiness), field("memory", "swappiness"));
    }
    if (m.use_hierarchy)
        e.add("memory.use_hierarchy", *m.use_hierarchy ? "1" : "0", field("memory", "useHierarchy"));
    // checkBeforeUpdate: the v1 kernel itself refuses a limit below usage (EBUSY).
}

void cpu(const spec::Resources& r, WritePlan& out) {
    if (!r.cpu) return;
    const spec::Cpu& c = *r.cpu;
    Emitter e{out, Hierarchy::v1, "cpu"};
    // The kernel clamps shares to [2, 262144]; runc reads the value back to
    // report "the minimum/maximum allowed cpu-shares is N".
    if (c.shares.value_or(0) != 0) e.add("cpu.shares", std::to_string(*c.shares), field("cpu", "shares")).verify = true;
    // A smaller period or a larger burst can be refused (EINVAL) against the
    // old quota; runc retries them once the quota is written.
    if (c.period.value_or(0) != 0)
        e.add("cpu.cfs_period_us", std::to_string(*c.period), field("cpu", "period")).retry_einval = true;
    if (c.burst) e.add("cpu.cfs_burst_us", std::to_string(*c.burst), field("cpu", "burst")).retry_einval = true;
    if (c.quota.value_or(0) != 0) e.add("cpu.cfs_quota_us", std::to_string(*c.quota), field("cpu", "quota"));
    if (c.idle) e.add("cpu.idle", std::to_string(*c.idle), field("cpu", "idle"));
    if (c.realtime_period.value_or(0) != 0)
        e.add("cpu.rt_period_us", std::to_string(*c.realtime_period), field("cpu", "realtimePeriod")).retry_einval =
            true;
    if (c.realtime_runtime.value_or(0) != 0)
        e.add("cpu.rt_runtime_us", std::to_string(*c.realtime_runtime), field("cpu", "realtimeRuntime"));
}

void cpuset(const spec::Resources& r, WritePlan& out, Hierarchy h) {
    if (!r.cpu) return;
    Emitter e{out, h, "cpuset"};
    if (r.cpu->cpus && !r.cpu->cpus->empty()) e.add("cpuset.cpus", *r.cpu->cpus, field("cpu", "cpus"));
    if (r.cpu->mems && !r.cpu->mems->empty()) e.add("cpuset.mems", *r.cpu->mems, field("cpu", "mems"));
}

void blkio(const spec::Resources& r, WritePlan& out) {
    if (!r.block_io) return;
    const spec::BlockIo& b = *r.block_io;
    Emitter e{out, Hierarchy::v1, "blkio"};
    // CFQ files first, BFQ's when CFQ is absent (runc detectWeightFilenames).
    if (b.weight.value_or(0) != 0) {
        Write& w = e.add("blkio.weight", std::to_string(*b.weight), field("blockIO", "weight"));
        w.alt_file = "blkio.bfq.weight";
        w.alt_value = w.value;
    }
    if (b.leaf_weight.value_or(0) != 0)
        e.add("blkio.leaf_weight", std::to_string(*b.leaf_weight), field("blockIO", "leafWeight"));
    for (size_t i = 0; i < b.weight_device.size(); ++i) {
        const auto& d = b.weight_device[i];
        std::string fld = field_at("blockIO", "weightDevice", i);
        std::string dev = detail::devno(d.major, d.minor, fld);
        if (d.weight.value_or(0) != 0) {
            Write& w = e.add("blkio.weight_device", dev + " " + std::to_string(*d.weight), fld + ".weight");
            w.alt_file = "blkio.bfq.weight_device";
            w.alt_value = w.value;
        }
        if (d.leaf_weight.value_or(0) != 0)
            e.add("blkio.leaf_weight_device", dev + " " + std::to_string(*d.leaf_weight), fld + ".leafWeight");
    }
    auto throttle = [&](const std::vector<spec::ThrottleDevice>& list, const char* key, const char* file) {
        for (size_t i = 0; i < list.size(); ++i) {
            std::string fld = field_at("blockIO", key, i);
            e.add(file, detail::devno(list[i].major, list[i].minor, fld) + " " + std::to_string(list[i].rate), fld);
        }
    };
    throttle(b.throttle_read_bps_device, "throttleReadBpsDevice", "blkio.throttle.read_bps_device");
    throttle(b.throttle_write_bps_device, "throttleWriteBpsDevice", "blkio.throttle.write_bps_device");
    throttle(b.throttle_read_iops_device, "throttleReadIOPSDevice", "blkio.throttle.read_iops_device");
    throttle(b.throttle_write_iops_device, "throttleWriteIOPSDevice", "blkio.throttle.write_iops_device");
}

void hugetlb(const spec::Resources& r, WritePlan& out) { detail::hugetlb_section(r, out, Hierarchy::v1, "limit_in_bytes"); }

}  // namespace

void detail::pids_section(const spec::Resources& r, WritePlan& out, Hierarchy h) {
    if (!r.pids || !r.pids->limit || *r.pids->limit == 0) return;  // 0: leave alone (runc 1.1)
    Emitter e{out, h, "pids"};
    e.add("pids.max", *r.pids->limit > 0 ? std::to_string(*r.pids->limit) : "max", field("pids", "limit"));
}

void detail::cpuset_section(const spec::Resources& r, WritePlan& out, Hierarchy h) { cpuset(r, out, h); }

void v1_section(const spec::Resources& r, Section s, WritePlan& out) {
    switch (s) {
        case Section::cpuset: cpuset(r, out, Hierarchy::v1); break;
        case Section::devices: v1_device_writes(device_rules(r), out); break;
        case Section::memory: memory(r, out); break;
        case Section::cpu: cpu(r, out); break;
        case Section::pids: detail::pids_section(r, out, Hierarchy::v1); break;
        case Section::blkio: blkio(r, out); break;
        case Section::hugetlb: hugetlb(r, out); break;
        case Section::net_cls:
            if (r.network && r.network->class_id.value_or(0) != 0)
                Emitter{out, Hierarchy::v1, "net_cls"}.add("net_cls.classid", std::to_string(*r.network->class_id),
                                                          field("network", "classID"));
            break;
        case Section::net_prio:
            if (r.network) {
                for (size_t i = 0; i < r.network->priorities.size(); ++i) {
                    const auto& p = r.network->priorities[i];
                    std::string fld = field_at("network", "priorities", i);
                    detail::check_word(p.name, fld + ".name");
                    Emitter{out, Hierarchy::v1, "net_prio"}.add("net_prio.ifpriomap",
                                                               p.name + " " + std::to_string(p.priority), fld);
                }
            }
            break;
        case Section::rdma:
            for (const auto& [dev, lim] : r.rdma) {
                std::string fld = detail::field_key("rdma", dev);
                Emitter{out, Hierarchy::v1, "rdma"}.add("rdma.max", detail::rdma_line(dev, lim, fld), fld);
            }
            break;
        case Section::unified:
            if (!r.unified.empty())
                detail::unsupported("linux.resources.unified",
                                    "cgroup v2 files cannot be set on a cgroup v1 hierarchy");
            break;
    }
}

WritePlan v1_writes(const spec::Resources& r, bool with_devices) {
    WritePlan out;
    for (Section s : {Section::cpuset, Section::devices, Section::memory, Section::cpu, Section::pids, Section::blkio,
                      Section::hugetlb, Section::net_cls, Section::net_prio, Section::rdma, Section::unified}) {
        if (s == Section::devices && !with_devices) continue;
        v1_section(r, s, out);
    }
    return out;
}

}  // namespace rt::cgroups
