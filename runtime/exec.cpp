#include "exec.hpp"

#include <memory>
#include <string>

#include "container.hpp"
#include "container_cgroup.hpp"
#include "foreground.hpp"
#include "handoff.hpp"
#include "plan.hpp"
#include "spawn.hpp"
#include "spec/parse.hpp"
#include "spec/validate.hpp"
#include "state.hpp"
#include "sys/error.hpp"
#include "sys/fd.hpp"
#include "sys/file.hpp"

namespace rt::exec {

namespace {

using sys::ErrorKind;

// Digits only, within uint32 (runc's Atoi + uint32 cast wraps "-1" and
// 4294967296; crun CVE-2026-30892 mis-assigned "uid" alone).
uint32_t parse_id(const std::string& text, const char* what) {
    uint64_t v = 0;
    bool ok = !text.empty() && text.size() <= 10;
    for (char ch : text) {
        if (ch < '0' || ch > '9') ok = false;
        v = v * 10 + static_cast<uint64_t>(ch - '0');
    }
    if (!ok || v > 0xffffffffULL) sys::fail(ErrorKind::usage, "exec -u: invalid %s `%s`", what, text);
    return static_cast<uint32_t>(v);
}

// runc's getProcess: --process replaces everything; else config.json's
// process with the arguments and the flags applied over it.
spec::Process process_for(const cli::ExecOptions& o, const spec::Spec& spec) {
    if (!o.process_file.empty()) {
        auto p = spec::parse_process(sys::read_file(o.process_file), "process.json");
        spec::validate_process(p, "process.json");
        return p;
    }
    spec::Process p = *spec.process;
    p.args = o.args;
    if (!o.cwd.empty()) p.cwd = o.cwd;
    if (!o.caps.empty()) {
        // runc >= 1.1.2: not the inheritable set (CVE-2022-29162).
        if (!p.capabilities) p.capabilities.emplace();
        auto& c = *p.capabilities;
        for (auto* set : {&c.bounding, &c.effective, &c.permitted, &c.ambient}) {
            if (!*set) set->emplace();
            (*set)->insert((*set)->end(), o.caps.begin(), o.caps.end());
        }
    }
    p.env.insert(p.env.end(), o.env.begin(), o.env.end());
    p.terminal = o.tty;
    if (o.no_new_privs) p.no_new_privileges = true;
    if (!o.user.empty()) {
        auto colon = o.user.find(':');
        p.user.uid = parse_id(o.user.substr(0, colon), "uid");
        if (colon != std::string::npos) p.user.gid = parse_id(o.user.substr(colon + 1), "gid");
    }
    p.user.additional_gids.insert(p.user.additional_gids.end(), o.additional_gids.begin(), o.additional_gids.end());
    spec::validate_process(p, "process");
    return p;
}

}  // namespace

int run(const cli::GlobalOptions& g, const cli::ExecOptions& o) {
    container::check_id(o.id);
    if (!o.cgroup.empty()) sys::fail(ErrorKind::unsupported, "exec --cgroup is not supported yet");
    if (!o.detach) foreground::block_signals();
    std::unique_ptr<cgroups::Manager> cgroup;
    state::Saved s;
    spec::Spec spec;
    {
        // The state lock is held only while reading: a foreground exec must
        // not block kill or delete of its container.
        auto dir = state::Dir::open(g.root, o.id);
        s = dir.load();
        cgroup = container_cgroup::open_recorded(dir.path());
        switch (container::status(dir, s, cgroup.get())) {
            case state::Status::stopped: sys::fail(ErrorKind::bad_state, "cannot exec in a stopped container");
            case state::Status::paused:
                if (!o.ignore_paused)
                    sys::fail(ErrorKind::bad_state, "cannot exec in a paused container (use --ignore-paused to override)");
                break;
            default: break;
        }
        spec = container::saved_spec(s);
    }
    spec::Process process = process_for(o, spec);
    plan::ChildPlan plan = plan::build_exec_plan(spec, process, {o.id, s.pid, s.rootfs, o.preserve_fds});
    handoff::check_preserved_fds(plan.preserve_upto);

    foreground::Console console;
    sys::UniqueFd external = handoff::connect_console(o.console_socket);
    if (process.terminal && o.detach && !external)
        sys::fail(ErrorKind::usage, "cannot allocate tty if runc will detach without setting console socket");
    if (!process.terminal && external)
        sys::fail(ErrorKind::usage, "cannot use console socket if runc will not detach or allocate tty");
    if (process.terminal && !external) console.prepare();
    plan.console_socket = external ? external.get() : console.child_end();

    // The process is cloned into the cgroup2 leaf and, where there are v1
    // hierarchies, joins them before it may exec (CgroupPlease/Done).
    sys::UniqueFd leaf = cgroup ? cgroup->open_leaf() : sys::UniqueFd();
    plan.cgroup_fd = leaf ? leaf.get() : -1;
    plan.wait_cgroup = cgroup && !(leaf && cgroup->join_mode() == cgroups::Manager::Join::by_clone);
    spawn::Callbacks cb;
    if (cgroup) container_cgroup::set_spawn_callbacks(*cgroup, cb);
    pid_t pid = spawn::start(plan, cb);
    sys::ChildGuard guard(pid);
    if (!o.pid_file.empty()) handoff::write_pid_file(o.pid_file, pid);
    if (!o.pidfd_socket.empty()) handoff::send_pidfd(o.pidfd_socket, pid);
    guard.release();
    if (o.detach) return 0;
    return foreground::wait_for(pid, console);
}

}  // namespace rt::exec
