// unix_socket: fd passing as the console socket needs it (go-runc recvFd).
#include <doctest/doctest.h>

#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include "runtime/sys/fd.hpp"
#include "runtime/sys/unix_socket.hpp"

namespace {

using rt::sys::UniqueFd;

struct Pair {
    UniqueFd a, b;
    explicit Pair(int type = SOCK_STREAM) {
        int sv[2];
        REQUIRE(::socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv) == 0);
        a.reset(sv[0]);
        b.reset(sv[1]);
    }
};

bool same_file(int x, int y) {
    struct stat sx, sy;
    REQUIRE(::fstat(x, &sx) == 0);
    REQUIRE(::fstat(y, &sy) == 0);
    return sx.st_dev == sy.st_dev && sx.st_ino == sy.st_ino;
}

bool is_cloexec(int fd) { return (::fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0; }

int count_fds() {
    int n = 0;
    for (auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
        (void)e;
        ++n;
    }
    return n;
}

}  // namespace

TEST_CASE("unix_socket: send/recv an fd over a socketpair") {
    Pair p;
    UniqueFd file(::open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
    REQUIRE(file);
    REQUIRE(rt::sys::send_fd(p.a.get(), file.get(), "/dev/ptmx", 9) == 0);

    char buf[4096];
    size_t len = 0;
    int got = rt::sys::recv_fd(p.b.get(), buf, sizeof buf, &len);
    REQUIRE(got >= 0);
    UniqueFd received(got);
    CHECK(received.get() != file.get());
    CHECK(same_file(received.get(), file.get()));
    CHECK(is_cloexec(received.get()));
    CHECK(std::string(buf, len) == "/dev/ptmx");
}

TEST_CASE("unix_socket: payload round-trip and limits") {
    Pair p;
    UniqueFd file(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    std::string payload(rt::sys::max_fd_payload, 'p');
    payload[0] = ' ';
    REQUIRE(rt::sys::send_fd(p.a.get(), file.get(), payload.data(), payload.size()) == 0);
    char buf[8192];
    size_t len = 0;
    UniqueFd got(rt::sys::recv_fd(p.b.get(), buf, sizeof buf, &len));
    REQUIRE(got);
    CHECK(std::string(buf, len) == payload);

    CHECK(rt::sys::send_fd(p.a.get(), file.get(), "", 0) == -EINVAL);
    std::string too_long(rt::sys::max_fd_payload + 1, 'x');
    CHECK(rt::sys::send_fd(p.a.get(), file.get(), too_long.data(), too_long.size()) == -EMSGSIZE);
    CHECK(rt::sys::send_fd(p.a.get(), -1, "x", 1) == -EBADF);
}

TEST_CASE("unix_socket: control part is exactly CMSG_SPACE(sizeof(int)) (go-runc recvFd)") {
    Pair p;
    UniqueFd file(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    REQUIRE(rt::sys::send_fd(p.a.get(), file.get(), " ", 1) == 0);

    // What go-runc does: a 4096-byte data buffer, an oob buffer of exactly
    // CmsgSpace(4), and it insists oobn == CmsgSpace(4) and n < 4096.
    char data[4096];
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int))];
    } control;
    struct iovec iov = {data, sizeof data};
    struct msghdr msg = {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.buf;
    msg.msg_controllen = sizeof control.buf;
    ssize_t n = ::recvmsg(p.b.get(), &msg, MSG_CMSG_CLOEXEC);
    CHECK(n == 1);
    CHECK(msg.msg_controllen == CMSG_SPACE(sizeof(int)));
    CHECK((msg.msg_flags & MSG_CTRUNC) == 0);
    struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
    REQUIRE(c != nullptr);
    CHECK(c->cmsg_type == SCM_RIGHTS);
    CHECK(c->cmsg_len == CMSG_LEN(sizeof(int)));
    int fd;
    std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
    UniqueFd received(fd);
    CHECK(same_file(received.get(), file.get()));
}

TEST_CASE("unix_socket: recv_fd rejects messages without exactly one fd") {
    char buf[64];
    size_t len = 0;
    SUBCASE("no fd") {
        Pair p;
        REQUIRE(::send(p.a.get(), "hi", 2, 0) == 2);
        CHECK(rt::sys::recv_fd(p.b.get(), buf, sizeof buf, &len) == -EBADMSG);
        CHECK(len == 2);
    }
    SUBCASE("two fds, none leaked") {
        Pair p;
        int before = count_fds();
        int fds[2] = {0, 1};
        union {
            struct cmsghdr align;
            char b[CMSG_SPACE(sizeof fds)];
        } control;
        std::memset(&control, 0, sizeof control);
        struct iovec iov = {const_cast<char*>("x"), 1};
        struct msghdr msg = {};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.b;
        msg.msg_controllen = sizeof control.b;
        struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof fds);
        std::memcpy(CMSG_DATA(c), fds, sizeof fds);
        REQUIRE(::sendmsg(p.a.get(), &msg, 0) == 1);
        CHECK(rt::sys::recv_fd(p.b.get(), buf, sizeof buf, &len) == -EBADMSG);
        CHECK(count_fds() == before);
    }
    SUBCASE("end of stream") {
        Pair p;
        p.a.reset();
        CHECK(rt::sys::recv_fd(p.b.get(), buf, sizeof buf, &len) == -ECONNRESET);
    }
}

TEST_CASE("unix_socket: send_fds/recv_fds carry several fds, or none, in one SEQPACKET message") {
    Pair p(SOCK_SEQPACKET);
    UniqueFd f1(::open("/dev/null", O_RDONLY | O_CLOEXEC)), f2(::open("/proc/self/stat", O_RDONLY | O_CLOEXEC));
    REQUIRE(f1);
    REQUIRE(f2);
    int fds[2] = {f1.get(), f2.get()};
    struct Msg {
        int type;
        char text[100];
    } out{7, "cgroup"}, in{};
    REQUIRE(rt::sys::send_fds(p.a.get(), fds, 2, &out, sizeof out) == static_cast<int>(sizeof out));
    int got[4] = {-1, -1, -1, -1};
    size_t len = 0;
    REQUIRE(rt::sys::recv_fds(p.b.get(), &in, sizeof in, &len, got, 4) == 2);
    UniqueFd g1(got[0]), g2(got[1]);
    CHECK(len == sizeof in);
    CHECK(in.type == 7);
    CHECK(std::string(in.text) == "cgroup");
    CHECK(same_file(g1.get(), f1.get()));
    CHECK(same_file(g2.get(), f2.get()));
    CHECK(is_cloexec(g1.get()));

    SUBCASE("no fds") {
        REQUIRE(rt::sys::send_fds(p.a.get(), nullptr, 0, &out, sizeof out) == static_cast<int>(sizeof out));
        CHECK(rt::sys::recv_fds(p.b.get(), &in, sizeof in, &len, got, 4) == 0);
        CHECK(len == sizeof in);
    }
    SUBCASE("more fds than the receiver takes: refused, none leaked") {
        int before = count_fds();
        REQUIRE(rt::sys::send_fds(p.a.get(), fds, 2, &out, sizeof out) > 0);
        CHECK(rt::sys::recv_fds(p.b.get(), &in, sizeof in, &len, got, 1) == -EBADMSG);
        CHECK(count_fds() == before);
    }
    SUBCASE("limits") {
        int many[rt::sys::max_passed_fds + 1] = {};
        CHECK(rt::sys::send_fds(p.a.get(), many, rt::sys::max_passed_fds + 1, &out, sizeof out) == -EINVAL);
        CHECK(rt::sys::send_fds(p.a.get(), fds, 2, &out, 0) == -EINVAL);
    }
    SUBCASE("end of stream") {
        p.a.reset();
        CHECK(rt::sys::recv_fds(p.b.get(), &in, sizeof in, &len, got, 4) == -ECONNRESET);
    }
}

TEST_CASE("unix_socket: connect to a listening socket and pass an fd, console-socket style") {
    char tmpl[] = "/tmp/berth-sock-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    std::string dir = tmpl;
    std::string path = dir + "/console.sock";

    UniqueFd listener(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    REQUIRE(listener);
    struct sockaddr_un addr = {};
    addr.sun_family = AF_UNIX;
    std::strcpy(addr.sun_path, path.c_str());
    REQUIRE(::bind(listener.get(), reinterpret_cast<struct sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(listener.get(), 1) == 0);

    int c = rt::sys::connect_unix(path.c_str());
    REQUIRE(c >= 0);
    UniqueFd conn(c);
    CHECK(is_cloexec(conn.get()));
    int type = 0;
    socklen_t tl = sizeof type;
    REQUIRE(::getsockopt(conn.get(), SOL_SOCKET, SO_TYPE, &type, &tl) == 0);
    CHECK(type == SOCK_STREAM);

    // The runtime sends and closes without waiting for accept (containerd
    // accepts only after create exited).
    UniqueFd file(::open("/dev/null", O_RDWR | O_CLOEXEC));
    REQUIRE(rt::sys::send_fd(conn.get(), file.get(), "/dev/ptmx", 9) == 0);
    conn.reset();

    UniqueFd accepted(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
    REQUIRE(accepted);
    char buf[4096];
    size_t len = 0;
    UniqueFd got(rt::sys::recv_fd(accepted.get(), buf, sizeof buf, &len));
    REQUIRE(got);
    CHECK(same_file(got.get(), file.get()));
    CHECK(std::string(buf, len) == "/dev/ptmx");

    ::unlink(path.c_str());
    ::rmdir(dir.c_str());
}

TEST_CASE("unix_socket: connect_unix errors") {
    std::string long_path = "/tmp/" + std::string(sizeof(sockaddr_un{}.sun_path), 'a');
    CHECK(rt::sys::connect_unix(long_path.c_str()) == -ENAMETOOLONG);
    CHECK(rt::sys::connect_unix("") == -EINVAL);
    CHECK(rt::sys::connect_unix("/nonexistent/berth.sock") == -ENOENT);
}
