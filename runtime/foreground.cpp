#include "foreground.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <optional>

#include "sys/error.hpp"
#include "sys/unix_socket.hpp"

namespace rt::foreground {

using sys::UniqueFd;

void Console::prepare() {
    int sv[2];
    sys::check_sys(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), "socketpair");
    parent_.reset(sv[0]);
    child_.reset(sv[1]);
}

UniqueFd Console::receive_master() {
    char payload[4096];
    size_t len = 0;
    int fd = sys::recv_fd(parent_.get(), payload, sizeof payload, &len);
    if (fd < 0) throw sys::Error(sys::ErrorKind::generic, -fd, "receive pty master");
    child_.reset();
    return UniqueFd(fd);
}

namespace {

class RawMode {
public:
    explicit RawMode(int fd) : fd_(fd) {
        if (::tcgetattr(fd, &saved_) != 0) return;
        termios raw = saved_;
        ::cfmakeraw(&raw);
        active_ = ::tcsetattr(fd, TCSANOW, &raw) == 0;
    }
    ~RawMode() {
        if (active_) ::tcsetattr(fd_, TCSANOW, &saved_);
    }

private:
    int fd_;
    termios saved_{};
    bool active_ = false;
};

void copy_winsize(int from, int to) {
    winsize ws{};
    if (::ioctl(from, TIOCGWINSZ, &ws) == 0) ::ioctl(to, TIOCSWINSZ, &ws);
}

// Copies what is readable now; false on EOF or error.
bool pump(int from, int to) {
    char buf[8192];
    ssize_t n = ::read(from, buf, sizeof buf);
    if (n <= 0) return n < 0 && errno == EINTR;
    for (ssize_t off = 0; off < n;) {
        ssize_t w = ::write(to, buf + off, static_cast<size_t>(n - off));
        if (w < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        off += w;
    }
    return true;
}

int exit_status(int status) {
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

}  // namespace

void block_signals() {
    sigset_t all;
    ::sigfillset(&all);
    ::sigprocmask(SIG_BLOCK, &all, nullptr);
}

int wait_for(pid_t pid, Console& console) {
    sigset_t all;
    ::sigfillset(&all);
    UniqueFd sfd(::signalfd(-1, &all, SFD_CLOEXEC));
    if (!sfd) sys::throw_errno("signalfd");
    UniqueFd master;
    std::optional<RawMode> raw;
    if (console.active()) {
        master = console.receive_master();
        if (::isatty(STDIN_FILENO)) {
            raw.emplace(STDIN_FILENO);
            copy_winsize(STDIN_FILENO, master.get());
        }
    }
    bool stdin_open = console.active();
    bool master_open = console.active();
    bool check_exit = true;  // the init may have exited before signalfd existed
    for (;;) {
        if (check_exit) {
            int status;
            pid_t r;
            // Reap everything: orphans of the container reparent to us.
            while ((r = ::waitpid(-1, &status, WNOHANG)) > 0) {
                if (r != pid) continue;
                while (master_open && pump(master.get(), STDOUT_FILENO)) {
                    pollfd p{master.get(), POLLIN, 0};
                    if (::poll(&p, 1, 0) <= 0) break;
                }
                return exit_status(status);
            }
            check_exit = false;
        }
        pollfd fds[3] = {{sfd.get(), POLLIN, 0},
                         {master_open ? master.get() : -1, POLLIN, 0},
                         {stdin_open ? STDIN_FILENO : -1, POLLIN, 0}};
        if (::poll(fds, 3, -1) < 0) {
            if (errno == EINTR) continue;
            sys::throw_errno("poll");
        }
        if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) master_open = pump(master.get(), STDOUT_FILENO);
        if (fds[2].revents & (POLLIN | POLLHUP | POLLERR)) stdin_open = pump(STDIN_FILENO, master.get());
        if (!(fds[0].revents & POLLIN)) continue;
        signalfd_siginfo si;
        if (::read(sfd.get(), &si, sizeof si) != sizeof si) continue;
        int sig = static_cast<int>(si.ssi_signo);
        if (sig == SIGWINCH) {
            if (master) copy_winsize(STDIN_FILENO, master.get());
        } else if (sig == SIGCHLD) {
            check_exit = true;
        } else if (sig != SIGURG) {
            ::kill(pid, sig);
        }
    }
}

}  // namespace rt::foreground
