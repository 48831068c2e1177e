// State directory: reservation, locking, atomic save, status derivation.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "state.hpp"
#include "sys/error.hpp"

using namespace rt;

namespace {
std::string temp_root() {
    char tmpl[] = "/tmp/berth-state-test-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    return std::string(tmpl) + "/root";
}
}  // namespace

TEST_CASE("state: reserve, save, load, remove") {
    auto root = temp_root();
    auto dir = state::Dir::reserve(root, "c1");
    struct stat st;
    REQUIRE(::stat(root.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
    CHECK_FALSE(dir.has_state());
    state::Saved s{"c1", "/b", "/b/rootfs", "2026-01-01T00:00:00Z", 42, 7, "{\"ociVersion\":\"1.0.0\"}", true};
    dir.save(s);
    CHECK(dir.has_state());
    auto l = dir.load();
    CHECK(l.id == "c1");
    CHECK(l.pid == 42);
    CHECK(l.start_time == 7);
    CHECK(l.config == s.config);
    CHECK(l.systemd_cgroup);
    CHECK(l.rootfs == "/b/rootfs");
    dir.remove();
    CHECK(::access((root + "/c1").c_str(), F_OK) != 0);
    CHECK(state::list_ids(root).empty());
}

TEST_CASE("state: duplicate and unknown ids use runc's wording") {
    auto root = temp_root();
    auto dir = state::Dir::reserve(root, "dup");
    try {
        state::Dir::reserve(root, "dup");
        FAIL("no error");
    } catch (const sys::Error& e) {
        CHECK(e.kind() == sys::ErrorKind::exists);
        CHECK(std::string(e.what()) == "container with given ID already exists");
    }
    try {
        state::Dir::open(root, "nope");
        FAIL("no error");
    } catch (const sys::Error& e) {
        CHECK(e.kind() == sys::ErrorKind::not_found);
        CHECK(std::string(e.what()) == "container does not exist");
    }
    CHECK(state::list_ids(root) == std::vector<std::string>{"dup"});
    dir.remove();
}

TEST_CASE("state: status from the live process and its start time") {
    auto root = temp_root();
    auto dir = state::Dir::reserve(root, "me");
    state::Saved s;
    s.pid = ::getpid();
    s.start_time = state::process_start_time(::getpid());
    CHECK(s.start_time != 0);
    CHECK(state::status_of(dir, s) == state::Status::running);
    s.start_time += 1;  // a reused pid: same number, different process
    CHECK(state::status_of(dir, s) == state::Status::stopped);
    s.pid = 0;
    CHECK(state::status_of(dir, s) == state::Status::stopped);
    CHECK(std::string(state::status_name(state::Status::paused)) == "paused");
    dir.remove();
}

TEST_CASE("state: owner names come from /etc/passwd, else #uid") {
    CHECK(state::owner_of("/") == "root");
    CHECK(state::owner_of("/no/such/path").empty());
}

TEST_CASE("state: RFC3339Nano creation time") {
    auto t = state::now_rfc3339_nano();
    CHECK(t.size() >= 20);
    CHECK(t[4] == '-');
    CHECK(t[10] == 'T');
    CHECK(t.back() == 'Z');
}
