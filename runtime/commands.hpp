#pragma once
#include "cli.hpp"
namespace rt::commands {
// One short function per subcommand; returns the process exit status.
int dispatch(const cli::Invocation& inv, char** argv);
}  // namespace rt::commands
