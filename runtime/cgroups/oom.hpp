// OOM-kill notifications for `events`, as runc's NotifyOOM:
//   v1  an eventfd registered through cgroup.event_control on
//       memory.oom_control; the kernel signals it on every OOM in the
//       cgroup, and once more when the cgroup is removed
//       (libcontainer/notify_linux.go).
//   v2  inotify IN_MODIFY on memory.events (an oom_kill counter) and
//       cgroup.events ("populated 0" once every process is gone)
//       (libcontainer/notify_v2_linux.go).
// The hierarchy is the one this host drives the memory controller through,
// so a hybrid host with memory on v1 uses the eventfd.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "cgroups/layout.hpp"
#include "cgroups/path.hpp"
#include "sys/fd.hpp"

namespace rt::cgroups {

class OomWatch {
public:
    // Throws unsupported "memory controller missing" when the container's
    // cgroup has no memory controller, or the registration error.
    static OomWatch open(const Layout& layout, const Paths& paths);

    // Readable when there is something for read().
    int fd() const { return fd_.get(); }

    struct Seen {
        unsigned ooms = 0;  // OOM events to report
        bool gone = false;  // the cgroup was removed or emptied: no more events
    };
    Seen read();
    // The last look before the stream ends (the cgroup emptied): what is
    // pending, plus on v2 an oom_kill not signalled yet (the kernel delays
    // cgroup file notifications by up to 20 ms). Never blocks.
    Seen read_final();

private:
    OomWatch() = default;
    Seen read_v1();
    Seen read_v2();
    // memory.events' oom_kill went up since last seen (and is recorded);
    // nullopt when the file is gone with the cgroup.
    std::optional<bool> oom_kill_rose();

    bool v2_ = false;
    std::string dir_;
    sys::UniqueFd fd_;       // v1: the eventfd; v2: the inotify instance
    sys::UniqueFd control_;  // v1: memory.oom_control, open for as long as the registration
    int memory_wd_ = -1, cgroup_wd_ = -1;
    uint64_t oom_kills_ = 0;  // v2: memory.events oom_kill last seen
};

}  // namespace rt::cgroups
