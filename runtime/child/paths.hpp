// Paths inside the rootfs, resolved so that nothing in the image (symlinks,
// "..", magic links) can point them at the host: openat2(RESOLVE_IN_ROOT)
// from a directory fd of the rootfs, creating missing components with
// mkdirat/mknodat relative to the fd of their resolved parent
// (CVE-2021-30465, CVE-2024-45310, CVE-2019-18837).
#pragma once

namespace rt::child {

enum class Create { none, dirs, file };

// Returns an O_PATH fd for `path` (absolute inside the container) or -errno.
// With Create::dirs missing components become directories (0755); with
// Create::file the last one becomes an empty regular file (0644).
int open_in_root(int rootfd, const char* path, Create create) noexcept;

// Opens the parent directory of `path` (creating it if asked) and returns its
// O_PATH fd; *name points at the last component inside `path`.
int open_parent_in_root(int rootfd, const char* path, bool create, const char** name) noexcept;

}  // namespace rt::child
