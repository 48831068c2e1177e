// The one error type of the parent side (everything outside runtime/child/).
//
// Messages are lower-case, no trailing period, user values in backticks.
// errno text is appended once, by the constructor. `kind` plays the role of
// runc's sentinel errors: commands branch on it, never on the text. Phrases
// that containerd and dockerd string-match ("container does not exist",
// "container not running", ...) are produced in exactly one place each.
#pragma once

#include <cerrno>
#include <stdexcept>
#include <string>

#include "format.hpp"

namespace rt::sys {

enum class ErrorKind { generic, not_found, exists, bad_state, invalid_config, unsupported, usage };

class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, int errnum, const std::string& message);
    explicit Error(const std::string& message) : Error(ErrorKind::generic, 0, message) {}
    Error(ErrorKind kind, const std::string& message) : Error(kind, 0, message) {}

    ErrorKind kind() const noexcept { return kind_; }
    int errnum() const noexcept { return errnum_; }

private:
    ErrorKind kind_;
    int errnum_;
};

// Throws Error with the current errno, captured before formatting can clobber it.
template <typename... Args>
[[noreturn]] void throw_errno(const char* fmt, Args&&... args) {
    int e = errno;
    throw Error(ErrorKind::generic, e, format(fmt, std::forward<Args>(args)...));
}

// Returns ret when ret >= 0, otherwise throws with errno and context.
template <typename T, typename... Args>
T check_sys(T ret, const char* fmt, Args&&... args) {
    if (ret < 0) throw_errno(fmt, std::forward<Args>(args)...);
    return ret;
}

template <typename... Args>
[[noreturn]] void fail(ErrorKind kind, const char* fmt, Args&&... args) {
    throw Error(kind, 0, format(fmt, std::forward<Args>(args)...));
}

}  // namespace rt::sys
