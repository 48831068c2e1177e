// Container statistics for `events --stats` / `events`, shaped like runc's
// types/events.go Stats (contract §2.4), and the parsers that fill them from
// cgroup files (runc fs/*.go GetStats, fs2/*.go stat*).
//
// Readers are pure: each takes a Reader (file name -> content, nullopt when
// the file does not exist) so tests feed literal file contents. A missing
// file leaves its fields zero, as runc does for optional kernel features; a
// malformed one throws rt::sys::Error naming the file.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rt::cgroups {

struct PsiData {
    double avg10 = 0, avg60 = 0, avg300 = 0;
    uint64_t total = 0;
};
struct Psi {
    PsiData some, full;
};

struct CpuUsage {  // nanoseconds
    uint64_t total = 0;
    std::vector<uint64_t> percpu, percpu_kernel, percpu_user;
    uint64_t kernel = 0, user = 0;
};
struct Throttling {
    uint64_t periods = 0, throttled_periods = 0, throttled_time = 0;  // time in ns
};
struct CpuStats {
    CpuUsage usage;
    Throttling throttling;
    std::optional<Psi> psi;
};

struct CpusetStats {
    std::vector<uint16_t> cpus, mems;
    uint64_t cpu_exclusive = 0, mem_hardwall = 0, mem_exclusive = 0, memory_migrate = 0, memory_spread_page = 0,
             memory_spread_slab = 0, memory_pressure = 0, sched_load_balance = 0;
    int64_t sched_relax_domain_level = 0;
};

struct MemoryEntry {
    uint64_t limit = 0, usage = 0, max = 0, failcnt = 0;
};
struct MemoryStats {
    uint64_t cache = 0;
    MemoryEntry usage, swap, kernel, kernel_tcp;
    std::map<std::string, uint64_t> raw;  // memory.stat as is
    std::optional<Psi> psi;
};

struct PidsStats {
    uint64_t current = 0, limit = 0;  // limit 0: unlimited
};

struct BlkioEntry {
    uint64_t major = 0, minor = 0;
    std::string op;
    uint64_t value = 0;
    bool operator==(const BlkioEntry&) const = default;
};
struct BlkioStats {
    std::vector<BlkioEntry> io_service_bytes_recursive, io_serviced_recursive, io_queued_recursive,
        io_service_time_recursive, io_wait_time_recursive, io_merged_recursive, io_time_recursive,
        sectors_recursive;
    std::optional<Psi> psi;
};

struct HugetlbStats {
    uint64_t usage = 0, max = 0, failcnt = 0;
};

struct Stats {
    CpuStats cpu;
    CpusetStats cpuset;
    MemoryStats memory;
    PidsStats pids;
    BlkioStats blkio;
    std::map<std::string, HugetlbStats> hugetlb;  // "2MB" -> ...
};

using Reader = std::function<std::optional<std::string>(const std::string& file)>;

// Parsers of single files (exposed for tests).
// A cgroup number: "max" is UINT64_MAX, negative values (kernel bugs in
// some memory counters) are 0, as runc's fscommon.ParseUint.
uint64_t parse_value(std::string_view text, std::string_view file);
std::map<std::string, uint64_t> parse_flat_keyed(std::string_view text, std::string_view file);
std::vector<uint16_t> parse_cpu_list(std::string_view text, std::string_view file);  // "0-3,7"
std::vector<BlkioEntry> parse_blkio(std::string_view text, std::string_view file);
Psi parse_psi(std::string_view text, std::string_view file);
// /sys/kernel/mm/hugepages entries ("hugepages-2048kB") -> "2MB", as runc's
// HugePageSizes; unknown names are skipped.
std::vector<std::string> hugepage_sizes(const std::vector<std::string>& dir_entries);

// v1: cpu needs the cpu and cpuacct directories (often the same).
void stat_cpu_v1(const Reader& cpu, const Reader& cpuacct, Stats& s);
void stat_cpuset_v1(const Reader& r, Stats& s);
void stat_memory_v1(const Reader& r, Stats& s);
void stat_blkio_v1(const Reader& r, Stats& s);
void stat_hugetlb_v1(const Reader& r, const std::vector<std::string>& sizes, Stats& s);
// pids.current/pids.max, the same on both; v2 without pids.current counts
// cgroup.procs.
void stat_pids(const Reader& r, Stats& s);
// v2: one directory for all.
void stat_cpu_v2(const Reader& r, Stats& s);
void stat_memory_v2(const Reader& r, Stats& s);
void stat_io_v2(const Reader& r, Stats& s);
void stat_hugetlb_v2(const Reader& r, const std::vector<std::string>& sizes, Stats& s);

// The JSON of one `events` record, runc's exact keys and omissions:
// {"type":"stats","id":"<id>","data":{...}} (no trailing newline).
std::string stats_event_json(std::string_view id, const Stats& s);

}  // namespace rt::cgroups
