// Stats -> runc's `events` JSON, byte for byte.
//
// runc encodes types/events.go with Go's encoding/json, so this mirrors its
// rules: fields tagged omitempty vanish when zero or empty (but nested structs
// never do), map keys are sorted, network_interfaces is a nil slice (null),
// and floats use Go's shortest form ("1.31", "0", never "0.0"). Compared with
// `runc events --stats` of a runc 1.1.5 container on a hybrid host:
// {"cpu":{"usage":{...,"kernel":..,"user":..},"throttling":{}},"cpuset":{...},
//  "memory":{...},"pids":{"current":1},"blkio":{},"hugetlb":{},"intel_rdt":{},
//  "network_interfaces":null}
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "cgroups/stats.hpp"

namespace rt::cgroups {

namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void key(JsonWriter& w, const char* k) { w.Key(k); }

void str(JsonWriter& w, std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }

void u64_omitempty(JsonWriter& w, const char* k, uint64_t v) {
    if (v == 0) return;
    key(w, k);
    w.Uint64(v);
}

void u64(JsonWriter& w, const char* k, uint64_t v) {
    key(w, k);
    w.Uint64(v);
}

// Go's strconv.FormatFloat(f, 'f', -1, 64) for the magnitudes PSI has:
// the shortest decimal that reads back as the same double.
void go_float(JsonWriter& w, double v) {
    char buf[64];
    for (int prec = 0; prec <= 17; ++prec) {
        std::snprintf(buf, sizeof buf, "%.*f", prec, v);
        if (std::strtod(buf, nullptr) == v) break;
    }
    w.RawValue(buf, std::strlen(buf), rapidjson::kNumberType);
}

template <typename T>
void array_omitempty(JsonWriter& w, const char* k, const std::vector<T>& v) {
    if (v.empty()) return;
    key(w, k);
    w.StartArray();
    for (auto x : v) w.Uint64(x);
    w.EndArray();
}

void psi(JsonWriter& w, const std::optional<Psi>& p) {
    if (!p) return;
    auto data = [&](const char* k, const PsiData& d) {
        key(w, k);
        w.StartObject();
        key(w, "avg10");
        go_float(w, d.avg10);
        key(w, "avg60");
        go_float(w, d.avg60);
        key(w, "avg300");
        go_float(w, d.avg300);
        u64(w, "total", d.total);
        w.EndObject();
    };
    key(w, "psi");
    w.StartObject();
    data("some", p->some);
    data("full", p->full);
    w.EndObject();
}

void cpu(JsonWriter& w, const CpuStats& c) {
    key(w, "cpu");
    w.StartObject();
    key(w, "usage");
    w.StartObject();
    u64_omitempty(w, "total", c.usage.total);
    array_omitempty(w, "percpu", c.usage.percpu);
    array_omitempty(w, "percpu_kernel", c.usage.percpu_kernel);
    array_omitempty(w, "percpu_user", c.usage.percpu_user);
    u64(w, "kernel", c.usage.kernel);
    u64(w, "user", c.usage.user);
    w.EndObject();
    key(w, "throttling");
    w.StartObject();
    u64_omitempty(w, "periods", c.throttling.periods);
    u64_omitempty(w, "throttledPeriods", c.throttling.throttled_periods);
    u64_omitempty(w, "throttledTime", c.throttling.throttled_time);
    w.EndObject();
    psi(w, c.psi);
    w.EndObject();
}

void cpuset(JsonWriter& w, const CpusetStats& c) {
    key(w, "cpuset");
    w.StartObject();
    array_omitempty(w, "cpus", c.cpus);
    u64(w, "cpu_exclusive", c.cpu_exclusive);
    array_omitempty(w, "mems", c.mems);
    u64(w, "mem_hardwall", c.mem_hardwall);
    u64(w, "mem_exclusive", c.mem_exclusive);
    u64(w, "memory_migrate", c.memory_migrate);
    u64(w, "memory_spread_page", c.memory_spread_page);
    u64(w, "memory_spread_slab", c.memory_spread_slab);
    u64(w, "memory_pressure", c.memory_pressure);
    u64(w, "sched_load_balance", c.sched_load_balance);
    key(w, "sched_relax_domain_level");
    w.Int64(c.sched_relax_domain_level);
    w.EndObject();
}

void memory_entry(JsonWriter& w, const char* k, const MemoryEntry& e) {
    key(w, k);
    w.StartObject();
    u64(w, "limit", e.limit);
    u64_omitempty(w, "usage", e.usage);
    u64_omitempty(w, "max", e.max);
    u64(w, "failcnt", e.failcnt);
    w.EndObject();
}

void memory(JsonWriter& w, const MemoryStats& m) {
    key(w, "memory");
    w.StartObject();
    u64_omitempty(w, "cache", m.cache);
    memory_entry(w, "usage", m.usage);
    memory_entry(w, "swap", m.swap);
    memory_entry(w, "kernel", m.kernel);
    memory_entry(w, "kernelTCP", m.kernel_tcp);
    if (!m.raw.empty()) {
        key(w, "raw");
        w.StartObject();
        for (const auto& [k, v] : m.raw) u64(w, k.c_str(), v);
        w.EndObject();
    }
    psi(w, m.psi);
    w.EndObject();
}

void blkio_list(JsonWriter& w, const char* k, const std::vector<BlkioEntry>& list) {
    if (list.empty()) return;
    key(w, k);
    w.StartArray();
    for (const auto& e : list) {
        w.StartObject();
        u64_omitempty(w, "major", e.major);
        u64_omitempty(w, "minor", e.minor);
        if (!e.op.empty()) {
            key(w, "op");
            str(w, e.op);
        }
        u64_omitempty(w, "value", e.value);
        w.EndObject();
    }
    w.EndArray();
}

void blkio(JsonWriter& w, const BlkioStats& b) {
    key(w, "blkio");
    w.StartObject();
    blkio_list(w, "ioServiceBytesRecursive", b.io_service_bytes_recursive);
    blkio_list(w, "ioServicedRecursive", b.io_serviced_recursive);
    blkio_list(w, "ioQueueRecursive", b.io_queued_recursive);
    blkio_list(w, "ioServiceTimeRecursive", b.io_service_time_recursive);
    blkio_list(w, "ioWaitTimeRecursive", b.io_wait_time_recursive);
    blkio_list(w, "ioMergedRecursive", b.io_merged_recursive);
    blkio_list(w, "ioTimeRecursive", b.io_time_recursive);
    blkio_list(w, "sectorsRecursive", b.sectors_recursive);
    psi(w, b.psi);
    w.EndObject();
}

}  // namespace

std::string stats_event_json(std::string_view id, const Stats& s) {
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    key(w, "type");
    str(w, "stats");
    key(w, "id");
    str(w, id);
    key(w, "data");
    w.StartObject();
    cpu(w, s.cpu);
    cpuset(w, s.cpuset);
    memory(w, s.memory);
    key(w, "pids");
    w.StartObject();
    u64_omitempty(w, "current", s.pids.current);
    u64_omitempty(w, "limit", s.pids.limit);
    w.EndObject();
    blkio(w, s.blkio);
    key(w, "hugetlb");
    w.StartObject();
    for (const auto& [size, h] : s.hugetlb) {
        key(w, size.c_str());
        w.StartObject();
        u64_omitempty(w, "usage", h.usage);
        u64_omitempty(w, "max", h.max);
        u64(w, "failcnt", h.failcnt);
        w.EndObject();
    }
    w.EndObject();
    key(w, "intel_rdt");
    w.StartObject();
    w.EndObject();
    key(w, "network_interfaces");
    w.Null();
    w.EndObject();
    w.EndObject();
    return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace rt::cgroups
