// Container lifecycle (runtime.md "Lifecycle"): create, start, run, kill,
// delete, state, list. Each operation rolls back what it did when it fails.
#pragma once

#include <string>

#include "cli.hpp"

namespace rt::container {

void create(const cli::GlobalOptions& g, const cli::CreateOptions& o);
void start(const cli::GlobalOptions& g, const cli::StartOptions& o);
// Foreground run returns the exit status to exit with; detached returns 0.
int run(const cli::GlobalOptions& g, const cli::CreateOptions& o);
void kill(const cli::GlobalOptions& g, const cli::KillOptions& o);
void destroy(const cli::GlobalOptions& g, const cli::DeleteOptions& o);
std::string state_json(const cli::GlobalOptions& g, const std::string& id);
std::string list(const cli::GlobalOptions& g, const cli::ListOptions& o);

}  // namespace rt::container
