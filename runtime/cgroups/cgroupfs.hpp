// The cgroupfs driver: the runtime creates, fills and removes the cgroup
// directories itself (runc's fs + fs2 managers, hybrid hosts included).
//
// Lifecycle, as the lead wires it:
//   Layout layout = detect_layout();                       // once
//   Cgroupfs cg = Cgroupfs::for_container(layout, spec.linux->cgroups_path, id);
//   cg.create();                                           // cgroup2: mkdir -p, subtree_control
//   UniqueFd leaf = cg.open_leaf();                        // clone3(CLONE_INTO_CGROUP, leaf) when valid
//   ... clone ...
//   cg.join(init_pid);                                     // v1: mkdir -p, cpuset init (first time);
//                                                          // every hierarchy: cgroup.procs
//   or, the init being single-threaded (join_mode() by_itself):
//   fds = cg.self_join_files();                            // v1: mkdir -p, cpuset init, open `tasks`;
//                                                          // the init writes "0" to each
//   auto warnings = cg.set(resources, true);               // before the init runs user code
//   persist cg.paths() in the container state: a relative cgroupsPath
//   depends on the cgroup of the process resolving it, which differs
//   between `create` and a later `delete`.
//   later: Cgroupfs(layout, saved_paths).destroy() / freeze() / stats() / pids()
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cgroups/apply.hpp"
#include "cgroups/layout.hpp"
#include "cgroups/manager.hpp"
#include "cgroups/path.hpp"

namespace rt::cgroups {

class Cgroupfs final : public Manager {
public:
    // `hugepage_sizes` ("2MB", ...) for stats; nullopt reads
    // /sys/kernel/mm/hugepages when needed.
    Cgroupfs(Layout layout, Paths paths, std::optional<std::vector<std::string>> hugepage_sizes = std::nullopt);

    // linux.cgroupsPath (absent: the id, relative) resolved on this layout.
    static Cgroupfs for_container(const Layout& layout, const std::optional<std::string>& cgroups_path,
                                  std::string_view id,
                                  std::optional<std::vector<std::string>> hugepage_sizes = std::nullopt);

    const Layout& layout() const { return layout_; }
    const Paths& paths() const { return paths_; }

    void create() override;
    sys::UniqueFd open_leaf() const override;
    void join(pid_t pid) override;
    Join join_mode() const override;
    std::vector<sys::UniqueFd> self_join_files() override;
    void assume_created() override { v1_created_ = true; }
    std::vector<std::string> set(const spec::Resources& r, bool devices) const override;
    // set() with a substitute writer (tests inject kernel refusals).
    std::vector<std::string> set(const spec::Resources& r, bool devices, const WriteFn& write) const;
    void freeze(bool frozen) const override;
    FreezerState freezer_state() const override;
    std::vector<pid_t> pids() const override;
    Stats stats() const override;
    bool exists() const override;
    void destroy() const override;

    // /sys/kernel/mm/hugepages -> {"2MB", "1GB"}.
    static std::vector<std::string> host_hugepage_sizes();

private:
    Layout layout_;
    Paths paths_;
    std::optional<std::vector<std::string>> hugepage_sizes_;
    bool v1_created_ = false;

    void create_v1();  // mkdir -p in every v1 hierarchy, cpuset.cpus/mems from the parent

    std::string v1_dir(std::string_view controller) const;  // "" when not mounted
    bool v2_drives(std::string_view controller) const;
    std::vector<std::string> all_dirs() const;
};

}  // namespace rt::cgroups
