// Child-side status and reporting: no allocation, no exceptions.
//
// A Status is an errno plus two borrowed C strings: the operation (a literal)
// and the object (owned by the plan). child_main() turns the first failed
// Status into one Error message to the parent and _exit(1)s.
#pragma once

namespace rt::child {

struct Status {
    int errnum = 0;
    const char* op = nullptr;
    const char* object = nullptr;
    const char* detail = nullptr;  // optional extra text, e.g. "executable file not found in $PATH"
    bool ok() const noexcept { return op == nullptr; }
};

inline Status ok() noexcept { return {}; }
// Captures errno now.
Status fail(const char* op, const char* object = nullptr) noexcept;
Status fail_with(int errnum, const char* op, const char* object = nullptr,
                 const char* detail = nullptr) noexcept;

// Messages to the parent over the SEQPACKET socket set by set_report_socket().
// Debug records are only sent when the runtime runs with --debug.
void set_report_socket(int fd, bool debug) noexcept;
void log_debug(const char* fmt, ...) noexcept __attribute__((format(printf, 1, 2)));
void log_warning(const char* fmt, ...) noexcept __attribute__((format(printf, 1, 2)));
[[noreturn]] void die(const Status& st) noexcept;
// Sends a message of the given type with an int value; returns false on failure.
bool send_msg(unsigned type, int value) noexcept;
// Waits for a message of the expected type; false on EOF/error/other type
// (or when it carries fds).
bool wait_msg(unsigned type) noexcept;
// wait_msg() for a message that may carry up to `cap` fds: returns how many
// came (stored in fds[]), or -1 as wait_msg's false (none kept open).
int wait_msg_fds(unsigned type, int* fds, int cap) noexcept;

}  // namespace rt::child
