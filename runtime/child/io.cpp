// Console, cwd, executable lookup, the exec.fifo wait, fd hygiene, execve.
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>

#include "child/child.hpp"
#include "sys/syscalls.hpp"
#include "sys/unix_socket.hpp"

namespace rt::child {

namespace {

// The pty comes from the container's own devpts (checked by magic) and the
// slave is taken with TIOCGPTPEER, never by name: a name could be swapped for
// something else in the image (CVE-2025-52565).
Status open_pty(int* master, int* slave) noexcept {
    int m = ::open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (m < 0) return fail("open", "/dev/pts/ptmx");
    struct statfs fs;
    if (::fstatfs(m, &fs) != 0 || fs.f_type != DEVPTS_SUPER_MAGIC) {
        ::close(m);
        return fail_with(EPERM, "open", "/dev/pts/ptmx (not on devpts)");
    }
    int unlock = 0;
    if (::ioctl(m, TIOCSPTLCK, &unlock) != 0) {
        ::close(m);
        return fail("unlock pty");
    }
    int s = ::ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (s < 0) {
        ::close(m);
        return fail("open pty slave");
    }
    *master = m;
    *slave = s;
    return ok();
}

Status bind_console(int slave) noexcept {
    int target = ::open("/dev/console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (target < 0) return errno == ENOENT ? ok() : fail("open", "/dev/console");
    struct stat st;
    if (::fstat(target, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(target);
        return ok();  // not our mountpoint (e.g. /dev bound from the host): leave it
    }
    int tree = sys::open_tree(slave, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
    int r = tree < 0 ? -1
                     : sys::move_mount(tree, "", target, "",
                                       MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
    int e = errno;
    if (tree >= 0) ::close(tree);
    ::close(target);
    return r == 0 ? ok() : fail_with(e, "bind mount", "/dev/console");
}

// Go's findExecutable (runc 1.1 is built with Go 1.19): a non-directory with
// any execute bit. Returns 0 or an errno.
int find_executable(const char* path) noexcept {
    struct stat st;
    if (::stat(path, &st) != 0) return errno;
    return (!S_ISDIR(st.st_mode) && (st.st_mode & 0111) != 0) ? 0 : EACCES;
}

// Go spells errno texts in lower case ("no such file or directory"), and
// dockerd matches them case-sensitively to pick exit codes 126/127.
const char* go_strerror(int e, char* buf, size_t len) noexcept {
    std::snprintf(buf, len, "%s", std::strerror(e));
    if (buf[0] >= 'A' && buf[0] <= 'Z') buf[0] = static_cast<char>(buf[0] - 'A' + 'a');
    return buf;
}

}  // namespace

Status setup_console(const plan::ChildPlan& plan) noexcept {
    if (!plan.terminal) return ok();
    int master = -1, slave = -1;
    Status st = open_pty(&master, &slave);
    if (!st.ok()) return st;
    if (plan.console_rows != 0 || plan.console_cols != 0) {
        winsize ws{};
        ws.ws_row = plan.console_rows;
        ws.ws_col = plan.console_cols;
        ::ioctl(master, TIOCSWINSZ, &ws);
    }
    // runc sends the master's name as the payload; callers only need it non-empty.
    static const char kName[] = "/dev/ptmx";
    int r = sys::send_fd(plan.console_socket, master, kName, sizeof kName - 1);
    ::close(master);
    if (r < 0) return fail_with(-r, "send pty master to console socket");
    if (plan.setup_rootfs) {
        st = bind_console(slave);
        if (!st.ok()) return st;
    }
    if (::setsid() < 0) return fail("setsid");
    if (::ioctl(slave, TIOCSCTTY, 0) != 0) return fail("set controlling terminal");
    for (int fd = 0; fd < 3; ++fd)
        if (::dup2(slave, fd) < 0) return fail("dup2 pty slave");
    if (slave > 2) ::close(slave);
    return ok();
}

// Resolves args[0] the way runc does (Go's exec.LookPath, in the container,
// as the container user), so a missing command fails `create` with the
// wording dockerd maps to exit code 127.
Status prepare_exec(const plan::ChildPlan& plan, const char** exe) noexcept {
    if (::chdir(plan.cwd.c_str()) != 0) return fail("chdir to cwd", plan.cwd.c_str());
    // CVE-2024-21626: a cwd reached through a leaked fd lies outside the
    // root; getcwd() then fails or reports "(unreachable)".
    static char cwd[PATH_MAX];
    if (::getcwd(cwd, sizeof cwd) == nullptr || cwd[0] != '/')
        return fail_with(ENOENT, "current working directory is outside of container mount namespace root", plan.cwd.c_str());
    const char* name = plan.argv[0];
    static char detail[PATH_MAX + 128];
    if (std::strchr(name, '/') != nullptr) {
        int e = find_executable(name);
        if (e == 0) {
            *exe = name;
            return ok();
        }
        char text[128];
        go_strerror(e, text, sizeof text);
        if (e == EACCES)
            std::snprintf(detail, sizeof detail, "%s", text);
        else
            std::snprintf(detail, sizeof detail, "stat %s: %s", name, text);
        return fail_with(0, "exec", name, detail);
    }
    static char candidate[PATH_MAX];
    for (const auto& dir : plan.path_dirs) {
        std::snprintf(candidate, sizeof candidate, "%s/%s", dir.empty() ? "." : dir.c_str(), name);
        if (find_executable(candidate) == 0) {
            *exe = candidate;
            return ok();
        }
    }
    return fail_with(0, "exec", name, "executable file not found in $PATH");
}

Status wait_for_start(const plan::ChildPlan& plan) noexcept {
    if (plan.fifo_fd < 0) return ok();
    char c;
    for (;;) {
        ssize_t n = ::read(plan.fifo_fd, &c, 1);
        if (n == 1) break;
        if (n < 0 && errno == EINTR) continue;
        return fail("read exec.fifo");
    }
    ::close(plan.fifo_fd);
    return ok();
}

void exec_process(const plan::ChildPlan& plan, const char* exe) noexcept {
    // Preserved fds (LISTEN_FDS, --preserve-fds) keep their numbers and lose
    // CLOEXEC; everything else above them is closed now, not just marked
    // CLOEXEC: a CLOEXEC fd is still open while execve resolves its path
    // (CVE-2024-21626). The report socket stays (CLOEXEC) to report failure.
    for (int fd = 3; fd < plan.preserve_upto; ++fd) ::fcntl(fd, F_SETFD, 0);
    unsigned first = static_cast<unsigned>(plan.preserve_upto);
    unsigned sock = static_cast<unsigned>(plan.sock);
    if (sock >= first) {
        if (sock > first) sys::close_range(first, sock - 1, 0);
        sys::close_range(sock + 1, ~0U, 0);
    } else {
        sys::close_range(first, ~0U, 0);
    }
    ::execve(exe, plan.argv.data(), plan.envp.data());
    die(fail("exec", exe));
}

}  // namespace rt::child
