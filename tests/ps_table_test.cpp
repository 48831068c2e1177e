// ps (table): runc's filter of host `ps` output by the container's pids.
#include <doctest/doctest.h>

#include <string>

#include "cgroup_commands.hpp"
#include "sys/error.hpp"

using rt::cgroup_commands::filter_ps_table;

TEST_CASE("ps table: header plus the lines whose PID column is the container's") {
    std::string ef =
        "UID          PID    PPID  C STIME TTY          TIME CMD\n"
        "root           1       0  0 10:00 ?        00:00:01 /sbin/init\n"
        "root         420       1  0 10:00 ?        00:00:00 sleep 100\n"
        "root         421     420  0 10:00 ?        00:00:00 sleep 420\n"
        "root        4200       1  0 10:00 ?        00:00:00 sleep 421\n";
    CHECK(filter_ps_table(ef, {420, 421}) ==
          "UID          PID    PPID  C STIME TTY          TIME CMD\n"
          "root         420       1  0 10:00 ?        00:00:00 sleep 100\n"
          "root         421     420  0 10:00 ?        00:00:00 sleep 420\n");
    // The PID column is found by name, wherever ps puts it.
    CHECK(filter_ps_table("COMMAND PID\nsleep 7\nsh 8\n", {8}) == "COMMAND PID\nsh 8\n");
    // No process: the header alone.
    CHECK(filter_ps_table(ef, {}) == "UID          PID    PPID  C STIME TTY          TIME CMD\n");
}

TEST_CASE("ps table: errors as runc's") {
    CHECK_THROWS_WITH_AS(filter_ps_table("USER COMMAND\nroot sh\n", {1}), "couldn't find PID field in ps output",
                         rt::sys::Error);
    CHECK_THROWS_WITH_AS(filter_ps_table("", {1}), "couldn't find PID field in ps output", rt::sys::Error);
    CHECK_THROWS_WITH_AS(filter_ps_table("PID CMD\nabc sh\n", {1}), doctest::Contains("unable to parse pid"),
                         rt::sys::Error);
}
