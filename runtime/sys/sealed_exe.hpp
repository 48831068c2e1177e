#pragma once
namespace rt::sys {
// CVE-2019-5736: make sure the binary the container could reach through
// /proc/<pid>/exe cannot be opened for writing. Called by the commands that
// put a process into a container (create, run, exec); re-executes from a
// read-only view of the same file when needed. Returns normally when sealed.
void ensure_sealed_exe(char** argv);
}  // namespace rt::sys
