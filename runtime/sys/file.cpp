#include "sys/file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "sys/error.hpp"
#include "sys/fd.hpp"

namespace rt::sys {

std::string read_file(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        int e = errno;
        throw Error(e == ENOENT ? ErrorKind::not_found : ErrorKind::generic, e, format("open `%s`", path));
    }
    return read_fd(fd.get(), path);
}

std::string read_fd(int fd, const std::string& what) {
    std::string out;
    char buf[16384];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw_errno("read `%s`", what);
        if (n == 0) return out;
        out.append(buf, static_cast<size_t>(n));
    }
}

}  // namespace rt::sys
