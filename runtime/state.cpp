#include "state.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "sys/error.hpp"
#include "sys/file.hpp"
#include "sys/log.hpp"

namespace rt::state {

using sys::ErrorKind;
using sys::UniqueFd;

const char* status_name(Status s) {
    switch (s) {
        case Status::creating: return "creating";
        case Status::created: return "created";
        case Status::running: return "running";
        case Status::paused: return "paused";
        case Status::stopped: return "stopped";
    }
    return "unknown";
}

static UniqueFd lock_dir(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT) throw sys::Error(ErrorKind::not_found, "container does not exist");
        sys::throw_errno("open state directory %s", path);
    }
    while (::flock(fd.get(), LOCK_EX) != 0)
        if (errno != EINTR) sys::throw_errno("lock state directory %s", path);
    return fd;
}

Dir Dir::reserve(const std::string& root, const std::string& id) {
    if (::mkdir(root.c_str(), 0700) != 0 && errno != EEXIST)
        sys::throw_errno("create root directory %s", root);
    std::string path = root + "/" + id;
    if (::mkdir(path.c_str(), 0711) != 0) {
        if (errno == EEXIST)
            throw sys::Error(ErrorKind::exists, "container with given ID already exists");
        sys::throw_errno("create state directory %s", path);
    }
    return Dir(path, lock_dir(path));
}

Dir Dir::open(const std::string& root, const std::string& id) {
    std::string path = root + "/" + id;
    return Dir(path, lock_dir(path));
}

bool Dir::has_state() const { return ::access((path_ + "/state.json").c_str(), F_OK) == 0; }

Saved Dir::load() const {
    std::string path = path_ + "/state.json";
    if (::access(path.c_str(), F_OK) != 0)
        throw sys::Error(ErrorKind::not_found, "container does not exist");
    std::string text = sys::read_file(path);
    rapidjson::Document d;
    d.Parse(text.c_str(), text.size());
    if (d.HasParseError() || !d.IsObject()) sys::fail(ErrorKind::generic, "%s: corrupt state file", path);
    auto str = [&](const char* k) -> std::string {
        auto it = d.FindMember(k);
        return it != d.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
    };
    Saved s;
    s.id = str("id");
    s.bundle = str("bundle");
    s.rootfs = str("rootfs");
    s.created = str("created");
    s.config = str("config");
    if (auto it = d.FindMember("pid"); it != d.MemberEnd() && it->value.IsInt()) s.pid = it->value.GetInt();
    if (auto it = d.FindMember("start_time"); it != d.MemberEnd() && it->value.IsUint64())
        s.start_time = it->value.GetUint64();
    if (auto it = d.FindMember("systemd_cgroup"); it != d.MemberEnd() && it->value.IsBool())
        s.systemd_cgroup = it->value.GetBool();
    return s;
}

void Dir::save(const Saved& s) const {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.StartObject();
    w.Key("id"); w.String(s.id.c_str(), static_cast<rapidjson::SizeType>(s.id.size()));
    w.Key("pid"); w.Int(s.pid);
    w.Key("start_time"); w.Uint64(s.start_time);
    w.Key("bundle"); w.String(s.bundle.c_str(), static_cast<rapidjson::SizeType>(s.bundle.size()));
    w.Key("rootfs"); w.String(s.rootfs.c_str(), static_cast<rapidjson::SizeType>(s.rootfs.size()));
    w.Key("created"); w.String(s.created.c_str(), static_cast<rapidjson::SizeType>(s.created.size()));
    w.Key("systemd_cgroup"); w.Bool(s.systemd_cgroup);
    w.Key("config"); w.String(s.config.c_str(), static_cast<rapidjson::SizeType>(s.config.size()));
    w.EndObject();
    std::string tmp = path_ + "/.state.json.tmp";
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!fd) sys::throw_errno("create %s", tmp);
    if (::write(fd.get(), buf.GetString(), buf.GetSize()) != static_cast<ssize_t>(buf.GetSize()))
        sys::throw_errno("write %s", tmp);
    fd.reset();
    if (::rename(tmp.c_str(), (path_ + "/state.json").c_str()) != 0) sys::throw_errno("rename %s", tmp);
}

static void remove_tree(int dirfd) {
    DIR* d = ::fdopendir(dirfd);
    if (d == nullptr) {
        ::close(dirfd);
        return;
    }
    while (dirent* e = ::readdir(d)) {
        if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
        if (e->d_type == DT_DIR) {
            int sub = ::openat(::dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub >= 0) remove_tree(sub);
            ::unlinkat(::dirfd(d), e->d_name, AT_REMOVEDIR);
        } else {
            ::unlinkat(::dirfd(d), e->d_name, 0);
        }
    }
    ::closedir(d);
}

void Dir::remove() {
    // fd-based walk that never follows symlinks (CVE-2022-21658 class).
    int fd = ::open(path_.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) remove_tree(fd);
    if (::rmdir(path_.c_str()) != 0 && errno != ENOENT) sys::throw_errno("remove %s", path_);
}

uint64_t process_start_time(pid_t pid) {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/stat", pid);
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    char buf[1024];
    ssize_t n = ::read(fd, buf, sizeof buf - 1);
    ::close(fd);
    if (n <= 0) return 0;
    buf[n] = '\0';
    // Fields after the command name (which may contain spaces) start after ')'.
    char* p = std::strrchr(buf, ')');
    if (p == nullptr) return 0;
    // p+2 is field 3 (state); start time is field 22.
    char state = p[2];
    if (state == 'Z' || state == 'X') return 0;
    p += 2;
    for (int field = 3; field < 22 && p != nullptr; ++field) {
        p = std::strchr(p, ' ');
        if (p != nullptr) ++p;
    }
    return p != nullptr ? std::strtoull(p, nullptr, 10) : 0;
}

bool init_alive(const Saved& s) {
    if (s.pid <= 0) return false;
    return process_start_time(s.pid) == s.start_time && s.start_time != 0;
}

Status status_of(const Dir& dir, const Saved& s) {
    if (!init_alive(s)) return Status::stopped;
    if (::access(dir.fifo_path().c_str(), F_OK) == 0) return Status::created;
    return Status::running;
}

std::string now_rfc3339_nano() {
    timespec ts;
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return sys::log::rfc3339_nano(ts);
}

std::vector<std::string> list_ids(const std::string& root) {
    std::vector<std::string> ids;
    DIR* d = ::opendir(root.c_str());
    if (d == nullptr) return ids;
    while (dirent* e = ::readdir(d)) {
        if (e->d_name[0] == '.') continue;
        if (e->d_type == DT_DIR) ids.emplace_back(e->d_name);
    }
    ::closedir(d);
    std::sort(ids.begin(), ids.end());
    return ids;
}

// berth is linked statically, so NSS (getpwuid) is not available: the
// name comes from /etc/passwd, which is what runc's os/user falls back to.
std::string owner_of(const std::string& path) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return "";
    std::string fallback = "#" + std::to_string(st.st_uid);
    FILE* f = std::fopen("/etc/passwd", "re");
    if (f == nullptr) return fallback;
    char line[1024];
    std::string name = fallback;
    while (std::fgets(line, sizeof line, f) != nullptr) {
        char* save = nullptr;
        char* user = strtok_r(line, ":", &save);
        char* pass = strtok_r(nullptr, ":", &save);
        char* uid = strtok_r(nullptr, ":", &save);
        if (user != nullptr && pass != nullptr && uid != nullptr &&
            std::strtoul(uid, nullptr, 10) == st.st_uid) {
            name = user;
            break;
        }
    }
    std::fclose(f);
    return name;
}

}  // namespace rt::state
