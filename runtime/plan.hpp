// ChildPlan: everything the child needs, computed, validated, formatted and
// allocated before clone3. Child code (runtime/child/) only reads it: every
// string is a std::string whose c_str() stays valid because nothing grows
// after clone, every fd is opened by the parent.
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cgroups/layout.hpp"
#include "cgroups/path.hpp"
#include "hooks/hooks.hpp"
#include "seccomp.hpp"
#include "spec/spec.hpp"

namespace rt::plan {

struct NsJoin {
    int fd = -1;     // opened by the parent (path from config, or /proc/<pid>/ns/<x> for exec)
    int nstype = 0;  // CLONE_NEW*
    std::string path;
};

// One fsconfig() parameter: a flag ("noexec" is not one: see attr) or key=value.
struct FsParam {
    std::string key;
    std::string value;  // empty: FSCONFIG_SET_FLAG
};

struct MountStep {
    enum class Kind { bind, filesystem, remount } kind = Kind::filesystem;  // remount: set attr on an existing mount
    std::string source;       // bind: absolute host path; filesystem: source name ("proc", "tmpfs")
    std::string fstype;       // filesystem only
    std::string destination;  // absolute, inside the container
    bool recursive = false;   // rbind
    bool file_target = false; // bind of a non-directory: create a file as mountpoint
    uint64_t attr_set = 0;    // MOUNT_ATTR_* to set (ro, nosuid, nodev, noexec, atime modes)
    uint64_t attr_clr = 0;    // MOUNT_ATTR_* to clear
    uint64_t rattr_set = 0;   // recursive variants ("rro", "rnosuid", ...) for binds
    uint64_t rattr_clr = 0;
    uint64_t propagation = 0; // MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE, 0: none
    bool propagation_recursive = false;
    std::vector<FsParam> params;  // filesystem data ("size=64k", "mode=755", "newinstance")
    unsigned long ms_flags = 0;   // filesystem: mount(2) flags equivalent to attr_set (finish_mounts)
    unsigned long sb_flags = 0;   // filesystem: superblock flags with no MOUNT_ATTR_ twin (MS_I_VERSION)
    std::string data;             // filesystem: params joined for mount(2) (finish_mounts)
    bool cgroup = false;          // type cgroup/cgroup2: see child/rootfs.cpp
    bool needs_cgroup = false;    // shows the container's cgroup: see ChildPlan::wait_cgroup
};

struct DeviceNode {
    std::string path;  // absolute inside the container
    mode_t mode = 0;   // S_IFCHR/S_IFBLK/S_IFIFO | permissions
    dev_t rdev = 0;
    uid_t uid = 0;
    gid_t gid = 0;
};

struct Sysctl {
    std::string path;  // "net/ipv4/ip_forward" (relative to /proc/sys)
    std::string value;
};

struct Rlimit {
    int resource = 0;
    rlimit value{};
};

struct ChildPlan {
    // --- namespaces (stage A) ---
    bool new_user = false;            // clone3 gets CLONE_NEWUSER; parent writes the maps
    std::vector<NsJoin> joins;        // user first, mount last
    int unshare_flags = 0;            // CLONE_NEW* created by unshare in stage A
    std::string timens_offsets;       // "monotonic 5 0\nboottime 7 0\n"
    std::string uid_map, gid_map;     // written by the parent
    // clone3(CLONE_INTO_CGROUP) places the init in the cgroup2 leaf; the v1
    // hierarchies are made by the parent after clone, while the init sets
    // up, and joined by the init itself through the `tasks` files that come
    // with CgroupDone (or by the parent, systemd driver). The init asks
    // (CgroupPlease) before the first step that needs it: a mount showing
    // its cgroup (MountStep::needs_cgroup), a late cgroup namespace, else
    // before the hooks.
    bool wait_cgroup = false;
    // A new cgroup namespace takes the creator's cgroups as its root, so it
    // must be created after the parent has moved the process into the
    // container's cgroups. clone3(CLONE_INTO_CGROUP | CLONE_NEWCGROUP) does
    // that for the cgroup2 hierarchy only: with v1 hierarchies (or no
    // cgroup2 leaf to clone into) the init unshares it once joined, as runc.
    bool late_cgroupns = false;
    int cgroup_fd = -1;               // cgroup2 leaf for CLONE_INTO_CGROUP; -1: none
    bool deny_setgroups = false;      // rootless: "deny" into setgroups before gid_map

    // --- container setup (stage B); tenant processes (exec) skip rootfs ---
    bool setup_rootfs = false;
    std::string rootfs;               // absolute host path
    unsigned long root_propagation = 0;  // mount(2) flags for "/" before setup
    bool readonly_root = false;
    bool no_pivot = false;
    bool shared_root_after_pivot = false;      // rootfsPropagation shared: applied on the new /
    bool unbindable_root_after_pivot = false;  // rootfsPropagation unbindable
    std::vector<MountStep> mounts;
    bool default_devices = false;     // /dev is ours to populate
    bool bind_devices = false;        // in a user namespace mknod fails: bind host nodes
    std::vector<DeviceNode> devices;  // default devices first, then linux.devices
    std::vector<std::string> masked_paths, readonly_paths;
    std::optional<std::string> hostname, domainname;
    std::vector<Sysctl> sysctls;

    // --- hooks ---
    bool parent_hooks = false;        // prestart/createRuntime: ask the parent (HooksPlease)
    std::vector<hooks::Prepared> create_container_hooks, start_container_hooks;
    std::string hook_state;           // state JSON for container-side hooks (pid 1, "creating")
    std::string hook_state_started;   // same with status "created" for startContainer

    // --- process ---
    bool terminal = false;
    int console_socket = -1;          // connected AF_UNIX socket, pty master goes there
    unsigned short console_rows = 0, console_cols = 0;
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<gid_t> groups;
    bool set_groups = true;           // false when setgroups is denied (rootless userns)
    std::optional<mode_t> umask;
    bool apply_caps = false;
    uint64_t caps[5] = {};            // bounding, effective, inheritable, permitted, ambient
    bool no_new_privileges = false;
    std::optional<int> oom_score_adj;
    std::optional<seccomp::Program> seccomp;  // compiled in the parent; loaded last with NNP, else before the id change
    std::vector<Rlimit> rlimits;
    std::string cwd;
    std::vector<std::string> argv_storage, env_storage;
    std::vector<char*> argv, envp;    // nullptr-terminated views of the storage
    std::vector<std::string> path_dirs;  // container PATH, for the executable lookup
    bool no_new_keyring = false;
    std::string keyring_name;         // "_ses.<id>"

    // --- fds ---
    int fifo_fd = -1;                 // exec.fifo opened O_RDWR; init blocks reading it (create)
    int preserve_upto = 3;            // fds [3, preserve_upto) reach the program (LISTEN_FDS + preserve)
    int sock = -1;                    // child end of the socketpair
    bool debug = false;               // --debug: the child sends debug records too
};

// Builds argv/envp pointer arrays from the storages (called once the storages are final).
void seal(ChildPlan& plan);

struct ContainerInput {
    std::string id;
    std::string bundle;  // absolute
    bool no_pivot = false;
    bool no_new_keyring = false;
    int listen_fds = 0;
    int preserve_fds = 0;
    std::vector<std::string> runtime_env;  // default env for host-side style hooks
    // The host's layout and the container's cgroup; null: the runtime's own
    // cgroups (tests).
    const cgroups::Layout* cgroup_layout = nullptr;
    const cgroups::Paths* cgroup_paths = nullptr;
};

// A validated spec -> the plan for the container's init. Throws rt::sys::Error.
ChildPlan build_container_plan(const spec::Spec& spec, const ContainerInput& in);
struct ExecInput {
    std::string id;
    pid_t init_pid = 0;  // its namespaces are joined through /proc/<pid>/ns
    std::string rootfs;  // absolute host path (HOME from its /etc/passwd)
    int preserve_fds = 0;
};

// The plan for a process exec'd into a running container (runc's setns
// init): every namespace of the init joined, no rootfs setup, the given
// process with the container's seccomp filter, no exec.fifo.
ChildPlan build_exec_plan(const spec::Spec& spec, const spec::Process& process, const ExecInput& in);
// The process part, shared with exec; plan.rootfs must be set (HOME from
// its /etc/passwd).
void plan_process(ChildPlan& plan, const spec::Process& process);
// One config mount -> one step (bind sources are stat()ed to pick file or dir targets).
MountStep plan_mount(const spec::Mount& m, const std::string& bundle);
// Fills ms_flags/data of filesystem steps (mount(2) form of attr_set/params).
void finish_mounts(std::vector<MountStep>& steps);
// A cgroup mount -> the steps that show the container its cgroup hierarchies
// (cgroup2 on a unified host; a tmpfs with one mount per hierarchy on v1 and
// hybrid hosts), each showing the container's cgroup `paths`.
std::vector<MountStep> plan_cgroup_mount(const MountStep& step, bool cgroupns, const cgroups::Layout& layout,
                                         const cgroups::Paths& paths);

}  // namespace rt::plan
