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
#include "quote.hpp"

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
