// berth: parse the command line, set up logging, dispatch, and report an
// error exactly once (to the log, and to stderr too when the log is a file,
// as runc does), then exit 1 (exec: 255, as runc's fatalWithCode).
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "cli.hpp"
#include "commands.hpp"
#include "sys/error.hpp"
#include "sys/log.hpp"

int main(int argc, char** argv) {
    using namespace rt;
    cli::Invocation inv;
    try {
        inv = cli::parse(argc, argv);
    } catch (const sys::Error& e) {
        std::fprintf(stderr, "berth: %s\n", e.what());
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
