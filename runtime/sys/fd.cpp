#include "fd.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <cerrno>

namespace rt::sys {

ChildGuard::~ChildGuard() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, nullptr, __WALL) < 0 && errno == EINTR) {
    }
}

}  // namespace rt::sys
