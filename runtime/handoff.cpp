#include "handoff.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "sys/error.hpp"
#include "sys/syscalls.hpp"
#include "sys/unix_socket.hpp"

namespace rt::handoff {

using sys::Error;
using sys::ErrorKind;
using sys::UniqueFd;

UniqueFd connect_console(const std::string& path) {
    if (path.empty()) return UniqueFd();
    int fd = sys::connect_unix(path.c_str());
    if (fd < 0) throw Error(ErrorKind::generic, -fd, sys::format("connect to console socket %s", path));
    return UniqueFd(fd);
}

void check_preserved_fds(int upto) {
    for (int fd = 3; fd < upto; ++fd)
        if (::fcntl(fd, F_GETFD) < 0) sys::fail(ErrorKind::usage, "preserved fd %d is not open", fd);
}

void write_pid_file(const std::string& path, pid_t pid) {
    // A temp file in the same directory, renamed over the target.
    auto slash = path.rfind('/');
    std::string tmp = path.substr(0, slash + 1) + "." + path.substr(slash + 1);
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_SYNC | O_CLOEXEC, 0644));
    if (!fd) sys::throw_errno("create pid file %s", tmp);
    std::string text = std::to_string(pid);
    if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
        ::unlink(tmp.c_str());
        sys::throw_errno("write pid file %s", tmp);
    }
    fd.reset();
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        ::unlink(tmp.c_str());
        sys::throw_errno("rename pid file to %s", path);
    }
}

void send_pidfd(const std::string& path, pid_t pid) {
    UniqueFd pidfd(sys::pidfd_open(pid, 0));
    if (!pidfd) sys::throw_errno("pidfd_open %d", pid);
    int sock = sys::connect_unix(path.c_str());
    if (sock < 0) throw Error(ErrorKind::generic, -sock, sys::format("connect to pidfd socket %s", path));
    UniqueFd s(sock);
    static const char kName[] = "pidfd";
    int r = sys::send_fd(sock, pidfd.get(), kName, sizeof kName - 1);
    if (r < 0) throw Error(ErrorKind::generic, -r, sys::format("send pidfd to %s", path));
}

}  // namespace rt::handoff
