// runc-compatible command line -> option structs. Pure: no syscalls.
//
// Quirks accepted (runc-cli-contract.md §1.3): `--flag value`, `--flag=value`,
// single-dash long flags (`-root x`, `-no-subreaper`), bool flags with
// `=true|false`, global flags before the subcommand in any order, and
// `exec`/`kill`/`ps` stop parsing flags at the first positional.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace rt::cli {

struct GlobalOptions {
    std::string root = "/run/berth";
    std::string log;                // empty: stderr
    std::string log_format = "text";  // text | json
    bool debug = false;
    bool systemd_cgroup = false;
    std::string rootless = "auto";  // accepted: true | false | auto
    std::string criu;               // accepted and ignored
};

struct CreateOptions {  // create and run
    std::string id;
    std::string bundle;  // empty: cwd
    std::string pid_file;
    std::string console_socket;
    std::string pidfd_socket;
    bool no_pivot = false;
    bool no_new_keyring = false;
    int preserve_fds = 0;
    // run only
    bool detach = false;
    bool keep = false;
    bool no_subreaper = false;
};

struct StartOptions { std::string id; };
struct StateOptions { std::string id; };

struct ExecOptions {
    std::string id;
    std::string process_file;  // --process/-p
    std::string console_socket;
    std::string pidfd_socket;
    std::string pid_file;
    std::string cwd;
    std::vector<std::string> env;   // -e, repeatable
    std::string user;               // -u uid[:gid]
    std::vector<uint32_t> additional_gids;  // -g, repeatable
    std::vector<std::string> caps;  // --cap, repeatable
    std::string apparmor;
    std::string process_label;
    std::string cgroup;
    bool tty = false;
    bool detach = false;
    bool no_new_privs = false;
    bool ignore_paused = false;
    int preserve_fds = 0;
    std::vector<std::string> args;  // command after the id
};

struct KillOptions {
    std::string id;
    int signal = 15;
    bool all = false;
};

struct DeleteOptions {
    std::string id;
    bool force = false;
};

struct ListOptions {
    bool json = false;  // --format/-f json|table
    bool quiet = false;
};

struct PsOptions {
    std::string id;
    bool json = false;
    std::vector<std::string> ps_args;  // default {"-ef"}
};

struct PauseOptions { std::string id; };
struct ResumeOptions { std::string id; };

struct UpdateOptions {
    std::string id;
    std::string resources;  // file path or "-"; empty when individual flags are used
    // Individual flags as runc has them; absent when not given.
    std::optional<uint64_t> blkio_weight, cpu_period, cpu_rt_period, cpu_share;
    std::optional<int64_t> cpu_quota, cpu_rt_runtime, cpu_burst, cpu_idle;
    std::optional<std::string> cpuset_cpus, cpuset_mems;
    std::optional<int64_t> memory, memory_reservation, memory_swap, kernel_memory,
        kernel_memory_tcp;
    std::optional<int64_t> pids_limit;
    std::optional<std::string> l3_cache_schema, mem_bw_schema;
};

struct EventsOptions {
    std::string id;
    bool stats = false;
    uint64_t interval_ms = 5000;  // Go duration, e.g. "5s", "500ms"
};

struct SpecOptions {
    std::string bundle;
    bool rootless = false;
};

struct FeaturesOptions {};
struct VersionOptions {};
struct HelpOptions { std::string command; };  // empty: global help

using CommandOptions =
    std::variant<CreateOptions, StartOptions, StateOptions, ExecOptions, KillOptions,
                 DeleteOptions, ListOptions, PsOptions, PauseOptions, ResumeOptions,
                 UpdateOptions, EventsOptions, SpecOptions, FeaturesOptions, VersionOptions,
                 HelpOptions>;

struct Invocation {
    GlobalOptions global;
    std::string command;  // "create", "run", ... ("run" uses CreateOptions)
    CommandOptions options;
};

// Throws rt::sys::Error(ErrorKind::usage) with a one-line message such as
// `flag provided but not defined: -x` or `"create" requires exactly 1 argument(s)`.
Invocation parse(int argc, const char* const* argv);

// Signal names (KILL, SIGKILL, kill) and numbers -> signal number; throws usage error.
int parse_signal(std::string_view s);

// Go duration ("5s", "1m30s", "250ms") -> milliseconds; throws usage error.
uint64_t parse_duration_ms(std::string_view s);

// Help text for one command ("" for the global usage).
std::string help_text(std::string_view command);

}  // namespace rt::cli
