// printf-style formatting into std::string (GCC 12 has no <format> in C++20)
// and into fixed buffers for the child, which must not allocate.
#pragma once

#include <cstdio>
#include <string>
#include <type_traits>
#include <utility>

namespace rt::sys {

namespace detail {
inline const char* arg(const std::string& s) { return s.c_str(); }
template <typename T>
T arg(T v) requires std::is_arithmetic_v<T> || std::is_pointer_v<T> || std::is_enum_v<T> {
    return v;
}
}  // namespace detail

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#pragma GCC diagnostic ignored "-Wformat-security"
template <typename... Args>
std::string format(const char* fmt, const Args&... args) {
    if constexpr (sizeof...(Args) == 0) {
        return fmt;
    } else {
        char small[256];
        int n = std::snprintf(small, sizeof small, fmt, detail::arg(args)...);
        if (n < 0) return fmt;
        if (static_cast<size_t>(n) < sizeof small) return std::string(small, static_cast<size_t>(n));
        std::string out(static_cast<size_t>(n) + 1, '\0');
        std::snprintf(out.data(), out.size(), fmt, detail::arg(args)...);
        out.resize(static_cast<size_t>(n));
        return out;
    }
}
#pragma GCC diagnostic pop

}  // namespace rt::sys
