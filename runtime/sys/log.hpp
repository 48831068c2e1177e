// Logging for containerd/dockerd: `--log FILE`, `--log-format text|json`, `--debug`.
//
// JSON: one {"level","msg","time"} object per line, RFC3339 time, one
// write(2) per record so concurrent invocations sharing log.json never
// interleave. Text: logrus-like `time="..." level=error msg="..."`.
// Errors are logged once, in main.cpp.
#pragma once

#include <ctime>
#include <string>
#include <string_view>

namespace rt::sys::log {

enum class Level { debug, info, warning, error };

// Opens the log (O_CREAT|O_WRONLY|O_APPEND|O_CLOEXEC, 0644); empty path: stderr.
// Throws rt::sys::Error when the file cannot be opened.
void init(const std::string& path, bool json, bool debug);
bool to_stderr();  // true when the log is stderr (so fatal errors are not echoed twice)
bool debug_enabled();
void write(Level level, std::string_view msg);

inline void debug(std::string_view m) { if (debug_enabled()) write(Level::debug, m); }
inline void info(std::string_view m) { write(Level::info, m); }
inline void warn(std::string_view m) { write(Level::warning, m); }
inline void error(std::string_view m) { write(Level::error, m); }

// Pure helpers (unit-tested): one formatted record including the newline,
// and RFC3339 UTC times ("2026-08-19T12:00:00Z", nano: "...:00.123456789Z").
std::string format_record(Level level, std::string_view msg, const timespec& ts, bool json);
std::string rfc3339(const timespec& ts);
std::string rfc3339_nano(const timespec& ts);

}  // namespace rt::sys::log
