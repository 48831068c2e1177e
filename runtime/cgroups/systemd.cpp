#include "cgroups/systemd.hpp"

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <utility>

#include "cgroups/resources.hpp"
#include "cgroups/systemd_props.hpp"
#include "sdbus/protocol.hpp"
#include "sys/error.hpp"
#include "sys/log.hpp"
#include "sys/self_path.hpp"

extern char** environ;

namespace rt::cgroups {

namespace {

using sys::Error;
using sys::ErrorKind;

// The helper waits up to 30 s for the D-Bus call and 30 s for the job.
constexpr int kReplyTimeoutMs = 75 * 1000;
// After EOF on its stdin a holding helper exits at once.
constexpr int kExitTimeoutMs = 5 * 1000;

long now_ms() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

// One run of berth-systemd. One socket is its stdin and stdout: writes to
// it cannot raise SIGPIPE in berth (MSG_NOSIGNAL), and closing our end is
// the EOF a holding helper waits for.
struct Proc {
    sys::ChildGuard pid;  // SIGKILLs and reaps whatever is left at scope exit
    sys::UniqueFd sock;
    std::string path;
};

Proc spawn_helper(const char* op) {
    Proc p;
    p.path = systemd_helper_path();
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) sys::throw_errno("systemd: socketpair");
    p.sock.reset(sv[0]);
    sys::UniqueFd theirs(sv[1]);
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_adddup2(&fa, theirs.get(), STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&fa, theirs.get(), STDOUT_FILENO);
    // Its own session: ^C on a foreground `run` must not kill it. Default
    // signals: `run` blocks them all for its signalfd.
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    char* argv[] = {p.path.data(), const_cast<char*>(op), nullptr};
    pid_t pid = -1;
    int err = p.path.find('/') != std::string::npos ? posix_spawn(&pid, p.path.c_str(), &fa, &attr, argv, environ)
                                                     : posix_spawnp(&pid, p.path.c_str(), &fa, &attr, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (err != 0)
        throw Error(ErrorKind::generic, err,
                    sys::format("systemd: run the helper `%s` (berth-systemd beside berth, or $BERTH_SYSTEMD_HELPER)",
                                p.path));
    p.pid.adopt(pid);
    return p;
}

// Closes our end (EOF) and reaps the helper, SIGKILLing it after a grace period.
void finish(Proc& p) {
    p.sock.reset();
    if (p.pid.get() <= 0) return;
    for (long deadline = now_ms() + kExitTimeoutMs; now_ms() < deadline;) {
        pid_t r = ::waitpid(p.pid.get(), nullptr, WNOHANG);
        if (r == p.pid.get() || (r < 0 && errno != EINTR)) {
            p.pid.release();
            return;
        }
        timespec ts{0, 10 * 1000 * 1000};
        ::nanosleep(&ts, nullptr);
    }
    sys::log::warn(sys::format("systemd: helper `%s` did not exit; killing it", p.path));
    // ~ChildGuard: SIGKILL and reap.
}

// Sends the request and reads the one reply line: {"ok"|"exists", text}.
// "error <message>" becomes an Error "systemd: <message>".
std::pair<std::string, std::string> request(Proc& p, const sdbus::Request& req) {
    std::string line = sdbus::encode(req) + "\n";
    for (size_t off = 0; off < line.size();) {
        ssize_t n = ::send(p.sock.get(), line.data() + off, line.size() - off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) break;  // it died: the read below reports how
        off += static_cast<size_t>(n);
    }
    std::string reply;
    long deadline = now_ms() + kReplyTimeoutMs;
    while (reply.find('\n') == std::string::npos) {
        pollfd pfd{p.sock.get(), POLLIN, 0};
        long left = deadline - now_ms();
        if (left <= 0) sys::fail(ErrorKind::generic, "systemd: no reply from `%s` within %d s", p.path, kReplyTimeoutMs / 1000);
        if (::poll(&pfd, 1, static_cast<int>(left)) < 0 && errno != EINTR) sys::throw_errno("systemd: poll");
        char buf[1024];
        ssize_t n = ::read(p.sock.get(), buf, sizeof buf);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n <= 0) {
            int status = 0;
            pid_t r = ::waitpid(p.pid.get(), &status, 0);
            if (r == p.pid.get()) p.pid.release();
            std::string how = r != p.pid.get() && r < 0 ? "vanished"
                              : WIFSIGNALED(status)   ? sys::format("was killed by signal %d", WTERMSIG(status))
                                                      : sys::format("exited with status %d", WEXITSTATUS(status));
            sys::fail(ErrorKind::generic, "systemd: helper `%s` %s without replying", p.path, how);
        }
        reply.append(buf, static_cast<size_t>(n));
    }
    reply.resize(reply.find('\n'));
    auto space = reply.find(' ');
    std::string kind = reply.substr(0, space), text = space == std::string::npos ? "" : reply.substr(space + 1);
    if (kind == "error") sys::fail(ErrorKind::generic, "systemd: %s", text);
    if (kind != "ok" && kind != "exists")
        sys::fail(ErrorKind::generic, "systemd: unexpected reply from `%s`: %s", p.path, reply);
    return {kind, text};
}

// A run that does not hold anything: request, reply, reap.
void call(const char* op, const sdbus::Request& req) {
    Proc p = spawn_helper(op);
    request(p, req);
    finish(p);
}

bool is_scope(const std::string& unit) {
    return unit.size() > 6 && unit.compare(unit.size() - 6, 6, ".scope") == 0;
}

}  // namespace

struct Systemd::Holder {
    Proc proc;
};

std::string systemd_helper_path() {
    if (const char* env = std::getenv("BERTH_SYSTEMD_HELPER"); env != nullptr && *env != '\0') return env;
    std::string self = sys::self_path();
    if (auto slash = self.rfind('/'); slash != std::string::npos) {
        std::string beside = self.substr(0, slash + 1) + "berth-systemd";
        if (::access(beside.c_str(), X_OK) == 0) return beside;
    }
    return "berth-systemd";
}

Systemd::Systemd(Layout layout, std::string unit, std::string slice, Paths paths, std::string description)
    : layout_(std::move(layout)),
      unit_(std::move(unit)),
      slice_(std::move(slice)),
      description_(std::move(description)),
      paths_(std::move(paths)),
      fs_(layout_, paths_) {}

Systemd Systemd::for_container(const Layout& layout, const std::optional<std::string>& cgroups_path,
                               std::string_view id) {
    SystemdUnit u = parse_systemd_path(cgroups_path, id);
    return Systemd(layout, u.unit, u.slice, resolve_paths(layout, u.path), "berth container " + std::string(id));
}

Systemd::Systemd(Systemd&&) noexcept = default;

Systemd::~Systemd() {
    if (holder_) finish(holder_->proc);
}

void Systemd::release_holder() const {
    if (!holder_) return;
    finish(holder_->proc);
    holder_.reset();
}

void Systemd::create() {
    release_holder();  // a second create() starts over
    sdbus::Request req{unit_, unit_properties(unit_, slice_, description_, layout_), is_scope(unit_)};
    req.properties.insert(req.properties.end(), extra_.begin(), extra_.end());
    auto holder = std::make_unique<Holder>(Holder{spawn_helper("start-unit")});
    auto [kind, cgroup] = request(holder->proc, req);
    if (cgroup.empty() || cgroup.front() != '/' || cgroup == "/")
        sys::fail(ErrorKind::generic, "systemd: unit %s has an unusable control group `%s`", unit_, cgroup);
    if (kind == "exists") sys::log::warn(sys::format("systemd: unit %s already exists; using its cgroup %s", unit_, cgroup));
    // systemd's word on where the unit is beats our expansion of the slice.
    paths_ = resolve_paths(layout_, cgroup);
    fs_ = Cgroupfs(layout_, paths_);
    holder_ = std::move(holder);
    // systemd made the directories of the hierarchies it manages; the others
    // (v1 cpuset, freezer, net_cls, ...) are ours, made by join(), and so is
    // enabling the v2 controllers along the path (runc fs2.CreateCgroupPath).
    try {
        fs_.create();
    } catch (...) {
        release_holder();  // the scope empties and systemd collects it
        throw;
    }
}

sys::UniqueFd Systemd::open_leaf() const { return fs_.open_leaf(); }

void Systemd::join(pid_t pid) {
    // Release the helper whatever happens: with the pid in the scope it is
    // not needed, and without, an empty scope is what systemd should collect.
    sys::ScopeExit release([this] { release_holder(); });
    fs_.join(pid);  // name=systemd and every v1 hierarchy (made now); a no-op where clone3 placed it
}

std::vector<std::string> Systemd::set(const spec::Resources& r, bool devices) const {
    // Invalid values fail here, before systemd is told anything.
    plan_writes(r, layout_, devices);
    std::vector<std::string> warnings;
    std::vector<sdbus::Property> props = resource_properties(r, layout_, devices, warnings);
    bool v1_devices = layout_.v1_mount("devices") != nullptr;
    if (!props.empty()) {
        // On v1 systemd rewrites the devices files as deny-all then allows:
        // freeze meanwhile so the container never sees the gap (runc
        // freezeBeforeSet). Best effort: a missing freezer only loses that.
        bool thaw = false;
        if (devices && v1_devices) {
            try {
                if (fs_.freezer_state() != FreezerState::frozen) {
                    fs_.freeze(true);
                    thaw = true;
                }
            } catch (const Error& e) {
                sys::log::debug(std::string("systemd: freeze before setting device properties: ") + e.what());
            }
        }
        sys::ScopeExit thaw_after([&] {
            if (!thaw) return;
            try {
                fs_.freeze(false);
            } catch (const Error& e) {
                sys::log::warn(std::string("systemd: thaw after setting device properties: ") + e.what());
            }
        });
        call("set-properties", sdbus::Request{unit_, std::move(props), false});
    }
    // Device rules too, as runc: on v1 the same rules again, on v2 berth's
    // BPF filter takes the place of the one systemd attached.
    for (auto& w : fs_.set(r, devices)) warnings.push_back(std::move(w));
    return warnings;
}

void Systemd::freeze(bool frozen) const { fs_.freeze(frozen); }
FreezerState Systemd::freezer_state() const { return fs_.freezer_state(); }
std::vector<pid_t> Systemd::pids() const { return fs_.pids(); }
Stats Systemd::stats() const { return fs_.stats(); }
bool Systemd::exists() const { return fs_.exists(); }

void Systemd::destroy() const {
    release_holder();
    // StopUnit removes what systemd manages; the directories it does not
    // know (v1 cpuset, freezer, ...) go after it either way. A stop error
    // wins over a removal error (runc's legacy Destroy).
    std::optional<Error> stop_error;
    try {
        call("stop-unit", sdbus::Request{unit_, {}, false});
    } catch (const Error& e) {
        stop_error = e;
    }
    try {
        fs_.destroy();
    } catch (const Error&) {
        if (!stop_error) throw;
    }
    if (stop_error) throw *stop_error;
}

}  // namespace rt::cgroups
