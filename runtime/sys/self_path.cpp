#include "sys/self_path.hpp"

#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include <cstdlib>

namespace rt::sys {

namespace {

std::string recorded;

std::string join(std::string_view dir, std::string_view name) {
    std::string out(dir);
    if (!out.empty() && out.back() != '/') out += '/';
    out += name;
    return out;
}

bool is_executable(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

std::string current_dir() {
    char buf[PATH_MAX];
    return ::getcwd(buf, sizeof buf) != nullptr ? buf : "";
}

std::string resolve_now(std::string_view argv0) {
    const char* path = std::getenv("PATH");
    return resolve_argv0(argv0, current_dir(), path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin",
                         is_executable);
}

}  // namespace

std::string resolve_argv0(std::string_view argv0, std::string_view cwd, std::string_view path_env,
                          const std::function<bool(const std::string&)>& executable) {
    if (argv0.empty()) return "";
    if (argv0.find('/') != std::string_view::npos) {
        if (argv0.front() == '/') return std::string(argv0);
        return cwd.empty() ? "" : join(cwd, argv0);
    }
    for (size_t start = 0;;) {
        size_t end = path_env.find(':', start);
        std::string_view dir = path_env.substr(start, end == std::string_view::npos ? end : end - start);
        // An empty entry is the current directory; a relative one is below it.
        std::string candidate = dir.empty() ? join(cwd, argv0)
                                : dir.front() == '/' ? join(dir, argv0)
                                                     : join(join(cwd, dir), argv0);
        if (executable(candidate)) return candidate;
        if (end == std::string_view::npos) return "";
        start = end + 1;
    }
}

void record_argv0(const char* argv0) { recorded = argv0 != nullptr ? resolve_now(argv0) : ""; }

std::string self_path() {
    if (!recorded.empty()) return recorded;
    // No iostreams in berth (they cost startup time and RSS): one read.
    int fd = ::open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return "";
    char buf[PATH_MAX + 1];
    ssize_t n = ::read(fd, buf, sizeof buf - 1);
    ::close(fd);
    if (n <= 0) return "";
    buf[n] = '\0';  // argv[0] ends at its own NUL, or here
    return resolve_now(buf);
}

}  // namespace rt::sys
