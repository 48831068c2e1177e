#include "error.hpp"

#include <cstring>

namespace rt::sys {

static std::string with_errno(const std::string& message, int errnum) {
    if (errnum == 0) return message;
    return message + ": " + std::strerror(errnum);
}

Error::Error(ErrorKind kind, int errnum, const std::string& message)
    : std::runtime_error(with_errno(message, errnum)), kind_(kind), errnum_(errnum) {}

}  // namespace rt::sys
