#include <doctest/doctest.h>

#include <signal.h>
#include <unistd.h>

#include <climits>
#include <initializer_list>
#include <string>
#include <vector>

#include "cli.hpp"
#include "sys/error.hpp"

using namespace rt::cli;
using rt::sys::Error;
using rt::sys::ErrorKind;

namespace {

Invocation P(std::initializer_list<const char*> args) {
    std::vector<const char*> argv{"berth"};
    argv.insert(argv.end(), args.begin(), args.end());
    return parse(static_cast<int>(argv.size()), argv.data());
}

// The usage error message for an invocation ("" if it parsed).
std::string E(std::initializer_list<const char*> args) {
    try {
        P(args);
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::usage);
        return e.what();
    }
    return "";
}

template <typename T>
T O(std::initializer_list<const char*> args) {
    Invocation inv = P(args);
    REQUIRE(std::holds_alternative<T>(inv.options));
    return std::get<T>(inv.options);
}

std::string cwd() {
    char buf[PATH_MAX];
    REQUIRE(::getcwd(buf, sizeof buf) != nullptr);
    return buf;
}

std::string sig_err(const char* s) {
    try {
        parse_signal(s);
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::usage);
        return e.what();
    }
    return "";
}

std::string dur_err(const char* s) {
    try {
        parse_duration_ms(s);
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::usage);
        return e.what();
    }
    return "";
}

}  // namespace

// ---------------------------------------------------------------------------
// Global flags

TEST_CASE("cli: defaults") {
    Invocation inv = P({"state", "abc"});
    CHECK(inv.command == "state");
    CHECK(inv.global.root == "/run/berth");
    CHECK(inv.global.log.empty());
    CHECK(inv.global.log_format == "text");
    CHECK_FALSE(inv.global.debug);
    CHECK_FALSE(inv.global.systemd_cgroup);
    CHECK(inv.global.rootless == "auto");
    CHECK(std::get<StateOptions>(inv.options).id == "abc");
}

TEST_CASE("cli: go-runc create argv (contract 1.2)") {
    Invocation inv = P({"--root", "/run/containerd/runc/default", "--log", "/b/log.json",
                        "--log-format", "json", "create", "--bundle", "/b", "--pid-file",
                        "/b/init.pid", "--console-socket", "/tmp/pty.sock", "ctr1"});
    CHECK(inv.command == "create");
    CHECK(inv.global.root == "/run/containerd/runc/default");
    CHECK(inv.global.log == "/b/log.json");
    CHECK(inv.global.log_format == "json");
    auto& o = std::get<CreateOptions>(inv.options);
    CHECK(o.id == "ctr1");
    CHECK(o.bundle == "/b");
    CHECK(o.pid_file == "/b/init.pid");
    CHECK(o.console_socket == "/tmp/pty.sock");
    CHECK_FALSE(o.no_pivot);
    CHECK_FALSE(o.no_new_keyring);
    CHECK(o.preserve_fds == 0);
}

TEST_CASE("cli: go-runc full global prefix incl. --debug --criu --systemd-cgroup --rootless=") {
    Invocation inv = P({"--root", "/r", "--debug", "--log", "/l", "--log-format", "json", "--criu",
                        "/usr/sbin/criu", "--systemd-cgroup", "--rootless=false", "start", "x"});
    CHECK(inv.global.root == "/r");
    CHECK(inv.global.debug);
    CHECK(inv.global.criu == "/usr/sbin/criu");
    CHECK(inv.global.systemd_cgroup);
    CHECK(inv.global.rootless == "false");
    CHECK(std::get<StartOptions>(inv.options).id == "x");
}

TEST_CASE("cli: global flags in any order, single dash, = form") {
    // Docker runtimeArgs wrapper: user flags first, then go-runc's.
    Invocation inv = P({"-systemd-cgroup", "-log-format=json", "-root", "/a", "--root=/b",
                        "-log=/l", "--debug=false", "list"});
    CHECK(inv.global.root == "/b");
    CHECK(inv.global.log_format == "json");
    CHECK(inv.global.log == "/l");
    CHECK(inv.global.systemd_cgroup);
    CHECK_FALSE(inv.global.debug);
    CHECK(P({"--debug=true", "list"}).global.debug);
    CHECK(P({"-debug=1", "list"}).global.debug);
    CHECK(P({"--systemd-cgroup=T", "list"}).global.systemd_cgroup);
}

TEST_CASE("cli: --rootless forms") {
    CHECK(P({"--rootless=true", "list"}).global.rootless == "true");
    CHECK(P({"--rootless", "true", "list"}).global.rootless == "true");
    CHECK(P({"--rootless", "false", "list"}).global.rootless == "false");
    CHECK(P({"--rootless=auto", "list"}).global.rootless == "auto");
    CHECK(P({"--rootless=AUTO", "list"}).global.rootless == "auto");
    CHECK(P({"--rootless=1", "list"}).global.rootless == "true");
    CHECK(P({"--rootless=", "list"}).global.rootless == "auto");
    CHECK(E({"--rootless=maybe", "list"}) == "strconv.ParseBool: parsing \"maybe\": invalid syntax");
}

TEST_CASE("cli: --log-format must be text or json") {
    CHECK(P({"--log-format", "text", "list"}).global.log_format == "text");
    CHECK(P({"--log-format=", "list"}).global.log_format == "text");
    CHECK(E({"--log-format", "xml", "list"}) == "invalid log-format: xml");
    CHECK(E({"--log-format", "JSON", "list"}) == "invalid log-format: JSON");
}

TEST_CASE("cli: --root is made absolute and clean, never /") {
    CHECK(P({"--root", "/run/x/../y//z/", "list"}).global.root == "/run/y/z");
    CHECK(P({"--root", "rel/dir", "list"}).global.root == (cwd() == "/" ? "" : cwd()) + "/rel/dir");
    CHECK(E({"--root", "/", "list"}) == "option --root argument should not be set to /");
    CHECK(E({"--root", "//", "list"}) == "option --root argument should not be set to /");
    CHECK(E({"--root", "/run/..", "list"}) == "option --root argument should not be set to /");
    // Unset: the default is kept verbatim.
    CHECK(P({"list"}).global.root == "/run/berth");
}

TEST_CASE("cli: global flag errors use Go's flag package wording") {
    CHECK(E({"--bogus", "list"}) == "flag provided but not defined: -bogus");
    CHECK(E({"-x"}) == "flag provided but not defined: -x");
    CHECK(E({"--root"}) == "flag needs an argument: -root");
    CHECK(E({"--debug=maybe", "list"}) == "invalid boolean value \"maybe\" for -debug: parse error");
    CHECK(E({"---root", "x", "list"}) == "bad flag syntax: ---root");
    // Global flags are not accepted after the command.
    CHECK(E({"list", "--root", "/x"}) == "flag provided but not defined: -root");
}

TEST_CASE("cli: value flags consume the next argument even if it starts with a dash") {
    CHECK(P({"--log", "-weird", "list"}).global.log == "-weird");
    CHECK(O<CreateOptions>({"create", "--bundle", "--", "id"}).bundle == "--");
}

TEST_CASE("cli: --version, -v, --help, -h, no arguments") {
    CHECK(P({"--version"}).command == "version");
    CHECK(std::holds_alternative<VersionOptions>(P({"-v"}).options));
    CHECK(P({"--version", "ignored", "args"}).command == "version");
    // go-runc / dockerd run `runc --version` with nothing else.
    Invocation h = P({"--help"});
    CHECK(h.command == "help");
    CHECK(std::get<HelpOptions>(h.options).command.empty());
    CHECK(P({"-h"}).command == "help");
    CHECK(P({}).command == "help");
    // urfave checks help before version.
    CHECK(P({"-v", "-h"}).command == "help");
    CHECK(P({"--help=false", "list"}).command == "list");
    // Global flags are fully parsed even for --version.
    CHECK(E({"--version", "--nope"}) == "flag provided but not defined: -nope");
}

TEST_CASE("cli: -- ends global flags") {
    CHECK(P({"--debug", "--", "list"}).command == "list");
}

// ---------------------------------------------------------------------------
// Commands and their flags

TEST_CASE("cli: create flags, long and short") {
    auto o = O<CreateOptions>({"create", "-b", "/bundle", "--pid-file=/p", "--console-socket=/s",
                               "--pidfd-socket", "/fd.sock", "--no-pivot", "--no-new-keyring",
                               "--preserve-fds", "3", "id"});
    CHECK(o.id == "id");
    CHECK(o.bundle == "/bundle");
    CHECK(o.pid_file == "/p");
    CHECK(o.console_socket == "/s");
    CHECK(o.pidfd_socket == "/fd.sock");
    CHECK(o.no_pivot);
    CHECK(o.no_new_keyring);
    CHECK(o.preserve_fds == 3);
    CHECK_FALSE(o.detach);
    CHECK(O<CreateOptions>({"create", "-bundle=/x", "id"}).bundle == "/x");
    CHECK(O<CreateOptions>({"create", "--preserve-fds=0x10", "id"}).preserve_fds == 16);
    CHECK(O<CreateOptions>({"create", "-no-pivot=false", "id"}).no_pivot == false);
}

TEST_CASE("cli: create resolves relative pid-file and sockets against the caller's cwd") {
    const std::string base = cwd() == "/" ? "" : cwd();
    auto o = O<CreateOptions>({"create", "--pid-file", "init.pid", "--console-socket", "./s.sock",
                               "--bundle", "rel", "id"});
    CHECK(o.pid_file == base + "/init.pid");
    CHECK(o.console_socket == base + "/s.sock");
    CHECK(o.bundle == "rel");  // the bundle stays as given (empty: cwd)
    CHECK(O<CreateOptions>({"create", "id"}).bundle.empty());
    CHECK(O<CreateOptions>({"create", "id"}).pid_file.empty());
}

TEST_CASE("cli: create argument errors match runc 1.1.5") {
    CHECK(E({"create"}) == "\"create\" requires exactly 1 argument(s)");
    CHECK(E({"create", "a", "b"}) == "\"create\" requires exactly 1 argument(s)");
    CHECK(E({"create", "-x", "a"}) == "flag provided but not defined: -x");
    CHECK(E({"create", "--bundle"}) == "flag needs an argument: -bundle");
    CHECK(E({"create", "--preserve-fds", "abc", "a"}) ==
          "invalid value \"abc\" for flag -preserve-fds: parse error");
    CHECK(E({"create", "--preserve-fds", "-1", "a"}) ==
          "invalid value \"-1\" for flag -preserve-fds: parse error");
    CHECK(E({"create", "--preserve-fds", "99999999999999999999", "a"}) ==
          "invalid value \"99999999999999999999\" for flag -preserve-fds: value out of range");
    // Go's %q: printable UTF-8 kept, other bytes escaped.
    CHECK(E({"create", "--preserve-fds", "caf\xc3\xa9\xff\t", "a"}) ==
          "invalid value \"caf\xc3\xa9\\xff\\t\" for flag -preserve-fds: parse error");
    CHECK(E({"create", "--no-pivot=yes", "a"}) ==
          "invalid boolean value \"yes\" for -no-pivot: parse error");
    // run-only flags are not defined for create.
    CHECK(E({"create", "--detach", "a"}) == "flag provided but not defined: -detach");
    // After the id an unknown dash-word is an argument (urfave reorder), so the count fails.
    CHECK(E({"create", "a", "-x"}) == "\"create\" requires exactly 1 argument(s)");
}

TEST_CASE("cli: known flags after the id are still parsed (urfave v1 reorder)") {
    auto o = O<CreateOptions>({"create", "id", "--bundle", "/b", "--no-pivot"});
    CHECK(o.id == "id");
    CHECK(o.bundle == "/b");
    CHECK(o.no_pivot);
    CHECK(O<DeleteOptions>({"delete", "id", "--force"}).force);
    CHECK(O<DeleteOptions>({"delete", "id", "-f"}).id == "id");
}

TEST_CASE("cli: run flags incl. -d, --keep and single-dash -no-subreaper") {
    Invocation inv = P({"run", "-d", "--keep", "-no-subreaper", "--bundle", "/b", "ctr"});
    CHECK(inv.command == "run");
    auto& o = std::get<CreateOptions>(inv.options);
    CHECK(o.detach);
    CHECK(o.keep);
    CHECK(o.no_subreaper);
    CHECK(o.id == "ctr");
    CHECK(O<CreateOptions>({"run", "--detach", "x"}).detach);
    CHECK(O<CreateOptions>({"run", "--detach=false", "x"}).detach == false);
    // BuildKit: --log F --log-format json run --bundle B --keep ID (no --root).
    Invocation bk = P({"--log", "/d/runc-log.json", "--log-format", "json", "run", "--bundle",
                       "/b", "--no-pivot", "--keep", "buildkit-1"});
    CHECK(bk.global.root == "/run/berth");
    CHECK(std::get<CreateOptions>(bk.options).keep);
    CHECK(std::get<CreateOptions>(bk.options).no_pivot);
    CHECK(E({"run"}) == "\"run\" requires exactly 1 argument(s)");
}

TEST_CASE("cli: start, state, pause, resume take exactly one id") {
    CHECK(O<StartOptions>({"start", "a"}).id == "a");
    CHECK(O<StateOptions>({"state", "a"}).id == "a");
    CHECK(O<PauseOptions>({"pause", "a"}).id == "a");
    CHECK(O<ResumeOptions>({"resume", "a"}).id == "a");
    CHECK(E({"start"}) == "\"start\" requires exactly 1 argument(s)");
    CHECK(E({"start", "a", "b"}) == "\"start\" requires exactly 1 argument(s)");
    CHECK(E({"state"}) == "\"state\" requires exactly 1 argument(s)");
    CHECK(E({"pause"}) == "\"pause\" requires exactly 1 argument(s)");
    CHECK(E({"resume", "a", "b"}) == "\"resume\" requires exactly 1 argument(s)");
    CHECK(E({"state", "-x", "a"}) == "flag provided but not defined: -x");
    // `--` then an id that looks like a flag.
    CHECK(O<StateOptions>({"state", "--", "-a"}).id == "-a");
}

TEST_CASE("cli: kill as containerd sends it") {
    auto k = O<KillOptions>({"kill", "ctr", "15"});
    CHECK(k.id == "ctr");
    CHECK(k.signal == 15);
    CHECK_FALSE(k.all);
    k = O<KillOptions>({"kill", "--all", "ctr", "9"});
    CHECK(k.all);
    CHECK(k.signal == 9);
    k = O<KillOptions>({"kill", "-a", "ctr", "KILL"});
    CHECK(k.all);
    CHECK(k.signal == SIGKILL);
    CHECK(O<KillOptions>({"kill", "ctr"}).signal == SIGTERM);
    CHECK(O<KillOptions>({"kill", "ctr", "sigusr1"}).signal == SIGUSR1);
}

TEST_CASE("cli: kill argument handling") {
    CHECK(E({"kill"}) == "\"kill\" requires a minimum of 1 argument(s)");
    CHECK(E({"kill", "a", "9", "x"}) == "\"kill\" requires a maximum of 2 argument(s)");
    CHECK(E({"kill", "a", "FOO"}) == "unknown signal \"FOO\"");
    // Flags stop at the id (contract §1.3, StopOnNthArg): after it, words
    // are the signal, and a third one is too many.
    CHECK(E({"kill", "a", "9", "--all"}) == "\"kill\" requires a maximum of 2 argument(s)");
    CHECK(E({"kill", "a", "--all"}) == "unknown signal \"--all\"");
    CHECK(O<KillOptions>({"kill", "--all", "a", "9"}).all);
    CHECK(O<KillOptions>({"kill", "-a", "a"}).signal == SIGTERM);
    // A dash-number after the id is the signal argument, and not a valid one.
    CHECK(E({"kill", "a", "-9"}) == "unknown signal \"-9\"");
    CHECK(E({"kill", "--bogus", "a"}) == "flag provided but not defined: -bogus");
}

TEST_CASE("cli: signal names and numbers") {
    CHECK(parse_signal("KILL") == SIGKILL);
    CHECK(parse_signal("SIGKILL") == SIGKILL);
    CHECK(parse_signal("kill") == SIGKILL);
    CHECK(parse_signal("sigKill") == SIGKILL);
    CHECK(parse_signal("TERM") == SIGTERM);
    CHECK(parse_signal("HUP") == SIGHUP);
    CHECK(parse_signal("INT") == SIGINT);
    CHECK(parse_signal("QUIT") == SIGQUIT);
    CHECK(parse_signal("USR1") == SIGUSR1);
    CHECK(parse_signal("USR2") == SIGUSR2);
    CHECK(parse_signal("STOP") == SIGSTOP);
    CHECK(parse_signal("CONT") == SIGCONT);
    CHECK(parse_signal("WINCH") == SIGWINCH);
    CHECK(parse_signal("CHLD") == SIGCHLD);
    CHECK(parse_signal("PWR") == SIGPWR);
    CHECK(parse_signal("SYS") == SIGSYS);
    CHECK(parse_signal("STKFLT") == SIGSTKFLT);
    CHECK(parse_signal("IOT") == SIGABRT);
    CHECK(parse_signal("9") == 9);
    CHECK(parse_signal("15") == 15);
    CHECK(parse_signal("+9") == 9);
    CHECK(parse_signal("009") == 9);
    CHECK(parse_signal("1") == 1);
    CHECK(parse_signal("64") == 64);
    CHECK(parse_signal("RTMIN") == SIGRTMIN);
    CHECK(parse_signal("SIGRTMIN+3") == SIGRTMIN + 3);
    CHECK(parse_signal("rtmax") == SIGRTMAX);
    CHECK(parse_signal("RTMAX-2") == SIGRTMAX - 2);
    CHECK(sig_err("0") == "unknown signal \"0\"");
    CHECK(sig_err("65") == "unknown signal \"65\"");
    CHECK(sig_err("-9") == "unknown signal \"-9\"");
    CHECK(sig_err("") == "unknown signal \"\"");
    CHECK(sig_err("SIG") == "unknown signal \"SIG\"");
    CHECK(sig_err("SIGSIGKILL") == "unknown signal \"SIGSIGKILL\"");
    CHECK(sig_err("9x") == "unknown signal \"9x\"");
    CHECK(sig_err("0x9") == "unknown signal \"0x9\"");
    CHECK(sig_err("RTMIN+") == "unknown signal \"RTMIN+\"");
    CHECK(sig_err("RTMIN-1") == "unknown signal \"RTMIN-1\"");
    CHECK(sig_err("RTMIN+99") == "unknown signal \"RTMIN+99\"");
}

TEST_CASE("cli: delete and delete --force") {
    CHECK_FALSE(O<DeleteOptions>({"delete", "id"}).force);
    CHECK(O<DeleteOptions>({"delete", "--force", "id"}).force);
    CHECK(O<DeleteOptions>({"delete", "-f", "id"}).force);
    CHECK(O<DeleteOptions>({"delete", "-f=1", "id"}).force);
    CHECK_FALSE(O<DeleteOptions>({"delete", "--force=false", "id"}).force);
    CHECK(O<DeleteOptions>({"delete", "--", "-f"}).id == "-f");
    CHECK(E({"delete"}) == "\"delete\" requires exactly 1 argument(s)");
    CHECK(E({"delete", "-f=maybe", "x"}) == "invalid boolean value \"maybe\" for -f: parse error");
}

TEST_CASE("cli: list --format/-f and --quiet/-q") {
    CHECK_FALSE(O<ListOptions>({"list"}).json);
    CHECK(O<ListOptions>({"list", "--format", "json"}).json);
    CHECK(O<ListOptions>({"list", "--format=json"}).json);
    CHECK(O<ListOptions>({"list", "-f", "json"}).json);
    CHECK(O<ListOptions>({"list", "-format", "json"}).json);
    CHECK_FALSE(O<ListOptions>({"list", "--format", "table"}).json);
    CHECK(O<ListOptions>({"list", "-q"}).quiet);
    CHECK(O<ListOptions>({"list", "--quiet"}).quiet);
    CHECK_FALSE(O<ListOptions>({"list", "-q=false"}).quiet);
    CHECK(E({"list", "--format", "foo"}) == "invalid format option");
    CHECK(E({"list", "--format=json", "--format=foo"}) == "invalid format option");
    CHECK(E({"list", "x"}) == "\"list\" requires exactly 0 argument(s)");
    CHECK(E({"list", "-"}) == "\"list\" requires exactly 0 argument(s)");
    CHECK(E({"list", "--", "-q"}) == "\"list\" requires exactly 0 argument(s)");
    CHECK(E({"list", "---format", "json"}) == "bad flag syntax: ---format");
    CHECK(E({"list", "-=x"}) == "bad flag syntax: -=x");
    CHECK(E({"list", "--quiet=yes"}) == "invalid boolean value \"yes\" for -quiet: parse error");
}

TEST_CASE("cli: ps stops parsing flags at the id") {
    auto o = O<PsOptions>({"ps", "--format", "json", "ctr"});
    CHECK(o.id == "ctr");
    CHECK(o.json);
    CHECK(o.ps_args.empty());
    o = O<PsOptions>({"ps", "ctr"});
    CHECK_FALSE(o.json);
    CHECK(o.ps_args == std::vector<std::string>{"-ef"});
    o = O<PsOptions>({"ps", "-f", "table", "ctr", "-e", "-o", "pid,comm"});
    CHECK(o.ps_args == std::vector<std::string>{"-e", "-o", "pid,comm"});
    // A flag after the id belongs to ps(1).
    o = O<PsOptions>({"ps", "ctr", "--format", "json"});
    CHECK_FALSE(o.json);
    CHECK(o.ps_args == std::vector<std::string>{"--format", "json"});
    CHECK(O<PsOptions>({"ps", "ctr", "--help"}).ps_args == std::vector<std::string>{"--help"});
    CHECK(E({"ps"}) == "\"ps\" requires a minimum of 1 argument(s)");
    CHECK(E({"ps", "--format", "foo", "ctr"}) == "invalid format option");
}

TEST_CASE("cli: exec as containerd sends it") {
    auto o = O<ExecOptions>({"exec", "--process", "/tmp/runc-process123", "--detach", "--pid-file",
                             "/b/exec1.pid", "--console-socket", "/tmp/pty.sock", "ctr"});
    CHECK(o.id == "ctr");
    CHECK(o.process_file == "/tmp/runc-process123");
    CHECK(o.detach);
    CHECK(o.pid_file == "/b/exec1.pid");
    CHECK(o.console_socket == "/tmp/pty.sock");
    CHECK(o.args.empty());
    // BuildKit: foreground exec with -p and a pid file.
    o = O<ExecOptions>({"exec", "-p", "/p.json", "--pid-file", "/x.pid", "ctr"});
    CHECK(o.process_file == "/p.json");
    CHECK_FALSE(o.detach);
}

TEST_CASE("cli: exec stops parsing flags at the id") {
    auto o = O<ExecOptions>({"exec", "ctr", "sh", "-c", "echo hi; exit 3"});
    CHECK(o.id == "ctr");
    CHECK(o.args == std::vector<std::string>{"sh", "-c", "echo hi; exit 3"});
    CHECK(o.caps.empty());
    o = O<ExecOptions>({"exec", "-t", "ctr", "ls", "--tty", "-d"});
    CHECK(o.tty);
    CHECK_FALSE(o.detach);
    CHECK(o.args == std::vector<std::string>{"ls", "--tty", "-d"});
    o = O<ExecOptions>({"exec", "--", "ctr", "--help"});
    CHECK(o.args == std::vector<std::string>{"--help"});
}

TEST_CASE("cli: exec flags, long and short, repeatable") {
    auto o = O<ExecOptions>({"exec", "-e", "A=1", "--env", "B=2", "-u", "1000:1000", "-g", "10",
                             "--additional-gids=20", "-c", "CAP_NET_ADMIN", "--cap", "CAP_SYS_TIME",
                             "-t", "-d", "--cwd", "/tmp", "--apparmor", "prof", "--process-label",
                             "lbl", "--cgroup", "cpu:sub", "--no-new-privs", "--ignore-paused",
                             "--preserve-fds", "2", "--pidfd-socket", "/pidfd.sock", "ctr", "true"});
    CHECK(o.env == std::vector<std::string>{"A=1", "B=2"});
    CHECK(o.user == "1000:1000");
    CHECK(o.additional_gids == std::vector<uint32_t>{10, 20});
    CHECK(o.caps == std::vector<std::string>{"CAP_NET_ADMIN", "CAP_SYS_TIME"});
    CHECK(o.tty);
    CHECK(o.detach);
    CHECK(o.cwd == "/tmp");
    CHECK(o.apparmor == "prof");
    CHECK(o.process_label == "lbl");
    CHECK(o.cgroup == "cpu:sub");
    CHECK(o.no_new_privs);
    CHECK(o.ignore_paused);
    CHECK(o.preserve_fds == 2);
    CHECK(o.pidfd_socket == "/pidfd.sock");
    CHECK(o.args == std::vector<std::string>{"true"});
    CHECK(O<ExecOptions>({"exec", "--user=0", "--tty=false", "c", "x"}).tty == false);
    // An env value with commas is one entry (urfave v1 does not split).
    CHECK(O<ExecOptions>({"exec", "-e", "A=1,B=2", "c", "x"}).env ==
          std::vector<std::string>{"A=1,B=2"});
}

TEST_CASE("cli: exec errors") {
    CHECK(E({"exec"}) == "\"exec\" requires a minimum of 1 argument(s)");
    CHECK(E({"exec", "ctr"}) == "args must not be empty");
    CHECK(E({"exec", "-p"}) == "flag needs an argument: -p");
    CHECK(E({"exec", "-t=xx", "a", "sh"}) == "invalid boolean value \"xx\" for -t: parse error");
    CHECK(E({"exec", "-g", "x", "a", "sh"}) ==
          "invalid value \"x\" for flag -g: strconv.ParseInt: parsing \"x\": invalid syntax");
    CHECK(E({"exec", "-g", "-1", "a", "sh"}) == "additional-gids must be a positive number -1");
    CHECK(E({"exec", "--bogus", "a", "sh"}) == "flag provided but not defined: -bogus");
    // With --process, extra arguments are ignored by runc, so they are allowed.
    CHECK(O<ExecOptions>({"exec", "-p", "/p", "c", "x"}).args == std::vector<std::string>{"x"});
}

TEST_CASE("cli: exec resolves a relative pid-file") {
    const std::string base = cwd() == "/" ? "" : cwd();
    CHECK(O<ExecOptions>({"exec", "--pid-file", "e.pid", "c", "x"}).pid_file == base + "/e.pid");
    CHECK(O<ExecOptions>({"exec", "-p", "rel.json", "c"}).process_file == "rel.json");
}

TEST_CASE("cli: update --resources, both go-runc spellings") {
    auto o = O<UpdateOptions>({"update", "--resources=-", "ctr"});
    CHECK(o.id == "ctr");
    CHECK(o.resources == "-");
    o = O<UpdateOptions>({"update", "--resources", "-", "ctr"});
    CHECK(o.resources == "-");
    CHECK(o.id == "ctr");
    o = O<UpdateOptions>({"update", "-r", "/tmp/res.json", "ctr"});
    CHECK(o.resources == "/tmp/res.json");
    CHECK(O<UpdateOptions>({"update", "-r=-", "ctr"}).resources == "-");
    // With --resources all other options are ignored (runc), even malformed ones.
    o = O<UpdateOptions>({"update", "-r", "-", "--memory", "1x", "--cpuset-cpus", "0", "ctr"});
    CHECK_FALSE(o.memory);
    CHECK_FALSE(o.cpuset_cpus);
    CHECK(E({"update", "--resources"}) == "flag needs an argument: -resources");
    CHECK(E({"update"}) == "\"update\" requires exactly 1 argument(s)");
}

TEST_CASE("cli: update individual flags") {
    auto o = O<UpdateOptions>({"update", "--blkio-weight", "500", "--cpu-period", "100000",
                               "--cpu-quota", "50000", "--cpu-burst", "1000", "--cpu-share", "512",
                               "--cpu-rt-period", "1000000", "--cpu-rt-runtime", "-1",
                               "--cpu-idle", "1", "--cpuset-cpus", "0-3", "--cpuset-mems", "0",
                               "--memory", "64m", "--memory-reservation", "32M",
                               "--memory-swap", "-1", "--kernel-memory", "1g",
                               "--kernel-memory-tcp", "512k", "--pids-limit", "50",
                               "--l3-cache-schema", "L3:0=ff", "--mem-bw-schema", "MB:0=70", "ctr"});
    CHECK(o.resources.empty());
    CHECK(o.blkio_weight == uint64_t{500});
    CHECK(o.cpu_period == uint64_t{100000});
    CHECK(o.cpu_quota == int64_t{50000});
    CHECK(o.cpu_burst == int64_t{1000});
    CHECK(o.cpu_share == uint64_t{512});
    CHECK(o.cpu_rt_period == uint64_t{1000000});
    CHECK(o.cpu_rt_runtime == int64_t{-1});
    CHECK(o.cpu_idle == int64_t{1});
    CHECK(o.cpuset_cpus == std::string("0-3"));
    CHECK(o.cpuset_mems == std::string("0"));
    CHECK(o.memory == int64_t{64} << 20);
    CHECK(o.memory_reservation == int64_t{32} << 20);
    CHECK(o.memory_swap == int64_t{-1});
    CHECK(o.kernel_memory == int64_t{1} << 30);
    CHECK(o.kernel_memory_tcp == int64_t{512} << 10);
    CHECK(o.pids_limit == int64_t{50});
    CHECK(o.l3_cache_schema == std::string("L3:0=ff"));
    CHECK(o.mem_bw_schema == std::string("MB:0=70"));

    // Nothing given: everything absent. Zero weight/pids mean "unchanged" as in runc.
    o = O<UpdateOptions>({"update", "--blkio-weight", "0", "--pids-limit", "0", "ctr"});
    CHECK_FALSE(o.blkio_weight);
    CHECK_FALSE(o.pids_limit);
    CHECK_FALSE(o.memory);
    CHECK_FALSE(o.cpu_quota);
    CHECK_FALSE(o.cpuset_cpus);
    CHECK(O<UpdateOptions>({"update", "--pids-limit=-1", "ctr"}).pids_limit == int64_t{-1});
    CHECK_FALSE(O<UpdateOptions>({"update", "--memory", "", "ctr"}).memory);
}

TEST_CASE("cli: update memory units like go-units RAMInBytes") {
    auto mem = [](const char* v) {
        return *O<UpdateOptions>({"update", "--memory", v, "x"}).memory;
    };
    CHECK(mem("0") == 0);
    CHECK(mem("100") == 100);
    CHECK(mem("100b") == 100);
    CHECK(mem("512k") == 512 * 1024);
    CHECK(mem("512K") == 512 * 1024);
    CHECK(mem("512kb") == 512 * 1024);
    CHECK(mem("512KiB") == 512 * 1024);
    CHECK(mem("64m") == 64LL << 20);
    CHECK(mem("1g") == 1LL << 30);
    CHECK(mem("1.5g") == 3LL << 29);
    CHECK(mem("2t") == 2LL << 40);
    CHECK(mem("1p") == 1LL << 50);
    CHECK(mem("1 GiB") == 1LL << 30);
    CHECK(mem("-1") == -1);
    CHECK(E({"update", "--memory", "1x", "a"}) == "invalid value for memory: invalid suffix: 'x'");
    CHECK(E({"update", "--memory", "1kx", "a"}) == "invalid value for memory: invalid suffix: 'kx'");
    CHECK(E({"update", "--memory", "1kib2", "a"}) ==
          "invalid value for memory: strconv.ParseFloat: parsing \"1kib2\": invalid syntax");
    CHECK(E({"update", "--memory", "1.2.3m", "a"}) ==
          "invalid value for memory: strconv.ParseFloat: parsing \"1.2.3\": invalid syntax");
    CHECK(E({"update", "--memory", "-2", "a"}) == "invalid value for memory: invalid size: '-2'");
    CHECK(E({"update", "--memory", "g", "a"}) == "invalid value for memory: invalid size: 'g'");
    CHECK(E({"update", "--memory-swap", "lots", "a"}) ==
          "invalid value for memory-swap: invalid size: 'lots'");
}

TEST_CASE("cli: update numeric errors match runc") {
    CHECK(E({"update", "--blkio-weight", "abc", "a"}) ==
          "invalid value \"abc\" for flag -blkio-weight: parse error");
    CHECK(E({"update", "--pids-limit", "abc", "a"}) ==
          "invalid value \"abc\" for flag -pids-limit: parse error");
    CHECK(E({"update", "--cpu-quota", "abc", "a"}) ==
          "invalid value for cpu-quota: strconv.ParseInt: parsing \"abc\": invalid syntax");
    CHECK(E({"update", "--cpu-period", "-1", "a"}) ==
          "invalid value for cpu-period: strconv.ParseUint: parsing \"-1\": invalid syntax");
    CHECK(E({"update", "--cpu-share", "99999999999999999999", "a"}) ==
          "invalid value for cpu-share: strconv.ParseUint: parsing \"99999999999999999999\": "
          "value out of range");
    CHECK(E({"update", "--cpu-idle", "x", "a"}) ==
          "invalid value for cpu-idle: strconv.ParseInt: parsing \"x\": invalid syntax");
}

TEST_CASE("cli: events --interval and --stats") {
    auto o = O<EventsOptions>({"events", "ctr"});
    CHECK(o.id == "ctr");
    CHECK(o.interval_ms == 5000);
    CHECK_FALSE(o.stats);
    CHECK(O<EventsOptions>({"events", "--stats", "ctr"}).stats);
    CHECK(O<EventsOptions>({"events", "--stats=true", "ctr"}).stats);
    CHECK(O<EventsOptions>({"events", "--interval=10s", "ctr"}).interval_ms == 10000);
    CHECK(O<EventsOptions>({"events", "--interval", "250ms", "ctr"}).interval_ms == 250);
    CHECK(O<EventsOptions>({"events", "-interval", "1m30s", "ctr"}).interval_ms == 90000);
    CHECK(E({"events", "--interval", "1", "a"}) ==
          "invalid value \"1\" for flag -interval: parse error");
    CHECK(E({"events", "--interval", "5x", "a"}) ==
          "invalid value \"5x\" for flag -interval: parse error");
    CHECK(E({"events", "--interval=0", "a"}) == "duration interval must be greater than 0");
    CHECK(E({"events", "--interval=-1s", "a"}) == "duration interval must be greater than 0");
    CHECK(E({"events"}) == "\"events\" requires exactly 1 argument(s)");
}

TEST_CASE("cli: Go durations") {
    CHECK(parse_duration_ms("5s") == 5000);
    CHECK(parse_duration_ms("1m30s") == 90000);
    CHECK(parse_duration_ms("250ms") == 250);
    CHECK(parse_duration_ms("1h") == 3600000);
    CHECK(parse_duration_ms("1.5s") == 1500);
    CHECK(parse_duration_ms(".5s") == 500);
    CHECK(parse_duration_ms("1.s") == 1000);
    CHECK(parse_duration_ms("+2s") == 2000);
    CHECK(parse_duration_ms("0") == 0);
    CHECK(parse_duration_ms("2h45m0.5s") == (2 * 3600 + 45 * 60) * 1000 + 500);
    CHECK(parse_duration_ms("1000000us") == 1000);
    CHECK(parse_duration_ms("1000000\xc2\xb5s") == 1000);  // µs
    CHECK(parse_duration_ms("1000000\xce\xbcs") == 1000);  // μs
    CHECK(parse_duration_ms("3000000000ns") == 3000);
    CHECK(parse_duration_ms("1ns") == 1);  // rounded up: never 0 for a positive duration
    CHECK(parse_duration_ms("1.0001ms") == 2);
    CHECK(dur_err("") == "time: invalid duration \"\"");
    CHECK(dur_err("1") == "time: missing unit in duration \"1\"");
    CHECK(dur_err("5x") == "time: unknown unit \"x\" in duration \"5x\"");
    CHECK(dur_err("s") == "time: invalid duration \"s\"");
    CHECK(dur_err(".s") == "time: invalid duration \".s\"");
    CHECK(dur_err("1s ") == "time: unknown unit \"s \" in duration \"1s \"");
    CHECK(dur_err("-") == "time: invalid duration \"-\"");
    CHECK(dur_err("9999999999h") == "time: invalid duration \"9999999999h\"");
    CHECK(dur_err("-1s") == "time: negative duration \"-1s\"");
}

TEST_CASE("cli: features and spec") {
    CHECK(P({"features"}).command == "features");
    CHECK(std::holds_alternative<FeaturesOptions>(P({"features"}).options));
    CHECK(E({"features", "x"}) == "\"features\" requires exactly 0 argument(s)");
    auto s = O<SpecOptions>({"spec"});
    CHECK(s.bundle.empty());
    CHECK_FALSE(s.rootless);
    s = O<SpecOptions>({"spec", "-b", "/b", "--rootless"});
    CHECK(s.bundle == "/b");
    CHECK(s.rootless);
    CHECK(O<SpecOptions>({"spec", "--bundle=/c"}).bundle == "/c");
    CHECK(E({"spec", "x"}) == "\"spec\" requires exactly 0 argument(s)");
    CHECK(E({"spec", "--rootless=maybe"}) ==
          "invalid boolean value \"maybe\" for -rootless: parse error");
}

TEST_CASE("cli: help command and --help on commands") {
    auto topic = [](std::initializer_list<const char*> a) {
        Invocation inv = P(a);
        CHECK(inv.command == "help");
        return std::get<HelpOptions>(inv.options).command;
    };
    CHECK(topic({"help"}).empty());
    CHECK(topic({"h"}).empty());
    CHECK(topic({"help", "create"}) == "create");
    CHECK(topic({"help", "create", "extra"}) == "create");
    CHECK(topic({"h", "kill"}) == "kill");
    CHECK(topic({"help", "h"}) == "help");
    CHECK(topic({"create", "--help"}) == "create");
    CHECK(topic({"create", "-h"}) == "create");
    CHECK(topic({"create", "id", "--help"}) == "create");
    CHECK(topic({"kill", "--help", "id"}) == "kill");
    CHECK(topic({"exec", "--help"}) == "exec");
    CHECK(topic({"features", "--help"}) == "features");
    CHECK(topic({"--debug", "list", "--help"}) == "list");
    CHECK(P({"list", "-h=false"}).command == "list");
    CHECK(E({"help", "foo"}) == "No help topic for 'foo'");
}

TEST_CASE("cli: unknown and unsupported commands") {
    CHECK(E({"foo"}) == "No help topic for 'foo'");
    CHECK(E({"--log-format", "json", "foo"}) == "No help topic for 'foo'");
    CHECK(E({"version"}) == "No help topic for 'version'");
    // Global validation (app.Before) comes before the command lookup.
    CHECK(E({"--log-format", "xml", "foo"}) == "invalid log-format: xml");
    try {
        P({"checkpoint", "x"});
        FAIL("not thrown");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::unsupported);
    }
}

TEST_CASE("cli: help_text for every command lists its flags") {
    const std::string global = help_text("");
    for (const char* c : {"create", "run", "start", "state", "kill", "delete", "list", "ps",
                          "pause", "resume", "exec", "update", "events", "features", "spec",
                          "help"}) {
        CAPTURE(c);
        CHECK(global.find(std::string("\n   ") + c) != std::string::npos);
        const std::string t = help_text(c);
        CHECK(t.find(std::string("NAME:\n   berth ") + c + " - ") == 0);
        CHECK(t.find("USAGE:") != std::string::npos);
    }
    for (const char* f : {"--root", "--log ", "--log-format", "--debug", "--systemd-cgroup",
                          "--rootless", "--criu", "--help, -h", "--version, -v"})
        CHECK(global.find(f) != std::string::npos);
    auto has = [](const char* cmd, std::initializer_list<const char*> flags) {
        const std::string t = help_text(cmd);
        for (const char* f : flags) {
            CAPTURE(cmd);
            CAPTURE(f);
            CHECK(t.find(f) != std::string::npos);
        }
    };
    has("create", {"--bundle value, -b value", "--console-socket", "--pidfd-socket", "--pid-file",
                   "--no-pivot", "--no-new-keyring", "--preserve-fds", "The create command"});
    has("run", {"--detach, -d", "--keep", "--no-subreaper", "--bundle value, -b value",
                "The run command"});
    has("kill", {"--all, -a", "[signal]"});
    has("delete", {"--force, -f"});
    has("list", {"--format value, -f value", "--quiet, -q"});
    has("ps", {"--format value, -f value", "[ps options]"});
    has("exec", {"--process value, -p value", "--env value, -e value", "--tty, -t",
                 "--user value, -u value", "--additional-gids value, -g value",
                 "--cap value, -c value", "--cwd", "--apparmor", "--process-label", "--cgroup",
                 "--detach, -d", "--no-new-privs", "--ignore-paused", "--preserve-fds",
                 "--pid-file", "--console-socket", "--pidfd-socket"});
    has("update", {"--resources value, -r value", "--blkio-weight", "--cpu-period", "--cpu-quota",
                   "--cpu-burst", "--cpu-share", "--cpu-rt-period", "--cpu-rt-runtime",
                   "--cpu-idle", "--cpuset-cpus", "--cpuset-mems", "--memory ",
                   "--memory-reservation", "--memory-swap", "--kernel-memory ",
                   "--kernel-memory-tcp", "--pids-limit", "--l3-cache-schema", "--mem-bw-schema"});
    has("events", {"--interval", "--stats", "5s"});
    has("spec", {"--bundle value, -b value", "--rootless"});
    CHECK(help_text("h") == help_text("help"));
    CHECK(help_text("nope").empty());
}
