// berth-systemd: berth's client of systemd's D-Bus API (protocol.hpp).
//
// berth is linked statically and cannot use libsystemd, so the systemd
// cgroup driver runs this small dynamic program for each call. It never
// prints anything but its one reply line; the caller adds the context.
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <exception>
#include <string>

#include "sdbus/bus.hpp"
#include "sdbus/protocol.hpp"

namespace {

// The request is one line; berth writes nothing after it but EOF.
bool read_line(std::string& out) {
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return !out.empty();
        out.append(buf, static_cast<size_t>(n));
        if (auto nl = out.find('\n'); nl != std::string::npos) {
            out.resize(nl);
            return true;
        }
        if (out.size() > (1u << 20)) return false;
    }
}

void wait_for_eof() {
    char buf[256];
    for (;;) {
        ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
        if (n == 0 || (n < 0 && errno != EINTR)) return;
    }
}

void reply(std::string line) {
    for (char& c : line)
        if (c == '\n' || c == '\r') c = ' ';
    line += '\n';
    // One write: the caller reads a line and may stop there.
    if (::write(STDOUT_FILENO, line.data(), line.size()) < 0) {
    }
}

// Returns the exit status; sets `hold` when the caller must keep us alive.
int run(const std::string& op, bool& hold) {
    std::string line;
    if (!read_line(line)) {
        reply("error bad request: no request line on stdin");
        return 2;
    }
    rt::sdbus::Request req = rt::sdbus::decode(line);
    rt::sdbus::Bus bus;
    if (op == "start-unit") {
        auto how = bus.start_unit(req);
        std::string cg = bus.control_group(req.unit);
        if (cg.empty()) throw std::runtime_error("start unit " + req.unit + ": systemd gave it no control group");
        reply((how == rt::sdbus::Bus::Started::existed ? "exists " : "ok ") + cg);
        hold = req.hold && how == rt::sdbus::Bus::Started::created;
    } else if (op == "set-properties") {
        bus.set_properties(req);
        reply("ok");
    } else if (op == "stop-unit") {
        bus.stop_unit(req.unit);
        reply("ok");
    } else {
        reply("error unknown operation `" + op + "`");
        return 2;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    ::signal(SIGPIPE, SIG_IGN);
    if (argc != 2) {
        std::fprintf(stderr, "usage: berth-systemd start-unit|set-properties|stop-unit < request-line\n");
        return 2;
    }
    bool hold = false;
    int status;
    try {
        status = run(argv[1], hold);  // the bus connection is closed on return
    } catch (const std::exception& e) {
        reply(std::string("error ") + e.what());
        return 1;
    }
    // Keep the scope populated until berth has moved the container into it;
    // EOF also comes when berth dies, and systemd then collects the empty scope.
    if (hold) wait_for_eof();
    return status;
}
