// `exec`: run a process in a running (or created) container, as runc's
// setns init: it joins every namespace of the container's init and its
// cgroup, and gets the process from --process or from config.json plus the
// flags. Foreground: exit status of the process; detached (-d): 0 once it
// runs, with --pid-file/--pidfd-socket/--console-socket as for create.
#pragma once

#include "cli.hpp"

namespace rt::exec {

int run(const cli::GlobalOptions& g, const cli::ExecOptions& o);

}  // namespace rt::exec
