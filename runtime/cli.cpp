// runc 1.1.5-compatible argument parsing (urfave/cli v1 on top of Go's flag package).
//
// Flag syntax is Go's `flag.FlagSet.parseOne`: `-name`, `--name`, `-name=value`,
// `--name value` (a value flag always consumes the next argument, even one starting
// with `-`), bool flags take only the `=value` form, `--` ends the flags. The error
// texts are Go's, because scripts and tests compare them:
//   flag provided but not defined: -x
//   flag needs an argument: -bundle
//   invalid value "abc" for flag -preserve-fds: parse error
//   invalid boolean value "maybe" for -debug: parse error
//   bad flag syntax: ---x
//
// Positionals: urfave v1 "reorders" arguments so that a *known* flag placed after a
// positional is still parsed (`runc delete id --force` works in runc 1.1.5);
// unknown dash-words after a positional stay positional. `exec`, `ps` and `kill`
// stop at the first positional, so everything after the container id belongs to
// the command (`exec id sh -c x`, `ps id -ef`, `kill id 9`). We follow both,
// without reproducing the reorder bug where a bool flag swallows the next positional.
#include "cli.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <functional>
#include <span>

#include "sys/error.hpp"
#include "sys/quote.hpp"

namespace rt::cli {

namespace {

using rt::sys::Error;
using rt::sys::ErrorKind;
using rt::sys::go_quote;

[[noreturn]] void usage(const std::string& msg) { throw Error(ErrorKind::usage, msg); }

// ---------------------------------------------------------------------------
// Go strconv, exactly enough to accept and reject what runc does.

enum class NumErr { ok, syntax, range };

char lower(char c) { return static_cast<char>(c | ('x' - 'X')); }

bool underscore_ok(std::string_view s) {
    char saw = '^';
    size_t i = 0;
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
    bool hex = false;
    if (s.size() >= 2 && s[0] == '0' &&
        (lower(s[1]) == 'b' || lower(s[1]) == 'o' || lower(s[1]) == 'x')) {
        i = 2;
        saw = '0';
        hex = lower(s[1]) == 'x';
    }
    for (; i < s.size(); i++) {
        char c = s[i];
        if ((c >= '0' && c <= '9') || (hex && lower(c) >= 'a' && lower(c) <= 'f')) {
            saw = '0';
            continue;
        }
        if (c == '_') {
            if (saw != '0') return false;
            saw = '_';
            continue;
        }
        if (saw == '_') return false;
        saw = '!';
    }
    return saw != '_';
}

// strconv.ParseUint(s, base, 64) with base 0 (prefixes, underscores) or 10.
NumErr parse_uint(std::string_view s, int base, uint64_t& out) {
    out = 0;
    if (s.empty()) return NumErr::syntax;
    const bool base0 = base == 0;
    const std::string_view s0 = s;
    if (base0) {
        base = 10;
        if (s[0] == '0') {
            if (s.size() >= 3 && lower(s[1]) == 'b') {
                base = 2;
                s.remove_prefix(2);
            } else if (s.size() >= 3 && lower(s[1]) == 'o') {
                base = 8;
                s.remove_prefix(2);
            } else if (s.size() >= 3 && lower(s[1]) == 'x') {
                base = 16;
                s.remove_prefix(2);
            } else {
                base = 8;
                s.remove_prefix(1);
            }
        }
    }
    bool underscores = false;
    uint64_t n = 0;
    const uint64_t cutoff = UINT64_MAX / static_cast<uint64_t>(base) + 1;
    for (char c : s) {
        unsigned d;
        if (c == '_' && base0) {
            underscores = true;
            continue;
        } else if (c >= '0' && c <= '9') {
            d = static_cast<unsigned>(c - '0');
        } else if (lower(c) >= 'a' && lower(c) <= 'z') {
            d = static_cast<unsigned>(lower(c) - 'a' + 10);
        } else {
            return NumErr::syntax;
        }
        if (d >= static_cast<unsigned>(base)) return NumErr::syntax;
        if (n >= cutoff) return NumErr::range;
        n *= static_cast<uint64_t>(base);
        uint64_t n1 = n + d;
        if (n1 < n) return NumErr::range;
        n = n1;
    }
    if (underscores && !underscore_ok(s0)) return NumErr::syntax;
    out = n;
    return NumErr::ok;
}

// strconv.ParseInt(s, base, 64).
NumErr parse_int(std::string_view s, int base, int64_t& out) {
    out = 0;
    if (s.empty()) return NumErr::syntax;
    bool neg = false;
    std::string_view body = s;
    if (body[0] == '+' || body[0] == '-') {
        neg = body[0] == '-';
        body.remove_prefix(1);
    }
    uint64_t un = 0;
    NumErr e = parse_uint(body, base, un);
    if (e == NumErr::syntax) return e;
    // underscore_ok saw only the body; Go checks the signed string, same result.
    const uint64_t cutoff = uint64_t{1} << 63;
    if (e == NumErr::range || (!neg && un >= cutoff) || (neg && un > cutoff)) return NumErr::range;
    out = neg ? static_cast<int64_t>(0 - un) : static_cast<int64_t>(un);
    return NumErr::ok;
}

const char* flag_err(NumErr e) { return e == NumErr::range ? "value out of range" : "parse error"; }

std::string strconv_err(const char* fn, std::string_view s, NumErr e) {
    return std::string("strconv.") + fn + ": parsing " + go_quote(s) + ": " +
           (e == NumErr::range ? "value out of range" : "invalid syntax");
}

// strconv.ParseBool.
bool parse_bool(std::string_view s, bool& out) {
    if (s == "1" || s == "t" || s == "T" || s == "TRUE" || s == "true" || s == "True") {
        out = true;
        return true;
    }
    if (s == "0" || s == "f" || s == "F" || s == "FALSE" || s == "false" || s == "False") {
        out = false;
        return true;
    }
    return false;
}

[[noreturn]] void bad_value(std::string_view name, std::string_view value, const char* why) {
    usage("invalid value " + go_quote(value) + " for flag -" + std::string(name) + ": " + why);
}

// time.ParseDuration -> nanoseconds. Returns an error text (empty on success).
std::string parse_duration_ns(std::string_view orig, int64_t& out) {
    const std::string invalid = "time: invalid duration " + go_quote(orig);
    std::string_view s = orig;
    out = 0;
    uint64_t d = 0;
    bool neg = false;
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        s.remove_prefix(1);
    }
    if (s == "0") return {};
    if (s.empty()) return invalid;
    constexpr uint64_t limit = uint64_t{1} << 63;
    while (!s.empty()) {
        if (!(s[0] == '.' || (s[0] >= '0' && s[0] <= '9'))) return invalid;
        // [0-9]*
        uint64_t v = 0;
        size_t i = 0;
        for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; i++) {
            if (v > limit / 10) return invalid;
            v = v * 10 + static_cast<uint64_t>(s[i] - '0');
            if (v > limit) return invalid;
        }
        const bool pre = i != 0;
        s.remove_prefix(i);
        // (\.[0-9]*)?
        uint64_t f = 0;
        double scale = 1;
        bool post = false;
        if (!s.empty() && s[0] == '.') {
            s.remove_prefix(1);
            bool overflow = false;
            for (i = 0; i < s.size() && s[i] >= '0' && s[i] <= '9'; i++) {
                if (overflow) continue;
                if (f > (limit - 1) / 10) {
                    overflow = true;
                    continue;
                }
                uint64_t y = f * 10 + static_cast<uint64_t>(s[i] - '0');
                if (y > limit) {
                    overflow = true;
                    continue;
                }
                f = y;
                scale *= 10;
            }
            post = i != 0;
            s.remove_prefix(i);
        }
        if (!pre && !post) return invalid;
        // unit: everything up to the next [0-9.]
        for (i = 0; i < s.size() && s[i] != '.' && !(s[i] >= '0' && s[i] <= '9'); i++) {
        }
        if (i == 0) return "time: missing unit in duration " + go_quote(orig);
        std::string_view u = s.substr(0, i);
        s.remove_prefix(i);
        uint64_t unit;
        if (u == "ns") unit = 1;
        else if (u == "us" || u == "\xc2\xb5s" || u == "\xce\xbcs") unit = 1000;
        else if (u == "ms") unit = 1000000;
        else if (u == "s") unit = 1000000000;
        else if (u == "m") unit = 60 * uint64_t{1000000000};
        else if (u == "h") unit = 3600 * uint64_t{1000000000};
        else return "time: unknown unit " + go_quote(u) + " in duration " + go_quote(orig);
        if (v > limit / unit) return invalid;
        v *= unit;
        if (f > 0) {
            v += static_cast<uint64_t>(static_cast<double>(f) * (static_cast<double>(unit) / scale));
            if (v > limit) return invalid;
        }
        d += v;
        if (d > limit) return invalid;
    }
    if (neg) {
        out = d == limit ? INT64_MIN : -static_cast<int64_t>(d);
        return {};
    }
    if (d > limit - 1) return invalid;
    out = static_cast<int64_t>(d);
    return {};
}

// github.com/docker/go-units RAMInBytes (v0.5): "64m", "1.5GiB", "512 kb", "100".
std::string ram_in_bytes(std::string_view str, int64_t& out) {
    const std::string bad_size = "invalid size: '" + std::string(str) + "'";
    size_t sep = str.find_last_of("01234567890. ");
    if (sep == std::string_view::npos) return bad_size;
    std::string_view num, sfx;
    if (str[sep] != ' ') {
        num = str.substr(0, sep + 1);
        sfx = str.substr(sep + 1);
    } else {
        num = str.substr(0, sep);
        sfx = str.substr(sep + 1);
    }
    // strconv.ParseFloat on decimal input; strtod alone would also take hex and "inf".
    const std::string float_err = "strconv.ParseFloat: parsing " + go_quote(num) + ": ";
    if (num.empty() || num.find_first_not_of("0123456789.eE+-") != std::string_view::npos)
        return float_err + "invalid syntax";
    std::string n(num);
    errno = 0;
    char* end = nullptr;
    double size = std::strtod(n.c_str(), &end);
    if (end != n.c_str() + n.size()) return float_err + "invalid syntax";
    if (errno == ERANGE) return float_err + "value out of range";
    if (size < 0) return bad_size;
    if (!sfx.empty()) {
        std::string lsfx;
        for (char c : sfx) lsfx += lower(c);
        double mul = 0;
        bool ok = lsfx.size() <= 3;
        if (ok && lsfx[0] == 'b') {
            ok = lsfx.size() == 1;
            mul = 1;
        } else if (ok) {
            switch (lsfx[0]) {
            case 'k': mul = 1024.0; break;
            case 'm': mul = 1024.0 * 1024; break;
            case 'g': mul = 1024.0 * 1024 * 1024; break;
            case 't': mul = 1024.0 * 1024 * 1024 * 1024; break;
            case 'p': mul = 1024.0 * 1024 * 1024 * 1024 * 1024; break;
            default: ok = false;
            }
            if ((lsfx.size() == 2 && lsfx[1] != 'b') || (lsfx.size() == 3 && lsfx.substr(1) != "ib"))
                ok = false;
        }
        if (!ok) return "invalid suffix: '" + std::string(sfx) + "'";
        size *= mul;
    }
    if (size >= 9223372036854775808.0) return bad_size;
    out = static_cast<int64_t>(size);
    return {};
}

// ---------------------------------------------------------------------------
// Paths: Go's filepath.Abs (join with cwd, then Clean).

std::string clean_abs(std::string_view p) {
    std::vector<std::string_view> parts;
    size_t i = 0;
    while (i <= p.size()) {
        size_t j = p.find('/', i);
        if (j == std::string_view::npos) j = p.size();
        std::string_view part = p.substr(i, j - i);
        if (part == "..") {
            if (!parts.empty()) parts.pop_back();
        } else if (!part.empty() && part != ".") {
            parts.push_back(part);
        }
        i = j + 1;
    }
    std::string out;
    for (auto part : parts) {
        out += '/';
        out += part;
    }
    return out.empty() ? "/" : out;
}

std::string absolute(std::string_view p) {
    if (!p.empty() && p[0] == '/') return clean_abs(p);
    char buf[PATH_MAX];
    if (!::getcwd(buf, sizeof buf)) rt::sys::throw_errno("getcwd");
    std::string joined = buf;
    joined += '/';
    joined += p;
    return clean_abs(joined);
}

// ---------------------------------------------------------------------------
// The flag parser.

using Setter = std::function<void(std::string_view /*typed name*/, std::string_view /*value*/)>;

struct FlagDef {
    std::string_view name;
    std::string_view alias;  // empty: none
    bool* boolean = nullptr;  // set: bool flag
    Setter set = {};          // value flag
};

enum class Mode { reorder, stop_at_positional };

Setter str(std::string& dst) {
    return [&dst](std::string_view, std::string_view v) { dst = v; };
}
Setter str_list(std::vector<std::string>& dst) {
    return [&dst](std::string_view, std::string_view v) { dst.emplace_back(v); };
}
Setter opt_str(std::optional<std::string>& dst) {
    return [&dst](std::string_view, std::string_view v) { dst = std::string(v); };
}
// cli.UintFlag -> int.
Setter uint_as_int(int& dst) {
    return [&dst](std::string_view name, std::string_view v) {
        uint64_t n = 0;
        NumErr e = parse_uint(v, 0, n);
        if (e == NumErr::ok && n > static_cast<uint64_t>(INT_MAX)) e = NumErr::range;
        if (e != NumErr::ok) bad_value(name, v, flag_err(e));
        dst = static_cast<int>(n);
    };
}

const FlagDef* find_flag(std::span<const FlagDef> flags, std::string_view name) {
    for (const auto& f : flags)
        if (f.name == name || (!f.alias.empty() && f.alias == name)) return &f;
    return nullptr;
}

bool is_help(std::string_view name) { return name == "help" || name == "h"; }

// Returns the positionals. `help` is set by --help/-h (urfave's implicit help flag).
std::vector<std::string> parse_flags(std::span<const std::string_view> args,
                                     std::span<const FlagDef> flags, Mode mode, bool& help) {
    std::vector<std::string> pos;
    size_t i = 0;
    while (i < args.size()) {
        std::string_view s = args[i];
        if (s.size() < 2 || s[0] != '-') {
            if (mode == Mode::stop_at_positional) break;
            pos.emplace_back(s);
            i++;
            continue;
        }
        if (s == "--") {
            // Go's flag package eats the terminator; after a positional urfave's
            // reorder keeps it as an argument.
            if (pos.empty()) i++;
            break;
        }
        const size_t minuses = s[1] == '-' ? 2 : 1;
        std::string_view name = s.substr(minuses);
        std::string_view value;
        bool has_value = false;
        if (size_t eq = name.find('='); eq != std::string_view::npos && eq != 0) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
            has_value = true;
        }
        const FlagDef* def = nullptr;
        const bool bad_syntax = name.empty() || name[0] == '-' || name[0] == '=';
        if (!bad_syntax) def = find_flag(flags, name);
        if (!pos.empty() && (bad_syntax || (!def && !is_help(name)))) {
            pos.emplace_back(s);  // reorder mode: unknown dash-words are arguments
            i++;
            continue;
        }
        if (bad_syntax) usage("bad flag syntax: " + std::string(s));
        i++;
        if (!def) {
            if (!is_help(name)) usage("flag provided but not defined: -" + std::string(name));
            bool b = true;
            if (has_value && !parse_bool(value, b))
                usage("invalid boolean value " + go_quote(value) + " for -" + std::string(name) +
                      ": parse error");
            help = b;
            continue;
        }
        if (def->boolean) {
            bool b = true;
            if (has_value && !parse_bool(value, b))
                usage("invalid boolean value " + go_quote(value) + " for -" + std::string(name) +
                      ": parse error");
            *def->boolean = b;
            continue;
        }
        if (!has_value) {
            if (i >= args.size()) usage("flag needs an argument: -" + std::string(name));
            value = args[i++];
        }
        def->set(name, value);
    }
    for (; i < args.size(); i++) pos.emplace_back(args[i]);
    return pos;
}

enum class Count { exact, min, max };

void check_args(std::string_view cmd, size_t n, size_t expected, Count c) {
    const char* what = nullptr;
    if (c == Count::exact && n != expected) what = "exactly";
    if (c == Count::min && n < expected) what = "a minimum of";
    if (c == Count::max && n > expected) what = "a maximum of";
    if (what)
        usage("\"" + std::string(cmd) + "\" requires " + what + " " + std::to_string(expected) +
              " argument(s)");
}

bool known_command(std::string_view c) {
    static constexpr std::string_view names[] = {
        "create", "run",    "start",  "state",  "kill",   "delete",   "list", "ps",   "pause",
        "resume", "exec",   "update", "events", "features", "spec",   "help", "h"};
    for (auto n : names)
        if (n == c) return true;
    return false;
}

Invocation help_invocation(Invocation inv, std::string topic) {
    inv.command = "help";
    inv.options = HelpOptions{std::move(topic)};
    return inv;
}

void absolutize(std::string& path) {
    if (!path.empty()) path = absolute(path);
}

// ---------------------------------------------------------------------------
// Commands. Each returns false when --help was given.

bool parse_create(std::string_view cmd, std::span<const std::string_view> args, CreateOptions& o) {
    const bool run = cmd == "run";
    std::vector<FlagDef> flags = {
        {"bundle", "b", nullptr, str(o.bundle)},
        {"console-socket", "", nullptr, str(o.console_socket)},
        {"pidfd-socket", "", nullptr, str(o.pidfd_socket)},
        {"pid-file", "", nullptr, str(o.pid_file)},
        {"no-pivot", "", &o.no_pivot},
        {"no-new-keyring", "", &o.no_new_keyring},
        {"preserve-fds", "", nullptr, uint_as_int(o.preserve_fds)},
    };
    if (run) {
        flags.push_back({"detach", "d", &o.detach});
        flags.push_back({"keep", "", &o.keep});
        flags.push_back({"no-subreaper", "", &o.no_subreaper});
    }
    bool help = false;
    auto pos = parse_flags(args, flags, Mode::reorder, help);
    if (help) return false;
    check_args(cmd, pos.size(), 1, Count::exact);
    o.id = pos[0];
    // runc revisePaths: relative paths are the caller's, not the bundle's.
    absolutize(o.pid_file);
    absolutize(o.console_socket);
    absolutize(o.pidfd_socket);
    return true;
}

bool parse_id_only(std::string_view cmd, std::span<const std::string_view> args, std::string& id) {
    bool help = false;
    auto pos = parse_flags(args, {}, Mode::reorder, help);
    if (help) return false;
    check_args(cmd, pos.size(), 1, Count::exact);
    id = pos[0];
    return true;
}

bool parse_exec(std::span<const std::string_view> args, ExecOptions& o) {
    const FlagDef flags[] = {
        {"console-socket", "", nullptr, str(o.console_socket)},
        {"pidfd-socket", "", nullptr, str(o.pidfd_socket)},
        {"cwd", "", nullptr, str(o.cwd)},
        {"env", "e", nullptr, str_list(o.env)},
        {"tty", "t", &o.tty},
        {"user", "u", nullptr, str(o.user)},
        {"additional-gids", "g", nullptr,
         [&o](std::string_view name, std::string_view v) {
             // cli.Int64SliceFlag reports the raw strconv error.
             int64_t g = 0;
             NumErr e = parse_int(v, 0, g);
             if (e != NumErr::ok)
                 usage("invalid value " + go_quote(v) + " for flag -" + std::string(name) + ": " +
                       strconv_err("ParseInt", v, e));
             if (g < 0) usage("additional-gids must be a positive number " + std::to_string(g));
             if (g > static_cast<int64_t>(UINT32_MAX))
                 usage("invalid value " + go_quote(v) + " for flag -" + std::string(name) +
                       ": value out of range");
             o.additional_gids.push_back(static_cast<uint32_t>(g));
         }},
        {"process", "p", nullptr, str(o.process_file)},
        {"detach", "d", &o.detach},
        {"pid-file", "", nullptr, str(o.pid_file)},
        {"process-label", "", nullptr, str(o.process_label)},
        {"apparmor", "", nullptr, str(o.apparmor)},
        {"no-new-privs", "", &o.no_new_privs},
        {"cap", "c", nullptr, str_list(o.caps)},
        {"preserve-fds", "", nullptr, uint_as_int(o.preserve_fds)},
        // runc takes a string slice ("[<controller>:]<cgroup>", repeatable); last one wins here.
        {"cgroup", "", nullptr, str(o.cgroup)},
        {"ignore-paused", "", &o.ignore_paused},
    };
    bool help = false;
    auto pos = parse_flags(args, flags, Mode::stop_at_positional, help);
    if (help) return false;
    check_args("exec", pos.size(), 1, Count::min);
    o.id = pos[0];
    o.args.assign(pos.begin() + 1, pos.end());
    // runc validateProcessSpec; with --process the remaining arguments are ignored.
    if (o.process_file.empty() && o.args.empty()) usage("args must not be empty");
    absolutize(o.pid_file);
    absolutize(o.console_socket);
    absolutize(o.pidfd_socket);
    return true;
}

// kill stops parsing flags at the first positional (runc HEAD's
// StopOnNthArg, and what the issue asks): after the id only the signal may
// follow, so `kill id -9`-style words are never taken for flags.
bool parse_kill(std::span<const std::string_view> args, KillOptions& o) {
    const FlagDef flags[] = {{"all", "a", &o.all}};
    bool help = false;
    auto pos = parse_flags(args, flags, Mode::stop_at_positional, help);
    if (help) return false;
    check_args("kill", pos.size(), 1, Count::min);
    check_args("kill", pos.size(), 2, Count::max);
    o.id = pos[0];
    o.signal = pos.size() > 1 ? parse_signal(pos[1]) : SIGTERM;
    return true;
}

bool parse_delete(std::span<const std::string_view> args, DeleteOptions& o) {
    const FlagDef flags[] = {{"force", "f", &o.force}};
    bool help = false;
    auto pos = parse_flags(args, flags, Mode::reorder, help);
    if (help) return false;
    check_args("delete", pos.size(), 1, Count::exact);
    o.id = pos[0];
    return true;
}

bool parse_format(const std::string& f) {
    if (f == "table") return false;
    if (f == "json") return true;
    usage("invalid format option");
}

bool parse_list(std::span<const std::string_view> args, ListOptions& o) {
    std::string format = "table";
    const FlagDef flags[] = {{"format", "f", nullptr, str(format)}, {"quiet", "q", &o.quiet}};
    bool help = false;
    auto pos = parse_flags(args, flags, Mode::reorder, help);
    if (help) return false;
    check_args("list", pos.size(), 0, Count::exact);
    o.json = parse_format(format);
    return true;
}

bool parse_ps(std::span<const std::string_view> args, PsOptions& o) {
    std::string format = "table";
    const FlagDef flags[] = {{"format", "f", nullptr, str(format)}};
    bool help = false;
    auto pos = parse_flags(args, flags, Mode::stop_at_positional, help);
    if (help) return false;
    check_args("ps", pos.size(), 1, Count::min);
    o.id = pos[0];
    o.json = parse_format(format);
    o.ps_args.assign(pos.begin() + 1, pos.end());
    if (!o.json && o.ps_args.empty()) o.ps_args = {"-ef"};
    return true;
}

bool parse_update(std::span<const std::string_view> args, UpdateOptions& o) {
    uint64_t blkio_weight = 0;
    int64_t pids_limit = 0;
    std::optional<std::string> cpu_period, cpu_quota, cpu_burst, cpu_share, cpu_rt_period,
        cpu_rt_runtime, cpu_idle, memory, memory_reservation, memory_swap, kernel_memory,
        kernel_memory_tcp;
    const FlagDef flags[] = {
        {"resources", "r", nullptr, str(o.resources)},
        {"blkio-weight", "", nullptr,
         [&blkio_weight](std::string_view name, std::string_view v) {
             NumErr e = parse_uint(v, 0, blkio_weight);
             if (e != NumErr::ok) bad_value(name, v, flag_err(e));
         }},
        {"cpu-period", "", nullptr, opt_str(cpu_period)},
        {"cpu-quota", "", nullptr, opt_str(cpu_quota)},
        {"cpu-burst", "", nullptr, opt_str(cpu_burst)},
        {"cpu-share", "", nullptr, opt_str(cpu_share)},
        {"cpu-rt-period", "", nullptr, opt_str(cpu_rt_period)},
        {"cpu-rt-runtime", "", nullptr, opt_str(cpu_rt_runtime)},
        {"cpu-idle", "", nullptr, opt_str(cpu_idle)},
        {"cpuset-cpus", "", nullptr, opt_str(o.cpuset_cpus)},
        {"cpuset-mems", "", nullptr, opt_str(o.cpuset_mems)},
        {"memory", "", nullptr, opt_str(memory)},
        {"memory-reservation", "", nullptr, opt_str(memory_reservation)},
        {"memory-swap", "", nullptr, opt_str(memory_swap)},
        {"kernel-memory", "", nullptr, opt_str(kernel_memory)},
        {"kernel-memory-tcp", "", nullptr, opt_str(kernel_memory_tcp)},
        {"pids-limit", "", nullptr,
         [&pids_limit](std::string_view name, std::string_view v) {
             NumErr e = parse_int(v, 0, pids_limit);
             if (e != NumErr::ok) bad_value(name, v, flag_err(e));
         }},
        {"l3-cache-schema", "", nullptr, opt_str(o.l3_cache_schema)},
        {"mem-bw-schema", "", nullptr, opt_str(o.mem_bw_schema)},
    };
    bool help = false;
    auto pos = parse_flags(args, flags, Mode::reorder, help);
    if (help) return false;
    check_args("update", pos.size(), 1, Count::exact);
    o.id = pos[0];
    if (!o.resources.empty()) {
        // runc: "if data is to be read from a file or the standard input, all other
        // options are ignored".
        o.blkio_weight.reset();
        o.cpuset_cpus.reset();
        o.cpuset_mems.reset();
        o.l3_cache_schema.reset();
        o.mem_bw_schema.reset();
        return true;
    }
    // As runc update.go: zero weight / pids limit and empty strings mean "not given".
    if (blkio_weight != 0) o.blkio_weight = blkio_weight;
    if (pids_limit != 0) o.pids_limit = pids_limit;
    if (o.cpuset_cpus && o.cpuset_cpus->empty()) o.cpuset_cpus.reset();
    if (o.cpuset_mems && o.cpuset_mems->empty()) o.cpuset_mems.reset();
    if (o.l3_cache_schema && o.l3_cache_schema->empty()) o.l3_cache_schema.reset();
    if (o.mem_bw_schema && o.mem_bw_schema->empty()) o.mem_bw_schema.reset();

    auto u64 = [](const char* opt, const std::optional<std::string>& v, std::optional<uint64_t>& dst) {
        if (!v || v->empty()) return;
        uint64_t n = 0;
        NumErr e = parse_uint(*v, 10, n);
        if (e != NumErr::ok)
            usage(std::string("invalid value for ") + opt + ": " + strconv_err("ParseUint", *v, e));
        dst = n;
    };
    auto i64 = [](const char* opt, const std::optional<std::string>& v, std::optional<int64_t>& dst,
                  bool as_uint) {
        if (!v || v->empty()) return;
        if (as_uint) {
            uint64_t n = 0;
            NumErr e = parse_uint(*v, 10, n);
            if (e == NumErr::ok && n > static_cast<uint64_t>(INT64_MAX)) e = NumErr::range;
            if (e != NumErr::ok)
                usage(std::string("invalid value for ") + opt + ": " + strconv_err("ParseUint", *v, e));
            dst = static_cast<int64_t>(n);
            return;
        }
        int64_t n = 0;
        NumErr e = parse_int(*v, 10, n);
        if (e != NumErr::ok)
            usage(std::string("invalid value for ") + opt + ": " + strconv_err("ParseInt", *v, e));
        dst = n;
    };
    auto mem = [](const char* opt, const std::optional<std::string>& v, std::optional<int64_t>& dst) {
        if (!v || v->empty()) return;
        if (*v == "-1") {
            dst = -1;
            return;
        }
        int64_t n = 0;
        std::string err = ram_in_bytes(*v, n);
        if (!err.empty()) usage(std::string("invalid value for ") + opt + ": " + err);
        dst = n;
    };
    u64("cpu-period", cpu_period, o.cpu_period);
    u64("cpu-rt-period", cpu_rt_period, o.cpu_rt_period);
    u64("cpu-share", cpu_share, o.cpu_share);
    i64("cpu-burst", cpu_burst, o.cpu_burst, true);
    i64("cpu-quota", cpu_quota, o.cpu_quota, false);
    i64("cpu-rt-runtime", cpu_rt_runtime, o.cpu_rt_runtime, false);
    i64("cpu-idle", cpu_idle, o.cpu_idle, false);
    mem("memory", memory, o.memory);
    mem("memory-reservation", memory_reservation, o.memory_reservation);
    mem("memory-swap", memory_swap, o.memory_swap);
    mem("kernel-memory", kernel_memory, o.kernel_memory);
    mem("kernel-memory-tcp", kernel_memory_tcp, o.kernel_memory_tcp);
    return true;
}

bool parse_events(std::span<const std::string_view> args, EventsOptions& o) {
    int64_t interval_ns = 5'000'000'000;
    const FlagDef flags[] = {
        {"interval", "", nullptr,
         [&interval_ns](std::string_view name, std::string_view v) {
             if (!parse_duration_ns(v, interval_ns).empty()) bad_value(name, v, "parse error");
         }},
        {"stats", "", &o.stats},
    };
    bool help = false;
    auto pos = parse_flags(args, flags, Mode::reorder, help);
    if (help) return false;
    check_args("events", pos.size(), 1, Count::exact);
    o.id = pos[0];
    if (interval_ns <= 0) usage("duration interval must be greater than 0");
    o.interval_ms = (static_cast<uint64_t>(interval_ns) + 999'999) / 1'000'000;
    return true;
}

bool parse_spec(std::span<const std::string_view> args, SpecOptions& o) {
    const FlagDef flags[] = {{"bundle", "b", nullptr, str(o.bundle)},
                             {"rootless", "", &o.rootless}};
    bool help = false;
    auto pos = parse_flags(args, flags, Mode::reorder, help);
    if (help) return false;
    check_args("spec", pos.size(), 0, Count::exact);
    return true;
}

bool parse_no_args(std::string_view cmd, std::span<const std::string_view> args) {
    bool help = false;
    auto pos = parse_flags(args, {}, Mode::reorder, help);
    if (help) return false;
    check_args(cmd, pos.size(), 0, Count::exact);
    return true;
}

}  // namespace

// ---------------------------------------------------------------------------

int parse_signal(std::string_view s) {
    auto unknown = [&]() -> int { usage("unknown signal " + go_quote(s)); };
    // strconv.Atoi: optional sign, decimal digits.
    int64_t n = 0;
    if (parse_int(s, 10, n) == NumErr::ok) {
        if (n < 1 || n > 64) return unknown();
        return static_cast<int>(n);
    }
    std::string up;
    for (char c : s) up += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    std::string_view name = up;
    if (name.starts_with("SIG")) name.remove_prefix(3);
    struct Sig {
        std::string_view name;
        int num;
    };
    // golang.org/x/sys/unix signalList (what runc accepts), plus the glibc aliases.
    static constexpr Sig table[] = {
        {"HUP", SIGHUP},       {"INT", SIGINT},     {"QUIT", SIGQUIT},   {"ILL", SIGILL},
        {"TRAP", SIGTRAP},     {"ABRT", SIGABRT},   {"IOT", SIGIOT},     {"BUS", SIGBUS},
        {"FPE", SIGFPE},       {"KILL", SIGKILL},   {"USR1", SIGUSR1},   {"SEGV", SIGSEGV},
        {"USR2", SIGUSR2},     {"PIPE", SIGPIPE},   {"ALRM", SIGALRM},   {"TERM", SIGTERM},
        {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},   {"CLD", SIGCHLD},    {"CONT", SIGCONT},
        {"STOP", SIGSTOP},     {"TSTP", SIGTSTP},   {"TTIN", SIGTTIN},   {"TTOU", SIGTTOU},
        {"URG", SIGURG},       {"XCPU", SIGXCPU},   {"XFSZ", SIGXFSZ},   {"VTALRM", SIGVTALRM},
        {"PROF", SIGPROF},     {"WINCH", SIGWINCH}, {"IO", SIGIO},       {"POLL", SIGPOLL},
        {"PWR", SIGPWR},       {"SYS", SIGSYS},
    };
    for (const auto& e : table)
        if (e.name == name) return e.num;
    // RTMIN, RTMIN+n, RTMAX, RTMAX-n (glibc numbering, as kill(1) and docker).
    const int rtmin = SIGRTMIN, rtmax = SIGRTMAX;
    auto offset = [&](std::string_view rest, char sign) -> int {
        if (rest.empty()) return 0;
        if (rest[0] != sign || rest.size() < 2) return -1;
        rest.remove_prefix(1);
        uint64_t k = 0;
        if (rest.find_first_not_of("0123456789") != std::string_view::npos ||
            parse_uint(rest, 10, k) != NumErr::ok || k > 64)
            return -1;
        return static_cast<int>(k);
    };
    if (name.starts_with("RTMIN")) {
        int k = offset(name.substr(5), '+');
        if (k >= 0 && rtmin + k <= rtmax) return rtmin + k;
    } else if (name.starts_with("RTMAX")) {
        int k = offset(name.substr(5), '-');
        if (k >= 0 && rtmax - k >= rtmin) return rtmax - k;
    }
    return unknown();
}

uint64_t parse_duration_ms(std::string_view s) {
    int64_t ns;
    std::string err = parse_duration_ns(s, ns);
    if (!err.empty()) usage(err);
    if (ns < 0) usage("time: negative duration " + go_quote(s));
    return (static_cast<uint64_t>(ns) + 999'999) / 1'000'000;
}

Invocation parse(int argc, const char* const* argv) {
    std::vector<std::string_view> args;
    for (int i = 1; i < argc; i++) args.emplace_back(argv[i]);

    Invocation inv;
    GlobalOptions& g = inv.global;
    bool root_set = false, version = false, help = false;
    const FlagDef global_flags[] = {
        {"root", "", nullptr,
         [&g, &root_set](std::string_view, std::string_view v) {
             g.root = v;
             root_set = true;
         }},
        {"log", "", nullptr, str(g.log)},
        {"log-format", "", nullptr, str(g.log_format)},
        {"debug", "", &g.debug},
        {"systemd-cgroup", "", &g.systemd_cgroup},
        {"rootless", "", nullptr, str(g.rootless)},
        {"criu", "", nullptr, str(g.criu)},
        {"version", "v", &version},
    };
    auto rest = parse_flags(args, global_flags, Mode::stop_at_positional, help);
    // urfave checks help before version, and both before app.Before.
    if (help) return help_invocation(std::move(inv), "");
    if (version) {
        inv.command = "version";
        inv.options = VersionOptions{};
        return inv;
    }

    // runc app.Before: reviseRootDir, then configLogrus.
    if (root_set) {
        g.root = absolute(g.root);
        if (g.root == "/") usage("option --root argument should not be set to /");
    }
    if (g.log_format.empty()) g.log_format = "text";
    if (g.log_format != "text" && g.log_format != "json")
        usage("invalid log-format: " + g.log_format);
    {
        // runc parseBoolOrAuto.
        std::string lowered;
        for (char c : g.rootless) lowered += (c >= 'A' && c <= 'Z') ? static_cast<char>(c | 0x20) : c;
        bool b = false;
        if (lowered.empty() || lowered == "auto") g.rootless = "auto";
        else if (parse_bool(g.rootless, b)) g.rootless = b ? "true" : "false";
        else usage("strconv.ParseBool: parsing " + go_quote(g.rootless) + ": invalid syntax");
    }

    if (rest.empty()) return help_invocation(std::move(inv), "");
    const std::string cmd = rest[0];
    std::vector<std::string_view> cargs(rest.begin() + 1, rest.end());
    std::span<const std::string_view> a(cargs);
    inv.command = cmd;

    if (cmd == "help" || cmd == "h") {
        std::string topic = cargs.empty() ? std::string() : std::string(cargs[0]);
        if (!topic.empty() && !known_command(topic)) usage("No help topic for '" + topic + "'");
        return help_invocation(std::move(inv), topic == "h" ? "help" : topic);
    }

    bool ok = true;
    if (cmd == "create" || cmd == "run") {
        CreateOptions o;
        ok = parse_create(cmd, a, o);
        inv.options = std::move(o);
    } else if (cmd == "start") {
        StartOptions o;
        ok = parse_id_only(cmd, a, o.id);
        inv.options = std::move(o);
    } else if (cmd == "state") {
        StateOptions o;
        ok = parse_id_only(cmd, a, o.id);
        inv.options = std::move(o);
    } else if (cmd == "pause") {
        PauseOptions o;
        ok = parse_id_only(cmd, a, o.id);
        inv.options = std::move(o);
    } else if (cmd == "resume") {
        ResumeOptions o;
        ok = parse_id_only(cmd, a, o.id);
        inv.options = std::move(o);
    } else if (cmd == "exec") {
        ExecOptions o;
        ok = parse_exec(a, o);
        inv.options = std::move(o);
    } else if (cmd == "kill") {
        KillOptions o;
        ok = parse_kill(a, o);
        inv.options = std::move(o);
    } else if (cmd == "delete") {
        DeleteOptions o;
        ok = parse_delete(a, o);
        inv.options = std::move(o);
    } else if (cmd == "list") {
        ListOptions o;
        ok = parse_list(a, o);
        inv.options = std::move(o);
    } else if (cmd == "ps") {
        PsOptions o;
        ok = parse_ps(a, o);
        inv.options = std::move(o);
    } else if (cmd == "update") {
        UpdateOptions o;
        ok = parse_update(a, o);
        inv.options = std::move(o);
    } else if (cmd == "events") {
        EventsOptions o;
        ok = parse_events(a, o);
        inv.options = std::move(o);
    } else if (cmd == "spec") {
        SpecOptions o;
        ok = parse_spec(a, o);
        inv.options = std::move(o);
    } else if (cmd == "features") {
        ok = parse_no_args(cmd, a);
        inv.options = FeaturesOptions{};
    } else if (cmd == "checkpoint" || cmd == "restore") {
        throw Error(ErrorKind::unsupported, cmd + " is not supported (berth has no CRIU support)");
    } else {
        usage("No help topic for '" + cmd + "'");
    }
    if (!ok) return help_invocation(std::move(inv), cmd);
    return inv;
}

}  // namespace rt::cli
