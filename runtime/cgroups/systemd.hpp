// The systemd cgroup driver (--systemd-cgroup), after runc's systemd
// managers: systemd creates the container's cgroup as a transient scope
// (a slice when the name ends in .slice) and keeps its resource properties;
// everything else is the cgroupfs driver on the same directories, which also
// writes the values systemd has no property for (runc does both).
//
// berth is static and cannot link libsystemd: each D-Bus call is one run of
// the helper berth-systemd (runtime/sdbus/protocol.hpp), found through
// $BERTH_SYSTEMD_HELPER, else beside the berth executable, else in PATH.
//
// Lifecycle, as the lead wires it:
//   Systemd sd = Systemd::for_container(layout, spec.linux->cgroups_path, id);
//   sd.create();                 // StartTransientUnit with PIDs=[helper]: the
//                                // scope exists, held by the helper
//   UniqueFd leaf = sd.open_leaf();  // clone3(CLONE_INTO_CGROUP, leaf)
//   sd.join(first_pid);          // v1 hierarchies; lets the helper go
//   sd.set(resources, true);     // SetUnitProperties + cgroup files
//   persist sd.unit(), sd.slice(), sd.paths()
//   later: Systemd(layout, unit, slice, paths).destroy() / freeze() / ...
//   on any failure: destroy() (StopUnit, then what is left of the dirs).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cgroups/cgroupfs.hpp"
#include "cgroups/layout.hpp"
#include "cgroups/manager.hpp"
#include "cgroups/path.hpp"
#include "sdbus/protocol.hpp"

namespace rt::cgroups {

class Systemd final : public Manager {
public:
    // A unit created earlier (from the container's state). `description`
    // only matters to create().
    Systemd(Layout layout, std::string unit, std::string slice, Paths paths, std::string description = "");
    // linux.cgroupsPath "slice:prefix:name" (absent: "system.slice:berth:<id>").
    // No I/O: the paths are where systemd puts the unit; create() corrects
    // them from the unit's ControlGroup.
    static Systemd for_container(const Layout& layout, const std::optional<std::string>& cgroups_path,
                                 std::string_view id);
    Systemd(Systemd&&) noexcept;
    Systemd& operator=(Systemd&&) = delete;
    ~Systemd() override;  // lets a still-holding helper go

    // Sent after berth's own properties by create() (the container's
    // org.systemd.property.* annotations, systemd_annotations.hpp).
    void add_unit_properties(std::vector<sdbus::Property> props) { extra_ = std::move(props); }

    const std::string& unit() const { return unit_; }
    const std::string& slice() const { return slice_; }
    const Paths& paths() const { return paths_; }

    void create() override;
    sys::UniqueFd open_leaf() const override;
    void join(pid_t pid) override;
    // systemd holds the unit with its helper until the container's first
    // process is in it: cloned_in() (v2) or join() lets it go.
    Join join_mode() const override { return fs_.join_mode() == Join::by_clone ? Join::by_clone : Join::by_parent; }
    void cloned_in(pid_t) override { release_holder(); }
    void assume_created() override { fs_.assume_created(); }
    std::vector<std::string> set(const spec::Resources& r, bool devices) const override;
    void freeze(bool frozen) const override;
    FreezerState freezer_state() const override;
    std::vector<pid_t> pids() const override;
    Stats stats() const override;
    bool exists() const override;
    void destroy() const override;

private:
    struct Holder;  // the start-unit helper keeping the new scope populated

    Layout layout_;
    std::string unit_, slice_, description_;
    Paths paths_;
    Cgroupfs fs_;
    std::vector<sdbus::Property> extra_;
    // Mutable: join() and destroy() are const in Manager, and letting the
    // helper go changes nothing about the cgroup itself.
    mutable std::unique_ptr<Holder> holder_;

    void release_holder() const;
};

// Where berth-systemd is (see above); the name alone means a PATH search.
std::string systemd_helper_path();

}  // namespace rt::cgroups
