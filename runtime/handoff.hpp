// What create, run and exec hand over to their caller around a new process:
// the console socket they connect to, the preserved fds they check, the pid
// file and the pidfd they deliver (contract §3: containerd's shim reads both).
#pragma once

#include <sys/types.h>

#include <string>

#include "sys/fd.hpp"

namespace rt::handoff {

// --console-socket: connected, or an empty fd when `path` is empty.
sys::UniqueFd connect_console(const std::string& path);
// fds [3, upto) must be open (LISTEN_FDS, --preserve-fds).
void check_preserved_fds(int upto);
// Atomically, digits only, no newline (containerd parses it with Atoi).
void write_pid_file(const std::string& path, pid_t pid);
// --pidfd-socket (runc >= 1.2): a pidfd of `pid` in one SCM_RIGHTS message.
void send_pidfd(const std::string& path, pid_t pid);

}  // namespace rt::handoff
