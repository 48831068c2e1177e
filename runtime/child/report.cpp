#include "child/report.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>

#include "protocol.hpp"
#include "sys/log.hpp"
#include "sys/unix_socket.hpp"

namespace rt::child {

static int report_fd = -1;
static bool report_debug = false;

Status fail(const char* op, const char* object) noexcept { return fail_with(errno, op, object); }

Status fail_with(int errnum, const char* op, const char* object, const char* detail) noexcept {
    return Status{errnum, op, object, detail};
}

void set_report_socket(int fd, bool debug) noexcept {
    report_fd = fd;
    report_debug = debug;
}

static void send_text(proto::Msg type, int value, const char* text) noexcept {
    proto::Message m{};
    m.type = type;
    m.value = value;
    std::snprintf(m.text, sizeof m.text, "%s", text);
    // SEQPACKET: one message, one send. The parent may be gone on error paths.
    (void)::send(report_fd, &m, sizeof m, MSG_NOSIGNAL);
}

static void vlog(sys::log::Level level, const char* fmt, va_list ap) noexcept {
    char buf[sizeof(proto::Message::text)];
    std::vsnprintf(buf, sizeof buf, fmt, ap);
    send_text(proto::Msg::log, static_cast<int>(level), buf);
}

void log_debug(const char* fmt, ...) noexcept {
    if (!report_debug) return;
    va_list ap;
    va_start(ap, fmt);
    vlog(sys::log::Level::debug, fmt, ap);
    va_end(ap);
}

void log_warning(const char* fmt, ...) noexcept {
    va_list ap;
    va_start(ap, fmt);
    vlog(sys::log::Level::warning, fmt, ap);
    va_end(ap);
}

void die(const Status& st) noexcept {
    char buf[sizeof(proto::Message::text)];
    if (st.detail != nullptr && st.object != nullptr)
        std::snprintf(buf, sizeof buf, "%s: \"%s\": %s", st.op, st.object, st.detail);
    else if (st.object != nullptr)
        std::snprintf(buf, sizeof buf, "%s %s", st.op, st.object);
    else
        std::snprintf(buf, sizeof buf, "%s", st.op);
    send_text(proto::Msg::error, st.errnum, buf);
    ::_exit(1);
}

bool send_msg(unsigned type, int value) noexcept {
    proto::Message m{};
    m.type = static_cast<proto::Msg>(type);
    m.value = value;
    return ::send(report_fd, &m, sizeof m, MSG_NOSIGNAL) == static_cast<ssize_t>(sizeof m);
}

int wait_msg_fds(unsigned type, int* fds, int cap) noexcept {
    proto::Message m;
    size_t len = 0;
    int n = sys::recv_fds(report_fd, &m, sizeof m, &len, fds, static_cast<size_t>(cap));
    if (n < 0) return -1;
    if (len != sizeof m || m.type != static_cast<proto::Msg>(type)) {
        for (int i = 0; i < n; ++i) ::close(fds[i]);
        return -1;
    }
    return n;
}

bool wait_msg(unsigned type) noexcept { return wait_msg_fds(type, nullptr, 0) == 0; }

}  // namespace rt::child
