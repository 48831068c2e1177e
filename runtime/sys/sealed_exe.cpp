// CVE-2019-5736 defence without copying the binary on every run.
//
// A process inside the container can reach the runtime's executable through
// /proc/<pid>/exe (while the runtime sits in the container's namespaces, or
// by exec'ing /proc/self/exe as its entrypoint) and, once nothing executes it
// any more, open it for writing and replace the host's runtime. runc and crun
// run from a sealed memfd copy, which costs a copy of the binary per
// invocation. We instead re-exec once from a detached, read-only bind mount of
// the same file (open_tree + mount_setattr): /proc/<pid>/exe then names a path
// on a read-only mount, so opening it for writing fails with EROFS, and the
// mount is not attached anywhere, so nothing in any mount namespace can make
// it writable again. It costs one execve and no copy. When the binary already
// lives on a read-only mount (detected with fstatfs), nothing is done.
// The sequence lives in early_seal.cpp (berth_seal_exe), freestanding: it
// normally runs at berth's ELF entry point, before the C library starts;
// this is the safety net that also reports why sealing failed.
#include "sys/sealed_exe.hpp"

#include <cerrno>

#include "sys/error.hpp"

extern char** environ;

namespace rt::sys {

void ensure_sealed_exe(char** argv) {
    const char* step = "";
    long rc = berth_seal_exe(argv, environ, &step);
    if (rc == 0) return;
    errno = static_cast<int>(-rc);
    throw_errno("%s", step);
}

}  // namespace rt::sys
