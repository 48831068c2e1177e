// The container's state directory <root>/<id>/: created exclusively, locked
// (flock) by every command that reads or changes it, state.json written
// atomically (temp file + rename). Status is derived as runc does.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "sys/fd.hpp"

namespace rt::state {

struct Saved {
    std::string id;
    std::string bundle;
    std::string rootfs;
    std::string created;       // RFC3339Nano
    pid_t pid = 0;             // host pid of the init
    uint64_t start_time = 0;   // field 22 of /proc/<pid>/stat: guards against pid reuse
    std::string config;        // config.json as it was at create (hooks, annotations, namespaces)
    bool systemd_cgroup = false;
};

enum class Status { creating, created, running, paused, stopped };
const char* status_name(Status s);

class Dir {
public:
    // mkdir <root>/<id> exclusively (root made 0700 on demand); throws
    // "container with given ID already exists".
    static Dir reserve(const std::string& root, const std::string& id);
    // Opens and locks an existing one; throws kind not_found
    // "container does not exist" when absent.
    static Dir open(const std::string& root, const std::string& id);

    const std::string& path() const { return path_; }
    std::string fifo_path() const { return path_ + "/exec.fifo"; }
    bool has_state() const;
    Saved load() const;
    void save(const Saved& s) const;
    void remove();  // the whole directory

private:
    Dir(std::string path, sys::UniqueFd lock) : path_(std::move(path)), lock_(std::move(lock)) {}
    std::string path_;
    sys::UniqueFd lock_;
};

// Status of a saved container, checked against the live process.
Status status_of(const Dir& dir, const Saved& s);
// 0 when the process is gone or is a different one (start time mismatch).
bool init_alive(const Saved& s);
uint64_t process_start_time(pid_t pid);  // 0 when unknown
std::string now_rfc3339_nano();
// IDs of every sub-directory of root (sorted); missing root -> empty.
std::vector<std::string> list_ids(const std::string& root);
// Owner name of a path ("root", or "#uid" when the name is unknown), as runc's list.
std::string owner_of(const std::string& path);

}  // namespace rt::state
