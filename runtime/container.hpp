// Container lifecycle (runtime.md "Lifecycle"): create, start, run, kill,
// delete, state, list. Each operation rolls back what it did when it fails.
#pragma once

#include <string>

#include "cgroups/manager.hpp"
#include "cli.hpp"
#include "spec/spec.hpp"
#include "state.hpp"

namespace rt::container {

void create(const cli::GlobalOptions& g, const cli::CreateOptions& o);
void start(const cli::GlobalOptions& g, const cli::StartOptions& o);
// Foreground run returns the exit status to exit with; detached returns 0.
int run(const cli::GlobalOptions& g, const cli::CreateOptions& o);
void kill(const cli::GlobalOptions& g, const cli::KillOptions& o);
void destroy(const cli::GlobalOptions& g, const cli::DeleteOptions& o);
std::string state_json(const cli::GlobalOptions& g, const std::string& id);
std::string list(const cli::GlobalOptions& g, const cli::ListOptions& o);

// For the commands built on these (ps, pause, update, events, exec):
// state::status_of plus the freezer (a frozen container is "paused").
state::Status status(const state::Dir& dir, const state::Saved& s);
// The same with the container's cgroup already opened (nullptr: none).
state::Status status(const state::Dir& dir, const state::Saved& s, const cgroups::Manager* cgroup);
// Throws "invalid container id format: <id>" (runc's wording).
void check_id(const std::string& id);
// The config.json saved at create.
spec::Spec saved_spec(const state::Saved& s);

}  // namespace rt::container
