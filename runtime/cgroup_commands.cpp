#include "cgroup_commands.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "container_target.hpp"
#include "sys/error.hpp"
#include "sys/fd.hpp"

extern char** environ;

namespace rt::cgroup_commands {

using sys::ErrorKind;

namespace {

std::vector<std::string_view> split_fields(std::string_view line) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
        if (i > start) out.push_back(line.substr(start, i - start));
    }
    return out;
}

// runc Processes(): a stopped container whose cgroup is gone has no
// processes; otherwise every pid in the cgroup tree.
std::vector<pid_t> container_pids(const container_target::Target& t) {
    if (!t.manager) return {};
    if (t.status == state::Status::stopped && !t.manager->exists()) return {};
    return t.manager->pids();
}

// exec.Command("ps", args...).CombinedOutput(): stdout and stderr together;
// a failure carries the output, as runc reports it.
std::string run_ps(const std::vector<std::string>& args) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) sys::throw_errno("pipe for ps");
    sys::UniqueFd rd(p[0]), wr(p[1]);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, wr.get(), STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&fa, wr.get(), STDERR_FILENO);
    std::vector<char*> argv{const_cast<char*>("ps")};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_t pid = 0;
    int err = ::posix_spawnp(&pid, "ps", &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (err == ENOENT) sys::fail(ErrorKind::not_found, "exec: \"ps\": executable file not found in $PATH");
    if (err != 0) throw sys::Error(ErrorKind::generic, err, "run ps");
    wr.reset();
    std::string output;
    char buf[8192];
    for (;;) {
        ssize_t n = ::read(rd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        output.append(buf, static_cast<size_t>(n));
    }
    int st = 0;
    while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
        sys::fail(ErrorKind::generic, "exit status %d: %s", WEXITSTATUS(st), output);
    if (WIFSIGNALED(st)) sys::fail(ErrorKind::generic, "signal: %s: %s", strsignal(WTERMSIG(st)), output);
    return output;
}

std::string pids_json(const std::vector<pid_t>& pids) {
    if (pids.empty()) return "null\n";  // Go encodes runc's nil []int as null
    std::string out = "[";
    for (size_t i = 0; i < pids.size(); ++i) out += (i ? "," : "") + std::to_string(pids[i]);
    return out + "]\n";
}

}  // namespace

std::string filter_ps_table(std::string_view ps_output, const std::vector<pid_t>& pids) {
    std::vector<std::string_view> lines;
    for (size_t start = 0;;) {
        size_t nl = ps_output.find('\n', start);
        lines.push_back(ps_output.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start));
        if (nl == std::string_view::npos) break;
        start = nl + 1;
    }
    auto titles = split_fields(lines[0]);
    auto col = std::find(titles.begin(), titles.end(), "PID");
    if (col == titles.end()) sys::fail(ErrorKind::generic, "couldn't find PID field in ps output");
    size_t index = static_cast<size_t>(col - titles.begin());
    std::string out = std::string(lines[0]) + "\n";
    for (size_t i = 1; i < lines.size(); ++i) {
        if (lines[i].empty()) continue;
        auto fields = split_fields(lines[i]);
        if (index >= fields.size()) continue;  // runc would index out of range here
        std::string_view f = fields[index];
        pid_t pid = 0;
        auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), pid);
        if (ec != std::errc() || end != f.data() + f.size())
            sys::fail(ErrorKind::generic, "unable to parse pid: `%s`", std::string(f));
        if (std::find(pids.begin(), pids.end(), pid) != pids.end()) out += std::string(lines[i]) + "\n";
    }
    return out;
}

std::string ps(const cli::GlobalOptions& g, const cli::PsOptions& o) {
    std::vector<pid_t> pids;
    {
        auto t = container_target::open(g.root, o.id);
        pids = container_pids(t);
    }  // unlocked: ps may take a while
    if (o.json) return pids_json(pids);
    return filter_ps_table(run_ps(o.ps_args), pids);
}

void pause(const cli::GlobalOptions& g, const cli::PauseOptions& o) {
    auto t = container_target::open(g.root, o.id);
    if (t.status != state::Status::running && t.status != state::Status::created)
        sys::fail(ErrorKind::bad_state, "container not running");
    t.cgroup().freeze(true);
}

void resume(const cli::GlobalOptions& g, const cli::ResumeOptions& o) {
    auto t = container_target::open(g.root, o.id);
    if (t.status != state::Status::paused) sys::fail(ErrorKind::bad_state, "container not paused");
    t.cgroup().freeze(false);
}

}  // namespace rt::cgroup_commands
