#include <doctest/doctest.h>

#include <cerrno>
#include <string>

#include "sys/error.hpp"

using rt::sys::Error;
using rt::sys::ErrorKind;

TEST_CASE("error: message gets the errno text appended once") {
    Error e(ErrorKind::not_found, ENOENT, "open `/x`");
    CHECK(std::string(e.what()) == "open `/x`: No such file or directory");
    CHECK(e.errnum() == ENOENT);
    CHECK(e.kind() == ErrorKind::not_found);
}

TEST_CASE("error: no errno, no suffix; default kind is generic") {
    Error e("container does not exist");
    CHECK(std::string(e.what()) == "container does not exist");
    CHECK(e.errnum() == 0);
    CHECK(e.kind() == ErrorKind::generic);

    Error u(ErrorKind::usage, "flag provided but not defined: -x");
    CHECK(u.kind() == ErrorKind::usage);
    CHECK(u.errnum() == 0);
    CHECK(std::string(u.what()) == "flag provided but not defined: -x");
}

TEST_CASE("error: is a std::runtime_error") {
    try {
        throw Error(ErrorKind::exists, "container with given ID already exists");
    } catch (const std::exception& e) {
        CHECK(std::string(e.what()) == "container with given ID already exists");
    }
}

TEST_CASE("error: throw_errno captures errno before formatting") {
    errno = EACCES;
    try {
        rt::sys::throw_errno("mount `%s` on `%s`", std::string("proc"), "/proc");
        FAIL("not thrown");
    } catch (const Error& e) {
        CHECK(e.errnum() == EACCES);
        CHECK(e.kind() == ErrorKind::generic);
        CHECK(std::string(e.what()) == "mount `proc` on `/proc`: Permission denied");
    }
}

TEST_CASE("error: check_sys passes non-negative results through and throws on -1") {
    CHECK(rt::sys::check_sys(0, "x") == 0);
    CHECK(rt::sys::check_sys(42L, "x") == 42L);
    errno = EPERM;
    try {
        rt::sys::check_sys(-1, "setns %d", 7);
        FAIL("not thrown");
    } catch (const Error& e) {
        CHECK(e.errnum() == EPERM);
        CHECK(std::string(e.what()) == "setns 7: Operation not permitted");
    }
}

TEST_CASE("error: fail() uses the kind and no errno") {
    errno = ENOENT;  // must be ignored
    try {
        rt::sys::fail(ErrorKind::bad_state, "cannot delete container %s that is not stopped: %s",
                      std::string("abc"), "running");
        FAIL("not thrown");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::bad_state);
        CHECK(e.errnum() == 0);
        CHECK(std::string(e.what()) == "cannot delete container abc that is not stopped: running");
    }
}

TEST_CASE("error: format handles no arguments, long output and numbers") {
    CHECK(rt::sys::format("plain 100%") == "plain 100%");
    CHECK(rt::sys::format("%d-%s-%u", -3, "x", 7u) == "-3-x-7");
    std::string long_arg(1000, 'a');
    std::string out = rt::sys::format("<%s>", long_arg);
    CHECK(out.size() == 1002);
    CHECK(out.front() == '<');
    CHECK(out.back() == '>');
    CHECK(rt::sys::format("%s", std::string()) == "");
}
