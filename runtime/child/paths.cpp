#include "child/paths.hpp"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sys/syscalls.hpp"

namespace rt::child {

static int resolve(int rootfd, const char* rel) noexcept {
    open_how how{};
    how.flags = O_PATH | O_CLOEXEC;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    int fd = sys::openat2(rootfd, *rel != '\0' ? rel : ".", &how);
    return fd < 0 ? -errno : fd;
}

// `name` (one component) in the directory `parent`, created if missing.
static int create_last(int parent, const char* name, Create create) noexcept {
    int r = create == Create::file ? ::mknodat(parent, name, S_IFREG | 0644, 0) : ::mkdirat(parent, name, 0755);
    if (r != 0 && errno != EEXIST) return -errno;
    open_how how{};
    how.flags = O_PATH | O_CLOEXEC;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    int fd = sys::openat2(parent, name, &how);
    return fd < 0 ? -errno : fd;
}

// Walks `rel` component by component, creating what is missing. Each new
// component is created relative to the fd of its already-resolved parent,
// so a symlink swapped in meanwhile is resolved inside the root again.
static int create_path(int rootfd, char* rel, Create create) noexcept {
    int parent = ::dup(rootfd);
    if (parent < 0) return -errno;
    char* p = rel;
    for (;;) {
        while (*p == '/') ++p;
        if (*p == '\0') return parent;
        char* end = std::strchr(p, '/');
        bool last = end == nullptr || end[strspn(end, "/")] == '\0';
        if (end != nullptr) *end = '\0';
        int fd = resolve(parent, p);
        if (fd == -ENOENT) fd = create_last(parent, p, last ? create : Create::dirs);
        ::close(parent);
        if (fd < 0) return fd;
        parent = fd;
        if (end == nullptr) return parent;
        *end = '/';
        p = end + 1;
    }
}

int open_in_root(int rootfd, const char* path, Create create) noexcept {
    char rel[PATH_MAX];
    const char* r = path;
    while (*r == '/') ++r;
    if (std::strlen(r) >= sizeof rel) return -ENAMETOOLONG;
    std::strcpy(rel, r);
    int fd = resolve(rootfd, rel);
    if (fd != -ENOENT || create == Create::none) return fd;
    // Usually only the last component is missing (a mountpoint in an
    // existing directory): one resolution of the parent instead of a walk.
    char* slash = std::strrchr(rel, '/');
    if (slash == nullptr) return create_last(rootfd, rel, create);
    if (slash[1] != '\0') {
        *slash = '\0';
        int parent = resolve(rootfd, rel);
        *slash = '/';
        if (parent >= 0) {
            fd = create_last(parent, slash + 1, create);
            ::close(parent);
            return fd;
        }
        if (parent != -ENOENT) return parent;
    }
    return create_path(rootfd, rel, create);
}

int open_parent_in_root(int rootfd, const char* path, bool create, const char** name) noexcept {
    char dir[PATH_MAX];
    size_t len = std::strlen(path);
    while (len > 1 && path[len - 1] == '/') --len;
    if (len >= sizeof dir) return -ENAMETOOLONG;
    const char* slash = static_cast<const char*>(::memrchr(path, '/', len));
    size_t dlen = slash != nullptr ? static_cast<size_t>(slash - path) : 0;
    std::memcpy(dir, path, dlen);
    dir[dlen] = '\0';
    *name = slash != nullptr ? slash + 1 : path;
    return open_in_root(rootfd, dir, create ? Create::dirs : Create::none);
}

}  // namespace rt::child
