#include "cgroups/fsutil.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "sys/error.hpp"
#include "sys/file.hpp"
#include "sys/fd.hpp"

namespace rt::cgroups::util {

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    size_t start = 0;
    for (;;) {
        size_t pos = s.find(sep, start);
        out.push_back(s.substr(start, pos == std::string_view::npos ? pos : pos - start));
        if (pos == std::string_view::npos) return out;
        start = pos + 1;
    }
}

std::vector<std::string_view> fields(std::string_view s) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n')) ++i;
        size_t j = i;
        while (j < s.size() && s[j] != ' ' && s[j] != '\t' && s[j] != '\n') ++j;
        if (j > i) out.push_back(s.substr(i, j - i));
        i = j;
    }
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n')) s.remove_suffix(1);
    return s;
}

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

bool parse_u64(std::string_view s, uint64_t& out) {
    if (s.empty() || s.size() > 20) return false;
    uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
        uint64_t d = static_cast<uint64_t>(c - '0');
        if (v > (UINT64_MAX - d) / 10) return false;
        v = v * 10 + d;
    }
    out = v;
    return true;
}

bool parse_i64(std::string_view s, int64_t& out) {
    bool neg = !s.empty() && s.front() == '-';
    if (neg) s.remove_prefix(1);
    uint64_t u;
    if (!parse_u64(s, u)) return false;
    if (neg ? u > static_cast<uint64_t>(INT64_MAX) + 1 : u > static_cast<uint64_t>(INT64_MAX)) return false;
    out = neg ? static_cast<int64_t>(0 - u) : static_cast<int64_t>(u);
    return true;
}

std::string join(std::string_view dir, std::string_view rel) {
    while (!rel.empty() && rel.front() == '/') rel.remove_prefix(1);
    std::string out(dir);
    while (out.size() > 1 && out.back() == '/') out.pop_back();
    if (rel.empty()) return out;
    if (out.empty() || out.back() != '/') out += '/';
    out += rel;
    return out;
}

std::optional<std::string> read_optional(const std::string& path) {
    sys::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
        sys::throw_errno("open `%s`", path);
    }
    return sys::read_fd(fd.get(), path);
}

std::string read_file(const std::string& path) {
    auto s = read_optional(path);
    if (!s) {
        errno = ENOENT;
        sys::throw_errno("open `%s`", path);
    }
    return *s;
}

namespace {

int write_value(int fd, std::string_view value) {
    for (;;) {
        ssize_t n = ::write(fd, value.data(), value.size());
        if (n >= 0) return static_cast<size_t>(n) == value.size() ? 0 : EIO;
        if (errno != EINTR) return errno;
    }
}

}  // namespace

int write_file(const std::string& path, std::string_view value) {
    sys::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
    if (!fd) return errno;
    return write_value(fd.get(), value);
}

int FileWriter::operator()(const std::string& path, std::string_view value) {
    if (!fd_ || path != path_) {
        path_.clear();
        fd_.reset(::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
        if (!fd_) return errno;
        path_ = path;
    }
    return write_value(fd_.get(), value);
}

bool is_dir(const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace rt::cgroups::util
