#pragma once
// runtime/sys/early_seal.cpp: 0 when already sealed, no return once it
// re-executes, -errno with *step set on failure.
extern "C" long berth_seal_exe(char** argv, char** envp, const char** step);

namespace rt::sys {
// CVE-2019-5736: make sure the binary the container could reach through
// /proc/<pid>/exe cannot be opened for writing. Called by the commands that
// put a process into a container (create, run, exec); re-executes from a
// read-only view of the same file when needed. Returns normally when sealed.
void ensure_sealed_exe(char** argv);
}  // namespace rt::sys
