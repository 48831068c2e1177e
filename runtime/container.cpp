#include "container.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "container_cgroup.hpp"
#include "foreground.hpp"
#include "handoff.hpp"
#include "plan.hpp"
#include "spawn.hpp"
#include "spec/parse.hpp"
#include "spec/state.hpp"
#include "spec/validate.hpp"
#include "state.hpp"
#include "sys/error.hpp"
#include "sys/fd.hpp"
#include "sys/log.hpp"
#include "sys/syscalls.hpp"
#include "sys/unix_socket.hpp"

extern char** environ;

namespace rt::container {

using sys::Error;
using sys::ErrorKind;
using sys::UniqueFd;

namespace {

std::string absolute(const std::string& path) {
    if (!path.empty() && path[0] == '/') return path;
    char cwd[4096];
    if (::getcwd(cwd, sizeof cwd) == nullptr) sys::throw_errno("getcwd");
    return path.empty() || path == "." ? std::string(cwd) : std::string(cwd) + "/" + path;
}

std::vector<std::string> current_env() {
    std::vector<std::string> env;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) env.emplace_back(*e);
    return env;
}

spec::StateDoc state_doc(const state::Saved& s, state::Status st, const spec::Spec* spec) {
    spec::StateDoc d;
    d.oci_version = spec != nullptr ? spec->oci_version : "";
    d.id = s.id;
    d.status = state::status_name(st);
    d.pid = st == state::Status::stopped ? 0 : s.pid;
    d.bundle = s.bundle;
    d.rootfs = s.rootfs;
    d.created = s.created;
    if (spec != nullptr) d.annotations = spec->annotations;
    return d;
}

void run_host_hooks(const std::vector<spec::Hook>& hooks, const spec::StateDoc& doc, const char* kind) {
    if (hooks.empty()) return;
    hooks::run_all(hooks, spec::state_json_for_hook(doc), kind);
}

// LISTEN_FDS is honoured only when LISTEN_PID names this process (sd_listen_fds).
int listen_fds() {
    const char* pid = std::getenv("LISTEN_PID");
    const char* fds = std::getenv("LISTEN_FDS");
    if (pid == nullptr || fds == nullptr || std::atoi(pid) != ::getpid()) return 0;
    int n = std::atoi(fds);
    return n > 0 ? n : 0;
}

// Poststop hooks only warn (runtime.md: a failing poststop hook is logged and
// the lifecycle continues).
void run_poststop(const state::Saved& s, const spec::Spec& spec) {
    if (!spec.hooks || spec.hooks->poststop.empty()) return;
    try {
        run_host_hooks(spec.hooks->poststop, state_doc(s, state::Status::stopped, &spec), "poststop");
    } catch (const Error& e) {
        sys::log::warn(e.what());
    }
}

// Cleanup after a failed create: the error that made it fail is the one to
// report, so a cgroup that cannot be removed only adds a warning.
void remove_cgroup_quietly(const cgroups::Manager& m) {
    try {
        m.destroy();
    } catch (const Error& e) {
        sys::log::warn(e.what());
    }
}

struct Created {
    pid_t pid = 0;
    spec::Spec spec;
    state::Saved saved;
};

struct Bundle {
    std::string dir;   // absolute
    std::string text;  // config.json as read, saved in the state
    spec::Spec spec;
};

Bundle load_bundle(const cli::CreateOptions& o) {
    check_id(o.id);
    Bundle b;
    b.dir = absolute(o.bundle);
    b.text = spec::read_bundle_config(b.dir);
    b.spec = spec::parse_spec(b.text);
    spec::validate(b.spec);
    for (const auto& w : spec::warnings(b.spec)) sys::log::warn(w);
    if (!b.spec.process) sys::fail(ErrorKind::invalid_config, "config.json: process: required to create a container");
    return b;
}

// create, as `create` and `run` share it. `console` is the connected
// console socket (or the internal one for foreground `run -t`).
Created do_create(const cli::GlobalOptions& g, const cli::CreateOptions& o, Bundle&& b, int console) {
    std::string bundle = std::move(b.dir);
    std::string config_text = std::move(b.text);
    spec::Spec spec = std::move(b.spec);
    std::string rootfs = spec.root->path[0] == '/' ? spec.root->path : bundle + "/" + spec.root->path;
    struct stat st;
    if (::stat(rootfs.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        sys::fail(ErrorKind::invalid_config, "config.json: root.path: rootfs `%s` does not exist or is not a directory", rootfs);
    if (spec.process->terminal && console < 0)
        sys::fail(ErrorKind::usage, "cannot allocate tty if runc will detach without setting console socket");
    if (!spec.process->terminal && console >= 0)
        sys::fail(ErrorKind::usage, "cannot use console socket if runc will not detach or allocate tty");

    int nlisten = listen_fds();
    handoff::check_preserved_fds(3 + nlisten + o.preserve_fds);
    auto cg = container_cgroup::for_create(g.systemd_cgroup, spec, o.id);
    plan::ContainerInput in{o.id, bundle, o.no_pivot, o.no_new_keyring, nlisten, o.preserve_fds, current_env(),
                            &cg.layout, &cg.record.paths};
    sys::log::debug(sys::format("create container `%s` from bundle `%s`", o.id, bundle));
    plan::ChildPlan plan = plan::build_container_plan(spec, in);

    Created c;
    c.saved = {o.id, bundle, rootfs, state::now_rfc3339_nano(), 0, 0, config_text, g.systemd_cgroup};
    // Once the container exists, a failed create ends as a delete does
    // (runc's destroy; runtime.md lifecycle steps 12-13 for a failed
    // prestart hook): cgroup and state removed, then the poststop hooks.
    // Declared first, so it runs after the removals below; armed once the
    // id is ours (a duplicate id runs nothing).
    bool reserved = false;
    sys::ScopeExit poststop([&] {
        if (!reserved) return;
        try {
            run_poststop(c.saved, spec);
        } catch (...) {
        }
    });
    auto dir = state::Dir::reserve(g.root, o.id);
    reserved = true;
    sys::ScopeExit remove_dir([&] { dir.remove(); });
    std::string fifo = dir.fifo_path();
    if (::mkfifo(fifo.c_str(), 0622) != 0) sys::throw_errno("create exec fifo %s", fifo);
    // O_RDWR: the init blocks in read() until `start` writes a byte, and a
    // reader always exists while the init lives, so `start` can tell a dead
    // init (ENXIO) from a live one.
    UniqueFd fifo_fd(::open(fifo.c_str(), O_RDWR | O_CLOEXEC));
    if (!fifo_fd) sys::throw_errno("open exec fifo %s", fifo);
    plan.fifo_fd = fifo_fd.get();
    plan.console_socket = console;

    // The record goes first: whatever happens after it, `delete --force`
    // finds the cgroup to remove.
    container_cgroup::save(dir.path(), cg.record);
    cg.manager->create();
    if (cg.record.systemd) container_cgroup::save(dir.path(), container_cgroup::record_of(*cg.manager, true));
    sys::ScopeExit remove_cgroup([&] { remove_cgroup_quietly(*cg.manager); });
    UniqueFd leaf = cg.manager->open_leaf();
    plan.cgroup_fd = leaf ? leaf.get() : -1;
    using Join = cgroups::Manager::Join;
    Join join = cg.manager->join_mode();
    bool joined_by_clone = leaf && join == Join::by_clone;
    plan.late_cgroupns = (plan.unshare_flags & CLONE_NEWCGROUP) != 0 && !joined_by_clone;
    bool cgroup_mounts = std::any_of(plan.mounts.begin(), plan.mounts.end(),
                                     [](const plan::MountStep& m) { return m.needs_cgroup; });
    // An init that joins by itself must ask even when nothing it mounts shows
    // its cgroup.
    plan.wait_cgroup = !joined_by_clone && (join == Join::by_itself || plan.late_cgroupns || cgroup_mounts);
    // Limits land once the init has made its mounts and device nodes (a
    // device rule must not stop its own mknod) and before any hook or user
    // code runs, as runc's procHooks/procReady.
    bool limits_set = false;
    auto set_limits = [&] {
        if (limits_set) return;
        spec::Resources none;
        const spec::Resources& r = spec.linux && spec.linux->resources ? *spec.linux->resources : none;
        for (const auto& w : cg.manager->set(r, true)) sys::log::warn(w);
        limits_set = true;
    };

    if (::chdir(bundle.c_str()) != 0) sys::throw_errno("chdir to bundle %s", bundle);
    spawn::Callbacks cb;
    container_cgroup::set_spawn_callbacks(*cg.manager, cb);
    cb.on_hooks = [&](pid_t init) {
        set_limits();
        spec::StateDoc doc = state_doc(c.saved, state::Status::creating, &spec);
        doc.pid = init;
        if (spec.hooks) {
            run_host_hooks(spec.hooks->prestart, doc, "prestart");
            run_host_hooks(spec.hooks->create_runtime, doc, "createRuntime");
        }
    };
    pid_t pid = spawn::start(plan, cb);
    sys::ChildGuard guard(pid);
    set_limits();
    c.saved.pid = pid;
    c.saved.start_time = state::process_start_time(pid);
    dir.save(c.saved);
    if (!o.pid_file.empty()) handoff::write_pid_file(o.pid_file, pid);
    if (!o.pidfd_socket.empty()) handoff::send_pidfd(o.pidfd_socket, pid);
    guard.release();
    remove_cgroup.dismiss();
    remove_dir.dismiss();
    poststop.dismiss();
    c.pid = pid;
    c.spec = std::move(spec);
    return c;
}

// start: release the init blocked on exec.fifo, then poststart hooks.
void do_start(state::Dir& dir, const state::Saved& s, const spec::Spec& spec) {
    UniqueFd fifo(::open(dir.fifo_path().c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
    if (!fifo) {
        if (errno == ENXIO || errno == ENOENT) sys::fail(ErrorKind::bad_state, "cannot start a container that has stopped");
        sys::throw_errno("open exec fifo");
    }
    char zero = 0;
    if (::write(fifo.get(), &zero, 1) != 1) sys::throw_errno("write exec fifo");
    fifo.reset();
    ::unlink(dir.fifo_path().c_str());
    if (spec.hooks && !spec.hooks->poststart.empty()) {
        try {
            run_host_hooks(spec.hooks->poststart, state_doc(s, state::Status::running, &spec), "poststart");
        } catch (...) {
            // runtime.md: a failed poststart hook stops the container.
            ::kill(s.pid, SIGKILL);
            throw;
        }
    }
}

bool wait_gone(const state::Saved& s, int timeout_ms) {
    int pidfd = sys::pidfd_open(s.pid, 0);
    if (pidfd < 0) return true;
    UniqueFd fd(pidfd);
    if (!state::init_alive(s)) return true;
    pollfd p{pidfd, POLLIN, 0};
    return ::poll(&p, 1, timeout_ms) > 0;
}

bool own_pid_namespace(const spec::Spec& spec) {
    return spec.linux && std::any_of(spec.linux->namespaces.begin(), spec.linux->namespaces.end(),
                                     [](const auto& ns) { return ns.type == "pid" && !ns.path; });
}

// Removes the container's cgroup once its init is gone. Without a private
// pid namespace the init's descendants outlive it and are killed first
// (runc's destroy); `kill_rest` says so. A cgroup that cannot be removed is
// an error and the state stays, so `delete` can be retried. `m` is the
// container's recorded cgroup (container_cgroup::open_recorded), null if none.
void destroy_cgroup(const cgroups::Manager* m, bool kill_rest) {
    if (!m || !m->exists()) return;
    if (kill_rest && !m->pids().empty()) container_cgroup::signal_all(*m, SIGKILL);
    m->destroy();
}

// Destroy, as runc's: the cgroup, the state directory, then poststop hooks,
// which only warn (runtime.md: failure of a poststop hook is logged, the
// lifecycle continues).
void destroy_stopped(state::Dir& dir, const state::Saved& s, const spec::Spec& spec, const cgroups::Manager* m) {
    destroy_cgroup(m, !own_pid_namespace(spec));
    dir.remove();
    run_poststop(s, spec);
}

void destroy_stopped(state::Dir& dir, const state::Saved& s, const spec::Spec& spec) {
    destroy_stopped(dir, s, spec, container_cgroup::open_recorded(dir.path()).get());
}

void destroy_stopped(state::Dir& dir, const state::Saved& s, const cgroups::Manager* m) {
    spec::Spec spec;
    try {
        spec = saved_spec(s);
    } catch (const Error& e) {
        // Unreadable saved config: still remove the container, without hooks.
        sys::log::warn(e.what());
    }
    destroy_stopped(dir, s, spec, m);
}

}  // namespace

void check_id(const std::string& id) {
    // The id becomes a path under the root: never let "../x" through.
    if (!spec::valid_container_id(id)) sys::fail(ErrorKind::invalid_config, "invalid container id format: %s", id);
}

// state::status_of plus the freezer: runc reports a frozen container as
// paused, whether it was created or running.
state::Status status(const state::Dir& dir, const state::Saved& s, const cgroups::Manager* cgroup) {
    auto st = state::status_of(dir, s);
    if (st != state::Status::created && st != state::Status::running) return st;
    if (cgroup && cgroup->freezer_state() != cgroups::FreezerState::thawed) return state::Status::paused;
    return st;
}

state::Status status(const state::Dir& dir, const state::Saved& s) {
    auto st = state::status_of(dir, s);
    if (st != state::Status::created && st != state::Status::running) return st;
    return status(dir, s, container_cgroup::open_recorded(dir.path()).get());
}

spec::Spec saved_spec(const state::Saved& s) {
    return spec::parse_spec(s.config, "state.json: config");
}

void create(const cli::GlobalOptions& g, const cli::CreateOptions& o) {
    UniqueFd console = handoff::connect_console(o.console_socket);
    do_create(g, o, load_bundle(o), console.get());
}

void start(const cli::GlobalOptions& g, const cli::StartOptions& o) {
    auto dir = state::Dir::open(g.root, o.id);
    auto s = dir.load();
    switch (status(dir, s)) {
        case state::Status::created: break;
        case state::Status::stopped: sys::fail(ErrorKind::bad_state, "cannot start a container that has stopped");
        default: sys::fail(ErrorKind::bad_state, "cannot start an already running container");
    }
    do_start(dir, s, saved_spec(s));
}

int run(const cli::GlobalOptions& g, const cli::CreateOptions& o) {
    if (!o.detach) {
        if (!o.no_subreaper) ::prctl(PR_SET_CHILD_SUBREAPER, 1);
        foreground::block_signals();
    }
    foreground::Console console;
    UniqueFd external = handoff::connect_console(o.console_socket);
    Bundle b = load_bundle(o);
    if (!o.detach && b.spec.process->terminal) console.prepare();
    int console_fd = external ? external.get() : console.child_end();
    Created c = do_create(g, o, std::move(b), console_fd);
    {
        auto dir = state::Dir::open(g.root, o.id);
        try {
            do_start(dir, c.saved, c.spec);
        } catch (...) {
            { sys::ChildGuard init(c.pid); }  // SIGKILL and reap: the cgroup must empty
            destroy_stopped(dir, c.saved, c.spec);
            throw;
        }
    }
    if (o.detach) return 0;
    int status = foreground::wait_for(c.pid, console);
    if (!o.keep) {
        auto dir = state::Dir::open(g.root, o.id);
        destroy_stopped(dir, c.saved, c.spec);
    }
    return status;
}

namespace {

// --all for containers created before berth recorded cgroups: every process
// in the container's own pid namespace, found through /proc/<pid>/ns/pid.
void signal_pid_namespace(const state::Saved& s, const spec::Spec& spec, int sig) {
    struct stat init_ns;
    if (!own_pid_namespace(spec) || ::stat(sys::format("/proc/%d/ns/pid", s.pid).c_str(), &init_ns) != 0) return;
    DIR* d = ::opendir("/proc");
    if (d == nullptr) sys::throw_errno("open /proc");
    while (dirent* e = ::readdir(d)) {
        char* end = nullptr;
        long pid = std::strtol(e->d_name, &end, 10);
        if (pid <= 0 || *end != '\0' || pid == s.pid) continue;
        struct stat ns;
        if (::stat(sys::format("/proc/%ld/ns/pid", pid).c_str(), &ns) == 0 && ns.st_ino == init_ns.st_ino &&
            ns.st_dev == init_ns.st_dev)
            ::kill(static_cast<pid_t>(pid), sig);
    }
    ::closedir(d);
}

// kill --all: every process in the container's cgroup (runc
// signalAllProcesses). Returns false when there is no recorded cgroup.
bool signal_cgroup(const state::Dir& dir, int sig) {
    auto m = container_cgroup::open_recorded(dir.path());
    return m && container_cgroup::signal_all(*m, sig) > 0;
}

}  // namespace

void kill(const cli::GlobalOptions& g, const cli::KillOptions& o) {
    auto dir = state::Dir::open(g.root, o.id);
    auto s = dir.load();
    auto cgroup = container_cgroup::open_recorded(dir.path());
    if (status(dir, s, cgroup.get()) == state::Status::stopped) {
        // runc >= 1.2: --all on a stopped container is not an error.
        if (o.all) return;
        sys::fail(ErrorKind::bad_state, "container not running");
    }
    // pidfd: the signal cannot reach a process that reused the pid after the check.
    UniqueFd pidfd(sys::pidfd_open(s.pid, 0));
    if (!pidfd || !state::init_alive(s)) sys::fail(ErrorKind::bad_state, "container not running");
    if (o.all) {
        if (cgroup && container_cgroup::signal_all(*cgroup, o.signal) > 0) return;
        signal_pid_namespace(s, saved_spec(s), o.signal);
    }
    if (sys::pidfd_send_signal(pidfd.get(), o.signal, 0) != 0) {
        if (errno == ESRCH) sys::fail(ErrorKind::bad_state, "container not running");
        sys::throw_errno("kill container %s", o.id);
    }
}

void destroy(const cli::GlobalOptions& g, const cli::DeleteOptions& o) {
    std::optional<state::Dir> dir;
    try {
        dir.emplace(state::Dir::open(g.root, o.id));
    } catch (const Error& e) {
        if (e.kind() == ErrorKind::not_found && o.force) return;
        throw;
    }
    if (!dir->has_state()) {
        // Half-created (crash mid-create): only --force cleans it, as runc.
        if (!o.force) throw Error(ErrorKind::not_found, "container does not exist");
        destroy_cgroup(container_cgroup::open_recorded(dir->path()).get(), true);
        dir->remove();
        return;
    }
    auto s = dir->load();
    // Opened once: for the status (freezer) and for the removal.
    auto cgroup = container_cgroup::open_recorded(dir->path());
    auto st = status(*dir, s, cgroup.get());
    if (st == state::Status::running || st == state::Status::paused) {
        if (!o.force)
            sys::fail(ErrorKind::bad_state, "cannot delete container %s that is not stopped: %s", o.id,
                      state::status_name(st));
    }
    if (st != state::Status::stopped) {
        UniqueFd pidfd(sys::pidfd_open(s.pid, 0));
        if (pidfd && state::init_alive(s)) sys::pidfd_send_signal(pidfd.get(), SIGKILL, 0);
        // A paused init dies only once thawed; this thaws after the SIGKILL.
        if (st == state::Status::paused) signal_cgroup(*dir, SIGKILL);
        if (!wait_gone(s, 10000)) sys::fail(ErrorKind::generic, "container init %d did not exit after SIGKILL", s.pid);
    }
    destroy_stopped(*dir, s, cgroup.get());
}

std::string state_json(const cli::GlobalOptions& g, const std::string& id) {
    check_id(id);
    auto dir = state::Dir::open(g.root, id);
    auto s = dir.load();
    spec::Spec spec = saved_spec(s);
    auto doc = state_doc(s, status(dir, s), &spec);
    return spec::state_json_pretty(doc);
}

std::string list(const cli::GlobalOptions& g, const cli::ListOptions& o) {
    std::vector<spec::StateDoc> docs;
    for (const auto& id : state::list_ids(g.root)) {
        try {
            auto dir = state::Dir::open(g.root, id);
            auto s = dir.load();
            spec::Spec spec = saved_spec(s);
            auto doc = state_doc(s, status(dir, s), &spec);
            doc.owner = state::owner_of(dir.path());
            docs.push_back(std::move(doc));
        } catch (const Error& e) {
            sys::log::warn(sys::format("list: skipping %s: %s", id, e.what()));
        }
    }
    if (o.json) return spec::state_list_json(docs);
    std::string out;
    if (o.quiet) {
        for (const auto& d : docs) out += d.id + "\n";
        return out;
    }
    out = sys::format("%-12s %-10s %-10s %-40s %-30s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
    for (const auto& d : docs)
        out += sys::format("%-12s %-10d %-10s %-40s %-30s %s\n", d.id, d.pid, d.status, d.bundle, d.created, d.owner);
    return out;
}

}  // namespace rt::container
