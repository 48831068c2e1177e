// Go's string quoting, shared by the log records (logrus text format) and
// the usage errors that repeat runc's (Go's flag and strconv messages).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace rt::sys {

// Decodes one UTF-8 sequence at s[i] with Go's rules (no overlongs, no surrogates,
// nothing above U+10FFFF). Returns the length, or 0 if the byte is invalid.
size_t utf8_decode(std::string_view s, size_t i, char32_t& r);

// Go's strconv.Quote (fmt %q): printable runes as they are, escapes for the
// rest, \xNN for bytes that are not UTF-8.
std::string go_quote(std::string_view s);

}  // namespace rt::sys
