#include "unix_socket.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace rt::sys {

namespace {

// Control buffer for up to max_passed_fds fds, aligned for struct cmsghdr;
// one more on receive, so a sender passing too many is detected (and its
// fds closed) rather than silently truncated.
union FdControl {
    struct cmsghdr align;
    char buf[CMSG_SPACE(sizeof(int) * (max_passed_fds + 1))];
};

// Sends what the first sendmsg left of the payload. On a stream socket the
// fd travels with the first byte, so the rest is plain data.
int send_rest(int sock, const char* p, size_t len) noexcept {
    while (len > 0) {
        ssize_t n = ::send(sock, p, len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -errno;
        }
        p += n;
        len -= static_cast<size_t>(n);
    }
    return 0;
}

// Closes every fd carried by the SCM_RIGHTS messages of msg.
void close_received(struct msghdr* msg) noexcept {
    for (struct cmsghdr* c = CMSG_FIRSTHDR(msg); c != nullptr; c = CMSG_NXTHDR(msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < n; ++i) {
            int fd;
            std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
            ::close(fd);
        }
    }
}

// Copies the fds of msg to out[0..cap) and returns their number, or -1
// unless they came whole in at most one SCM_RIGHTS message (go-runc:socket.go
// recvFd, runc internal/cmsg) and fit.
int take_fds(struct msghdr* msg, int* out, size_t cap) noexcept {
    if (msg->msg_flags & MSG_CTRUNC) return -1;
    size_t count = 0;
    int messages = 0;
    for (struct cmsghdr* c = CMSG_FIRSTHDR(msg); c != nullptr; c = CMSG_NXTHDR(msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS || ++messages > 1) return -1;
        count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        if (c->cmsg_len != CMSG_LEN(count * sizeof(int)) || count > cap) return -1;
        for (size_t i = 0; i < count; ++i) std::memcpy(&out[i], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
    }
    return static_cast<int>(count);
}

}  // namespace

int send_fds(int sock, const int* fds, size_t n, const void* payload, size_t len) noexcept {
    if (payload == nullptr || len == 0 || n > max_passed_fds) return -EINVAL;
    struct iovec iov = {const_cast<void*>(payload), len};
    FdControl control;
    std::memset(&control, 0, sizeof control);
    struct msghdr msg = {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    if (n > 0) {
        msg.msg_control = control.buf;
        msg.msg_controllen = CMSG_SPACE(n * sizeof(int));
        struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(n * sizeof(int));
        std::memcpy(CMSG_DATA(c), fds, n * sizeof(int));
    }
    ssize_t r;
    do {
        r = ::sendmsg(sock, &msg, MSG_NOSIGNAL);
    } while (r < 0 && errno == EINTR);
    return r < 0 ? -errno : static_cast<int>(r);
}

int recv_fds(int sock, void* payload, size_t cap, size_t* len, int* fds, size_t cap_fds) noexcept {
    if (payload == nullptr || cap == 0) return -EINVAL;
    struct iovec iov = {payload, cap};
    FdControl control;
    std::memset(&control, 0, sizeof control);
    struct msghdr msg = {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.buf;
    msg.msg_controllen = sizeof control.buf;

    ssize_t n;
    do {
        n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return -errno;
    if (len != nullptr) *len = static_cast<size_t>(n);
    if (n == 0 && msg.msg_controllen == 0) return -ECONNRESET;
    int count = take_fds(&msg, fds, cap_fds);
    if (count < 0) {
        close_received(&msg);
        return -EBADMSG;
    }
    return count;
}

int send_fd(int sock, int fd, const char* payload, size_t len) noexcept {
    // A zero-length payload carries no byte for the fd to ride on (stream
    // sockets drop it) and go-runc treats it as an error anyway.
    if (payload == nullptr || len == 0) return -EINVAL;
    if (len > max_fd_payload) return -EMSGSIZE;
    int n = send_fds(sock, &fd, 1, payload, len);
    if (n < 0) return n;
    return send_rest(sock, payload + n, len - static_cast<size_t>(n));
}

int recv_fd(int sock, char* payload, size_t cap, size_t* len) noexcept {
    int fd = -1;
    int count = recv_fds(sock, payload, cap, len, &fd, 1);
    if (count < 0) return count;
    return count == 1 ? fd : -EBADMSG;
}

int connect_unix(const char* path) noexcept {
    if (path == nullptr || path[0] == '\0') return -EINVAL;
    struct sockaddr_un addr = {};
    addr.sun_family = AF_UNIX;
    size_t plen = std::strlen(path);
    if (plen >= sizeof addr.sun_path) return -ENAMETOOLONG;
    std::memcpy(addr.sun_path, path, plen + 1);

    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    // An AF_UNIX connect interrupted while waiting for backlog room leaves
    // the socket unconnected, so retrying is safe (unlike TCP).
    int r;
    do {
        r = ::connect(fd, reinterpret_cast<const struct sockaddr*>(&addr), sizeof addr);
    } while (r < 0 && errno == EINTR);
    if (r < 0) {
        int e = errno;
        ::close(fd);
        return -e;
    }
    return fd;
}

}  // namespace rt::sys
