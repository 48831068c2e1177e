#include "events.hpp"

#include <poll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <optional>
#include <string>

#include "cgroups/layout.hpp"
#include "cgroups/oom.hpp"
#include "cgroups/stats.hpp"
#include "container_target.hpp"
#include "sys/error.hpp"
#include "sys/fd.hpp"
#include "sys/log.hpp"

namespace rt::events {

namespace {

// One event per write(2): a reader of the pipe sees whole lines at once.
void emit(std::string line) {
    line += '\n';
    for (size_t off = 0; off < line.size();) {
        ssize_t n = ::write(STDOUT_FILENO, line.data() + off, line.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) sys::throw_errno("write event to stdout");
        off += static_cast<size_t>(n);
    }
}

std::string oom_event(const std::string& id) {
    // Go's encoding of types.Event{Type: "oom", ID: id}: data is omitempty.
    return "{\"type\":\"oom\",\"id\":\"" + id + "\"}";
}

sys::UniqueFd interval_timer(uint64_t ms) {
    sys::UniqueFd fd(::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC));
    if (!fd) sys::throw_errno("timerfd_create");
    itimerspec its{};
    its.it_interval.tv_sec = static_cast<time_t>(ms / 1000);
    its.it_interval.tv_nsec = static_cast<long>(ms % 1000) * 1000000;
    its.it_value = its.it_interval;  // time.Tick: the first tick after one interval
    if (::timerfd_settime(fd.get(), 0, &its, nullptr) != 0) sys::throw_errno("timerfd_settime");
    return fd;
}

// Stream until the cgroup is removed or empty. runc ends on v2 when
// cgroup.events says "populated 0", on v1 only when `delete` removes the
// cgroup; here an empty cgroup ends the stream on both, checked at every
// tick so a missed notification costs at most one interval.
void stream(const std::string& id, const cgroups::Manager& m, cgroups::OomWatch& oom, uint64_t interval_ms) {
    sys::UniqueFd timer = interval_timer(interval_ms);
    auto report = [&](const cgroups::OomWatch::Seen& seen) {
        for (unsigned i = 0; i < seen.ooms; ++i) emit(oom_event(id));
    };
    // The OOM kill that emptied the cgroup may not have been signalled yet
    // (the kernel defers and rate-limits file notifications, so "populated
    // 0" can come first): one last look before ending.
    auto final_look = [&] { report(oom.read_final()); };
    // Reports what the watch has; false once the cgroup is gone.
    auto report_ooms = [&] {
        auto seen = oom.read();
        report(seen);
        if (seen.gone) final_look();
        return !seen.gone;
    };
    auto ended = [&] {
        if (m.exists() && !m.pids().empty()) return false;
        final_look();
        return true;
    };
    if (ended()) return;
    for (;;) {
        pollfd fds[2] = {{timer.get(), POLLIN, 0}, {oom.fd(), POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            sys::throw_errno("poll");
        }
        if (fds[1].revents != 0 && !report_ooms()) return;
        if (fds[0].revents != 0) {
            uint64_t ticks;
            if (::read(timer.get(), &ticks, sizeof ticks) < 0 && errno != EAGAIN && errno != EINTR)
                sys::throw_errno("read timerfd");
            if (ended()) return;
            std::string event;
            try {
                event = cgroups::stats_event_json(id, m.stats());
            } catch (const sys::Error& e) {
                // As runc: a failed sample is logged and the stream goes on.
                sys::log::error(e.what());
                continue;
            }
            emit(std::move(event));
        }
    }
}

}  // namespace

void run(const cli::GlobalOptions& g, const cli::EventsOptions& o) {
    std::unique_ptr<cgroups::Manager> m;
    std::optional<cgroups::OomWatch> oom;
    {
        auto t = container_target::open(g.root, o.id);
        if (t.status == state::Status::stopped)
            sys::fail(sys::ErrorKind::bad_state, "container with id %s is not running", o.id);
        t.cgroup();  // throws without a recorded cgroup
        m = std::move(t.manager);
        if (o.stats) {
            emit(cgroups::stats_event_json(o.id, m->stats()));
            return;
        }
        oom = cgroups::OomWatch::open(cgroups::detect_layout(), t.record->paths);
    }  // the state lock is released: kill, delete & co. must not wait for us
    stream(o.id, *m, *oom, o.interval_ms);
}

}  // namespace rt::events
