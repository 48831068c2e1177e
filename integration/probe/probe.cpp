// probe: a tiny, fully static helper for the integration suite.
//
// Inside a container it reports what the process sees, one `key=value` (or one
// item) per line, so bats cases can assert on exact lines.  A few subcommands
// (recvtty, fillpipe, rusage) are host-side helpers used by the test harness
// and bench.sh, so the suite needs nothing but bash, jq and this binary.
//
// Several subcommands can be chained in one run with a literal ";" argument:
//   probe ids ";" caps
// Exit status: 0, also when a subcommand reported an error: errors are printed
// on stdout as `error=ENAME` (or just `ENAME` for `write`) and asserted like any
// other output.  2 on usage errors; `exit N` and `kill-self` end as asked.
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <map>
#include <poll.h>
#include <string>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <spawn.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <vector>

extern char **environ;

namespace {

using Args = std::vector<std::string>;

std::string ename(int e) {
    const char *n = strerrorname_np(e);
    return n ? n : "E" + std::to_string(e);
}

void out(const std::string &s) {
    std::string l = s + "\n";
    size_t off = 0;
    while (off < l.size()) {
        ssize_t n = write(1, l.data() + off, l.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        off += size_t(n);
    }
}

int fail(const std::string &what, int e) {
    out(what + "error=" + ename(e));
    return 1;
}

bool slurp(const std::string &path, std::string &data, int &err) {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) { err = errno; return false; }
    char buf[8192];
    data.clear();
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) { err = errno; close(fd); return false; }
        if (n == 0) break;
        data.append(buf, size_t(n));
        if (data.size() > (1u << 20)) break;
    }
    close(fd);
    return true;
}

std::string readlink_s(const std::string &p) {
    char buf[4096];
    ssize_t n = readlink(p.c_str(), buf, sizeof buf - 1);
    if (n < 0) return "error=" + ename(errno);
    return std::string(buf, size_t(n));
}

std::vector<std::string> split(const std::string &s, char sep) {
    std::vector<std::string> v;
    std::string cur;
    for (char c : s) {
        if (c == sep) { v.push_back(cur); cur.clear(); } else cur += c;
    }
    if (!cur.empty()) v.push_back(cur);
    return v;
}

int signum(const std::string &s) {
    static const std::map<std::string, int> names = {
        {"HUP", SIGHUP}, {"INT", SIGINT}, {"QUIT", SIGQUIT}, {"ILL", SIGILL},
        {"TRAP", SIGTRAP}, {"ABRT", SIGABRT}, {"BUS", SIGBUS}, {"FPE", SIGFPE},
        {"KILL", SIGKILL}, {"USR1", SIGUSR1}, {"SEGV", SIGSEGV}, {"USR2", SIGUSR2},
        {"PIPE", SIGPIPE}, {"ALRM", SIGALRM}, {"TERM", SIGTERM}, {"CHLD", SIGCHLD},
        {"CONT", SIGCONT}, {"STOP", SIGSTOP}, {"TSTP", SIGTSTP}, {"WINCH", SIGWINCH}};
    if (!s.empty() && isdigit((unsigned char)s[0])) return atoi(s.c_str());
    std::string n = s.rfind("SIG", 0) == 0 ? s.substr(3) : s;
    auto it = names.find(n);
    return it == names.end() ? -1 : it->second;
}

// ---- container-side reports -------------------------------------------------

int cmd_hostname(const Args &) {
    struct utsname u;
    uname(&u);
    out(std::string("hostname=") + u.nodename);
    out(std::string("domainname=") + u.domainname);
    return 0;
}

std::string status_field(const std::string &key) {
    std::string st;
    int e;
    if (!slurp("/proc/self/status", st, e)) return "";
    for (auto &line : split(st, '\n')) {
        if (line.rfind(key + ":", 0) == 0) {
            std::string v = line.substr(key.size() + 1);
            v.erase(0, v.find_first_not_of(" \t"));
            return v;
        }
    }
    return "";
}

int cmd_ids(const Args &) {
    out("uid=" + std::to_string(getuid()));
    out("gid=" + std::to_string(getgid()));
    out("euid=" + std::to_string(geteuid()));
    out("egid=" + std::to_string(getegid()));
    int n = getgroups(0, nullptr);
    std::vector<gid_t> g(size_t(n > 0 ? n : 0));
    if (n > 0) getgroups(n, g.data());
    std::sort(g.begin(), g.end());
    std::string gs;
    for (gid_t x : g) gs += (gs.empty() ? "" : ",") + std::to_string(x);
    out("groups=" + gs);
    out("umask=" + status_field("Umask"));
    return 0;
}

int cmd_caps(const Args &) {
    for (const char *k : {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"})
        out(std::string(k) + "=" + status_field(k));
    return 0;
}

int cmd_nnp(const Args &) {
    out("nnp=" + std::to_string(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0)));
    return 0;
}

int cmd_rlimit(const Args &a) {
    static const std::map<std::string, int> res = {
        {"AS", RLIMIT_AS}, {"CORE", RLIMIT_CORE}, {"CPU", RLIMIT_CPU}, {"DATA", RLIMIT_DATA},
        {"FSIZE", RLIMIT_FSIZE}, {"LOCKS", RLIMIT_LOCKS}, {"MEMLOCK", RLIMIT_MEMLOCK},
        {"MSGQUEUE", RLIMIT_MSGQUEUE}, {"NICE", RLIMIT_NICE}, {"NOFILE", RLIMIT_NOFILE},
        {"NPROC", RLIMIT_NPROC}, {"RSS", RLIMIT_RSS}, {"RTPRIO", RLIMIT_RTPRIO},
        {"RTTIME", RLIMIT_RTTIME}, {"SIGPENDING", RLIMIT_SIGPENDING}, {"STACK", RLIMIT_STACK}};
    if (a.size() < 2) return 2;
    std::string n = a[1].rfind("RLIMIT_", 0) == 0 ? a[1].substr(7) : a[1];
    auto it = res.find(n);
    if (it == res.end()) return 2;
    struct rlimit rl;
    if (getrlimit(__rlimit_resource(it->second), &rl) < 0) return fail("", errno);
    auto f = [](rlim_t v) { return v == RLIM_INFINITY ? std::string("unlimited") : std::to_string(v); };
    out(f(rl.rlim_cur) + " " + f(rl.rlim_max));
    return 0;
}

// fds [-a]: open fds (without 0-2 unless -a), minus the directory fd used to list.
int cmd_fds(const Args &a) {
    bool all = a.size() > 1 && a[1] == "-a";
    DIR *d = opendir("/proc/self/fd");
    if (!d) return fail("", errno);
    int self = dirfd(d);
    std::vector<int> fds;
    while (auto *e = readdir(d)) {
        if (e->d_name[0] == '.') continue;
        int fd = atoi(e->d_name);
        if (fd == self || (!all && fd <= 2)) continue;
        fds.push_back(fd);
    }
    std::sort(fds.begin(), fds.end());
    for (int fd : fds) out(std::to_string(fd) + " " + readlink_s("/proc/self/fd/" + std::to_string(fd)));
    closedir(d);
    return 0;
}

int cmd_cwd(const Args &) {
    char buf[4096];
    if (!getcwd(buf, sizeof buf)) return fail("cwd=", errno);
    out(std::string("cwd=") + buf);
    return 0;
}

int cmd_tty(const Args &) {
    for (int fd = 0; fd <= 2; fd++) out("isatty" + std::to_string(fd) + "=" + std::to_string(isatty(fd)));
    char *n = ttyname(0);
    out(std::string("ttyname0=") + (n ? n : "none"));
    struct winsize ws {};
    if (ioctl(0, TIOCGWINSZ, &ws) == 0) {
        out("rows=" + std::to_string(ws.ws_row));
        out("cols=" + std::to_string(ws.ws_col));
    } else {
        out("winsize=error=" + ename(errno));
    }
    int t = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    out("ctty=" + std::string(t >= 0 ? "1" : "0"));
    if (t >= 0) close(t);
    return 0;
}

int cmd_ns(const Args &) {
    for (const char *ns : {"cgroup", "ipc", "mnt", "net", "pid", "pid_for_children", "time",
                           "time_for_children", "user", "uts"}) {
        struct stat st;
        if (stat((std::string("/proc/self/ns/") + ns).c_str(), &st) == 0)
            out(std::string(ns) + "=" + std::to_string(st.st_ino));
    }
    return 0;
}

struct MountLine {
    std::string mp, line;
};

// One line per mount: "MP type=T src=S opts=O super=SO prop=P root=R dev=M:m".
// prop is "private" when there are no optional fields, else the fields joined by ",".
std::vector<MountLine> read_mounts() {
    std::vector<MountLine> v;
    std::string data;
    int e;
    if (!slurp("/proc/self/mountinfo", data, e)) return v;
    for (auto &l : split(data, '\n')) {
        auto f = split(l, ' ');
        if (f.size() < 10) continue;
        size_t i = 6;
        std::string prop;
        for (; i < f.size() && f[i] != "-"; i++) prop += (prop.empty() ? "" : ",") + f[i];
        if (i + 3 >= f.size()) continue;
        if (prop.empty()) prop = "private";
        std::string s = f[4] + " type=" + f[i + 1] + " src=" + f[i + 2] + " opts=" + f[5] +
                        " super=" + f[i + 3] + " prop=" + prop + " root=" + f[3] + " dev=" + f[2];
        v.push_back({f[4], s});
    }
    return v;
}

int cmd_mounts(const Args &) {
    for (auto &m : read_mounts()) out(m.line);
    return 0;
}

int cmd_mount(const Args &a) {
    if (a.size() < 2) return 2;
    const MountLine *last = nullptr;
    auto v = read_mounts();
    for (auto &m : v)
        if (m.mp == a[1]) last = &m;
    if (!last) { out("none"); return 1; }
    out(last->line);
    return 0;
}

std::string stat_line(const struct stat &st, const std::string &path) {
    std::string t;
    switch (st.st_mode & S_IFMT) {
    case S_IFREG: t = "file"; break;
    case S_IFDIR: t = "dir"; break;
    case S_IFLNK: t = "link"; break;
    case S_IFCHR: t = "chr"; break;
    case S_IFBLK: t = "blk"; break;
    case S_IFIFO: t = "fifo"; break;
    case S_IFSOCK: t = "sock"; break;
    default: t = "unknown";
    }
    char mode[16];
    snprintf(mode, sizeof mode, "%04o", unsigned(st.st_mode & 07777));
    std::string s = "type=" + t + " mode=" + mode + " uid=" + std::to_string(st.st_uid) +
                    " gid=" + std::to_string(st.st_gid);
    if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
        s += " rdev=" + std::to_string(major(st.st_rdev)) + ":" + std::to_string(minor(st.st_rdev));
    if (S_ISREG(st.st_mode)) s += " size=" + std::to_string(st.st_size);
    if (S_ISLNK(st.st_mode)) s += " target=" + readlink_s(path);
    return s;
}

// stat [-L] PATH: lstat by default, -L follows symlinks.
int cmd_stat(const Args &a) {
    bool follow = a.size() > 2 && a[1] == "-L";
    const std::string &p = a.size() > 2 && follow ? a[2] : (a.size() > 1 ? a[1] : "");
    if (p.empty()) return 2;
    struct stat st;
    if ((follow ? stat(p.c_str(), &st) : lstat(p.c_str(), &st)) < 0) return fail("", errno);
    out(stat_line(st, p));
    return 0;
}

// write PATH [DATA]: open(O_WRONLY|O_CREAT), optionally write DATA; prints ok or ENAME.
int cmd_write(const Args &a) {
    if (a.size() < 2) return 2;
    int fd = open(a[1].c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) { out(ename(errno)); return 1; }
    if (a.size() > 2 && write(fd, a[2].data(), a[2].size()) < 0) {
        out(ename(errno));
        close(fd);
        return 1;
    }
    close(fd);
    out("ok");
    return 0;
}

int cmd_read(const Args &a) {
    if (a.size() < 2) return 2;
    std::string d;
    int e;
    if (!slurp(a[1], d, e)) return fail("", e);
    if (write(1, d.data(), d.size()) < 0) return 1;
    return 0;
}

int cmd_ls(const Args &a) {
    DIR *d = opendir(a.size() > 1 ? a[1].c_str() : ".");
    if (!d) return fail("", errno);
    std::vector<std::string> names;
    while (auto *e = readdir(d))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) names.push_back(e->d_name);
    closedir(d);
    std::sort(names.begin(), names.end());
    for (auto &n : names) out(n);
    return 0;
}

int cmd_env(const Args &) {
    for (char **e = environ; *e; e++) out(*e);
    return 0;
}

int cmd_oom(const Args &) {
    std::string d;
    int e;
    if (!slurp("/proc/self/oom_score_adj", d, e)) return fail("oom_score_adj=", e);
    while (!d.empty() && d.back() == '\n') d.pop_back();
    out("oom_score_adj=" + d);
    return 0;
}

int cmd_sysctl(const Args &a) {
    if (a.size() < 2) return 2;
    std::string p = "/proc/sys/" + a[1];
    std::replace(p.begin() + 10, p.end(), '.', '/');
    std::string d;
    int e;
    if (!slurp(p, d, e)) return fail(a[1] + "=", e);
    while (!d.empty() && d.back() == '\n') d.pop_back();
    out(a[1] + "=" + d);
    return 0;
}

int cmd_pid(const Args &) {
    out("pid=" + std::to_string(getpid()));
    out("ppid=" + std::to_string(getppid()));
    return 0;
}

int cmd_sleep(const Args &a) {
    double s = a.size() > 1 ? atof(a[1].c_str()) : 3600;
    struct timespec ts {time_t(s), long((s - double(time_t(s))) * 1e9)};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {}
    return 0;
}

int cmd_exit(const Args &a) { exit(a.size() > 1 ? atoi(a[1].c_str()) : 0); }

int cmd_kill_self(const Args &a) {
    int s = a.size() > 1 ? signum(a[1]) : SIGKILL;
    if (s <= 0) return 2;
    if (getpid() == 1) fprintf(stderr, "probe: kill-self as pid 1 is ignored by the kernel\n");
    signal(s, SIG_DFL);
    kill(getpid(), s);
    sleep(5);
    return 3;
}

volatile sig_atomic_t g_pending[65];
void on_signal(int s) { g_pending[s] = 1; }

// signals [COUNT]: prints "ready", then each received signal number; exits after COUNT.
int cmd_signals(const Args &a) {
    int want = a.size() > 1 ? atoi(a[1].c_str()) : 1;
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigfillset(&sa.sa_mask);
    for (int s = 1; s < 32; s++)
        if (s != SIGKILL && s != SIGSTOP && s != SIGCHLD && s != SIGWINCH && s != SIGURG)
            sigaction(s, &sa, nullptr);
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    out("ready");
    int got = 0;
    while (got < want) {
        sigsuspend(&old);
        for (int s = 1; s < 65; s++)
            if (g_pending[s]) {
                g_pending[s] = 0;
                out(std::to_string(s));
                got++;
            }
    }
    return 0;
}

int cmd_timens(const Args &) {
    struct timespec m, b;
    clock_gettime(CLOCK_MONOTONIC, &m);
    clock_gettime(CLOCK_BOOTTIME, &b);
    out("monotonic=" + std::to_string(m.tv_sec));
    out("boottime=" + std::to_string(b.tv_sec));
    return 0;
}

int cmd_cgroup(const Args &) { return cmd_read({"read", "/proc/self/cgroup"}); }

// alloc BYTES: map BYTES of anonymous memory and touch every page, then print
// "allocated=BYTES". Over a memory limit the kernel's OOM killer ends it with
// SIGKILL before that line.
int cmd_alloc(const Args &a) {
    if (a.size() < 2) return 2;
    size_t n = strtoull(a[1].c_str(), nullptr, 10);
    if (n == 0) return 2;
    void *m = mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return fail("alloc=", errno);
    volatile char *p = static_cast<char *>(m);
    for (size_t i = 0; i < n; i += 4096) p[i] = 1;
    out("allocated=" + std::to_string(n));
    munmap(m, n);
    return 0;
}

// forkn N: fork N children that wait, all alive at once; prints "forked=K"
// (how many forks succeeded) and "fork_error=ENAME" when one failed, then
// kills and reaps the children.
int cmd_forkn(const Args &a) {
    if (a.size() < 2) return 2;
    int want = atoi(a[1].c_str());
    std::vector<pid_t> kids;
    int err = 0;
    for (int i = 0; i < want; i++) {
        pid_t p = fork();
        if (p == 0) {
            for (;;) pause();
        }
        if (p < 0) { err = errno; break; }
        kids.push_back(p);
    }
    out("forked=" + std::to_string(kids.size()));
    if (err) out("fork_error=" + ename(err));
    for (pid_t p : kids) kill(p, SIGKILL);
    for (pid_t p : kids) waitpid(p, nullptr, 0);
    return 0;
}

// spin SECS: busy-loop for SECS seconds of wall time, then print "cpu_ms=N",
// the CPU time the loop got meanwhile (a CPU quota keeps it low). Only the
// loop counts: the process's CPU time includes what the runtime's init used
// before it exec'd the probe.
int cmd_spin(const Args &a) {
    double secs = a.size() > 1 ? atof(a[1].c_str()) : 1;
    struct timespec t0, t, c0, c;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    volatile unsigned long x = 0;
    do {
        for (int i = 0; i < 10000; i++) x = x + 1;
        clock_gettime(CLOCK_MONOTONIC, &t);
    } while (double(t.tv_sec - t0.tv_sec) + double(t.tv_nsec - t0.tv_nsec) / 1e9 < secs);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c);
    long long ms = (c.tv_sec - c0.tv_sec) * 1000LL + (c.tv_nsec - c0.tv_nsec) / 1000000;
    out("cpu_ms=" + std::to_string(ms));
    return 0;
}

// exe-attack: the CVE-2019-5736 attacker.  Keeps an O_PATH fd on the exe of
// every other visible process (not itself, not pid 1), prints "grabbed PID
// TARGET" for each and then "ready"; on SIGUSR1 (sent once those processes are
// gone) reopens each fd for writing through /proc/self/fd and writes to it,
// printing "write PID ok" or "write PID ENAME".
int cmd_exe_attack(const Args &) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, nullptr);
    std::vector<std::pair<int, int>> held;
    DIR *d = opendir("/proc");
    if (!d) return fail("", errno);
    while (auto *e = readdir(d)) {
        int pid = atoi(e->d_name);
        if (pid <= 1 || pid == getpid()) continue;
        std::string exe = "/proc/" + std::to_string(pid) + "/exe";
        int fd = open(exe.c_str(), O_PATH | O_CLOEXEC);
        if (fd < 0) {
            out("open " + std::to_string(pid) + " " + ename(errno));
            continue;
        }
        out("grabbed " + std::to_string(pid) + " " + readlink_s(exe));
        held.push_back({pid, fd});
    }
    closedir(d);
    out("ready");
    int sig;
    sigwait(&set, &sig);
    for (auto [pid, fd] : held) {
        std::string p = "/proc/self/fd/" + std::to_string(fd);
        int w = open(p.c_str(), O_WRONLY | O_CLOEXEC);
        if (w < 0) {
            out("write " + std::to_string(pid) + " " + ename(errno));
            continue;
        }
        static const char msg[] = "#!/bin/sh\necho pwned by probe\n";
        bool ok = pwrite(w, msg, sizeof msg - 1, 0) == ssize_t(sizeof msg - 1);
        out("write " + std::to_string(pid) + " " + (ok ? std::string("ok") : ename(errno)));
        close(w);
    }
    return 0;
}

// grabber EXE...: CVE-2016-9962. Run as the container's pid 1 with its
// default capabilities while `exec` joins the container again and again:
// race every other process for ptrace(PTRACE_SEIZE) and its /proc/N/fd,
// retrying each until it is caught or gone. A process caught while its exe
// is not one of EXE (the payloads) is a runtime still setting up inside the
// container: "early PID exe=... fds=...". Prints "ready" once, and on
// SIGUSR1 "done caught=N early=M".
int cmd_grabber(const Args &a) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, nullptr);
    auto payload = [&](const std::string &exe) { return std::find(a.begin() + 1, a.end(), exe) != a.end(); };
    std::map<int, bool> done;  // pid -> caught (attached or fds read)
    int caught = 0, early = 0;
    out("ready");
    for (;;) {
        sigset_t pend;
        sigpending(&pend);
        if (sigismember(&pend, SIGUSR1)) break;
        // Traced processes wait for their tracer to see them exit.
        while (waitpid(-1, nullptr, WNOHANG | __WALL) > 0) {
        }
        DIR *d = opendir("/proc");
        if (!d) return fail("", errno);
        while (auto *e = readdir(d)) {
            int pid = atoi(e->d_name);
            if (pid <= 1 || pid == getpid() || done.count(pid)) continue;
            std::string base = "/proc/" + std::to_string(pid);
            bool attached = ptrace(PTRACE_SEIZE, pid, nullptr, nullptr) == 0;
            std::string fds;
            if (DIR *fd = opendir((base + "/fd").c_str())) {
                while (auto *f = readdir(fd))
                    if (f->d_name[0] != '.') fds += " " + readlink_s(base + "/fd/" + f->d_name);
                closedir(fd);
            } else if (!attached) {
                continue;  // not now: try again on the next pass
            }
            std::string exe = readlink_s(base + "/exe");
            done[pid] = true;
            if (exe.rfind("error=", 0) == 0) continue;  // exited meanwhile
            caught++;
            if (!payload(exe)) {
                early++;
                out("early " + std::to_string(pid) + " exe=" + exe + " fds=" + fds);
            }
        }
        closedir(d);
    }
    out("done caught=" + std::to_string(caught) + " early=" + std::to_string(early));
    return 0;
}

// ---- host-side helpers --------------------------------------------------------

// recvtty SOCK OUT [GATE]: listen on SOCK, (wait for file GATE,) accept one
// connection, receive the pty master (SCM_RIGHTS) and copy everything read from
// it into OUT until EOF/EIO.  OUT.info gets "payload=<data> fds=<n>".
int cmd_recvtty(const Args &a) {
    if (a.size() < 3) return 2;
    int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un sun {};
    sun.sun_family = AF_UNIX;
    snprintf(sun.sun_path, sizeof sun.sun_path, "%s", a[1].c_str());
    unlink(a[1].c_str());
    if (bind(ls, (struct sockaddr *)&sun, sizeof sun) < 0 || listen(ls, 1) < 0) {
        perror("recvtty: bind/listen");
        return 1;
    }
    if (a.size() > 3) {
        struct stat st;
        while (stat(a[3].c_str(), &st) < 0) usleep(10000);
    }
    int c = accept4(ls, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) { perror("recvtty: accept"); return 1; }
    char data[4096];
    char cbuf[CMSG_SPACE(sizeof(int) * 8)];
    struct iovec iov {data, sizeof data};
    struct msghdr mh {};
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = cbuf;
    mh.msg_controllen = sizeof cbuf;
    ssize_t n = recvmsg(c, &mh, MSG_CMSG_CLOEXEC);
    int master = -1, nfds = 0;
    for (auto *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
        if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
            nfds += int((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
            memcpy(&master, CMSG_DATA(cm), sizeof(int));
        }
    }
    FILE *info = fopen((a[2] + ".info").c_str(), "w");
    if (info) {
        fprintf(info, "payload=%.*s\nfds=%d\ncontrollen=%zu\n", int(n > 0 ? n : 0), data, nfds,
                size_t(mh.msg_controllen));
        // For a pidfd (--pidfd-socket), fdinfo names the process.
        char fdinfo[64], line[256];
        snprintf(fdinfo, sizeof fdinfo, "/proc/self/fdinfo/%d", master);
        if (FILE *fi = master >= 0 ? fopen(fdinfo, "re") : nullptr) {
            while (fgets(line, sizeof line, fi))
                if (strncmp(line, "Pid:", 4) == 0) fprintf(info, "pid=%ld\n", strtol(line + 4, nullptr, 10));
            fclose(fi);
        }
        fclose(info);
    }
    close(c);
    close(ls);
    if (master < 0) { fprintf(stderr, "recvtty: no fd received\n"); return 1; }
    int o = open(a[2].c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    char buf[4096];
    for (;;) {
        ssize_t r = read(master, buf, sizeof buf);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        if (write(o, buf, size_t(r)) < 0) break;
    }
    close(o);
    return 0;
}

// fillpipe: fd 1 must be a pipe/fifo; shrink it to one page and fill it, so the
// next write by anyone blocks.
int cmd_fillpipe(const Args &) {
    fcntl(1, F_SETPIPE_SZ, 4096);
    int fl = fcntl(1, F_GETFL);
    fcntl(1, F_SETFL, fl | O_NONBLOCK);
    char buf[4096];
    memset(buf, 'x', sizeof buf);
    while (write(1, buf, sizeof buf) > 0 || errno == EINTR) {}
    while (write(1, buf, 1) > 0) {}
    fcntl(1, F_SETFL, fl);
    return 0;
}

// rusage CMD...: run CMD, print "maxrss_kb=N" on stderr, exit with its status.
int cmd_rusage(const Args &a) {
    if (a.size() < 2) return 2;
    pid_t p = fork();
    if (p == 0) {
        std::vector<char *> av;
        for (size_t i = 1; i < a.size(); i++) av.push_back(const_cast<char *>(a[i].c_str()));
        av.push_back(nullptr);
        execvp(av[0], av.data());
        _exit(127);
    }
    int st = 0;
    struct rusage ru {};
    wait4(p, &st, 0, &ru);
    fprintf(stderr, "maxrss_kb=%ld\n", ru.ru_maxrss);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

// timeit CMD...: run CMD with stdio on /dev/null, print the wall time from
// spawn to reap in microseconds, exit with its status. The benchmark times
// runtimes with this rather than with bash's clock around a bash fork: a
// vfork-based spawn keeps the harness's own cost (copying bash's page tables,
// dear on this VM) out of the figures of both runtimes alike.
int cmd_timeit(const Args &a) {
    if (a.size() < 2) return 2;
    std::vector<char *> av;
    for (size_t i = 1; i < a.size(); i++) av.push_back(const_cast<char *>(a[i].c_str()));
    av.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    for (int fd = 0; fd < 3; fd++)
        posix_spawn_file_actions_addopen(&fa, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0);
    timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t p;
    if (posix_spawn(&p, av[0], &fa, nullptr, av.data(), environ) != 0) return 127;
    int st = 0;
    waitpid(p, &st, 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("%lld\n", (long long)(t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int usage() {
    fprintf(stderr,
            "usage: probe CMD [ARGS] [; CMD [ARGS]]...\n"
            "  hostname ids caps nnp rlimit RES fds [-a] cwd tty ns mounts mount PATH\n"
            "  stat [-L] PATH write PATH [DATA] read PATH ls PATH env oom sysctl KEY pid\n"
            "  sleep N exit N kill-self SIG signals [COUNT] timens cgroup exe-attack grabber EXE...\n"
            "  alloc BYTES forkn N spin SECS\n"
            "  host: recvtty SOCK OUT [GATE] fillpipe rusage CMD... timeit CMD...\n");
    return 2;
}

}  // namespace

int main(int argc, char **argv) {
    using Fn = int (*)(const Args &);
    static const std::map<std::string, Fn> cmds = {
        {"hostname", cmd_hostname}, {"ids", cmd_ids}, {"caps", cmd_caps}, {"nnp", cmd_nnp},
        {"rlimit", cmd_rlimit}, {"fds", cmd_fds}, {"cwd", cmd_cwd}, {"tty", cmd_tty},
        {"ns", cmd_ns}, {"mounts", cmd_mounts}, {"mount", cmd_mount}, {"stat", cmd_stat},
        {"write", cmd_write}, {"read", cmd_read}, {"ls", cmd_ls}, {"env", cmd_env},
        {"oom", cmd_oom}, {"sysctl", cmd_sysctl}, {"pid", cmd_pid}, {"sleep", cmd_sleep},
        {"exit", cmd_exit}, {"kill-self", cmd_kill_self}, {"signals", cmd_signals},
        {"timens", cmd_timens}, {"cgroup", cmd_cgroup}, {"exe-attack", cmd_exe_attack},
        {"grabber", cmd_grabber},
        {"alloc", cmd_alloc}, {"forkn", cmd_forkn}, {"spin", cmd_spin},
        {"recvtty", cmd_recvtty},
        {"fillpipe", cmd_fillpipe}, {"rusage", cmd_rusage}, {"timeit", cmd_timeit}};
    if (argc < 2) return usage();
    int rc = 0;
    Args cur;
    for (int i = 1; i <= argc; i++) {
        if (i < argc && strcmp(argv[i], ";") != 0) {
            cur.push_back(argv[i]);
            continue;
        }
        if (cur.empty()) continue;
        auto it = cmds.find(cur[0]);
        if (it == cmds.end()) return usage();
        rc = it->second(cur);
        if (rc == 2) return usage();
        cur.clear();
    }
    return rc == 1 ? 0 : rc;
}
