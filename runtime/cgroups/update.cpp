// `update`: merge the requested resources into the container's saved ones.
//
// runc's update.go starts from the saved configuration and overwrites what
// the request sets; zero means "unchanged" because dockerd sends zero-filled
// objects (contract §2.5: {"memory":{"limit":67108864,"reservation":0,
// "swap":134217728,"kernel":0},"cpu":{"shares":0,...},"blockIO":{"weight":0}}).
// The merged value is what gets applied and persisted.
#include <algorithm>

#include "cgroups/resources.hpp"

namespace rt::cgroups {

namespace {

template <typename T>
void take_nonzero(std::optional<T>& dst, const std::optional<T>& src) {
    if (src && *src != T{}) dst = src;
}

template <typename T>
void take_set(std::optional<T>& dst, const std::optional<T>& src) {
    if (src) dst = src;
}

// Entries with the same key replace the saved ones; new keys are appended.
template <typename T, typename Key>
void merge_list(std::vector<T>& dst, const std::vector<T>& src, Key key) {
    for (const auto& e : src) {
        auto it = std::find_if(dst.begin(), dst.end(), [&](const T& d) { return key(d) == key(e); });
        if (it != dst.end())
            *it = e;
        else
            dst.push_back(e);
    }
}

void merge_memory(spec::Memory& m, const spec::Memory& u) {
    take_nonzero(m.limit, u.limit);
    take_nonzero(m.reservation, u.reservation);
    take_nonzero(m.swap, u.swap);
    // Unlimited memory with no swap value: the saved swap (now smaller than
    // the memory limit) must not survive; absent swap then means unlimited.
    if (u.limit == -1 && u.swap.value_or(0) == 0) m.swap.reset();
    // Kernel memory is ignored; keep it only when asked for, so the warning
    // is not repeated on every update.
    m.kernel = u.kernel.value_or(0) != 0 ? u.kernel : std::nullopt;
    m.kernel_tcp = u.kernel_tcp.value_or(0) != 0 ? u.kernel_tcp : std::nullopt;
    take_set(m.swappiness, u.swappiness);
    take_set(m.disable_oom_killer, u.disable_oom_killer);
    take_set(m.use_hierarchy, u.use_hierarchy);
    take_set(m.check_before_update, u.check_before_update);
}

void merge_cpu(spec::Cpu& c, const spec::Cpu& u) {
    take_nonzero(c.shares, u.shares);
    // runc: quota and period set together replace both; one set alone keeps
    // the other at its old value (cpu.max needs both on v2).
    take_nonzero(c.quota, u.quota);
    take_nonzero(c.period, u.period);
    take_set(c.burst, u.burst);
    take_nonzero(c.realtime_runtime, u.realtime_runtime);
    take_nonzero(c.realtime_period, u.realtime_period);
    if (u.cpus && !u.cpus->empty()) c.cpus = u.cpus;
    if (u.mems && !u.mems->empty()) c.mems = u.mems;
    take_set(c.idle, u.idle);
}

void merge_block_io(spec::BlockIo& b, const spec::BlockIo& u) {
    take_nonzero(b.weight, u.weight);
    take_nonzero(b.leaf_weight, u.leaf_weight);
    auto dev = [](const auto& d) { return std::make_pair(d.major, d.minor); };
    merge_list(b.weight_device, u.weight_device, dev);
    merge_list(b.throttle_read_bps_device, u.throttle_read_bps_device, dev);
    merge_list(b.throttle_write_bps_device, u.throttle_write_bps_device, dev);
    merge_list(b.throttle_read_iops_device, u.throttle_read_iops_device, dev);
    merge_list(b.throttle_write_iops_device, u.throttle_write_iops_device, dev);
}

}  // namespace

spec::Resources merge_update(const spec::Resources& saved, const spec::Resources& update) {
    spec::Resources m = saved;
    if (update.memory) merge_memory(m.memory ? *m.memory : m.memory.emplace(), *update.memory);
    if (update.cpu) merge_cpu(m.cpu ? *m.cpu : m.cpu.emplace(), *update.cpu);
    if (update.pids) take_nonzero((m.pids ? *m.pids : m.pids.emplace()).limit, update.pids->limit);
    if (update.block_io) merge_block_io(m.block_io ? *m.block_io : m.block_io.emplace(), *update.block_io);
    merge_list(m.hugepage_limits, update.hugepage_limits, [](const auto& h) { return h.page_size; });
    if (update.network) {
        spec::Network& n = m.network ? *m.network : m.network.emplace();
        take_nonzero(n.class_id, update.network->class_id);
        merge_list(n.priorities, update.network->priorities, [](const auto& p) { return p.name; });
    }
    for (const auto& [dev, lim] : update.rdma) m.rdma[dev] = lim;
    for (const auto& [key, value] : update.unified) m.unified[key] = value;
    // linux.resources.devices: never changed by update (runc keeps the
    // rules the container was created with).
    return m;
}

}  // namespace rt::cgroups
