// `update` (runc update.go): change a running, created or paused
// container's resources. The request (--resources FILE|- as a
// LinuxResources object, or the individual flags) is merged onto the
// container's current resources with runc's rules (cgroups::merge_update),
// applied without touching device rules, and persisted in the saved config
// so the next update merges onto it.
#pragma once

#include <string>
#include <vector>

#include "cli.hpp"
#include "spec/spec.hpp"

namespace rt::update {

void run(const cli::GlobalOptions& g, const cli::UpdateOptions& o);

// The request the individual flags make (without --resources). Ignored
// flags (--kernel-memory, --kernel-memory-tcp) add runc's warning; Intel
// RDT schemas are refused (berth has no RDT support).
spec::Resources from_flags(const cli::UpdateOptions& o, std::vector<std::string>& warnings);

}  // namespace rt::update
