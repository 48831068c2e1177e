// The path berth was started from, for finding programs installed beside it
// (build/berth-systemd). /proc/self/exe is no use: berth re-executes itself
// from a detached read-only bind mount (sealed_exe.hpp), whose path names
// nothing reachable. argv[0] survives that re-exec unchanged.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace rt::sys {

// argv[0] as the shell found it: with a slash, relative to `cwd`; without
// one, the first executable of that name in the PATH list `path_env`.
// "" when not found. Pure, for tests.
std::string resolve_argv0(std::string_view argv0, std::string_view cwd, std::string_view path_env,
                          const std::function<bool(const std::string&)>& executable);

// Resolves and remembers argv[0]; call first thing in main(), before
// anything changes directory (create chdirs to the bundle).
void record_argv0(const char* argv0);

// The recorded path; without record_argv0(), argv[0] from /proc/self/cmdline
// resolved now (right for absolute paths and PATH lookups). "" if unknown.
std::string self_path();

}  // namespace rt::sys
