// `events [--stats] [--interval D] <id>` (runc events.go): newline-delimited
// JSON on stdout, {"type":"stats","id":...,"data":{...}} and
// {"type":"oom","id":...}.
#pragma once

#include "cli.hpp"

namespace rt::events {

// --stats: one stats event. Otherwise a stats event every interval and an
// oom event for each OOM kill in the container's cgroup, until the cgroup
// is removed or has no process left; returns then (exit 0).
// A stopped container: "container with id <id> is not running".
void run(const cli::GlobalOptions& g, const cli::EventsOptions& o);

}  // namespace rt::events
