#include "quote.hpp"

namespace rt::sys {

namespace {

// Approximation of Go's unicode.IsPrint for non-ASCII runes: the C1 controls,
// the non-ASCII spaces, format characters commonly met, private use and
// noncharacters are "not printable"; everything else is taken as printable.
bool is_print(char32_t r) {
    if (r < 0x80) return r >= 0x20 && r < 0x7f;
    if (r <= 0xa0 || r == 0xad) return false;
    if ((r >= 0x600 && r <= 0x605) || r == 0x61c || r == 0x6dd || r == 0x70f) return false;
    if (r == 0x1680 || r == 0x180e) return false;
    if ((r >= 0x2000 && r <= 0x200f) || (r >= 0x2028 && r <= 0x202f)) return false;
    if ((r >= 0x205f && r <= 0x2064) || (r >= 0x2066 && r <= 0x206f)) return false;
    if (r == 0x3000 || r == 0xfeff || (r >= 0xfff9 && r <= 0xfffb)) return false;
    if (r >= 0xe000 && r <= 0xf8ff) return false;
    if ((r & 0xfffe) == 0xfffe) return false;
    if (r >= 0xf0000) return false;
    return true;
}

}  // namespace

size_t utf8_decode(std::string_view s, size_t i, char32_t& r) {
    auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char c = b(i);
    if (c < 0x80) {
        r = c;
        return 1;
    }
    size_t n;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        r = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        r = c & 0x0f;
        if (c == 0xe0) lo = 0xa0;
        if (c == 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        r = c & 0x07;
        if (c == 0xf0) lo = 0x90;
        if (c == 0xf4) hi = 0x8f;
    } else {
        return 0;
    }
    if (i + n > s.size()) return 0;
    for (size_t k = 1; k < n; k++) {
        const unsigned char cc = b(i + k);
        if (k == 1 ? (cc < lo || cc > hi) : (cc < 0x80 || cc > 0xbf)) return 0;
        r = (r << 6) | (cc & 0x3f);
    }
    return n;
}

std::string go_quote(std::string_view s) {
    static const char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(s.size() + 2);
    out += '"';
    for (size_t i = 0; i < s.size();) {
        char32_t r;
        size_t n = utf8_decode(s, i, r);
        if (n == 0) {
            const unsigned char c = static_cast<unsigned char>(s[i]);
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 0xf];
            i++;
            continue;
        }
        if (r == '"' || r == '\\') {
            out += '\\';
            out += static_cast<char>(r);
        } else if (is_print(r)) {
            out.append(s.substr(i, n));
        } else {
            switch (r) {
            case '\a': out += "\\a"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '\v': out += "\\v"; break;
            default:
                if (r < 0x20 || r == 0x7f) {
                    out += "\\x";
                    out += hex[(r >> 4) & 0xf];
                    out += hex[r & 0xf];
                } else {
                    const int digits = r < 0x10000 ? 4 : 8;
                    out += digits == 4 ? "\\u" : "\\U";
                    for (int k = digits - 1; k >= 0; k--) out += hex[(r >> (4 * k)) & 0xf];
                }
            }
        }
        i += n;
    }
    out += '"';
    return out;
}

}  // namespace rt::sys
