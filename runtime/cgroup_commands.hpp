// ps, pause and resume: the commands that only read or freeze the
// container's cgroup (runc ps.go, pause.go; libcontainer Pause/Resume,
// Processes).
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "cli.hpp"

namespace rt::cgroup_commands {

// `ps --format json`: "[pid,...]\n", or "null\n" when there is no process,
// as runc encodes a nil slice. `ps` (table): host `ps <args>` filtered.
std::string ps(const cli::GlobalOptions& g, const cli::PsOptions& o);
// Running or created -> frozen; otherwise "container not running".
void pause(const cli::GlobalOptions& g, const cli::PauseOptions& o);
// Paused -> thawed; otherwise "container not paused".
void resume(const cli::GlobalOptions& g, const cli::ResumeOptions& o);

// Pure part of table mode (runc ps.go): the header line plus the lines whose
// PID column (found by name in the header) is one of `pids`. Throws
// "couldn't find PID field in ps output" / "unable to parse pid ...".
std::string filter_ps_table(std::string_view ps_output, const std::vector<pid_t>& pids);

}  // namespace rt::cgroup_commands
