// hooks: run_one/run_all against /bin/sh scripts in a temp dir.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "hooks/hooks.hpp"
#include "runtime/sys/error.hpp"

namespace {

namespace fs = std::filesystem;
using rt::hooks::Prepared;
using rt::spec::Hook;

struct TempDir {
    fs::path path;
    TempDir() {
        char tmpl[] = "/tmp/berth-hooks-XXXXXX";
        REQUIRE(::mkdtemp(tmpl) != nullptr);
        path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    std::string file(const std::string& name) const { return (path / name).string(); }

    // Writes an executable /bin/sh script and returns its path.
    std::string script(const std::string& name, const std::string& body) const {
        std::string p = file(name);
        {
            std::ofstream f(p);
            f << "#!/bin/sh\n" << body << "\n";
        }
        fs::permissions(p, fs::perms::owner_all);
        return p;
    }
};

std::string slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

Hook hook_at(const std::string& path) {
    Hook h;
    h.path = path;
    return h;
}

// Runs one hook with the given state; returns the error text ("" on success).
std::string run(const Hook& h, const std::string& state = "{}",
                const std::vector<std::string>& default_env = {"PATH=/usr/bin:/bin"}) {
    Prepared p = rt::hooks::prepare(h, default_env);
    char err[8192];
    bool ok = rt::hooks::run_one(p, state.data(), state.size(), err, sizeof err);
    std::string msg = err;
    CHECK(ok == msg.empty());
    return msg;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

TEST_CASE("hooks: state JSON arrives on stdin") {
    TempDir d;
    std::string out = d.file("state.json");
    std::string state =
        R"({"ociVersion":"1.0.2","id":"c1","status":"creating","pid":42,"bundle":"/b"})";
    CHECK(run(hook_at(d.script("h", "cat > " + out)), state) == "");
    CHECK(slurp(out) == state);
}

TEST_CASE("hooks: args are passed verbatim, argv[0] may differ from path") {
    TempDir d;
    std::string out = d.file("cmdline");
    Hook h = hook_at("/bin/sh");
    h.args = {"libnetwork-setkey", "-c", "cat /proc/$$/cmdline > " + out, "arg with spaces"};
    CHECK(run(h) == "");
    std::string expect;
    for (const auto& a : h.args) expect += a + '\0';
    CHECK(slurp(out) == expect);
}

TEST_CASE("hooks: empty args means argv is just the path") {
    Hook h = hook_at("/bin/true");
    Prepared p = rt::hooks::prepare(h, {});
    REQUIRE(p.argv.size() == 2);
    CHECK(std::string(p.argv[0]) == "/bin/true");
    CHECK(p.argv[1] == nullptr);
    REQUIRE(p.envp.size() == 1);
    CHECK(p.envp[0] == nullptr);
    CHECK(run(h) == "");
}

TEST_CASE("hooks: env is used as given, default env when empty") {
    TempDir d;
    std::string out = d.file("env");
    Hook h = hook_at(d.script("h", "env > " + out));

    h.env = {"FOO=bar", "HOOKVAR=1"};
    CHECK(run(h, "{}", {"DEFAULT_ONLY=1"}) == "");
    std::string env = slurp(out);
    CHECK(env.find("FOO=bar\n") != std::string::npos);
    CHECK(env.find("HOOKVAR=1\n") != std::string::npos);
    CHECK(env.find("DEFAULT_ONLY") == std::string::npos);

    h.env.clear();
    CHECK(run(h, "{}", {"DEFAULT_ONLY=1"}) == "");
    env = slurp(out);
    CHECK(env.find("DEFAULT_ONLY=1\n") != std::string::npos);
    CHECK(env.find("FOO=bar") == std::string::npos);
}

TEST_CASE("hooks: non-zero exit reports status and captured output") {
    TempDir d;
    std::string p = d.script("h", "echo to-stdout; echo oops >&2; exit 3");
    CHECK(run(hook_at(p)) == "`" + p + "` exited with status 3: to-stdout\noops");

    std::string q = d.script("q", "exit 4");
    CHECK(run(hook_at(q)) == "`" + q + "` exited with status 4");
}

TEST_CASE("hooks: killed by a signal") {
    TempDir d;
    std::string p = d.script("h", "kill -9 $$");
    CHECK(run(hook_at(p)) == "`" + p + "` killed by signal 9");
}

TEST_CASE("hooks: timeout kills the hook") {
    TempDir d;
    Hook h = hook_at(d.script("h", "exec sleep 100"));
    h.timeout = 1;
    auto t0 = std::chrono::steady_clock::now();
    CHECK(run(h) == "`" + h.path + "` ran past specified timeout of 1s");
    double took = seconds_since(t0);
    CHECK(took >= 0.9);
    CHECK(took < 3.0);
}

TEST_CASE("hooks: a non-positive timeout is a config error") {
    Hook h = hook_at("/bin/true");
    h.timeout = 0;
    CHECK_THROWS_AS(rt::hooks::prepare(h, {}), rt::sys::Error);
}

TEST_CASE("hooks: exec failure of a missing path") {
    CHECK(run(hook_at("/nonexistent/berth-hook")) ==
          "`/nonexistent/berth-hook`: exec: No such file or directory");
}

TEST_CASE("hooks: exec failure of a non-executable file") {
    TempDir d;
    std::string p = d.script("h", "exit 0");
    fs::permissions(p, fs::perms::owner_read | fs::perms::owner_write);
    // Even root gets EACCES: execve wants an execute bit on regular files.
    CHECK(run(hook_at(p)) == "`" + p + "`: exec: Permission denied");
}

TEST_CASE("hooks: run_all stops at the first failure") {
    TempDir d;
    std::string marker = d.file("second-ran");
    std::vector<Hook> hooks = {hook_at(d.script("ok", "cat > /dev/null")),
                               hook_at(d.script("bad", "echo broken >&2; exit 1")),
                               hook_at(d.script("never", "touch " + marker))};
    try {
        rt::hooks::run_all(hooks, "{}", "prestart");
        FAIL("run_all did not throw");
    } catch (const rt::sys::Error& e) {
        CHECK(std::string(e.what()) ==
              "prestart hook: `" + hooks[1].path + "` exited with status 1: broken");
        CHECK(e.kind() == rt::sys::ErrorKind::generic);
    }
    CHECK_FALSE(fs::exists(marker));
}

TEST_CASE("hooks: run_all runs every hook in order and inherits the environment") {
    TempDir d;
    std::string log = d.file("log");
    ::setenv("BERTH_HOOK_TEST", "inherited", 1);
    std::vector<Hook> hooks = {hook_at(d.script("a", "echo a$BERTH_HOOK_TEST >> " + log)),
                               hook_at(d.script("b", "echo b >> " + log))};
    rt::hooks::run_all(hooks, "{}", "poststop");
    ::unsetenv("BERTH_HOOK_TEST");
    CHECK(slurp(log) == "ainherited\nb\n");
}

TEST_CASE("hooks: a hook that closes stdin without reading neither fails nor hangs") {
    TempDir d;
    // 1 MiB of state cannot fit the pipe, so the write sees EPIPE.
    std::string big(1 << 20, 'x');
    auto t0 = std::chrono::steady_clock::now();
    CHECK(run(hook_at(d.script("h", "exec 0<&-; exit 0")), big) == "");
    CHECK(run(hook_at("/bin/true"), big) == "");
    CHECK(seconds_since(t0) < 5.0);
    // No SIGPIPE left pending or unblocked by accident.
    sigset_t pending;
    sigemptyset(&pending);
    ::sigpending(&pending);
    CHECK_FALSE(sigismember(&pending, SIGPIPE));
    sigset_t mask;
    ::pthread_sigmask(SIG_SETMASK, nullptr, &mask);
    CHECK_FALSE(sigismember(&mask, SIGPIPE));
}

TEST_CASE("hooks: a hook writing a lot before reading stdin does not deadlock") {
    TempDir d;
    std::string p = d.script("h", "head -c 300000 /dev/zero | tr '\\0' y; cat > /dev/null; exit 2");
    std::string big(300000, 's');
    Prepared prep = rt::hooks::prepare(hook_at(p), {"PATH=/usr/bin:/bin"});
    char err[256];
    CHECK_FALSE(rt::hooks::run_one(prep, big.data(), big.size(), err, sizeof err));
    std::string msg = err;
    // The head of the output is kept, the message is cut to err_len.
    CHECK(msg.size() == sizeof err - 1);
    CHECK(msg.rfind("`" + p + "` exited with status 2: yyyy", 0) == 0);
}

TEST_CASE("hooks: a background grandchild holding stdout does not keep us waiting") {
    TempDir d;
    std::string p = d.script("h", "(sleep 3 &); exit 0");
    auto t0 = std::chrono::steady_clock::now();
    CHECK(run(hook_at(p)) == "");
    CHECK(seconds_since(t0) < 2.0);
}

TEST_CASE("hooks: the hook does not inherit non-CLOEXEC fds beyond 0/1/2") {
    TempDir d;
    int fd = ::open("/dev/null", O_RDONLY);  // deliberately without O_CLOEXEC
    REQUIRE(fd >= 0);
    REQUIRE(::dup2(fd, 47) == 47);
    ::close(fd);
    std::string p = d.script("h",
                             "for n in 3 4 47; do [ -e /proc/$$/fd/$n ] && { echo fd $n; exit 1; }; "
                             "done; [ -e /proc/$$/fd/2 ] || exit 2; exit 0");
    CHECK(run(hook_at(p)) == "");
    ::close(47);
}

TEST_CASE("hooks: cwd is the caller's cwd") {
    TempDir d;
    std::string out = d.file("cwd");
    char old[4096];
    REQUIRE(::getcwd(old, sizeof old) != nullptr);
    REQUIRE(::chdir(d.path.c_str()) == 0);
    std::string msg = run(hook_at(d.script("h", "pwd > " + out)));
    REQUIRE(::chdir(old) == 0);
    CHECK(msg == "");
    CHECK(slurp(out) == d.path.string() + "\n");
}
