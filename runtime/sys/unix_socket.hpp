// AF_UNIX helpers for passing one fd with a small payload (console socket,
// runtime protocol). noexcept and allocation-free: the container init uses
// them between clone3 and execve, where nothing may throw or allocate.
// Errors are returned as -errno, like the raw syscalls.
#pragma once

#include <cstddef>

namespace rt::sys {

// Largest payload send_fd accepts. go-runc's recvFd reads into a 4096-byte
// buffer and rejects n >= 4096 (go-runc:socket.go), so the console-socket
// message must stay below that.
inline constexpr size_t max_fd_payload = 4095;

// One sendmsg carrying exactly one SCM_RIGHTS control message with one fd,
// control length CMSG_SPACE(sizeof(int)) (what go-runc and runc's
// cmsg.RecvFile demand), plus a non-empty payload of at most max_fd_payload
// bytes. MSG_NOSIGNAL: a receiver that went away yields -EPIPE, not SIGPIPE.
// Returns 0 or -errno (-EINVAL for an empty payload, -EMSGSIZE if too long).
int send_fd(int sock, int fd, const char* payload, size_t len) noexcept;

// Receives one message carrying exactly one fd (installed O_CLOEXEC via
// MSG_CMSG_CLOEXEC). The payload is stored in payload[0..cap) and its length
// in *len (len may be null). Returns the fd, or -errno: -EBADMSG when the
// message carried no fd, several fds or a truncated control part (any fds
// that did arrive are closed), -ECONNRESET on end of stream.
int recv_fd(int sock, char* payload, size_t cap, size_t* len) noexcept;

// Most fds send_fds passes: room for every v1 hierarchy a host may mount (15
// kernel controllers plus named ones such as name=systemd), well below the
// kernel's SCM_MAX_FD.
inline constexpr size_t max_passed_fds = 64;

// The runtime protocol's form (SEQPACKET): one message of `len` > 0 bytes
// with `n` <= max_passed_fds fds in one SCM_RIGHTS control message (none
// when n is 0). Returns the bytes sent or -errno.
int send_fds(int sock, const int* fds, size_t n, const void* payload, size_t len) noexcept;

// Receives one message and up to cap_fds fds (installed O_CLOEXEC) into
// fds[]. Returns how many fds came, or -errno: -EBADMSG when they did not come
// whole in one SCM_RIGHTS control message or were more than cap_fds (any that
// did arrive are closed), -ECONNRESET on end of stream.
int recv_fds(int sock, void* payload, size_t cap, size_t* len, int* fds, size_t cap_fds) noexcept;

// Connects an AF_UNIX SOCK_STREAM|SOCK_CLOEXEC socket to a filesystem path
// (no abstract names, as runc's docs/terminals.md). Returns the fd or -errno;
// -ENAMETOOLONG when the path does not fit sun_path with its terminator,
// -EINVAL for an empty path.
int connect_unix(const char* path) noexcept;

}  // namespace rt::sys
