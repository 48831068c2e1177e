// Performs a WritePlan against the container's cgroup directories.
//
// Writes happen in plan order, one write(2) per value. Inside one resource
// section, a write marked retry_einval that the kernel refuses with EINVAL
// is retried once after the section's other writes (runc's ordering dance for
// memsw/limit, cfs period/quota/burst). Errors name the OCI field and file:
//   linux.resources.memory.limit: write memory.max: Device or resource busy
//   linux.resources.cpu.realtimeRuntime: not supported by this host (no cpu.rt_runtime_us)
// and on v1 a limit below usage gets runc's wording:
//   linux.resources.memory.limit: unable to set memory limit to 1 (current usage: 2, peak usage: 3)
//
// The directories come from Paths, so tests run against a temp-dir tree
// whose control files are plain files (no O_CREAT: a missing file is how a
// host says it lacks a feature).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "cgroups/path.hpp"
#include "cgroups/resources.hpp"

namespace rt::cgroups {

// Returns 0 or an errno. The default opens with O_WRONLY|O_TRUNC|O_CLOEXEC
// and issues one write(2); tests substitute it to inject kernel refusals.
using WriteFn = std::function<int(const std::string& path, std::string_view value)>;
int write_cgroup_file(const std::string& path, std::string_view value);

// Returns what was done, one "path=value" line per write (skipped optional
// writes are not listed), for debug logs.
std::vector<std::string> apply_writes(const WritePlan& plan, const Paths& paths,
                                      const WriteFn& write = write_cgroup_file);

}  // namespace rt::cgroups
