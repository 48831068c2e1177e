// Foreground `run`: the internal console socket and pty proxy for terminal
// containers, signal forwarding to the init, and its exit status.
#pragma once

#include <sys/types.h>

#include <string>

#include "sys/fd.hpp"

namespace rt::foreground {

class Console {
public:
    // Makes the socketpair whose child end plays the part of --console-socket.
    void prepare();
    int child_end() const { return child_.get(); }
    bool active() const { return static_cast<bool>(parent_); }
    // Receives the pty master sent by the init.
    sys::UniqueFd receive_master();

private:
    sys::UniqueFd parent_, child_;
};

// Blocks every signal, so none is lost between starting the container and
// wait_for() (they are then read from a signalfd and forwarded).
void block_signals();

// Forwards signals to `pid` (not SIGCHLD, SIGWINCH, SIGURG), proxies the pty
// when the console is active, reaps children (the runtime is a subreaper),
// and returns the init's exit status, or 128+signal.
int wait_for(pid_t pid, Console& console);

}  // namespace rt::foreground
