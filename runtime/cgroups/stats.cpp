// cgroup file contents -> Stats, following runc 1.1's fs (v1) and fs2 (v2)
// GetStats code, including its fallbacks and unit conversions.
#include "cgroups/stats.hpp"

#include <cerrno>
#include <charconv>

#include "cgroups/fsutil.hpp"
#include "sys/error.hpp"

namespace rt::cgroups {

namespace {

[[noreturn]] void malformed(std::string_view file, std::string_view text) {
    std::string t(util::trim(text));
    if (t.size() > 80) t = t.substr(0, 80) + "...";
    throw sys::Error(sys::ErrorKind::generic, "parse `" + std::string(file) + "`: unexpected content `" + t + "`");
}

std::optional<uint64_t> value_of(const Reader& r, const std::string& file) {
    auto text = r(file);
    if (!text) return std::nullopt;
    return parse_value(*text, file);
}

uint64_t value_or_zero(const Reader& r, const std::string& file) { return value_of(r, file).value_or(0); }

std::vector<std::string_view> lines(std::string_view text) {
    std::vector<std::string_view> out;
    for (auto l : util::split(text, '\n'))
        if (!util::trim(l).empty()) out.push_back(l);
    return out;
}

// PSI files may be absent (CONFIG_PSI off, or "0" in cgroup.pressure) or
// refuse reads (EOPNOTSUPP without psi=1): no PSI then (runc statPSI).
std::optional<Psi> psi_of(const Reader& r, const std::string& file) {
    try {
        auto text = r(file);
        if (!text) return std::nullopt;
        return parse_psi(*text, file);
    } catch (const sys::Error& e) {
        if (e.errnum() == EOPNOTSUPP) return std::nullopt;
        throw;
    }
}

// runc getMemoryData: <prefix>.usage_in_bytes etc.; absent usage: zeroes.
MemoryEntry memory_entry_v1(const Reader& r, const std::string& prefix) {
    MemoryEntry e;
    auto usage = value_of(r, prefix + ".usage_in_bytes");
    if (!usage) return e;
    e.usage = *usage;
    e.max = value_or_zero(r, prefix + ".max_usage_in_bytes");
    e.failcnt = value_or_zero(r, prefix + ".failcnt");
    e.limit = value_or_zero(r, prefix + ".limit_in_bytes");
    return e;
}

// runc getMemoryDataV2: current, max ("max" = UINT64_MAX), peak (5.19+).
MemoryEntry memory_entry_v2(const Reader& r, const std::string& prefix) {
    MemoryEntry e;
    auto usage = value_of(r, prefix + ".current");
    if (!usage) return e;
    e.usage = *usage;
    e.limit = value_or_zero(r, prefix + ".max");
    e.max = value_or_zero(r, prefix + ".peak");
    return e;
}

}  // namespace

uint64_t parse_value(std::string_view text, std::string_view file) {
    auto t = util::trim(text);
    if (t == "max") return UINT64_MAX;
    uint64_t u;
    if (util::parse_u64(t, u)) return u;
    if (t.size() > 1 && t.front() == '-' &&
        t.substr(1).find_first_not_of("0123456789") == std::string_view::npos)
        return 0;
    malformed(file, text);
}

std::map<std::string, uint64_t> parse_flat_keyed(std::string_view text, std::string_view file) {
    std::map<std::string, uint64_t> out;
    for (auto line : lines(text)) {
        auto parts = util::split(util::trim(line), ' ');
        if (parts.size() != 2) malformed(file, line);
        out[std::string(parts[0])] = parse_value(parts[1], file);
    }
    return out;
}

std::vector<uint16_t> parse_cpu_list(std::string_view text, std::string_view file) {
    std::vector<uint16_t> out;
    auto t = util::trim(text);
    if (t.empty()) return out;
    for (auto part : util::split(t, ',')) {
        auto dash = part.find('-');
        uint64_t lo, hi;
        if (dash == std::string_view::npos) {
            if (!util::parse_u64(part, lo)) malformed(file, text);
            hi = lo;
        } else if (!util::parse_u64(part.substr(0, dash), lo) || !util::parse_u64(part.substr(dash + 1), hi)) {
            malformed(file, text);
        }
        if (hi < lo || hi > 65535) malformed(file, text);
        for (uint64_t i = lo; i <= hi; ++i) out.push_back(static_cast<uint16_t>(i));
    }
    return out;
}

std::vector<BlkioEntry> parse_blkio(std::string_view text, std::string_view file) {
    std::vector<BlkioEntry> out;
    for (auto line : lines(text)) {
        // "8:0 Read 1282048", "8:0 6792" (sectors), "Total 3477504".
        std::vector<std::string_view> f;
        for (auto a : util::fields(line))
            for (auto b : util::split(a, ':'))
                if (!b.empty()) f.push_back(b);
        if (f.size() == 2 && f[0] == "Total") continue;
        if (f.size() < 3 || f.size() > 4) malformed(file, line);
        BlkioEntry e;
        if (!util::parse_u64(f[0], e.major) || !util::parse_u64(f[1], e.minor)) malformed(file, line);
        if (f.size() == 4) e.op = std::string(f[2]);
        if (!util::parse_u64(f.back(), e.value)) malformed(file, line);
        out.push_back(std::move(e));
    }
    return out;
}

Psi parse_psi(std::string_view text, std::string_view file) {
    Psi p;
    for (auto line : lines(text)) {
        auto f = util::fields(line);
        PsiData* d = f[0] == "some" ? &p.some : f[0] == "full" ? &p.full : nullptr;
        if (d == nullptr) continue;
        for (size_t i = 1; i < f.size(); ++i) {
            auto eq = f[i].find('=');
            if (eq == std::string_view::npos) malformed(file, line);
            auto key = f[i].substr(0, eq), val = f[i].substr(eq + 1);
            if (key == "total") {
                if (!util::parse_u64(val, d->total)) malformed(file, line);
                continue;
            }
            double* dst = key == "avg10" ? &d->avg10 : key == "avg60" ? &d->avg60 : key == "avg300" ? &d->avg300 : nullptr;
            if (dst == nullptr) continue;
            auto [end, ec] = std::from_chars(val.data(), val.data() + val.size(), *dst);
            if (ec != std::errc() || end != val.data() + val.size()) malformed(file, line);
        }
    }
    return p;
}

std::vector<std::string> hugepage_sizes(const std::vector<std::string>& dir_entries) {
    std::vector<std::string> out;
    for (const auto& name : dir_entries) {
        std::string_view n = name;
        if (!util::starts_with(n, "hugepages-") || n.size() < 13 || n.substr(n.size() - 2) != "kB") continue;
        uint64_t kb;
        if (!util::parse_u64(n.substr(10, n.size() - 12), kb)) continue;
        // The kernel's own naming (mm/hugetlb_cgroup.c): GB, MB, else KB.
        if (kb >= (1u << 20))
            out.push_back(std::to_string(kb >> 20) + "GB");
        else if (kb >= (1u << 10))
            out.push_back(std::to_string(kb >> 10) + "MB");
        else
            out.push_back(std::to_string(kb) + "KB");
    }
    return out;
}

void stat_cpu_v1(const Reader& cpu, const Reader& cpuacct, Stats& s) {
    if (auto text = cpu("cpu.stat")) {
        auto kv = parse_flat_keyed(*text, "cpu.stat");
        s.cpu.throttling.periods = kv["nr_periods"];
        s.cpu.throttling.throttled_periods = kv["nr_throttled"];
        s.cpu.throttling.throttled_time = kv["throttled_time"];
    }
    auto total = cpuacct("cpuacct.usage");
    if (!total) return;
    CpuUsage& u = s.cpu.usage;
    u.total = parse_value(*total, "cpuacct.usage");
    if (auto stat = cpuacct("cpuacct.stat")) {
        // "user <ticks>\nsystem <ticks>"; USER_HZ is 100 on Linux.
        auto f = util::fields(*stat);
        uint64_t user, sys;
        if (f.size() < 4 || f[0] != "user" || f[2] != "system" || !util::parse_u64(f[1], user) ||
            !util::parse_u64(f[3], sys))
            malformed("cpuacct.stat", *stat);
        u.user = user * 1000000000 / 100;
        u.kernel = sys * 1000000000 / 100;
    }
    if (auto per = cpuacct("cpuacct.usage_percpu"))
        for (auto v : util::fields(*per)) u.percpu.push_back(parse_value(v, "cpuacct.usage_percpu"));
    if (auto all = cpuacct("cpuacct.usage_all")) {
        auto ls = lines(*all);
        for (size_t i = 1; i < ls.size(); ++i) {  // header: "cpu user system"
            auto f = util::fields(ls[i]);
            if (f.size() != 3) continue;
            u.percpu_kernel.push_back(parse_value(f[2], "cpuacct.usage_all"));
            u.percpu_user.push_back(parse_value(f[1], "cpuacct.usage_all"));
        }
    }
}

void stat_cpuset_v1(const Reader& r, Stats& s) {
    CpusetStats& c = s.cpuset;
    if (auto t = r("cpuset.cpus")) c.cpus = parse_cpu_list(*t, "cpuset.cpus");
    if (auto t = r("cpuset.mems")) c.mems = parse_cpu_list(*t, "cpuset.mems");
    c.cpu_exclusive = value_or_zero(r, "cpuset.cpu_exclusive");
    c.mem_hardwall = value_or_zero(r, "cpuset.mem_hardwall");
    c.mem_exclusive = value_or_zero(r, "cpuset.mem_exclusive");
    c.memory_migrate = value_or_zero(r, "cpuset.memory_migrate");
    c.memory_spread_page = value_or_zero(r, "cpuset.memory_spread_page");
    c.memory_spread_slab = value_or_zero(r, "cpuset.memory_spread_slab");
    c.memory_pressure = value_or_zero(r, "cpuset.memory_pressure");
    c.sched_load_balance = value_or_zero(r, "cpuset.sched_load_balance");
    if (auto t = r("cpuset.sched_relax_domain_level"))
        if (!util::parse_i64(util::trim(*t), c.sched_relax_domain_level))
            malformed("cpuset.sched_relax_domain_level", *t);
}

void stat_memory_v1(const Reader& r, Stats& s) {
    auto stat = r("memory.stat");
    if (!stat) return;
    MemoryStats& m = s.memory;
    m.raw = parse_flat_keyed(*stat, "memory.stat");
    m.cache = m.raw.count("cache") ? m.raw["cache"] : 0;
    m.usage = memory_entry_v1(r, "memory");
    m.swap = memory_entry_v1(r, "memory.memsw");  // memory+swap, as v1 counts it
    m.kernel = memory_entry_v1(r, "memory.kmem");
    m.kernel_tcp = memory_entry_v1(r, "memory.kmem.tcp");
}

void stat_blkio_v1(const Reader& r, Stats& s) {
    BlkioStats& b = s.blkio;
    using Slot = std::pair<const char*, std::vector<BlkioEntry>*>;
    // runc's order: BFQ debug, BFQ, CFQ, throttle recursive, throttle. A group
    // whose first file is missing or empty is skipped; a later file missing
    // or empty ends the search with what was gathered.
    const std::vector<std::vector<Slot>> groups = {
        {{"blkio.bfq.sectors_recursive", &b.sectors_recursive},
         {"blkio.bfq.io_service_time_recursive", &b.io_service_time_recursive},
         {"blkio.bfq.io_wait_time_recursive", &b.io_wait_time_recursive},
         {"blkio.bfq.io_merged_recursive", &b.io_merged_recursive},
         {"blkio.bfq.io_queued_recursive", &b.io_queued_recursive},
         {"blkio.bfq.time_recursive", &b.io_time_recursive},
         {"blkio.bfq.io_serviced_recursive", &b.io_serviced_recursive},
         {"blkio.bfq.io_service_bytes_recursive", &b.io_service_bytes_recursive}},
        {{"blkio.bfq.io_serviced_recursive", &b.io_serviced_recursive},
         {"blkio.bfq.io_service_bytes_recursive", &b.io_service_bytes_recursive}},
        {{"blkio.sectors_recursive", &b.sectors_recursive},
         {"blkio.io_service_time_recursive", &b.io_service_time_recursive},
         {"blkio.io_wait_time_recursive", &b.io_wait_time_recursive},
         {"blkio.io_merged_recursive", &b.io_merged_recursive},
         {"blkio.io_queued_recursive", &b.io_queued_recursive},
         {"blkio.time_recursive", &b.io_time_recursive},
         {"blkio.io_serviced_recursive", &b.io_serviced_recursive},
         {"blkio.io_service_bytes_recursive", &b.io_service_bytes_recursive}},
        {{"blkio.throttle.io_serviced_recursive", &b.io_serviced_recursive},
         {"blkio.throttle.io_service_bytes_recursive", &b.io_service_bytes_recursive}},
        {{"blkio.throttle.io_serviced", &b.io_serviced_recursive},
         {"blkio.throttle.io_service_bytes", &b.io_service_bytes_recursive}},
    };
    for (const auto& group : groups) {
        for (size_t i = 0; i < group.size(); ++i) {
            auto text = r(group[i].first);
            auto entries = text ? parse_blkio(*text, group[i].first) : std::vector<BlkioEntry>{};
            if (entries.empty()) {
                if (i == 0) break;
                return;
            }
            *group[i].second = std::move(entries);
            if (i + 1 == group.size()) return;
        }
    }
}

void stat_hugetlb_v1(const Reader& r, const std::vector<std::string>& sizes, Stats& s) {
    for (const auto& size : sizes) {
        std::string p = "hugetlb." + size;
        auto usage = value_of(r, p + ".usage_in_bytes");
        if (!usage) continue;
        s.hugetlb[size] = {*usage, value_or_zero(r, p + ".max_usage_in_bytes"), value_or_zero(r, p + ".failcnt")};
    }
}

void stat_pids(const Reader& r, Stats& s) {
    auto current = value_of(r, "pids.current");
    if (!current) {
        // v2 without the pids controller enabled: count the processes.
        if (auto procs = r("cgroup.procs")) s.pids.current = lines(*procs).size();
        return;
    }
    s.pids.current = *current;
    uint64_t max = value_or_zero(r, "pids.max");
    s.pids.limit = max == UINT64_MAX ? 0 : max;  // "max" is reported as 0 (no limit)
}

void stat_cpu_v2(const Reader& r, Stats& s) {
    if (auto text = r("cpu.stat")) {
        auto kv = parse_flat_keyed(*text, "cpu.stat");
        s.cpu.usage.total = kv["usage_usec"] * 1000;
        s.cpu.usage.user = kv["user_usec"] * 1000;
        s.cpu.usage.kernel = kv["system_usec"] * 1000;
        s.cpu.throttling.periods = kv["nr_periods"];
        s.cpu.throttling.throttled_periods = kv["nr_throttled"];
        s.cpu.throttling.throttled_time = kv["throttled_usec"] * 1000;
    }
    s.cpu.psi = psi_of(r, "cpu.pressure");
}

void stat_memory_v2(const Reader& r, Stats& s) {
    auto stat = r("memory.stat");
    if (!stat) return;
    MemoryStats& m = s.memory;
    m.raw = parse_flat_keyed(*stat, "memory.stat");
    m.cache = m.raw.count("file") ? m.raw["file"] : 0;
    m.usage = memory_entry_v2(r, "memory");
    // v2 counts swap alone; report memory+swap like v1 (runc statMemory).
    MemoryEntry swap = memory_entry_v2(r, "memory.swap");
    swap.usage += m.usage.usage;
    if (swap.limit != UINT64_MAX) swap.limit += m.usage.limit;
    swap.max = 0;  // peaks of two counters do not add up
    m.swap = swap;
    m.psi = psi_of(r, "memory.pressure");
}

void stat_io_v2(const Reader& r, Stats& s) {
    if (auto text = r("io.stat")) {
        // "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0"
        for (auto line : lines(*text)) {
            auto f = util::fields(line);
            auto dev = util::split(f[0], ':');
            BlkioEntry base;
            if (dev.size() != 2 || !util::parse_u64(dev[0], base.major) || !util::parse_u64(dev[1], base.minor))
                continue;
            for (size_t i = 1; i < f.size(); ++i) {
                auto eq = f[i].find('=');
                if (eq == std::string_view::npos) continue;
                auto key = f[i].substr(0, eq);
                std::vector<BlkioEntry>* table = nullptr;
                BlkioEntry e = base;
                if (key == "rbytes" || key == "wbytes") table = &s.blkio.io_service_bytes_recursive;
                if (key == "rios" || key == "wios") table = &s.blkio.io_serviced_recursive;
                if (table == nullptr) continue;  // no v1 equivalent
                e.op = key.front() == 'r' ? "Read" : "Write";
                if (!util::parse_u64(f[i].substr(eq + 1), e.value)) malformed("io.stat", line);
                table->push_back(std::move(e));
            }
        }
    }
    s.blkio.psi = psi_of(r, "io.pressure");
}

void stat_hugetlb_v2(const Reader& r, const std::vector<std::string>& sizes, Stats& s) {
    for (const auto& size : sizes) {
        std::string p = "hugetlb." + size;
        auto usage = value_of(r, p + ".current");
        if (!usage) continue;
        HugetlbStats h;
        h.usage = *usage;
        if (auto ev = r(p + ".events")) h.failcnt = parse_flat_keyed(*ev, p + ".events")["max"];
        s.hugetlb[size] = h;
    }
}

}  // namespace rt::cgroups
