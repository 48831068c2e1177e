#include "spawn.hpp"

#include <cap-ng.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "child/child.hpp"
#include "protocol.hpp"
#include "sys/error.hpp"
#include "sys/fd.hpp"
#include "sys/log.hpp"
#include "sys/syscalls.hpp"
#include "sys/unix_socket.hpp"

namespace rt::spawn {

using sys::UniqueFd;

namespace {

void write_proc_file(pid_t pid, const char* name, const std::string& content) {
    std::string path = sys::format("/proc/%d/%s", pid, name);
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd) sys::throw_errno("open %s", path);
    if (::write(fd.get(), content.data(), content.size()) != static_cast<ssize_t>(content.size()))
        sys::throw_errno("write %s", path);
}

void write_id_maps(pid_t pid, const plan::ChildPlan& plan) {
    if (plan.deny_setgroups) write_proc_file(pid, "setgroups", "deny");
    write_proc_file(pid, "uid_map", plan.uid_map);
    write_proc_file(pid, "gid_map", plan.gid_map);
}

// The parent writes its own oom_score_adj and the child inherits it: lowering
// it needs CAP_SYS_RESOURCE in the initial user namespace, which the child
// no longer has once it is in a new one (runc does the same in nsexec).
void set_oom_score_adj(const plan::ChildPlan& plan) {
    if (!plan.oom_score_adj) return;
    write_proc_file(::getpid(), "oom_score_adj", std::to_string(*plan.oom_score_adj));
}

void open_namespace_fds(plan::ChildPlan& plan, std::vector<UniqueFd>& keep) {
    for (auto& j : plan.joins) {
        UniqueFd fd(::open(j.path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd) sys::throw_errno("open namespace %s", j.path);
        j.fd = fd.get();
        keep.push_back(std::move(fd));
    }
}

// The child applies the effective/permitted/inheritable sets with one
// capng_apply(); they are loaded into libcap-ng's (process-wide, inherited)
// state here, so the child neither allocates nor reads /proc for them. The
// bounding and ambient sets are applied by the child with prctl().
void load_capabilities(const plan::ChildPlan& plan) {
    if (!plan.apply_caps) return;
    capng_clear(CAPNG_SELECT_BOTH);
    constexpr capng_type_t sets[] = {CAPNG_EFFECTIVE, CAPNG_INHERITABLE, CAPNG_PERMITTED};
    for (int i = 0; i < 3; ++i)
        for (unsigned cap = 0; cap <= CAP_LAST_CAP; ++cap)
            if (plan.caps[i + 1] & (1ULL << cap)) capng_update(CAPNG_ADD, sets[i], cap);
}

// One protocol message, with `fds` (CgroupDone's `tasks` files) if any.
void send_msg(int sock, proto::Msg type, const std::vector<UniqueFd>& fds = {}) {
    if (fds.size() > sys::max_passed_fds)
        sys::fail(sys::ErrorKind::generic, "cannot pass %zu cgroup hierarchies to the container init (at most %zu)",
                  fds.size(), sys::max_passed_fds);
    std::vector<int> raw;
    for (const auto& f : fds) raw.push_back(f.get());
    proto::Message m{};
    m.type = type;
    int n = sys::send_fds(sock, raw.data(), raw.size(), &m, sizeof m);
    if (n < 0) {
        errno = -n;
        sys::throw_errno("send to container init");
    }
}

void reap(pid_t pid) {
    while (::waitpid(pid, nullptr, __WALL) < 0 && errno == EINTR) {
    }
}

}  // namespace

pid_t start(plan::ChildPlan& plan, const Callbacks& cb) {
    int sv[2];
    sys::check_sys(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), "socketpair");
    UniqueFd parent_sock(sv[0]), child_sock(sv[1]);
    plan.sock = child_sock.get();
    plan.debug = sys::log::debug_enabled();
    std::vector<UniqueFd> ns_fds;
    open_namespace_fds(plan, ns_fds);
    set_oom_score_adj(plan);
    load_capabilities(plan);

    // Time offsets must be written between unshare and the first process in
    // the namespace, and setns needs a process to run in: both need stage A.
    bool direct = plan.joins.empty() && !(plan.unshare_flags & CLONE_NEWTIME);
    int clone_ns = direct ? plan.unshare_flags : 0;
    if (plan.late_cgroupns) clone_ns &= ~CLONE_NEWCGROUP;
    clone_args args{};
    args.flags = (plan.new_user ? CLONE_NEWUSER : 0) | clone_ns;
    if (plan.cgroup_fd >= 0) {
        args.flags |= CLONE_INTO_CGROUP;
        args.cgroup = static_cast<uint64_t>(plan.cgroup_fd);
    }
    args.exit_signal = SIGCHLD;
    sys::log::debug(sys::format("clone3 flags=%#llx (%s), %zu namespace(s) to join, %zu mount step(s)",
                                static_cast<unsigned long long>(args.flags),
                                direct ? "init directly" : "via stage A", plan.joins.size(), plan.mounts.size()));
    long r = sys::clone3(&args);
    if (r < 0) sys::throw_errno("clone3");
    if (r == 0) {
        parent_sock.reset();
        if (direct) child::stage_direct(plan);
        child::stage_a(plan);
    }
    sys::ChildGuard intermediate(direct ? -1 : static_cast<pid_t>(r));
    sys::ChildGuard init(direct ? static_cast<pid_t>(r) : -1);
    child_sock.reset();
    ns_fds.clear();
    std::vector<UniqueFd> join_files;
    if (cb.place_cgroup) join_files = cb.place_cgroup(static_cast<pid_t>(r));

    // The intermediate (init_pid) and the init (cgroup_please, hooks_please,
    // ready) write to the same socket concurrently, so the init's requests
    // may arrive before its pid: they are held until the pid is known.
    bool hooks_pending = false, ready_pending = false;
    // CgroupDone goes out unasked as soon as our part is done (the v1
    // directories made, or the init joined where the driver moves it), so
    // that the init usually finds it waiting when it asks. Not before
    // MapsDone, which the child waits for first, and never to an init that
    // will not ask (plan.wait_cgroup), which would take it for another reply.
    bool cgroup_sent = !plan.wait_cgroup;
    bool maps_pending = plan.new_user;
    auto send_cgroup_done = [&] {
        bool joined = init.get() > 0 || !cb.join_init;
        if (cgroup_sent || maps_pending || !joined) return;
        send_msg(parent_sock.get(), proto::Msg::cgroup_done, join_files);
        join_files.clear();
        cgroup_sent = true;
    };
    send_cgroup_done();
    auto serve_hooks = [&] {
        if (cb.on_hooks) cb.on_hooks(init.get());
        send_msg(parent_sock.get(), proto::Msg::hooks_done);
    };
    for (;;) {
        proto::Message m;
        ssize_t n = ::recv(parent_sock.get(), &m, sizeof m, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) sys::throw_errno("receive from container init");
        if (n == 0) sys::fail(sys::ErrorKind::generic, "container init exited before it was ready");
        m.text[sizeof m.text - 1] = '\0';
        bool have_pid = init.get() > 0;
        switch (m.type) {
            case proto::Msg::maps_please:
                write_id_maps(direct ? init.get() : intermediate.get(), plan);
                send_msg(parent_sock.get(), proto::Msg::maps_done);
                maps_pending = false;
                send_cgroup_done();
                break;
            case proto::Msg::cgroup_please:
                send_cgroup_done();  // if not sent yet; else after the init's pid
                break;
            case proto::Msg::init_pid:
                init.adopt(m.value);
                reap(intermediate.release());
                // Stage A may have forked before it was joined (v1).
                if (cb.join_init) cb.join_init(init.get());
                send_cgroup_done();
                if (hooks_pending) serve_hooks();
                if (ready_pending) return init.release();
                break;
            case proto::Msg::hooks_please:
                if (have_pid)
                    serve_hooks();
                else
                    hooks_pending = true;
                break;
            case proto::Msg::log:
                sys::log::write(static_cast<sys::log::Level>(m.value), m.text);
                break;
            case proto::Msg::error:
                throw sys::Error(sys::ErrorKind::generic, m.value,
                                 std::string("unable to start container process: ") + m.text);
            case proto::Msg::ready:
                if (have_pid) return init.release();
                ready_pending = true;
                break;
            default:
                sys::fail(sys::ErrorKind::generic, "unexpected message %u from container init",
                          static_cast<unsigned>(m.type));
        }
    }
}

}  // namespace rt::spawn
