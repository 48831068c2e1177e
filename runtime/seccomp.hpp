// OCI seccomp (config-linux.md "Seccomp") -> classic BPF program, via libseccomp.
//
// compile() runs in the parent, before clone3, and may throw; load() runs in
// the container init between clone3 and execve and only calls seccomp(2).
// This header is included by child code (built with -fno-exceptions): keep it
// to declarations.
#pragma once

#include <linux/filter.h>

#include <vector>

#include "spec/spec.hpp"

namespace rt::seccomp {

struct Program {
    std::vector<sock_filter> filter;  // the BPF program, ready for seccomp(2)
    unsigned flags = 0;               // SECCOMP_FILTER_FLAG_* for seccomp(SECCOMP_SET_MODE_FILTER, flags, &prog)
    bool notify = false;              // some rule uses SCMP_ACT_NOTIFY (needs SECCOMP_FILTER_FLAG_NEW_LISTENER)
};

// Compiles the config's seccomp section. Throws rt::sys::Error:
//   ErrorKind::invalid_config naming the field, e.g.
//     config.json: linux.seccomp.syscalls[3].action: unknown action `SCMP_ACT_FOO`
//   ErrorKind::unsupported for what the linked libseccomp (or the kernel it
//     probes) cannot do, e.g. an architecture newer than libseccomp 2.5.4.
// Syscall names unknown to libseccomp are skipped, as runc does: profiles
// list syscalls newer than the library.
Program compile(const spec::Seccomp& s);

// Installs a compiled program on the calling thread. No allocation, no
// exceptions, async-signal-safe. Returns 0, or with p.notify the listener fd
// (>= 0); -errno on failure. The caller must have set no_new_privs or hold
// CAP_SYS_ADMIN in its user namespace.
int load(const Program& p) noexcept;

}  // namespace rt::seccomp
