// OCI hooks (config.md "POSIX-platform Hooks"): prepared ahead, run with the
// state JSON on stdin, optional timeout, output captured into the error.
//
// run_one() is noexcept and does not allocate, so the container init can run
// createContainer/startContainer hooks between clone3 and execve. The parent
// uses run_all(), which throws.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "spec/spec.hpp"

namespace rt::hooks {

struct Prepared {
    std::string path;
    int timeout_s = 0;  // 0: none
    std::vector<std::string> storage;  // owns the strings argv/envp point to
    std::vector<char*> argv;            // nullptr-terminated
    std::vector<char*> envp;            // nullptr-terminated
};

// argv = hook.args, or {path} when empty (runc). envp = hook.env, or
// *default_env when hook.env is empty (runc inherits its own environment for
// host-side hooks; startContainer hooks default to the process env).
Prepared prepare(const spec::Hook& hook, const std::vector<std::string>& default_env);
std::vector<Prepared> prepare_all(const std::vector<spec::Hook>& hooks,
                                  const std::vector<std::string>& default_env);

// Runs one hook: fork, state on stdin, stdout+stderr captured, waits (killing
// the hook with SIGKILL after timeout_s). Returns true on exit status 0;
// otherwise writes a one-line reason into err, e.g.
//   `/usr/bin/hook` exited with status 3: <captured output>
//   `/usr/bin/hook` ran past specified timeout of 2s
//   `/usr/bin/hook`: fork/exec: No such file or directory
bool run_one(const Prepared& hook, const char* state, size_t state_len, char* err,
             size_t err_len) noexcept;

// Parent side: runs each hook in order; the first failure throws
// rt::sys::Error("<kind> hook: <reason>"). kind is "prestart", "poststop", ...
void run_all(const std::vector<spec::Hook>& hooks, const std::string& state_json,
             const char* kind);

}  // namespace rt::hooks
