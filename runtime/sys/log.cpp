// logrus-compatible records (what runc 1.1.5 writes, and what containerd parses).
//
// JSON (logrus.JSONFormatter): keys sorted as Go's encoding/json sorts map keys,
// `{"level":"error","msg":"...","time":"2026-08-19T12:00:00Z"}`. Invalid UTF-8 in a
// message becomes U+FFFD, as encoding/json does, so every line stays decodable.
//
// Text (logrus.TextFormatter, no TTY): `time="..." level=error msg="..."`; a value
// is written bare when it only has [A-Za-z0-9-._/@^+], otherwise as Go's %q. An
// empty message drops the msg key, as logrus does.
//
// Records carry second precision, logrus' default time.RFC3339 format, in UTC.
#include "log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdint>
#include <ctime>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "error.hpp"

namespace rt::sys::log {

namespace {

int g_fd = STDERR_FILENO;
bool g_json = false;
bool g_debug = false;

const char* level_name(Level level) {
    switch (level) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warning: return "warning";
    case Level::error: return "error";
    }
    return "error";
}

// Decodes one UTF-8 sequence at s[i] with Go's rules (no overlongs, no surrogates,
// nothing above U+10FFFF). Returns the length, or 0 if the byte is invalid.
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

// Go's strconv.Quote (fmt %q).
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

bool needs_quoting(std::string_view s) {
    for (char c : s) {
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                           (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
                           c == '/' || c == '@' || c == '^' || c == '+';
        if (!plain) return true;
    }
    return false;
}

void append_kv(std::string& out, std::string_view key, std::string_view value) {
    if (!out.empty()) out += ' ';
    out += key;
    out += '=';
    if (needs_quoting(value)) out += go_quote(value);
    else out += value;
}

// encoding/json replaces invalid UTF-8 with U+FFFD.
std::string valid_utf8(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size();) {
        char32_t r;
        size_t n = utf8_decode(s, i, r);
        if (n == 0) {
            out += "\xef\xbf\xbd";
            i++;
        } else {
            out.append(s.substr(i, n));
            i += n;
        }
    }
    return out;
}

bool is_valid_utf8(std::string_view s) {
    for (size_t i = 0; i < s.size();) {
        char32_t r;
        size_t n = utf8_decode(s, i, r);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

// UTC calendar fields from the epoch, without gmtime_r: glibc's gmtime_r
// loads /etc/localtime on first use (tzset), three syscalls and a parse on
// every invocation for a zone it then ignores. Days-to-civil conversion of
// the proleptic Gregorian calendar (H. Hinnant's algorithm).
bool utc(const timespec& ts, std::tm& tm) {
    int64_t secs = ts.tv_sec;
    int64_t days = secs / 86400;
    int64_t rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        --days;
    }
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t doe = days - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t day = doy - (153 * mp + 2) / 5 + 1;
    int64_t month = mp < 10 ? mp + 3 : mp - 9;
    int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    if (year < 1 || year > 9999) return false;
    tm.tm_year = static_cast<int>(year - 1900);
    tm.tm_mon = static_cast<int>(month - 1);
    tm.tm_mday = static_cast<int>(day);
    tm.tm_hour = static_cast<int>(rem / 3600);
    tm.tm_min = static_cast<int>(rem % 3600 / 60);
    tm.tm_sec = static_cast<int>(rem % 60);
    return true;
}

}  // namespace

std::string rfc3339(const timespec& ts) {
    std::tm tm{};
    if (!utc(ts, tm)) return "0001-01-01T00:00:00Z";
    char buf[64];
    int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                          tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return std::string(buf, static_cast<size_t>(n));
}

std::string rfc3339_nano(const timespec& ts) {
    std::string s = rfc3339(ts);
    long ns = ts.tv_nsec;
    if (ns <= 0 || ns >= 1000000000L) return s;
    char frac[16];
    std::snprintf(frac, sizeof frac, ".%09ld", ns);
    std::string_view f = frac;
    while (f.back() == '0') f.remove_suffix(1);
    s.insert(s.size() - 1, f);
    return s;
}

std::string format_record(Level level, std::string_view msg, const timespec& ts, bool json) {
    const std::string time = rfc3339(ts);
    if (json) {
        std::string clean;
        if (!is_valid_utf8(msg)) {
            clean = valid_utf8(msg);
            msg = clean;
        }
        rapidjson::StringBuffer buf;
        rapidjson::Writer<rapidjson::StringBuffer> w(buf);
        w.StartObject();
        w.Key("level");
        w.String(level_name(level));
        w.Key("msg");
        w.String(msg.data(), static_cast<rapidjson::SizeType>(msg.size()));
        w.Key("time");
        w.String(time.data(), static_cast<rapidjson::SizeType>(time.size()));
        w.EndObject();
        std::string out(buf.GetString(), buf.GetSize());
        out += '\n';
        return out;
    }
    std::string out;
    out.reserve(msg.size() + 64);
    append_kv(out, "time", time);
    append_kv(out, "level", level_name(level));
    if (!msg.empty()) append_kv(out, "msg", msg);
    out += '\n';
    return out;
}

void init(const std::string& path, bool json, bool debug) {
    g_json = json;
    g_debug = debug;
    int fd = STDERR_FILENO;
    if (!path.empty()) {
        fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_APPEND | O_CLOEXEC, 0644);
        if (fd < 0) throw_errno("open %s", path);
    }
    if (g_fd != STDERR_FILENO && g_fd != fd) ::close(g_fd);
    g_fd = fd;
}

bool to_stderr() { return g_fd == STDERR_FILENO; }

bool debug_enabled() { return g_debug; }

void write(Level level, std::string_view msg) {
    if (level == Level::debug && !g_debug) return;
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    const std::string rec = format_record(level, msg, ts, g_json);
    // One write(2) per record: O_APPEND makes it atomic against other writers of
    // the same log.json. A short write (disk full) is not retried, so a record is
    // never split across two writes.
    const int saved = errno;
    ssize_t n;
    do {
        n = ::write(g_fd, rec.data(), rec.size());
    } while (n < 0 && errno == EINTR);
    errno = saved;
}

}  // namespace rt::sys::log
