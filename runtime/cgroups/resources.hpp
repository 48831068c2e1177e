// linux.resources -> the cgroup file writes that implement it.
//
// The translation is pure: v1_writes()/v2_writes() turn a spec::Resources into
// an ordered list of (controller, file, value) writes following runc's
// libcontainer/cgroups fs (v1) and fs2 (v2) packages, value for value.
// plan_writes() picks, per resource section, the hierarchy the host binds the
// controller to (hybrid hosts mix both). apply.hpp performs the writes.
//
// runc conventions kept on purpose (callers such as dockerd rely on them):
// a zero value means "leave alone" (shares, weight, reservation, limit,
// quota, period, pids limit, classID), so `docker update`'s zero-filled
// objects change only what the user asked for; memory.kernel and kernelTCP
// are ignored with a warning.
//
// Errors are rt::sys::Error naming the OCI field: invalid values are
// invalid_config, values this host cannot honour are unsupported.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cgroups/layout.hpp"
#include "spec/spec.hpp"

namespace rt::cgroups {

enum class Hierarchy : uint8_t { v1, v2 };

struct Write {
    Hierarchy hierarchy = Hierarchy::v1;
    // v1: the controller whose hierarchy holds the file. v2: the controller
    // that must be enabled for the file to exist ("cgroup" for core files).
    std::string controller;
    std::string file;
    std::string value;
    std::string field;  // "linux.resources.memory.limit", for error messages
    // Written instead when `file` does not exist (blkio.weight on a BFQ-only
    // v1 host, io.weight without BFQ on v2).
    std::string alt_file, alt_value;
    bool optional = false;      // neither file exists: skip silently
    bool retry_einval = false;  // EINVAL: retry once after the rest of the section
    bool verify = false;        // read back and compare (v1 cpu.shares is clamped)

    bool operator==(const Write&) const = default;
};

// "memory:memory.limit_in_bytes=67108864" plus " (else alt=value)",
// " [optional]", " [retry]", " [verify]"; v2 writes start with "v2 ".
std::string to_string(const Write& w);

// v2 checkBeforeUpdate (runc fs2 CheckMemoryUsage): limits to compare with
// memory.current before writing them.
struct MemoryCheck {
    int64_t limit = 0;
    int64_t swap = 0;
    bool operator==(const MemoryCheck&) const = default;
};

struct WritePlan {
    std::vector<Write> writes;
    std::vector<std::string> warnings;
    std::optional<MemoryCheck> memory_check;
    // Device rules need a BPF program on the v2 leaf (no v1 devices hierarchy).
    bool devices_ebpf = false;
};

// Resource sections, in runc's v1 subsystem order.
enum class Section { cpuset, devices, memory, cpu, pids, blkio, hugetlb, net_cls, net_prio, rdma, unified };

// One section, one hierarchy. v1 devices: see devices.hpp; v2 devices yield
// no writes (BPF program). v1 unified: unsupported error if any key is set.
void v1_section(const spec::Resources& r, Section s, WritePlan& out);
void v2_section(const spec::Resources& r, Section s, WritePlan& out);

// Every section, in runc's order (v1: cpuset devices memory cpu pids blkio
// hugetlb net_cls net_prio rdma; v2: pids memory io cpu cpuset hugetlb rdma
// unified).
WritePlan v1_writes(const spec::Resources& r, bool with_devices = true);
WritePlan v2_writes(const spec::Resources& r);

// Per section, the hierarchy this host binds its controller to; unified keys
// go to v2 when their controller is there. A set value whose controller the
// host lacks: unsupported error naming the field. `with_devices` = false
// leaves device rules alone (`update` does not change them).
WritePlan plan_writes(const spec::Resources& r, const Layout& layout, bool with_devices = true);

// Conversions (runc libcontainer/cgroups/utils.go).
// shares [2, 262144] -> cpu.weight [1, 10000]: 1 + ((shares-2)*9999)/262142.
uint64_t shares_to_weight(uint64_t shares);
// blkio weight [10, 1000] -> io.weight [1, 10000]: 1 + (weight-10)*9999/990.
uint64_t blkio_weight_to_io_weight(uint16_t weight);
// OCI swap is memory+swap; v2 memory.swap.max is swap alone. Throws
// invalid_config with runc's messages for impossible combinations.
int64_t swap_to_v2(int64_t swap, int64_t memory);

// `update`: the container's saved resources with an update applied, as
// runc's update.go does (absent or zero = unchanged; quota/period set alone
// keep the other's old value; memory limit -1 without swap drops the saved
// swap so both become unlimited; devices are never updated).
spec::Resources merge_update(const spec::Resources& saved, const spec::Resources& update);

}  // namespace rt::cgroups
