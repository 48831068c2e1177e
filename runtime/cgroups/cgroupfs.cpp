#include "cgroups/cgroupfs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <functional>

#include "cgroups/devices_bpf.hpp"
#include "cgroups/fsutil.hpp"
#include "sys/error.hpp"
#include "sys/log.hpp"

namespace rt::cgroups {

namespace {

using sys::Error;
using sys::ErrorKind;

void sleep_ms(long ms) {
    timespec ts{ms / 1000, (ms % 1000) * 1000000};
    while (::nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

// Each directory from just below `top` down to `leaf` ("" if leaf is not
// below top).
std::vector<std::string> levels_below(const std::string& top, const std::string& leaf) {
    std::vector<std::string> out;
    if (!util::starts_with(leaf, top) || leaf.size() <= top.size()) return out;
    std::string rel = leaf.substr(top.size());
    std::string cur = top;
    for (auto seg : util::split(rel, '/')) {
        if (seg.empty()) continue;
        cur = util::join(cur, seg);
        out.push_back(cur);
    }
    return out;
}

void make_dir(const std::string& dir) {
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) sys::throw_errno("create cgroup `%s`", dir);
}

// A new v1 cpuset cgroup starts with empty cpus and mems, and a process
// cannot join it (ENOSPC): copy the parent's, level by level (runc
// cpuset.go ensureParent/copyIfNeeded).
void init_cpuset(const std::string& mountpoint, const std::string& leaf) {
    std::string parent = mountpoint;
    for (const auto& level : levels_below(mountpoint, leaf)) {
        for (const char* file : {"cpuset.cpus", "cpuset.mems"}) {
            auto cur = util::read_optional(util::join(level, file));
            if (!cur || !util::trim(*cur).empty()) continue;
            auto from = util::read_optional(util::join(parent, file));
            if (!from) continue;
            if (int err = util::write_file(util::join(level, file), util::trim(*from)); err != 0) {
                errno = err;
                sys::throw_errno("initialize `%s`", util::join(level, file));
            }
        }
        parent = level;
    }
}

// Enable every available controller for the children of `dir` (runc fs2
// CreateCgroupPath). Failures are ignored: a level with processes refuses
// (no internal processes), and a missing controller then shows up as a
// "not supported" error naming the field that needed it.
void enable_controllers(const std::string& dir) {
    auto avail = util::read_optional(util::join(dir, "cgroup.controllers"));
    if (!avail) return;
    auto list = util::fields(*avail);
    if (list.empty()) return;
    std::string all;
    for (auto c : list) all += (all.empty() ? "+" : " +") + std::string(c);
    std::string file = util::join(dir, "cgroup.subtree_control");
    if (util::write_file(file, all) == 0) return;
    for (auto c : list) util::write_file(file, "+" + std::string(c));
}

// cgroup.procs may refuse a task still in TASK_NEW with EINVAL: runc
// retries five times, 30 ms apart.
void write_pid(const std::string& dir, pid_t pid) {
    std::string file = util::join(dir, "cgroup.procs");
    int err = 0;
    for (int i = 0; i < 5; ++i) {
        err = util::write_file(file, std::to_string(pid));
        if (err != EINVAL) break;
        sleep_ms(30);
    }
    if (err != 0) {
        errno = err;
        sys::throw_errno("add pid %d to cgroup `%s`", static_cast<int>(pid), dir);
    }
}

std::vector<std::string> subdirs(const std::string& dir) {
    std::vector<std::string> out;
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return out;
    while (dirent* e = ::readdir(d)) {
        std::string name = e->d_name;
        if (name == "." || name == "..") continue;
        std::string path = util::join(dir, name);
        if (e->d_type == DT_DIR || (e->d_type == DT_UNKNOWN && util::is_dir(path))) out.push_back(path);
    }
    ::closedir(d);
    std::sort(out.begin(), out.end());
    return out;
}

void collect_pids(const std::string& dir, std::vector<pid_t>& out) {
    if (auto procs = util::read_optional(util::join(dir, "cgroup.procs")))
        for (auto tok : util::fields(*procs)) {
            int64_t v;
            if (util::parse_i64(tok, v) && v > 0) out.push_back(static_cast<pid_t>(v));
        }
    for (const auto& sub : subdirs(dir)) collect_pids(sub, out);
}

// rmdir the tree bottom-up. cgroupfs directories hold only control files,
// which rmdir ignores; EBUSY (tasks still exiting) is retried with backoff
// (runc RemovePath).
int remove_tree(const std::string& dir) {
    if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return 0;
    for (const auto& sub : subdirs(dir))
        if (int err = remove_tree(sub); err != 0) return err;
    long delay = 1;
    for (int tries = 0;; ++tries) {
        if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return 0;
        if (errno != EBUSY || tries == 10) return errno;
        sleep_ms(delay);
        delay *= 2;
    }
}

Reader reader(const std::string& dir) {
    if (dir.empty()) return [](const std::string&) { return std::optional<std::string>(); };
    return [dir](const std::string& file) { return util::read_optional(util::join(dir, file)); };
}

}  // namespace

Cgroupfs::Cgroupfs(Layout layout, Paths paths, std::optional<std::vector<std::string>> hugepage_sizes)
    : layout_(std::move(layout)), paths_(std::move(paths)), hugepage_sizes_(std::move(hugepage_sizes)) {}

Cgroupfs Cgroupfs::for_container(const Layout& layout, const std::optional<std::string>& cgroups_path,
                                 std::string_view id, std::optional<std::vector<std::string>> hugepage_sizes) {
    return Cgroupfs(layout, resolve_paths(layout, inner_path(cgroups_path, id)), std::move(hugepage_sizes));
}

std::string Cgroupfs::v1_dir(std::string_view controller) const {
    if (layout_.v1_mount(controller) == nullptr) return "";
    auto it = paths_.v1.find(std::string(controller));
    return it == paths_.v1.end() ? "" : it->second;
}

bool Cgroupfs::v2_drives(std::string_view controller) const {
    if (paths_.v2.empty()) return false;
    return layout_.mode == Mode::unified || layout_.on_v2(controller);
}

std::vector<std::string> Cgroupfs::all_dirs() const {
    auto dirs = paths_.v1_dirs(layout_);
    if (!paths_.v2.empty()) dirs.push_back(paths_.v2);
    return dirs;
}

void Cgroupfs::create() {
    if (!layout_.v2 || paths_.v2.empty()) return;
    std::string parent = layout_.v2->mountpoint;
    for (const auto& level : levels_below(parent, paths_.v2)) {
        enable_controllers(parent);
        make_dir(level);
        parent = level;
    }
    // A threaded subtree cannot hold domain controllers (memory, io, ...).
    auto type = util::read_optional(util::join(paths_.v2, "cgroup.type"));
    if (type && util::trim(*type) == "domain invalid")
        sys::fail(ErrorKind::generic, "cgroup `%s` is in an invalid state (domain invalid)", paths_.v2);
}

void Cgroupfs::create_v1() {
    for (const auto& m : layout_.v1) {
        auto it = paths_.v1.find(m.controllers.front());
        if (it == paths_.v1.end()) continue;
        for (const auto& level : levels_below(m.mountpoint, it->second)) make_dir(level);
        if (std::find(m.controllers.begin(), m.controllers.end(), "cpuset") != m.controllers.end())
            init_cpuset(m.mountpoint, it->second);
    }
    v1_created_ = true;
}

sys::UniqueFd Cgroupfs::open_leaf() const {
    if (paths_.v2.empty()) return sys::UniqueFd();
    sys::UniqueFd fd(::open(paths_.v2.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) sys::throw_errno("open cgroup `%s`", paths_.v2);
    return fd;
}

Manager::Join Cgroupfs::join_mode() const {
    return layout_.mode == Mode::unified && !paths_.v2.empty() ? Join::by_clone : Join::by_itself;
}

std::vector<sys::UniqueFd> Cgroupfs::self_join_files() {
    if (!v1_created_) create_v1();
    // The cgroup2 leaf is left out: the process was cloned into it.
    std::vector<sys::UniqueFd> out;
    for (const auto& dir : paths_.v1_dirs(layout_)) {
        std::string file = util::join(dir, "tasks");
        sys::UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CLOEXEC));
        if (!fd) sys::throw_errno("open cgroup `%s`", file);
        out.push_back(std::move(fd));
    }
    return out;
}

void Cgroupfs::join(pid_t pid) {
    if (!v1_created_) create_v1();
    for (const auto& dir : all_dirs()) write_pid(dir, pid);
}

std::vector<std::string> Cgroupfs::set(const spec::Resources& r, bool devices) const {
    util::FileWriter writer;
    return set(r, devices, std::ref(writer));
}

std::vector<std::string> Cgroupfs::set(const spec::Resources& r, bool devices, const WriteFn& write) const {
    WritePlan plan = plan_writes(r, layout_, devices);
    for (const auto& line : apply_writes(plan, paths_, write)) sys::log::debug("cgroup write " + line);
    if (plan.devices_ebpf) {
        // cgroup v2 has no device files: the rules become a BPF program
        // attached to the leaf, which only a cgroup2 directory takes.
        struct statfs fs {};
        if (paths_.v2.empty() || ::statfs(paths_.v2.c_str(), &fs) != 0 || fs.f_type != CGROUP2_SUPER_MAGIC)
            sys::fail(ErrorKind::unsupported, "linux.resources.devices: `%s` is not a cgroup2 directory", paths_.v2);
        sys::UniqueFd dir = open_leaf();
        attach_device_program(dir.get(), device_program(emulate(device_rules(r))));
    }
    return plan.warnings;
}

void Cgroupfs::freeze(bool frozen) const {
    if (std::string dir = v1_dir("freezer"); !dir.empty()) {
        std::string file = util::join(dir, "freezer.state");
        auto put = [&](const char* v) {
            if (int err = util::write_file(file, v); err != 0) {
                errno = err;
                sys::throw_errno("write `%s` to `%s`", std::string(v), file);
            }
        };
        if (!frozen) return put("THAWED");
        // v1 may stay FREEZING while tasks keep forking: rewrite FROZEN,
        // thawing briefly now and then (runc fs/freezer.go, same numbers).
        for (int i = 0; i < 1000; ++i) {
            if (i % 50 == 49) {
                util::write_file(file, "THAWED");
                sleep_ms(10);
            }
            put("FROZEN");
            std::string state(util::trim(util::read_file(file)));
            if (state == "FROZEN") return;
            if (state != "FREEZING") {
                util::write_file(file, "THAWED");
                sys::fail(ErrorKind::generic, "unexpected state `%s` of `%s` while freezing", state, file);
            }
        }
        util::write_file(file, "THAWED");
        sys::fail(ErrorKind::generic, "unable to freeze cgroup `%s`", dir);
    }
    if (paths_.v2.empty()) sys::fail(ErrorKind::unsupported, "freezer: not supported by this host");
    std::string file = util::join(paths_.v2, "cgroup.freeze");
    if (int err = util::write_file(file, frozen ? "1" : "0"); err != 0) {
        if (err == ENOENT && !frozen) return;  // no freezer (Linux < 5.2): nothing is frozen
        errno = err;
        sys::throw_errno("write `%s`", file);
    }
    // cgroup.events says "frozen 1" once every task stopped (runc waitFrozen).
    for (int i = 0; i < 1000; ++i) {
        auto events = util::read_optional(util::join(paths_.v2, "cgroup.events"));
        if (!events) return;
        auto kv = util::split(*events, '\n');
        bool done = std::any_of(kv.begin(), kv.end(), [&](std::string_view l) {
            return util::trim(l) == (frozen ? "frozen 1" : "frozen 0");
        });
        if (done) return;
        sleep_ms(10);
    }
    sys::fail(ErrorKind::generic, "timeout waiting for cgroup `%s` to %s", paths_.v2,
              std::string(frozen ? "freeze" : "thaw"));
}

FreezerState Cgroupfs::freezer_state() const {
    if (std::string dir = v1_dir("freezer"); !dir.empty()) {
        auto s = util::read_optional(util::join(dir, "freezer.state"));
        if (!s) return FreezerState::thawed;
        auto v = util::trim(*s);
        return v == "FROZEN" ? FreezerState::frozen : v == "FREEZING" ? FreezerState::freezing : FreezerState::thawed;
    }
    if (paths_.v2.empty()) return FreezerState::thawed;
    auto f = util::read_optional(util::join(paths_.v2, "cgroup.freeze"));
    if (!f || util::trim(*f) != "1") return FreezerState::thawed;
    auto events = util::read_optional(util::join(paths_.v2, "cgroup.events")).value_or("");
    for (auto l : util::split(events, '\n'))
        if (util::trim(l) == "frozen 1") return FreezerState::frozen;
    return FreezerState::freezing;
}

std::vector<pid_t> Cgroupfs::pids() const {
    // runc lists the devices hierarchy on v1; the leaf on v2.
    std::string dir = layout_.mode == Mode::unified ? paths_.v2 : v1_dir("devices");
    if (dir.empty()) {
        auto dirs = all_dirs();
        if (dirs.empty()) return {};
        dir = dirs.front();
    }
    std::vector<pid_t> out;
    collect_pids(dir, out);
    return out;
}

Stats Cgroupfs::stats() const {
    Stats s;
    Reader v2 = reader(paths_.v2);
    if (!v1_dir("cpu").empty())
        stat_cpu_v1(reader(v1_dir("cpu")), reader(v1_dir("cpuacct")), s);
    else if (v2_drives("cpu") || layout_.mode == Mode::unified)
        stat_cpu_v2(v2, s);
    if (!v1_dir("cpuset").empty()) stat_cpuset_v1(reader(v1_dir("cpuset")), s);
    if (!v1_dir("memory").empty())
        stat_memory_v1(reader(v1_dir("memory")), s);
    else if (v2_drives("memory"))
        stat_memory_v2(v2, s);
    if (!v1_dir("pids").empty())
        stat_pids(reader(v1_dir("pids")), s);
    else if (v2_drives("pids") || layout_.mode == Mode::unified)
        stat_pids(v2, s);
    if (!v1_dir("blkio").empty())
        stat_blkio_v1(reader(v1_dir("blkio")), s);
    else if (v2_drives("io"))
        stat_io_v2(v2, s);
    bool hugetlb_v1 = !v1_dir("hugetlb").empty();
    if (hugetlb_v1 || v2_drives("hugetlb")) {
        std::vector<std::string> sizes = hugepage_sizes_ ? *hugepage_sizes_ : host_hugepage_sizes();
        if (hugetlb_v1)
            stat_hugetlb_v1(reader(v1_dir("hugetlb")), sizes, s);
        else
            stat_hugetlb_v2(v2, sizes, s);
    }
    return s;
}

bool Cgroupfs::exists() const {
    auto dirs = all_dirs();
    return std::any_of(dirs.begin(), dirs.end(), [](const std::string& d) { return util::is_dir(d); });
}

void Cgroupfs::destroy() const {
    int first_err = 0;
    std::string first_dir;
    for (const auto& dir : all_dirs()) {
        int err = remove_tree(dir);
        if (err != 0 && first_err == 0) {
            first_err = err;
            first_dir = dir;
        }
    }
    if (first_err != 0) {
        errno = first_err;
        sys::throw_errno("remove cgroup `%s`", first_dir);
    }
}

std::vector<std::string> Cgroupfs::host_hugepage_sizes() {
    std::vector<std::string> names;
    if (DIR* d = ::opendir("/sys/kernel/mm/hugepages")) {
        while (dirent* e = ::readdir(d)) names.emplace_back(e->d_name);
        ::closedir(d);
    }
    std::sort(names.begin(), names.end());
    return hugepage_sizes(names);
}

}  // namespace rt::cgroups
