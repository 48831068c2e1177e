// berth: parse the command line, set up logging, dispatch, and report an
// error exactly once (to the log, and to stderr too when the log is a file,
// as runc does), then exit 1 (exec: 255, as runc's fatalWithCode).
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <optional>
#include <string>

#include "cli.hpp"
#include "commands.hpp"
#include "sys/error.hpp"
#include "sys/log.hpp"
#include "sys/self_path.hpp"

namespace {

// A usage error still belongs in --log (containerd reads the last error
// record of log.json): find --log/--log-format among the global flags by
// hand, since the parser that would have found them just failed.
void log_usage_error(int argc, char** argv, const char* msg) {
    std::string log, format = "text";
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a.rfind("--", 0) == 0) a.erase(0, 1);
        auto value = [&](const char* name) -> std::optional<std::string> {
            std::string flag = std::string("-") + name;
            if (a == flag && i + 1 < argc) return std::string(argv[++i]);
            if (a.rfind(flag + "=", 0) == 0) return a.substr(flag.size() + 1);
            return std::nullopt;
        };
        if (auto v = value("log")) log = *v;
        else if (auto f = value("log-format")) format = *f;
        else if (a.empty() || a[0] != '-') break;  // the subcommand: globals end here
    }
    if (!log.empty()) {
        try {
            rt::sys::log::init(log, format == "json", false);
            rt::sys::log::error(msg);
        } catch (const rt::sys::Error&) {
        }
    }
    std::fprintf(stderr, "berth: %s\n", msg);
}

}  // namespace

int main(int argc, char** argv) {
    using namespace rt;
    // Before anything changes directory: finds berth-systemd beside us.
    sys::record_argv0(argv[0]);
    cli::Invocation inv;
    try {
        inv = cli::parse(argc, argv);
    } catch (const sys::Error& e) {
        log_usage_error(argc, argv, e.what());
        return 1;
    }
    try {
        sys::log::init(inv.global.log, inv.global.log_format == "json", inv.global.debug);
    } catch (const sys::Error& e) {
        std::fprintf(stderr, "berth: %s\n", e.what());
        return 1;
    }
    try {
        return commands::dispatch(inv, argv);
    } catch (const sys::Error& e) {
        sys::log::error(e.what());
        if (!sys::log::to_stderr()) std::fprintf(stderr, "berth: %s\n", e.what());
        return inv.command == "exec" ? 255 : 1;
    } catch (const std::exception& e) {
        sys::log::error(e.what());
        if (!sys::log::to_stderr()) std::fprintf(stderr, "berth: %s\n", e.what());
        return inv.command == "exec" ? 255 : 1;
    }
}
