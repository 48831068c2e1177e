#include "cgroups/oom.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <optional>

#include "cgroups/fsutil.hpp"
#include "cgroups/stats.hpp"
#include "sys/error.hpp"

namespace rt::cgroups {

namespace {

using sys::ErrorKind;

// A key of a flat-keyed file (memory.events, cgroup.events); nullopt when
// the file is gone with its cgroup.
std::optional<uint64_t> value_of(const std::string& dir, const char* file, const std::string& key) {
    auto text = util::read_optional(util::join(dir, file));
    if (!text) return std::nullopt;
    auto kv = parse_flat_keyed(*text, file);
    auto it = kv.find(key);
    return it == kv.end() ? 0 : it->second;
}

}  // namespace

OomWatch OomWatch::open(const Layout& layout, const Paths& paths) {
    OomWatch w;
    auto v1 = paths.v1.find("memory");
    if (layout.v1_mount("memory") != nullptr && v1 != paths.v1.end()) {
        w.dir_ = v1->second;
        std::string oom_control = util::join(w.dir_, "memory.oom_control");
        w.control_.reset(::open(oom_control.c_str(), O_RDONLY | O_CLOEXEC));
        if (!w.control_) sys::throw_errno("open `%s`", oom_control);
        w.fd_.reset(::eventfd(0, EFD_CLOEXEC));
        if (!w.fd_) sys::throw_errno("eventfd");
        std::string control = util::join(w.dir_, "cgroup.event_control");
        if (int err = util::write_file(control, sys::format("%d %d", w.fd_.get(), w.control_.get())); err != 0) {
            errno = err;
            sys::throw_errno("register OOM notification in `%s`", control);
        }
        return w;
    }
    if (paths.v2.empty() || (layout.mode != Mode::unified && !layout.on_v2("memory")))
        sys::fail(ErrorKind::unsupported, "memory controller missing");
    w.v2_ = true;
    w.dir_ = paths.v2;
    w.fd_.reset(::inotify_init1(IN_CLOEXEC));
    if (!w.fd_) sys::throw_errno("unable to init inotify");
    auto watch = [&](const char* file) {
        std::string path = util::join(w.dir_, file);
        int wd = ::inotify_add_watch(w.fd_.get(), path.c_str(), IN_MODIFY);
        if (wd < 0) sys::throw_errno("unable to add inotify watch on `%s`", path);
        return wd;
    };
    w.memory_wd_ = watch("memory.events");
    w.cgroup_wd_ = watch("cgroup.events");
    // Only kills from now on count: runc reports any change once the
    // counter is non-zero, which repeats old kills on unrelated changes.
    w.oom_kills_ = value_of(w.dir_, "memory.events", "oom_kill").value_or(0);
    return w;
}

OomWatch::Seen OomWatch::read() { return v2_ ? read_v2() : read_v1(); }

OomWatch::Seen OomWatch::read_final() {
    Seen seen;
    pollfd p{fd_.get(), POLLIN, 0};
    if (::poll(&p, 1, 0) > 0) seen = read();
    if (v2_ && oom_kill_rose().value_or(false)) ++seen.ooms;
    return seen;
}

std::optional<bool> OomWatch::oom_kill_rose() {
    auto kills = value_of(dir_, "memory.events", "oom_kill");
    if (!kills) return std::nullopt;
    if (*kills <= oom_kills_) return false;
    oom_kills_ = *kills;
    return true;
}

OomWatch::Seen OomWatch::read_v1() {
    uint64_t count = 0;
    if (::read(fd_.get(), &count, sizeof count) != sizeof count) {
        if (errno == EINTR || errno == EAGAIN) return {};
        sys::throw_errno("read OOM eventfd of `%s`", dir_);
    }
    // The kernel also signals the eventfd when it removes the cgroup.
    struct stat st;
    if (::lstat(util::join(dir_, "cgroup.event_control").c_str(), &st) != 0 && errno == ENOENT)
        return {0, true};
    return {1, false};
}

OomWatch::Seen OomWatch::read_v2() {
    alignas(inotify_event) char buf[4096];  // whole events only; files have no name
    ssize_t n = ::read(fd_.get(), buf, sizeof buf);
    if (n < 0) {
        if (errno == EINTR || errno == EAGAIN) return {};
        sys::throw_errno("read inotify events of `%s`", dir_);
    }
    Seen seen;
    for (ssize_t off = 0; off + static_cast<ssize_t>(sizeof(inotify_event)) <= n;) {
        const auto* ev = reinterpret_cast<const inotify_event*>(buf + off);
        off += static_cast<ssize_t>(sizeof(inotify_event) + ev->len);
        if (ev->mask & IN_IGNORED) {  // the watched file went away with the cgroup
            seen.gone = true;
            continue;
        }
        if (!(ev->mask & IN_MODIFY)) continue;
        if (ev->wd == memory_wd_) {
            auto rose = oom_kill_rose();
            if (!rose)
                seen.gone = true;
            else if (*rose)
                ++seen.ooms;
        } else if (ev->wd == cgroup_wd_) {
            if (value_of(dir_, "cgroup.events", "populated").value_or(0) == 0) seen.gone = true;
        }
    }
    return seen;
}

}  // namespace rt::cgroups
