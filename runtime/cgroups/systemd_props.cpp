#include "cgroups/systemd_props.hpp"

#include <limits>

#include "cgroups/devices.hpp"
#include "cgroups/emit.hpp"
#include "cgroups/fsutil.hpp"
#include "cgroups/resources.hpp"

namespace rt::cgroups {

namespace {

using sdbus::Property;
constexpr uint64_t kInfinity = std::numeric_limits<uint64_t>::max();  // systemd's USEC/CGROUP_LIMIT_MAX
constexpr uint64_t kDefaultPeriod = 100000;                             // the kernel's cfs period, µs
// Property versions (runc common.go): older systemd refuses the unit.
constexpr unsigned kQuotaPeriodSince = 242, kAllowedCpusSince = 244;

void add(std::vector<Property>& out, std::string name, sdbus::Value v, unsigned since = 0) {
    out.push_back(Property{std::move(name), std::move(v), since});
}

// 0: unset; any negative: unlimited (the v1/v2 writers reject the other
// negatives themselves).
uint64_t limit_value(int64_t v) { return v < 0 ? kInfinity : static_cast<uint64_t>(v); }

void add_quota(std::vector<Property>& out, int64_t quota, uint64_t period) {
    if (period != 0) add(out, "CPUQuotaPeriodUSec", period, kQuotaPeriodSince);
    if (quota != 0 || period != 0) add(out, "CPUQuotaPerSecUSec", quota_per_sec(quota, period));
}

void add_cpuset(std::vector<Property>& out, const spec::Cpu& c) {
    if (c.cpus && !util::trim(*c.cpus).empty())
        add(out, "AllowedCPUs", cpu_mask(*c.cpus, detail::field("cpu", "cpus")), kAllowedCpusSince);
    if (c.mems && !util::trim(*c.mems).empty())
        add(out, "AllowedMemoryNodes", cpu_mask(*c.mems, detail::field("cpu", "mems")), kAllowedCpusSince);
}

uint64_t parse_u64_or_max(std::string_view v, const std::string& fld) {
    if (v == "max") return kInfinity;
    uint64_t n = 0;
    if (!util::parse_u64(v, n)) detail::invalid(fld, "`" + std::string(v) + "` is not a number or \"max\"");
    return n;
}

// linux.resources.unified: the keys systemd has a property for (runc
// unifiedResToSystemdProps); the others only go to the files.
void add_unified(std::vector<Property>& out, const std::map<std::string, std::string>& unified) {
    for (const auto& [key, raw] : unified) {
        std::string fld = detail::field_key("unified", key);
        std::string_view v = util::trim(raw);
        if (key == "cpu.max") {
            auto parts = util::fields(v);
            if (parts.empty() || parts.size() > 2) detail::invalid(fld, "expected \"$MAX [$PERIOD]\"");
            uint64_t quota = parse_u64_or_max(parts[0], fld);
            uint64_t period = parts.size() == 2 ? parse_u64_or_max(parts[1], fld) : kDefaultPeriod;
            if (period == kInfinity) detail::invalid(fld, "the period cannot be \"max\"");
            int64_t q = quota == kInfinity || quota > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())
                            ? 0
                            : static_cast<int64_t>(quota);
            add_quota(out, q, period);
        } else if (key == "cpu.weight") {
            add(out, "CPUWeight", parse_u64_or_max(v, fld));
        } else if (key == "cpuset.cpus" || key == "cpuset.mems") {
            add(out, key == "cpuset.cpus" ? "AllowedCPUs" : "AllowedMemoryNodes", cpu_mask(v, fld), kAllowedCpusSince);
        } else if (key == "memory.high" || key == "memory.low" || key == "memory.min" || key == "memory.max" ||
                   key == "memory.swap.max") {
            static const std::map<std::string, std::string> names = {{"memory.high", "MemoryHigh"},
                                                                     {"memory.low", "MemoryLow"},
                                                                     {"memory.min", "MemoryMin"},
                                                                     {"memory.max", "MemoryMax"},
                                                                     {"memory.swap.max", "MemorySwapMax"}};
            add(out, names.at(key), parse_u64_or_max(v, fld));
        } else if (key == "pids.max") {
            add(out, "TasksMax", parse_u64_or_max(v, fld));
        }
    }
}

// DevicePolicy=strict allows only DeviceAllow= (runc always asks for it).
// DeviceAllow= appends: an empty list first resets what an earlier call set.
void add_devices(std::vector<Property>& out, const spec::Resources& r, const Layout& layout,
                 std::vector<std::string>& warnings) {
    DeviceEmulator emu = emulate(device_rules(r));
    std::vector<DeviceRule> exceptions = emu.exceptions();
    if (emu.default_allow()) {
        // Allow-all is DevicePolicy=auto with no list. systemd has no deny
        // rules: on v1 it gets deny-all (runc), the safe side, since systemd
        // rewrites the devices files whenever it re-realizes the unit and
        // "auto" would have it write "a" to devices.allow; the files, written
        // next, hold the real rules. On v2 berth's own BPF filter holds them
        // and systemd attaches nothing.
        bool strict = layout.v1_mount("devices") != nullptr && !exceptions.empty();
        if (strict)
            warnings.push_back("linux.resources.devices: systemd cannot express deny rules; the unit's device policy "
                               "is deny-all and the devices cgroup holds the rules");
        add(out, "DevicePolicy", std::string(strict ? "strict" : "auto"));
        add(out, "DeviceAllow", sdbus::DeviceList{});
        return;
    }
    sdbus::DeviceList allow;
    for (const auto& rule : exceptions) {
        if (rule.type != 'b' && rule.type != 'c') continue;  // "a" rules only flip the default
        std::string group = rule.type == 'b' ? "block-" : "char-";
        std::string path;
        if (rule.major < 0) {
            if (rule.minor >= 0) {
                warnings.push_back("linux.resources.devices: systemd cannot express `" + cgroup_line(rule) +
                                   "`; only berth's own device rules apply it");
                continue;
            }
            path = group + "*";
        } else if (rule.minor < 0) {
            path = group + std::to_string(rule.major);  // systemd >= 240
        } else {
            path = std::string(rule.type == 'b' ? "/dev/block/" : "/dev/char/") + std::to_string(rule.major) + ":" +
                   std::to_string(rule.minor);
        }
        allow.emplace_back(std::move(path), rule.access);
    }
    add(out, "DevicePolicy", std::string("strict"));
    add(out, "DeviceAllow", sdbus::DeviceList{});
    add(out, "DeviceAllow", std::move(allow));
}

}  // namespace

uint64_t quota_per_sec(int64_t quota, uint64_t period) {
    if (quota <= 0) return kInfinity;
    if (period == 0) period = kDefaultPeriod;
    unsigned __int128 v = static_cast<unsigned __int128>(quota) * 1000000 / period;
    if (v % 10000 != 0) v = (v / 10000 + 1) * 10000;
    return v >= kInfinity ? kInfinity - 1 : static_cast<uint64_t>(v);
}

std::vector<uint8_t> cpu_mask(std::string_view list, const std::string& fld) {
    // Far above any NR_CPUS, and keeps a typo from allocating much.
    constexpr uint64_t kMaxBit = 1 << 16;
    std::vector<uint8_t> bits;
    auto set = [&](uint64_t bit) {
        if (bits.size() <= bit / 8) bits.resize(bit / 8 + 1);
        bits[bit / 8] |= static_cast<uint8_t>(1u << (bit % 8));
    };
    for (auto part : util::split(list, ',')) {
        part = util::trim(part);
        if (part.empty()) continue;
        auto dash = part.find('-');
        uint64_t lo = 0, hi = 0;
        bool ok = util::parse_u64(part.substr(0, dash), lo);
        if (dash == std::string_view::npos)
            hi = lo;
        else
            ok = ok && util::parse_u64(part.substr(dash + 1), hi);
        if (!ok || lo > hi || hi >= kMaxBit) detail::invalid(fld, "invalid list `" + std::string(list) + "`");
        for (uint64_t b = lo; b <= hi; ++b) set(b);
    }
    if (bits.empty()) detail::invalid(fld, "empty list `" + std::string(list) + "`");
    return bits;
}

std::vector<Property> unit_properties(std::string_view unit, std::string_view slice, std::string_view description,
                                      const Layout& layout) {
    std::vector<Property> out;
    bool is_slice = unit.size() > 6 && unit.substr(unit.size() - 6) == ".slice";
    if (!description.empty()) add(out, "Description", std::string(description));
    // A slice's parent comes from its name; Wants= makes sure it is started.
    if (is_slice)
        add(out, "Wants", std::vector<std::string>{std::string(slice)});
    else
        add(out, "Slice", std::string(slice));
    // The container manages its own subtree (nested runtimes, systemd inside).
    if (!is_slice) add(out, "Delegate", true);
    // Accounting enables the controllers on the unit (runc: the kernel also
    // has trouble joining memory cgroups later).
    add(out, "MemoryAccounting", true);
    add(out, "CPUAccounting", true);
    add(out, layout.mode == Mode::unified ? "IOAccounting" : "BlockIOAccounting", true);
    add(out, "TasksAccounting", true);
    // No ordering against shutdown.target & co.: containers stop when their
    // runtime stops them.
    add(out, "DefaultDependencies", false);
    return out;
}

std::vector<Property> resource_properties(const spec::Resources& r, const Layout& layout, bool devices,
                                          std::vector<std::string>& warnings) {
    const bool v2 = layout.mode == Mode::unified;
    std::vector<Property> out;
    if (devices) add_devices(out, r, layout, warnings);
    if (r.memory) {
        const spec::Memory& m = *r.memory;
        int64_t limit = m.limit.value_or(0), swap = m.swap.value_or(0), low = m.reservation.value_or(0);
        if (limit != 0) add(out, v2 ? "MemoryMax" : "MemoryLimit", limit_value(limit));
        if (v2 && low != 0) add(out, "MemoryLow", limit_value(low));
        if (v2 && (limit != 0 || swap != 0)) {
            int64_t v2swap = swap_to_v2(swap, limit);
            // swap == limit is "no swap": 0, as memory.swap.max gets.
            if (v2swap != 0 || swap > 0) add(out, "MemorySwapMax", limit_value(v2swap));
        }
    }
    if (r.cpu) {
        const spec::Cpu& c = *r.cpu;
        if (uint64_t shares = c.shares.value_or(0); shares != 0)
            add(out, v2 ? "CPUWeight" : "CPUShares", v2 ? shares_to_weight(shares) : shares);
        add_quota(out, c.quota.value_or(0), c.period.value_or(0));
        add_cpuset(out, c);
    }
    if (r.pids && r.pids->limit.value_or(0) != 0) add(out, "TasksMax", limit_value(*r.pids->limit));
    if (r.block_io && r.block_io->weight.value_or(0) != 0) {
        uint16_t w = *r.block_io->weight;
        add(out, v2 ? "IOWeight" : "BlockIOWeight", v2 ? blkio_weight_to_io_weight(w) : uint64_t{w});
    }
    if (v2) add_unified(out, r.unified);
    return out;
}

}  // namespace rt::cgroups
