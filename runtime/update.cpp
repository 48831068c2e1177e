#include "update.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "cgroups/resources.hpp"
#include "container.hpp"
#include "container_target.hpp"
#include "spec/parse.hpp"
#include "spec/resources_json.hpp"
#include "sys/error.hpp"
#include "sys/file.hpp"
#include "sys/log.hpp"

namespace rt::update {

using sys::ErrorKind;

namespace {

spec::Resources request(const cli::UpdateOptions& o) {
    if (o.resources.empty()) {
        std::vector<std::string> warnings;
        spec::Resources r = from_flags(o, warnings);
        for (const auto& w : warnings) sys::log::warn(w);
        return r;
    }
    bool from_stdin = o.resources == "-";
    std::string text = from_stdin ? sys::read_fd(STDIN_FILENO, "stdin") : sys::read_file(o.resources);
    return spec::parse_resources(text, from_stdin ? "resources (stdin)" : "resources " + o.resources);
}

// runc's Set: apply, and when that fails put the old values back so the
// cgroup is not left half-updated.
void apply(const cgroups::Manager& m, const spec::Resources& merged, const spec::Resources& old) {
    std::vector<std::string> warnings;
    try {
        warnings = m.set(merged, false);
    } catch (const sys::Error&) {
        try {
            m.set(old, false);
        } catch (const sys::Error& e) {
            sys::log::warn(std::string("update: restoring the previous resources: ") + e.what());
        }
        throw;
    }
    for (const auto& w : warnings) sys::log::warn(w);
}

}  // namespace

spec::Resources from_flags(const cli::UpdateOptions& o, std::vector<std::string>& warnings) {
    if (o.l3_cache_schema)
        sys::fail(ErrorKind::unsupported, "Intel RDT/CAT: l3 cache schema is not enabled (berth does not support Intel RDT)");
    if (o.mem_bw_schema)
        sys::fail(ErrorKind::unsupported,
                  "Intel RDT/MBA: memory bandwidth schema is not enabled (berth does not support Intel RDT)");
    spec::Resources r;
    auto cpu = [&r]() -> spec::Cpu& { return r.cpu ? *r.cpu : r.cpu.emplace(); };
    auto mem = [&r]() -> spec::Memory& { return r.memory ? *r.memory : r.memory.emplace(); };
    if (o.blkio_weight) {
        // runc converts with uint16(val), silently wrapping; refuse instead.
        if (*o.blkio_weight > UINT16_MAX)
            sys::fail(ErrorKind::usage, "invalid value for blkio-weight: %llu is out of range",
                      static_cast<unsigned long long>(*o.blkio_weight));
        r.block_io.emplace().weight = static_cast<uint16_t>(*o.blkio_weight);
    }
    if (o.cpuset_cpus) cpu().cpus = o.cpuset_cpus;
    if (o.cpuset_mems) cpu().mems = o.cpuset_mems;
    if (o.cpu_idle) cpu().idle = o.cpu_idle;
    if (o.cpu_burst) cpu().burst = static_cast<uint64_t>(*o.cpu_burst);  // parsed as unsigned
    if (o.cpu_period) cpu().period = o.cpu_period;
    if (o.cpu_rt_period) cpu().realtime_period = o.cpu_rt_period;
    if (o.cpu_share) cpu().shares = o.cpu_share;
    if (o.cpu_quota) cpu().quota = o.cpu_quota;
    if (o.cpu_rt_runtime) cpu().realtime_runtime = o.cpu_rt_runtime;
    if (o.memory) mem().limit = o.memory;
    if (o.memory_swap) mem().swap = o.memory_swap;
    if (o.memory_reservation) mem().reservation = o.memory_reservation;
    if (o.kernel_memory) warnings.push_back("Setting --kernel-memory is ignored and will be removed");
    if (o.kernel_memory_tcp) warnings.push_back("Setting --kernel-memory-tcp is ignored and will be removed");
    if (o.pids_limit) r.pids.emplace().limit = o.pids_limit;
    return r;
}

void run(const cli::GlobalOptions& g, const cli::UpdateOptions& o) {
    auto t = container_target::open(g.root, o.id);
    spec::Resources req = request(o);
    if (t.status == state::Status::stopped) sys::fail(ErrorKind::bad_state, "container not running");
    spec::Spec saved = container::saved_spec(t.saved);
    spec::Resources old = saved.linux && saved.linux->resources ? *saved.linux->resources : spec::Resources{};
    spec::Resources merged = cgroups::merge_update(old, req);
    apply(t.cgroup(), merged, old);
    t.saved.config = spec::with_resources(t.saved.config, merged, "state.json: config");
    t.dir.save(t.saved);
}

}  // namespace rt::update
