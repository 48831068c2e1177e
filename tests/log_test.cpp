#include <doctest/doctest.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "sys/error.hpp"
#include "sys/log.hpp"
#include "sys/quote.hpp"

namespace lg = rt::sys::log;
using lg::Level;

namespace {

// 2026-08-19T12:00:00Z
constexpr time_t kNoon = 1787140800;

timespec at(time_t s, long ns = 0) {
    timespec ts{};
    ts.tv_sec = s;
    ts.tv_nsec = ns;
    return ts;
}

std::string read_file(const std::string& path) {
    std::string out;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    ::close(fd);
    return out;
}

struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/berth-log-test-XXXXXX";
        REQUIRE(::mkdtemp(tmpl) != nullptr);
        path = tmpl;
    }
    ~TempDir() {
        // Only plain files are created inside.
        if (DIR* d = ::opendir(path.c_str())) {
            while (dirent* e = ::readdir(d))
                if (e->d_name[0] != '.') ::unlink((path + "/" + e->d_name).c_str());
            ::closedir(d);
        }
        ::rmdir(path.c_str());
    }
};

// Leave the global logger as the other tests expect it: stderr, text, no debug.
struct ResetLog {
    ~ResetLog() { lg::init("", false, false); }
};

}  // namespace

TEST_CASE("log: rfc3339 in UTC with second precision") {
    CHECK(lg::rfc3339(at(kNoon)) == "2026-08-19T12:00:00Z");
    CHECK(lg::rfc3339(at(kNoon, 999999999)) == "2026-08-19T12:00:00Z");
    CHECK(lg::rfc3339(at(0)) == "1970-01-01T00:00:00Z");
    CHECK(lg::rfc3339(at(951782400 + 86399)) == "2000-02-29T23:59:59Z");
}

TEST_CASE("log: rfc3339_nano trims trailing zeros like Go's RFC3339Nano") {
    CHECK(lg::rfc3339_nano(at(kNoon)) == "2026-08-19T12:00:00Z");
    CHECK(lg::rfc3339_nano(at(kNoon, 123400000)) == "2026-08-19T12:00:00.1234Z");
    CHECK(lg::rfc3339_nano(at(kNoon, 123456789)) == "2026-08-19T12:00:00.123456789Z");
    CHECK(lg::rfc3339_nano(at(kNoon, 1)) == "2026-08-19T12:00:00.000000001Z");
    CHECK(lg::rfc3339_nano(at(kNoon, 500000000)) == "2026-08-19T12:00:00.5Z");
    CHECK(lg::rfc3339_nano(at(kNoon, 10)) == "2026-08-19T12:00:00.00000001Z");
}

TEST_CASE("log: json record bytes, keys level/msg/time") {
    CHECK(lg::format_record(Level::error, "container does not exist", at(kNoon), true) ==
          "{\"level\":\"error\",\"msg\":\"container does not exist\",\"time\":\"2026-08-19T12:00:00Z\"}\n");
    CHECK(lg::format_record(Level::debug, "x", at(kNoon, 5), true) ==
          "{\"level\":\"debug\",\"msg\":\"x\",\"time\":\"2026-08-19T12:00:00Z\"}\n");
    CHECK(lg::format_record(Level::info, "", at(kNoon), true) ==
          "{\"level\":\"info\",\"msg\":\"\",\"time\":\"2026-08-19T12:00:00Z\"}\n");
    CHECK(lg::format_record(Level::warning, "w", at(kNoon), true) ==
          "{\"level\":\"warning\",\"msg\":\"w\",\"time\":\"2026-08-19T12:00:00Z\"}\n");
}

TEST_CASE("log: json escaping of quotes, backslashes, control chars and unicode") {
    CHECK(lg::format_record(Level::error, "exec: \"nosuchcmd\": executable file not found in $PATH",
                             at(kNoon), true) ==
          "{\"level\":\"error\",\"msg\":\"exec: \\\"nosuchcmd\\\": executable file not found in "
          "$PATH\",\"time\":\"2026-08-19T12:00:00Z\"}\n");
    CHECK(lg::format_record(Level::error, "a\\b\nc\td\x01", at(kNoon), true) ==
          "{\"level\":\"error\",\"msg\":\"a\\\\b\\nc\\td\\u0001\",\"time\":\"2026-08-19T12:00:00Z\"}\n");
    // Valid UTF-8 is kept as is.
    CHECK(lg::format_record(Level::error, "caf\xc3\xa9 \xe2\x9c\x93", at(kNoon), true) ==
          "{\"level\":\"error\",\"msg\":\"caf\xc3\xa9 \xe2\x9c\x93\",\"time\":\"2026-08-19T12:00:00Z\"}\n");
    // Invalid UTF-8 becomes U+FFFD, as Go's encoding/json does.
    CHECK(lg::format_record(Level::error, std::string_view("bad\xff\xc3", 5), at(kNoon), true) ==
          "{\"level\":\"error\",\"msg\":\"bad\xef\xbf\xbd\xef\xbf\xbd\",\"time\":\"2026-08-19T12:00:00Z\"}\n");
    // An embedded NUL is escaped, not a terminator.
    CHECK(lg::format_record(Level::error, std::string_view("a\0b", 3), at(kNoon), true) ==
          "{\"level\":\"error\",\"msg\":\"a\\u0000b\",\"time\":\"2026-08-19T12:00:00Z\"}\n");
}

TEST_CASE("log: text record like logrus TextFormatter") {
    CHECK(lg::format_record(Level::error, "container does not exist", at(kNoon), false) ==
          "time=\"2026-08-19T12:00:00Z\" level=error msg=\"container does not exist\"\n");
    // Bare value when it needs no quoting, as logrus does.
    CHECK(lg::format_record(Level::info, "ok", at(kNoon), false) ==
          "time=\"2026-08-19T12:00:00Z\" level=info msg=ok\n");
    CHECK(lg::format_record(Level::warning, "a/b-c.d_e@f^g+h", at(kNoon), false) ==
          "time=\"2026-08-19T12:00:00Z\" level=warning msg=a/b-c.d_e@f^g+h\n");
    // Empty messages drop the msg key.
    CHECK(lg::format_record(Level::debug, "", at(kNoon), false) ==
          "time=\"2026-08-19T12:00:00Z\" level=debug\n");
}

TEST_CASE("log: text escaping follows Go's %q") {
    // As runc 1.1.5 writes it: msg="runc: \"create\" requires exactly 1 argument(s)"
    CHECK(lg::format_record(Level::error, "\"create\" requires exactly 1 argument(s)", at(kNoon),
                             false) ==
          "time=\"2026-08-19T12:00:00Z\" level=error msg=\"\\\"create\\\" requires exactly 1 "
          "argument(s)\"\n");
    CHECK(lg::format_record(Level::error, "No help topic for 'foo'\n", at(kNoon), false) ==
          "time=\"2026-08-19T12:00:00Z\" level=error msg=\"No help topic for 'foo'\\n\"\n");
    CHECK(lg::format_record(Level::error, "a\\b\tc\rd\x01\x7f", at(kNoon), false) ==
          "time=\"2026-08-19T12:00:00Z\" level=error msg=\"a\\\\b\\tc\\rd\\x01\\x7f\"\n");
    // Printable unicode stays, invalid bytes become \x.., non-printable runes \u....
    CHECK(lg::format_record(Level::error, "caf\xc3\xa9", at(kNoon), false) ==
          "time=\"2026-08-19T12:00:00Z\" level=error msg=\"caf\xc3\xa9\"\n");
    CHECK(lg::format_record(Level::error, std::string_view("x\xff", 2), at(kNoon), false) ==
          "time=\"2026-08-19T12:00:00Z\" level=error msg=\"x\\xff\"\n");
    CHECK(lg::format_record(Level::error, "a\xe2\x80\xa8" "b", at(kNoon), false) ==
          "time=\"2026-08-19T12:00:00Z\" level=error msg=\"a\\u2028b\"\n");
    CHECK(lg::format_record(Level::error, "\xc2\x85", at(kNoon), false) ==
          "time=\"2026-08-19T12:00:00Z\" level=error msg=\"\\u0085\"\n");
    CHECK(lg::format_record(Level::error, "\xf3\xb0\x80\x80", at(kNoon), false) ==
          "time=\"2026-08-19T12:00:00Z\" level=error msg=\"\\U000f0000\"\n");
    // Surrogates encoded in UTF-8 are invalid, byte by byte.
    CHECK(lg::format_record(Level::error, "\xed\xa0\x80", at(kNoon), false) ==
          "time=\"2026-08-19T12:00:00Z\" level=error msg=\"\\xed\\xa0\\x80\"\n");
}

TEST_CASE("log: init appends one record per line, json") {
    ResetLog reset;
    TempDir dir;
    const std::string path = dir.path + "/log.json";
    {
        int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
        REQUIRE(fd >= 0);
        REQUIRE(::write(fd, "previous\n", 9) == 9);
        ::close(fd);
    }
    lg::init(path, true, false);
    CHECK_FALSE(lg::to_stderr());
    CHECK_FALSE(lg::debug_enabled());
    lg::error("first \"one\"");
    lg::debug("hidden");  // no --debug
    lg::write(Level::debug, "hidden too");
    lg::warn("second\nline");
    lg::info("third");

    std::string data = read_file(path);
    REQUIRE(data.rfind("previous\n", 0) == 0);
    std::string rest = data.substr(9);
    int lines = 0;
    size_t pos = 0;
    std::string line[3];
    while (pos < rest.size()) {
        size_t nl = rest.find('\n', pos);
        REQUIRE(nl != std::string::npos);
        if (lines < 3) line[lines] = rest.substr(pos, nl - pos);
        lines++;
        pos = nl + 1;
    }
    CHECK(lines == 3);
    CHECK(line[0].rfind("{\"level\":\"error\",\"msg\":\"first \\\"one\\\"\",\"time\":\"", 0) == 0);
    CHECK(line[1].rfind("{\"level\":\"warning\",\"msg\":\"second\\nline\",\"time\":\"", 0) == 0);
    CHECK(line[2].rfind("{\"level\":\"info\",\"msg\":\"third\",\"time\":\"", 0) == 0);
    for (const auto& l : line) {
        // "time":"YYYY-MM-DDTHH:MM:SSZ"}
        REQUIRE(l.size() > 24);
        CHECK(l.substr(l.size() - 2) == "\"}");
        CHECK(l[l.size() - 3] == 'Z');
        CHECK(l[l.size() - 12] == 'T');
    }

    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);  // existing file: mode untouched
}

TEST_CASE("log: init creates the file 0644, text format, debug records with --debug") {
    ResetLog reset;
    TempDir dir;
    const std::string path = dir.path + "/runtime.log";
    mode_t old = ::umask(022);
    lg::init(path, false, true);
    ::umask(old);
    CHECK(lg::debug_enabled());
    lg::debug("clone3 flags=NEWNS");
    lg::error("boom");
    std::string data = read_file(path);
    CHECK(data.find(" level=debug msg=\"clone3 flags=NEWNS\"\n") != std::string::npos);
    CHECK(data.find(" level=error msg=boom\n") != std::string::npos);
    CHECK(data.rfind("time=\"", 0) == 0);

    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0644);

    int fd_flags = 0;
    // The log fd must not leak into containers: find it through /proc/self/fd.
    for (int fd = 3; fd < 1024; fd++) {
        char link[64], target[4096];
        std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        ssize_t n = ::readlink(link, target, sizeof target - 1);
        if (n <= 0) continue;
        target[n] = 0;
        if (path == target) {
            fd_flags = ::fcntl(fd, F_GETFD);
            int fl = ::fcntl(fd, F_GETFL);
            CHECK((fl & O_APPEND) != 0);
            break;
        }
    }
    CHECK((fd_flags & FD_CLOEXEC) != 0);
}

TEST_CASE("log: init fails like runc when the directory is missing") {
    ResetLog reset;
    TempDir dir;
    const std::string path = dir.path + "/missing/log.json";
    try {
        lg::init(path, true, false);
        FAIL("not thrown");
    } catch (const rt::sys::Error& e) {
        CHECK(e.errnum() == ENOENT);
        CHECK(std::string(e.what()) == "open " + path + ": No such file or directory");
    }
}

TEST_CASE("log: empty path means stderr") {
    ResetLog reset;
    lg::init("", true, false);
    CHECK(lg::to_stderr());
}

TEST_CASE("log: UTC conversion agrees with gmtime_r across the calendar") {
    // Leap years, century rules, month ends, the epoch and before it.
    for (time_t t : {0L, -1L, 86399L, 951782400L /*2000-02-29*/, 4107542399L /*2100-02-28T23:59:59*/,
                     1798761600L, 253402300799L /*9999-12-31T23:59:59*/, 1234567890L}) {
        std::tm tm{};
        gmtime_r(&t, &tm);
        char want[64];
        std::snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                      tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        timespec ts{t, 0};
        if (tm.tm_year + 1900 >= 1) CHECK(rt::sys::log::rfc3339(ts) == want);
    }
    for (time_t t = 0; t < 200L * 365 * 86400; t += 86400 * 7 + 3601) {
        std::tm tm{};
        gmtime_r(&t, &tm);
        char want[64];
        std::snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                      tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        REQUIRE(rt::sys::log::rfc3339(timespec{t, 0}) == want);
    }
}

TEST_CASE("quote: Go's strconv.Quote") {
    using rt::sys::go_quote;
    CHECK(go_quote("plain") == "\"plain\"");
    CHECK(go_quote("a\"b\\c") == "\"a\\\"b\\\\c\"");
    CHECK(go_quote("\a\b\f\n\r\t\v\x01\x7f") == "\"\\a\\b\\f\\n\\r\\t\\v\\x01\\x7f\"");
    CHECK(go_quote("caf\xc3\xa9 \xe2\x9c\x93") == "\"caf\xc3\xa9 \xe2\x9c\x93\"");
    CHECK(go_quote(std::string_view("\xff\xc3", 2)) == "\"\\xff\\xc3\"");
    CHECK(go_quote("\xe2\x80\x8b") == "\"\\u200b\"");  // zero width space: not printable
}
