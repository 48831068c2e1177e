// seccomp::compile (OCI profile -> BPF) and seccomp::load, the latter checked
// for real in forked children (no privilege needed: the child sets
// no_new_privs first, as an unprivileged container init would).
#include <doctest/doctest.h>

#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "seccomp.hpp"
#include "sys/error.hpp"

using namespace rt;
using rt::sys::Error;
using rt::sys::ErrorKind;

namespace {

spec::SeccompSyscall rule(std::vector<std::string> names, std::string action,
                          std::optional<uint32_t> errno_ret = std::nullopt,
                          std::vector<spec::SeccompArg> args = {}) {
    spec::SeccompSyscall r;
    r.names = std::move(names);
    r.action = std::move(action);
    r.errno_ret = errno_ret;
    r.args = std::move(args);
    return r;
}

spec::SeccompArg arg(uint32_t index, std::string op, uint64_t value, std::optional<uint64_t> two = std::nullopt) {
    spec::SeccompArg a;
    a.index = index;
    a.op = std::move(op);
    a.value = value;
    a.value_two = two;
    return a;
}

spec::Seccomp profile(std::string def, std::vector<spec::SeccompSyscall> rules = {}) {
    spec::Seccomp s;
    s.default_action = std::move(def);
    s.syscalls = std::move(rules);
    return s;
}

// compile() must throw exactly this message with this kind.
std::string error_of(const spec::Seccomp& s, ErrorKind kind = ErrorKind::invalid_config) {
    try {
        (void)seccomp::compile(s);
    } catch (const Error& e) {
        CHECK(e.kind() == kind);
        return e.what();
    }
    return "(no error)";
}

bool same(const seccomp::Program& a, const seccomp::Program& b) {
    return a.filter.size() == b.filter.size() &&
           std::memcmp(a.filter.data(), b.filter.data(), a.filter.size() * sizeof(sock_filter)) == 0;
}

// Forks; the child sets no_new_privs, loads p and returns body(listener)
// as its exit code (body gets load()'s result). Returns the wait status.
template <typename F>
int in_child(const seccomp::Program& p, F body) {
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        // No core files from the SIGSYS tests.
        rlimit none{0, 0};
        setrlimit(RLIMIT_CORE, &none);
        prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) _exit(200);
        int rc = seccomp::load(p);
        if (rc < 0) _exit(201);
        _exit(body(rc));
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}

int exit_code(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 1000 + WTERMSIG(status); }

// errno of a raw syscall that is expected to fail, 0 if it succeeded.
int err_of(long rc) { return rc < 0 ? errno : 0; }

}  // namespace

TEST_CASE("seccomp: a small profile compiles to a non-empty program") {
    auto s = profile("SCMP_ACT_ALLOW", {rule({"getcwd", "chmod"}, "SCMP_ACT_ERRNO")});
    seccomp::Program p = seccomp::compile(s);
    CHECK(!p.filter.empty());
    CHECK(p.filter.size() <= 4096);
    CHECK(p.flags == 0);
    CHECK(!p.notify);
    // The last instruction of a seccomp program is a return.
    CHECK(BPF_CLASS(p.filter.back().code) == BPF_RET);
}

TEST_CASE("seccomp: unknown action, operator, architecture and flag are config errors naming the field") {
    auto s = profile("SCMP_ACT_ALLOW", {rule({"getcwd"}, "SCMP_ACT_ERRNO"), rule({"chmod"}, "SCMP_ACT_ERRNO"),
                                        rule({"chown"}, "SCMP_ACT_ERRNO"), rule({"mkdir"}, "SCMP_ACT_FOO")});
    CHECK(error_of(s) == "config.json: linux.seccomp.syscalls[3].action: unknown action `SCMP_ACT_FOO`");

    CHECK(error_of(profile("SCMP_ACT_BAR")) == "config.json: linux.seccomp.defaultAction: unknown action `SCMP_ACT_BAR`");

    auto o = profile("SCMP_ACT_ALLOW",
                     {rule({"umask"}, "SCMP_ACT_ERRNO", std::nullopt,
                           {arg(0, "SCMP_CMP_EQ", 1), arg(1, "SCMP_CMP_SOMETIMES", 2)})});
    CHECK(error_of(o) == "config.json: linux.seccomp.syscalls[0].args[1].op: unknown operator `SCMP_CMP_SOMETIMES`");

    auto a = profile("SCMP_ACT_ALLOW");
    a.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_Z80"};
    CHECK(error_of(a) == "config.json: linux.seccomp.architectures[1]: unknown architecture `SCMP_ARCH_Z80`");

    auto f = profile("SCMP_ACT_ALLOW");
    f.flags = {"SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_FAST"};
    CHECK(error_of(f) == "config.json: linux.seccomp.flags[1]: unknown flag `SECCOMP_FILTER_FLAG_FAST`");
}

TEST_CASE("seccomp: errnoRet only with ERRNO/TRACE, within 16 bits; arg index at most 5") {
    auto d = profile("SCMP_ACT_ALLOW");
    d.default_errno_ret = 5;
    CHECK(error_of(d) == "config.json: linux.seccomp.defaultErrnoRet: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE");

    CHECK(error_of(profile("SCMP_ACT_ALLOW", {rule({"chmod"}, "SCMP_ACT_KILL", 1)})) ==
          "config.json: linux.seccomp.syscalls[0].errnoRet: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
    CHECK(error_of(profile("SCMP_ACT_ALLOW", {rule({"chmod"}, "SCMP_ACT_ERRNO", 65536)})) ==
          "config.json: linux.seccomp.syscalls[0].errnoRet: 65536 is out of range (at most 65535)");
    CHECK(error_of(profile("SCMP_ACT_ALLOW",
                           {rule({"chmod"}, "SCMP_ACT_ERRNO", std::nullopt, {arg(6, "SCMP_CMP_EQ", 0)})})) ==
          "config.json: linux.seccomp.syscalls[0].args[0].index: must be at most 5 (syscalls take six arguments)");
}

TEST_CASE("seccomp: SCMP_ACT_NOTIFY neither as default action nor for write (runc)") {
    CHECK(error_of(profile("SCMP_ACT_NOTIFY")) ==
          "config.json: linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
    CHECK(error_of(profile("SCMP_ACT_ALLOW", {rule({"read", "write"}, "SCMP_ACT_NOTIFY")})) ==
          "config.json: linux.seccomp.syscalls[0].names[1]: SCMP_ACT_NOTIFY cannot be used for `write`");
}

TEST_CASE("seccomp: architectures libseccomp 2.5.4 lacks are unsupported, known ones are added") {
    auto s = profile("SCMP_ACT_ALLOW", {rule({"getcwd"}, "SCMP_ACT_ERRNO")});
    if (seccomp_arch_resolve_name("m68k") == 0) {  // added in libseccomp 2.6
        s.architectures = {"SCMP_ARCH_M68K"};
        std::string msg = error_of(s, ErrorKind::unsupported);
        CHECK(msg.rfind("config.json: linux.seccomp.architectures[0]: architecture `SCMP_ARCH_M68K` is not "
                        "supported by libseccomp ",
                        0) == 0);
    }
    s.architectures = {};
    seccomp::Program native = seccomp::compile(s);
#if defined(__x86_64__)
    s.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};  // native listed too: fine
    seccomp::Program multi = seccomp::compile(s);
    CHECK(multi.filter.size() > native.filter.size());
#endif
}

TEST_CASE("seccomp: unknown syscall names and rules equal to the default action are skipped") {
    seccomp::Program empty = seccomp::compile(profile("SCMP_ACT_ERRNO"));
    seccomp::Program p = seccomp::compile(profile(
        "SCMP_ACT_ERRNO", {rule({"getcwd"}, "SCMP_ACT_ERRNO"),  // == default (EPERM): skipped
                           rule({"no_such_syscall_at_all"}, "SCMP_ACT_ALLOW")}));
    CHECK(same(p, empty));

    // A different errno is a different action: not skipped.
    seccomp::Program q = seccomp::compile(profile("SCMP_ACT_ERRNO", {rule({"getcwd"}, "SCMP_ACT_ERRNO", 2)}));
    CHECK(!same(q, empty));

    // SCMP_ACT_KILL is KILL_THREAD.
    CHECK(same(seccomp::compile(profile("SCMP_ACT_KILL", {rule({"getcwd"}, "SCMP_ACT_KILL_THREAD")})),
               seccomp::compile(profile("SCMP_ACT_KILL_THREAD"))));
}

TEST_CASE("seccomp: flags become seccomp(2) flags") {
    auto s = profile("SCMP_ACT_ALLOW", {rule({"getcwd"}, "SCMP_ACT_ERRNO")});
    s.flags = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
               "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};
    seccomp::Program p = seccomp::compile(s);
    // WAIT_KILLABLE_RECV only means something with a listener; the kernel refuses it otherwise.
    CHECK(p.flags == (SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW));
    CHECK(!p.notify);

    s.syscalls.push_back(rule({"getppid"}, "SCMP_ACT_NOTIFY"));
    if (seccomp_api_get() >= 6) {
        seccomp::Program n = seccomp::compile(s);
        CHECK(n.notify);
        // TSYNC with a listener needs TSYNC_ESRCH.
        CHECK(n.flags == (SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW |
                          SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV | SECCOMP_FILTER_FLAG_TSYNC_ESRCH));
    }
}

TEST_CASE("seccomp: loaded ERRNO rule returns errnoRet; default errno is EPERM") {
    auto s = profile("SCMP_ACT_ALLOW",
                     {rule({"uname"}, "SCMP_ACT_ERRNO", 1234), rule({"getcwd", "no_such_call"}, "SCMP_ACT_ERRNO")});
    seccomp::Program p = seccomp::compile(s);
    int st = in_child(p, [](int) {
        utsname u;
        if (uname(&u) != -1 || errno != 1234) return 1;
        char buf[256];
        if (syscall(SYS_getcwd, buf, sizeof buf) != -1 || errno != EPERM) return 2;
        if (syscall(SYS_getpid) <= 0) return 3;  // everything else allowed
        return 0;
    });
    CHECK(exit_code(st) == 0);
}

TEST_CASE("seccomp: flags are accepted by the kernel") {
    auto s = profile("SCMP_ACT_ALLOW", {rule({"uname"}, "SCMP_ACT_ERRNO", 77)});
    s.flags = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"};
    seccomp::Program p = seccomp::compile(s);
    int st = in_child(p, [](int rc) {
        utsname u;
        return rc == 0 && uname(&u) == -1 && errno == 77 ? 0 : 1;
    });
    CHECK(exit_code(st) == 0);
}

TEST_CASE("seccomp: KILL_PROCESS kills the child with SIGSYS; TRAP raises a catchable SIGSYS") {
    seccomp::Program kill = seccomp::compile(profile("SCMP_ACT_ALLOW", {rule({"getppid"}, "SCMP_ACT_KILL_PROCESS")}));
    int st = in_child(kill, [](int) {
        syscall(SYS_getppid);
        return 0;
    });
    CHECK(WIFSIGNALED(st));
    CHECK(WTERMSIG(st) == SIGSYS);

    seccomp::Program trap = seccomp::compile(profile("SCMP_ACT_ALLOW", {rule({"getppid"}, "SCMP_ACT_TRAP")}));
    st = in_child(trap, [](int) {
        static volatile sig_atomic_t trapped = -1;
        struct sigaction sa {};
        sa.sa_flags = SA_SIGINFO;
        sa.sa_sigaction = [](int, siginfo_t* si, void*) { trapped = si->si_syscall; };
        sigaction(SIGSYS, &sa, nullptr);
        syscall(SYS_getppid);
        return trapped == SYS_getppid ? 0 : 1;
    });
    CHECK(exit_code(st) == 0);
}

TEST_CASE("seccomp: argument filters: EQ on a 32-bit value, MASKED_EQ, AND across indexes, OR on one index") {
    auto s = profile(
        "SCMP_ACT_ALLOW",
        {
            // personality(0xffffffff) queries the persona: deny only that.
            rule({"personality"}, "SCMP_ACT_ERRNO", 77, {arg(0, "SCMP_CMP_EQ", 0xffffffff)}),
            // umask: value is the mask, valueTwo the datum: deny any mask with all of 0700.
            rule({"umask"}, "SCMP_ACT_ERRNO", 55, {arg(0, "SCMP_CMP_MASKED_EQ", 0700, 0700)}),
            // distinct indexes: AND.
            rule({"getpriority"}, "SCMP_ACT_ERRNO", 57,
                 {arg(0, "SCMP_CMP_EQ", PRIO_PROCESS), arg(1, "SCMP_CMP_EQ", 4242)}),
            // same index twice: OR (runc splits into one rule per condition).
            rule({"setpgid"}, "SCMP_ACT_ERRNO", 58, {arg(1, "SCMP_CMP_EQ", 11111), arg(1, "SCMP_CMP_EQ", 22222)}),
        });
    seccomp::Program p = seccomp::compile(s);
    int st = in_child(p, [](int) {
        if (err_of(syscall(SYS_personality, 0xffffffffUL)) != 77) return 1;
        if (err_of(syscall(SYS_personality, static_cast<unsigned long>(PER_LINUX))) != 0) return 2;

        if (err_of(syscall(SYS_umask, 0777)) != 55) return 3;
        if (err_of(syscall(SYS_umask, 0700)) != 55) return 4;
        if (err_of(syscall(SYS_umask, 0077)) != 0) return 5;
        if (err_of(syscall(SYS_umask, 0600)) != 0) return 6;

        if (err_of(syscall(SYS_getpriority, PRIO_PROCESS, 4242)) != 57) return 7;
        if (err_of(syscall(SYS_getpriority, PRIO_PROCESS, 0)) != 0) return 8;
        if (err_of(syscall(SYS_getpriority, PRIO_PGRP, 4242)) == 57) return 9;

        if (err_of(syscall(SYS_setpgid, 0, 11111)) != 58) return 10;
        if (err_of(syscall(SYS_setpgid, 0, 22222)) != 58) return 11;
        if (err_of(syscall(SYS_setpgid, 0, 33333)) == 58) return 12;
        return 0;
    });
    CHECK(exit_code(st) == 0);
}

TEST_CASE("seccomp: NOTIFY returns a listener that receives the notified syscall") {
    if (seccomp_api_get() < 6) return;  // libseccomp/kernel without usable notify
    seccomp::Program p = seccomp::compile(profile("SCMP_ACT_ALLOW", {rule({"getppid"}, "SCMP_ACT_NOTIFY")}));
    REQUIRE(p.notify);
    int st = in_child(p, [](int listener) {
        if (listener < 0) return 1;
        pid_t kid = fork();  // inherits the filter
        if (kid < 0) return 2;
        if (kid == 0) _exit(err_of(syscall(SYS_getppid)) == 42 ? 0 : 1);
        seccomp_notif req;
        std::memset(&req, 0, sizeof req);
        if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) != 0) return 3;
        if (req.data.nr != SYS_getppid || static_cast<pid_t>(req.pid) != kid) return 4;
        seccomp_notif_resp resp;
        std::memset(&resp, 0, sizeof resp);
        resp.id = req.id;
        resp.error = -42;
        if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) != 0) return 5;
        int ks = 0;
        if (waitpid(kid, &ks, 0) != kid) return 6;
        return WIFEXITED(ks) && WEXITSTATUS(ks) == 0 ? 0 : 7;
    });
    CHECK(exit_code(st) == 0);
}

TEST_CASE("seccomp: load refuses an empty program") {
    seccomp::Program p;
    CHECK(seccomp::load(p) == -EINVAL);
}

TEST_CASE("seccomp: a docker-sized allow list compiles within the kernel limit and works") {
    // Roughly moby's default profile: default ERRNO, a long allow list with
    // syscalls of other arches (socketcall), newer ones and made-up ones.
    std::vector<std::string> allow = {
        "accept", "accept4", "access", "adjtimex", "alarm", "bind", "brk", "capget", "capset", "chdir",
        "chmod", "chown", "chown32", "clock_adjtime", "clock_adjtime64", "clock_getres", "clock_gettime",
        "clock_gettime64", "clock_nanosleep", "clock_nanosleep_time64", "close", "close_range", "connect",
        "copy_file_range", "creat", "dup", "dup2", "dup3", "epoll_create", "epoll_create1", "epoll_ctl",
        "epoll_pwait", "epoll_pwait2", "epoll_wait", "eventfd", "eventfd2", "execve", "execveat", "exit",
        "exit_group", "faccessat", "faccessat2", "fadvise64", "fallocate", "fanotify_mark", "fchdir", "fchmod",
        "fchmodat", "fchown", "fchownat", "fcntl", "fcntl64", "fdatasync", "fgetxattr", "flistxattr", "flock",
        "fork", "fremovexattr", "fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs", "fsync", "ftruncate",
        "futex", "futex_time64", "futex_waitv", "getcpu", "getcwd", "getdents", "getdents64", "getegid",
        "geteuid", "getgid", "getgroups", "getitimer", "getpeername", "getpgid", "getpgrp", "getpid", "getppid",
        "getpriority", "getrandom", "getresgid", "getresuid", "getrlimit", "get_robust_list", "getrusage",
        "getsid", "getsockname", "getsockopt", "get_thread_area", "gettid", "gettimeofday", "getuid",
        "getxattr", "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch", "io_cancel",
        "ioctl", "io_destroy", "io_getevents", "io_pgetevents", "ioprio_get", "ioprio_set", "io_setup",
        "io_submit", "io_uring_enter", "io_uring_register", "io_uring_setup", "ipc", "kill", "landlock_add_rule",
        "lchown", "lgetxattr", "link", "linkat", "listen", "listxattr", "llistxattr", "lseek", "lstat", "madvise",
        "membarrier", "memfd_create", "memfd_secret", "mincore", "mkdir", "mkdirat", "mknod", "mknodat", "mlock",
        "mlock2", "mlockall", "mmap", "mmap2", "mprotect", "mq_getsetattr", "mq_notify", "mq_open",
        "mq_timedreceive", "mq_timedsend", "mq_unlink", "mremap", "msgctl", "msgget", "msgrcv", "msgsnd", "msync",
        "munlock", "munlockall", "munmap", "name_to_handle_at", "nanosleep", "newfstatat", "_newselect", "open",
        "openat", "openat2", "pause", "pidfd_open", "pidfd_send_signal", "pipe", "pipe2", "pkey_alloc", "poll",
        "ppoll", "prctl", "pread64", "preadv", "preadv2", "prlimit64", "process_mrelease", "pselect6", "pwrite64",
        "pwritev", "pwritev2", "read", "readahead", "readlink", "readlinkat", "readv", "recv", "recvfrom",
        "recvmmsg", "recvmsg", "remap_file_pages", "removexattr", "rename", "renameat", "renameat2",
        "restart_syscall", "rmdir", "rseq", "rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo",
        "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait", "rt_tgsigqueueinfo", "sched_getaffinity",
        "sched_getattr", "sched_getparam", "sched_get_priority_max", "sched_get_priority_min",
        "sched_getscheduler", "sched_rr_get_interval", "sched_setaffinity", "sched_setattr", "sched_setparam",
        "sched_setscheduler", "sched_yield", "seccomp", "select", "semctl", "semget", "semop", "semtimedop",
        "send", "sendfile", "sendmmsg", "sendmsg", "sendto", "setfsgid", "setfsuid", "setgid", "setgroups",
        "setitimer", "setpgid", "setpriority", "setregid", "setresgid", "setresuid", "setreuid", "setrlimit",
        "set_robust_list", "setsid", "setsockopt", "set_thread_area", "set_tid_address", "setuid", "setxattr",
        "shmat", "shmctl", "shmdt", "shmget", "shutdown", "sigaltstack", "signalfd", "signalfd4", "sigreturn",
        "socketcall", "socketpair", "splice", "stat", "statfs", "statx", "symlink", "symlinkat", "sync",
        "sync_file_range", "syncfs", "sysinfo", "tee", "tgkill", "time", "timer_create", "timer_delete",
        "timer_getoverrun", "timer_gettime", "timer_settime", "timerfd_create", "timerfd_gettime",
        "timerfd_settime", "times", "tkill", "truncate", "umask", "unlink", "unlinkat", "utime", "utimensat",
        "utimes", "vfork", "vmsplice", "wait4", "waitid", "waitpid", "write", "writev", "arch_prctl",
        "modify_ldt", "future_syscall_2031", "another_one_from_2032",
    };
    auto s = profile("SCMP_ACT_ERRNO", {rule(allow, "SCMP_ACT_ALLOW"),
                                        rule({"socket"}, "SCMP_ACT_ALLOW", std::nullopt,
                                             {arg(0, "SCMP_CMP_NE", 40)}),  // not AF_VSOCK
                                        rule({"personality"}, "SCMP_ACT_ALLOW", std::nullopt,
                                             {arg(0, "SCMP_CMP_EQ", 0), arg(0, "SCMP_CMP_EQ", 8),
                                              arg(0, "SCMP_CMP_EQ", 0xffffffff)})});
    seccomp::Program native = seccomp::compile(s);
    CHECK(native.filter.size() <= 4096);
#if defined(__x86_64__)
    s.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
#endif
    seccomp::Program p = seccomp::compile(s);
    CHECK(p.filter.size() <= 4096);
    int st = in_child(p, [](int) {
        utsname u;
        if (uname(&u) != -1 || errno != EPERM) return 1;  // not listed: default action
        if (syscall(SYS_getppid) <= 0) return 2;
        if (err_of(syscall(SYS_personality, 0xffffffffUL)) != 0) return 3;
        if (err_of(syscall(SYS_personality, 0x0400000UL)) != EPERM) return 4;  // READ_IMPLIES_EXEC
        int fd = static_cast<int>(syscall(SYS_socket, 40 /* AF_VSOCK */, SOCK_STREAM, 0));
        if (fd != -1 || errno != EPERM) return 5;
        return 0;
    });
    CHECK(exit_code(st) == 0);
}
