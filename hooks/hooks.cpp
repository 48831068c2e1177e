// OCI hooks, matching runc's libcontainer/configs Command.Run: state JSON on
// stdin, stdout+stderr captured into the error, optional timeout after which
// the hook is SIGKILLed.
//
// Everything below run_one() is noexcept and allocation-free (fixed stack
// buffers, raw syscalls), because the container init runs createContainer
// and startContainer hooks between clone3 and execve.
#include "hooks/hooks.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "runtime/sys/error.hpp"
#include "runtime/sys/fd.hpp"

extern char** environ;

namespace rt::hooks {

using sys::UniqueFd;

// ---------------------------------------------------------------------------
// Preparation (parent, may allocate and throw)

Prepared prepare(const spec::Hook& hook, const std::vector<std::string>& default_env) {
    Prepared p;
    p.path = hook.path;
    if (hook.timeout) {
        // config.md: "timeout ... MUST be greater than zero".
        if (*hook.timeout <= 0)
            sys::fail(sys::ErrorKind::invalid_config, "hook `%s`: timeout must be greater than zero",
                      hook.path);
        p.timeout_s = static_cast<int>(std::min<int64_t>(*hook.timeout, INT_MAX));
    }

    // runc passes args verbatim as argv (argv[0] may differ from path, as in
    // Docker's libnetwork-setkey hook); Go's exec uses {path} when empty.
    const bool no_args = hook.args.empty();
    const std::vector<std::string>& env = hook.env.empty() ? default_env : hook.env;
    const size_t nargs = no_args ? 1 : hook.args.size();

    // Fill storage completely before taking pointers into it: it must not
    // reallocate afterwards. Moving a Prepared keeps the pointers valid (the
    // vector's buffer moves as a whole); copying one does not.
    p.storage.reserve(nargs + env.size());
    if (no_args)
        p.storage.push_back(hook.path);
    else
        p.storage.insert(p.storage.end(), hook.args.begin(), hook.args.end());
    p.storage.insert(p.storage.end(), env.begin(), env.end());

    for (size_t i = 0; i < nargs; ++i) p.argv.push_back(p.storage[i].data());
    p.argv.push_back(nullptr);
    for (size_t i = nargs; i < p.storage.size(); ++i) p.envp.push_back(p.storage[i].data());
    p.envp.push_back(nullptr);
    return p;
}

std::vector<Prepared> prepare_all(const std::vector<spec::Hook>& hooks,
                                  const std::vector<std::string>& default_env) {
    std::vector<Prepared> out;
    out.reserve(hooks.size());
    for (const auto& h : hooks) out.push_back(prepare(h, default_env));
    return out;
}

// ---------------------------------------------------------------------------
// Running (noexcept, no allocation)

namespace {

// Size of the output capture. The head of the output is kept: runc puts all
// of it into the error, but a one-line error has to stop somewhere, and the
// first bytes usually name the problem. Later bytes are still read (and
// dropped) so the hook never blocks on a full pipe.
constexpr size_t capture_size = 4096;

const char* errtext(int e) noexcept {
    // strerrordesc_np: same text as strerror, but no locale lookup and no
    // buffer, so safe in the container init.
    const char* s = strerrordesc_np(e);
    return s != nullptr ? s : "Unknown error";
}

[[gnu::format(printf, 3, 4)]] void say(char* err, size_t err_len, const char* fmt, ...) noexcept {
    if (err == nullptr || err_len == 0) return;
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

int64_t now_ms() noexcept {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// waitpid retrying on EINTR. Returns 0 or -errno.
int reap(pid_t pid, int* status) noexcept {
    while (::waitpid(pid, status, 0) < 0) {
        if (errno != EINTR) return -errno;
    }
    return 0;
}

// --- child side -------------------------------------------------------------

// What the child reports on the exec-status pipe before _exit(127).
struct ChildFailure {
    int op;  // index into child_ops
    int err;
};
constexpr const char* child_ops[] = {"exec", "dup", "close fds"};
enum ChildOp { op_exec = 0, op_dup = 1, op_close = 2 };

[[noreturn]] void child_fail(int fd, ChildOp op, int err) noexcept {
    ChildFailure f{op, err};
    ssize_t ignored = ::write(fd, &f, sizeof f);
    (void)ignored;
    ::_exit(127);
}

// Closes every fd >= first. close_range needs Linux 5.9; the fallback loop
// covers older kernels.
int close_from(unsigned first) noexcept {
    if (::close_range(first, ~0U, 0) == 0) return 0;
    if (errno != ENOSYS) return -errno;
    long max = ::sysconf(_SC_OPEN_MAX);
    if (max < 0) max = 1024;
    for (long fd = first; fd < max; ++fd) ::close(static_cast<int>(fd));
    return 0;
}

// Gives the hook what a Go-exec'd child of runc gets: an empty signal mask
// and default dispositions (the runtime may block or ignore signals for its
// own purposes, e.g. SIGPIPE around the stdin write).
void reset_signals() noexcept {
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig = 1; sig < NSIG; ++sig) {
        struct sigaction sa;
        if (::sigaction(sig, nullptr, &sa) != 0 || sa.sa_handler != SIG_IGN) continue;
        sa.sa_handler = SIG_DFL;
        ::sigaction(sig, &sa, nullptr);
    }
}

// In the forked child: stdin from in_r, stdout+stderr to out_w, the
// exec-status pipe on fd 3 (CLOEXEC, so it closes exactly when execve
// succeeds), nothing else open, then execve.
[[noreturn]] void exec_child(const Prepared& hook, int in_r, int out_w, int status_w) noexcept {
    // First move everything above 3, so the dup2s onto 0..3 below cannot
    // clobber one of our own pipes (the caller may have had 0/1/2 closed,
    // in which case pipe2 handed those numbers out).
    int in = ::fcntl(in_r, F_DUPFD_CLOEXEC, 4);
    int out = ::fcntl(out_w, F_DUPFD_CLOEXEC, 4);
    int st = ::fcntl(status_w, F_DUPFD_CLOEXEC, 4);
    if (in < 0 || out < 0 || st < 0) child_fail(status_w, op_dup, errno);
    if (::dup3(st, 3, O_CLOEXEC) < 0) child_fail(st, op_dup, errno);
    if (::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(out, 2) < 0)
        child_fail(3, op_dup, errno);
    // The runtime's own fds, even those without CLOEXEC (e.g. a socket
    // containerd leaked to us, contract §3.5), must not reach the hook.
    int r = close_from(4);
    if (r < 0) child_fail(3, op_close, -r);
    reset_signals();
    ::execve(hook.path.c_str(), hook.argv.data(), hook.envp.data());
    child_fail(3, op_exec, errno);
}

// --- parent side ------------------------------------------------------------

// Blocks SIGPIPE while the state is written to the hook's stdin: a hook
// that exits or closes stdin without reading is fine (Go's os/exec ignores
// EPIPE on stdin too), so the write must yield EPIPE, not kill the runtime.
// A SIGPIPE our write raised is consumed before the mask is restored, unless
// one was already pending before.
class SigpipeBlock {
public:
    SigpipeBlock() noexcept {
        sigemptyset(&set_);
        sigaddset(&set_, SIGPIPE);
        ::pthread_sigmask(SIG_BLOCK, &set_, &old_);
        sigset_t pending;
        sigemptyset(&pending);
        ::sigpending(&pending);
        was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    }
    ~SigpipeBlock() {
        if (raised_ && !was_pending_) {
            struct timespec zero = {0, 0};
            while (::sigtimedwait(&set_, nullptr, &zero) < 0 && errno == EINTR) {
            }
        }
        ::pthread_sigmask(SIG_SETMASK, &old_, nullptr);
    }
    SigpipeBlock(const SigpipeBlock&) = delete;
    SigpipeBlock& operator=(const SigpipeBlock&) = delete;
    void raised() noexcept { raised_ = true; }

private:
    sigset_t set_;
    sigset_t old_;
    bool was_pending_ = false;
    bool raised_ = false;
};

// The head of the hook's stdout+stderr.
struct Capture {
    char buf[capture_size];
    size_t len = 0;
    size_t cap = 0;  // min(capture_size, err_len)

    // One read from fd. Returns false on EOF or a hard error.
    bool read_from(int fd) noexcept {
        char scratch[512];
        char* dst = len < cap ? buf + len : scratch;
        size_t room = len < cap ? cap - len : sizeof scratch;
        ssize_t n = ::read(fd, dst, room);
        if (n < 0) return errno == EAGAIN || errno == EINTR;
        if (n == 0) return false;
        if (dst == buf + len) len += static_cast<size_t>(n);
        return true;
    }

    // Reads what is already in the pipe without waiting for EOF: after the
    // hook exited, a background grandchild may hold the pipe open for good.
    void drain(int fd) noexcept {
        while (read_from(fd)) {
            struct pollfd p = {fd, POLLIN, 0};
            if (::poll(&p, 1, 0) <= 0 || !(p.revents & (POLLIN | POLLHUP))) break;
        }
    }

    // For the message: NULs would cut the C string; trailing whitespace
    // (the usual final newline) is dropped.
    void tidy() noexcept {
        std::replace(buf, buf + len, '\0', ' ');
        while (len > 0 && std::strchr(" \t\n\r\v\f", buf[len - 1]) != nullptr) --len;
    }
};

enum class End { exited, timed_out, failed };

struct Outcome {
    End end = End::failed;
    int status = 0;             // wait status when exited
    const char* op = nullptr;   // failed syscall when failed
    int err = 0;
};

// Watches one running hook: feeds stdin, captures output, waits for exit or
// the deadline. The child is always reaped before this returns.
class Supervisor {
public:
    Supervisor(pid_t pid, UniqueFd in_w, UniqueFd out_r, const char* state, size_t state_len,
               int timeout_s, Capture& cap) noexcept
        : pid_(pid), in_w_(std::move(in_w)), out_r_(std::move(out_r)), state_(state),
          left_(state_len), cap_(cap) {
        // pidfd_open (5.3) makes the exit pollable next to the pipes; without
        // it we fall back to short polls and waitpid(WNOHANG).
        pidfd_ = UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
        if (timeout_s > 0) deadline_ = now_ms() + int64_t{timeout_s} * 1000;
        if (left_ == 0) in_w_.reset();  // nothing to say: EOF right away
    }

    Outcome run() noexcept {
        SigpipeBlock block;
        for (;;) {
            struct pollfd fds[3];
            int n = 0, i_in = -1, i_out = -1, i_pid = -1;
            if (in_w_) { fds[n] = {in_w_.get(), POLLOUT, 0}; i_in = n++; }
            if (out_r_) { fds[n] = {out_r_.get(), POLLIN, 0}; i_out = n++; }
            if (pidfd_) { fds[n] = {pidfd_.get(), POLLIN, 0}; i_pid = n++; }

            if (::poll(fds, static_cast<nfds_t>(n), poll_timeout()) < 0) {
                if (errno == EINTR) continue;
                return kill_and_fail("poll", errno);
            }
            if (i_in >= 0 && fds[i_in].revents) feed_stdin(block);
            if (i_out >= 0 && fds[i_out].revents && !cap_.read_from(out_r_.get())) out_r_.reset();

            if (i_pid >= 0 && fds[i_pid].revents) return finish_after_pidfd();
            if (i_pid < 0) {
                int status = 0;
                pid_t w = ::waitpid(pid_, &status, WNOHANG);
                if (w == pid_) return finish(status);
                if (w < 0 && errno != EINTR) return kill_and_fail("wait", errno);
            }
            if (deadline_ >= 0 && now_ms() >= deadline_) return kill_and_time_out();
        }
    }

private:
    int poll_timeout() const noexcept {
        int64_t t = -1;
        if (deadline_ >= 0) t = std::max<int64_t>(0, deadline_ - now_ms());
        if (!pidfd_) t = t < 0 ? 10 : std::min<int64_t>(t, 10);
        return static_cast<int>(std::min<int64_t>(t, INT_MAX));
    }

    void feed_stdin(SigpipeBlock& block) noexcept {
        ssize_t w = ::write(in_w_.get(), state_, std::min<size_t>(left_, 65536));
        if (w > 0) {
            state_ += w;
            left_ -= static_cast<size_t>(w);
            if (left_ == 0) in_w_.reset();  // EOF tells the hook the state is complete
            return;
        }
        if (w < 0 && (errno == EAGAIN || errno == EINTR)) return;
        // EPIPE (the hook will not read) or anything else: stop feeding.
        if (w < 0 && errno == EPIPE) block.raised();
        in_w_.reset();
    }

    // The pidfd is readable: the hook has exited, reaping will not block.
    Outcome finish_after_pidfd() noexcept {
        int status = 0;
        int r = reap(pid_, &status);
        if (r < 0) return {End::failed, 0, "wait", -r};
        return finish(status);
    }

    Outcome finish(int status) noexcept {
        if (out_r_) cap_.drain(out_r_.get());
        return {End::exited, status, nullptr, 0};
    }

    void kill_and_reap() noexcept {
        ::kill(pid_, SIGKILL);
        int status;
        reap(pid_, &status);
    }

    Outcome kill_and_fail(const char* op, int err) noexcept {
        kill_and_reap();
        return {End::failed, 0, op, err};
    }

    Outcome kill_and_time_out() noexcept {
        // runc kills only the hook process itself (cmd.Process.Kill()).
        kill_and_reap();
        return {End::timed_out, 0, nullptr, 0};
    }

    pid_t pid_;
    UniqueFd pidfd_;
    UniqueFd in_w_;
    UniqueFd out_r_;
    const char* state_;
    size_t left_;
    Capture& cap_;
    int64_t deadline_ = -1;
};

// Reads the child's exec-status report. Returns true if the child failed
// before (or at) execve, filling *f.
bool child_failed(int status_r, ChildFailure* f) noexcept {
    ssize_t n;
    do {
        n = ::read(status_r, f, sizeof *f);
    } while (n < 0 && errno == EINTR);
    return n == static_cast<ssize_t>(sizeof *f) && f->op >= 0 && f->op <= op_close;
}

bool report(const Prepared& hook, const Outcome& o, int status_r, Capture& cap, char* err,
            size_t err_len) noexcept {
    const char* path = hook.path.c_str();
    ChildFailure f{};
    switch (o.end) {
    case End::failed:
        say(err, err_len, "`%s`: %s: %s", path, o.op, errtext(o.err));
        return false;
    case End::timed_out:
        say(err, err_len, "`%s` ran past specified timeout of %ds", path, hook.timeout_s);
        return false;
    case End::exited:
        break;
    }
    if (child_failed(status_r, &f)) {
        say(err, err_len, "`%s`: %s: %s", path, child_ops[f.op], errtext(f.err));
        return false;
    }
    if (WIFEXITED(o.status) && WEXITSTATUS(o.status) == 0) return true;
    if (WIFSIGNALED(o.status)) {
        say(err, err_len, "`%s` killed by signal %d", path, WTERMSIG(o.status));
        return false;
    }
    cap.tidy();
    say(err, err_len, "`%s` exited with status %d%s%.*s", path, WEXITSTATUS(o.status),
        cap.len > 0 ? ": " : "", static_cast<int>(cap.len), cap.buf);
    return false;
}

struct PipePair {
    UniqueFd r, w;
    int open(int flags) noexcept {
        int p[2];
        if (::pipe2(p, flags) < 0) return -errno;
        r.reset(p[0]);
        w.reset(p[1]);
        return 0;
    }
};

}  // namespace

bool run_one(const Prepared& hook, const char* state, size_t state_len, char* err,
             size_t err_len) noexcept {
    if (err != nullptr && err_len > 0) err[0] = '\0';
    const char* path = hook.path.c_str();

    PipePair in, out, status;
    int r = in.open(O_CLOEXEC);
    if (r == 0) r = out.open(O_CLOEXEC);
    if (r == 0) r = status.open(O_CLOEXEC);
    if (r < 0) {
        say(err, err_len, "`%s`: pipe: %s", path, errtext(-r));
        return false;
    }

    // _Fork: no atfork handlers and no lock juggling, async-signal-safe, so
    // it behaves the same in the runtime and in the container init.
    pid_t pid = ::_Fork();
    if (pid < 0) {
        say(err, err_len, "`%s`: fork: %s", path, errtext(errno));
        return false;
    }
    if (pid == 0) exec_child(hook, in.r.get(), out.w.get(), status.w.get());

    in.r.reset();
    out.w.reset();
    status.w.reset();
    // Our ends never block: one loop serves stdin, output and the exit, so
    // a hook that writes a lot before reading cannot deadlock us.
    ::fcntl(in.w.get(), F_SETFL, O_NONBLOCK);
    ::fcntl(out.r.get(), F_SETFL, O_NONBLOCK);

    Capture cap;
    cap.cap = std::min(capture_size, err_len);
    Supervisor sup(pid, std::move(in.w), std::move(out.r), state, state_len, hook.timeout_s, cap);
    Outcome o = sup.run();
    return report(hook, o, status.r.get(), cap, err, err_len);
}

void run_all(const std::vector<spec::Hook>& hooks, const std::string& state_json,
             const char* kind) {
    if (hooks.empty()) return;
    // Host-side hooks without env inherit the runtime's environment (runc).
    std::vector<std::string> env;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) env.emplace_back(*e);
    std::vector<Prepared> prepared = prepare_all(hooks, env);

    char err[capture_size + 512];
    for (const Prepared& h : prepared) {
        if (!run_one(h, state_json.data(), state_json.size(), err, sizeof err))
            sys::fail(sys::ErrorKind::generic, "%s hook: %s", kind, static_cast<const char*>(err));
    }
}

}  // namespace rt::hooks
