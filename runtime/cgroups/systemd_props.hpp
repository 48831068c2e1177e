// The systemd driver's pure half: which unit properties it sends, after
// runc's libcontainer/cgroups/systemd (common.go, v1.go, v2.go) and
// cgroups/devices/systemd.go. systemd re-applies a unit's properties to its
// cgroup whenever it re-realizes it (daemon-reload, any SetUnitProperties),
// writing its defaults for anything it was not told, so every value it
// understands must be a property too. Values it does not know are written
// to the cgroup files by the cgroupfs layer (Systemd::set does both).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cgroups/layout.hpp"
#include "sdbus/protocol.hpp"
#include "spec/spec.hpp"

namespace rt::cgroups {

// StartTransientUnit's properties, PIDs= aside (the helper adds its own pid
// to hold the scope): Description, Slice= (Wants= for a slice unit),
// Delegate (scopes), the accounting switches and DefaultDependencies=no.
std::vector<sdbus::Property> unit_properties(std::string_view unit, std::string_view slice,
                                             std::string_view description, const Layout& layout);

// linux.resources -> properties: v2 names (MemoryMax, CPUWeight, IOWeight, ...)
// on unified hosts, v1 names (MemoryLimit, CPUShares, BlockIOWeight) on
// legacy and hybrid ones, where systemd drives the v1 controllers.
// `devices`: DevicePolicy/DeviceAllow too. Rules systemd cannot express add
// a warning. Throws invalid_config naming the field for unparsable values.
std::vector<sdbus::Property> resource_properties(const spec::Resources& r, const Layout& layout, bool devices,
                                                 std::vector<std::string>& warnings);

// "0-2,7" -> AllowedCPUs=/AllowedMemoryNodes= bytes (systemd's
// cpu_set_to_dbus: byte i bit j is CPU 8i+j). Throws invalid_config naming `field`.
std::vector<uint8_t> cpu_mask(std::string_view list, const std::string& field);

// CPUQuotaPerSecUSec= from a quota and period in µs; UINT64_MAX (infinity)
// for quota <= 0. Rounded up to whole percent, as systemd stores a percentage
// (runc addCpuQuota), so the child's exact cpu.max still fits.
uint64_t quota_per_sec(int64_t quota, uint64_t period);

}  // namespace rt::cgroups
