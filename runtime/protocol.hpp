// Parent <-> child messages on a SOCK_SEQPACKET socketpair: fixed-size POD,
// one message per send, so the child never allocates to report.
//
//   parent (berth create/run/exec)             child (stage A)          init (stage B)
//   ------------------------------             ---------------          --------------
//   clone3(CLONE_NEWUSER?, INTO_CGROUP) ------> setns(user) / wait maps
//   v1 cgroups: mkdir, open each `tasks`
//     (systemd driver on v1: join the first process)
//           <------------------------------------ MapsPlease   (new userns only)
//   write uid_map/gid_map --------------------> MapsDone
//                                              setns(others), unshare(new), time offsets
//                                              clone(CLONE_PARENT) --> init
//           <------------------------------------ InitPid{host pid}
//   (systemd driver on v1: join the init)      _exit(0)
//                                                                      mounts, up to a cgroup one
//           <------------------------------------------------------------ CgroupPlease (wait_cgroup)
//   the `tasks` fds (or, systemd driver on v1,
//   once the init is joined) -------------------------------------------------> CgroupDone [+fds];
//                                                                      write "0" to each fd (joins v1),
//                                                                      unshare(CLONE_NEWCGROUP) if late,
//                                                                      cgroup mounts, other mounts, /dev
//           <------------------------------------------------------------ HooksPlease
//   prestart + createRuntime hooks ----------------------------------------> HooksDone
//                                                                      createContainer hooks,
//                                                                      pivot_root, masks, tty,
//                                                                      ids, caps, cwd, lookup
//           <------------------------------------------------------------ Ready
//   (create: pid file, state, exit)                                    block on exec.fifo
//   Log{level,text} and Error{errno,text} may arrive at any point; Error ends the child.
#pragma once

#include <cstdint>

namespace rt::proto {

enum class Msg : uint32_t {
    maps_please = 1,
    maps_done,
    init_pid,
    hooks_please,
    hooks_done,
    ready,
    log,
    error,
    cgroup_please,
    cgroup_done,
};

struct Message {
    Msg type;
    int32_t value;     // init_pid: host pid; error: errno; log: level
    char text[4000];  // NUL-terminated for log/error
};

}  // namespace rt::proto
