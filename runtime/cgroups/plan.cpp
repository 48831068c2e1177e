// Which hierarchy drives each resource section on this host.
#include "cgroups/emit.hpp"

namespace rt::cgroups {

namespace {

struct SectionInfo {
    Section section;
    const char* v1;  // the v1 controller, or null
    const char* v2;  // the v2 controller, or null when v2 has no files for it
};

// runc's v1 subsystem order; unified keys are handled one by one, last.
constexpr SectionInfo kSections[] = {
    {Section::cpuset, "cpuset", "cpuset"}, {Section::devices, "devices", nullptr},
    {Section::memory, "memory", "memory"}, {Section::cpu, "cpu", "cpu"},
    {Section::pids, "pids", "pids"},       {Section::blkio, "blkio", "io"},
    {Section::hugetlb, "hugetlb", "hugetlb"}, {Section::net_cls, "net_cls", nullptr},
    {Section::net_prio, "net_prio", nullptr}, {Section::rdma, "rdma", "rdma"},
};

void append(WritePlan& to, WritePlan&& from) {
    for (auto& w : from.writes) to.writes.push_back(std::move(w));
    for (auto& s : from.warnings) to.warnings.push_back(std::move(s));
    if (from.memory_check) to.memory_check = from.memory_check;
}

void unified_keys(const spec::Resources& r, const Layout& layout, WritePlan& out) {
    if (r.unified.empty()) return;
    if (!layout.v2) v1_section(r, Section::unified, out);  // throws: no cgroup2 mount at all
    for (const auto& [key, value] : r.unified) {
        std::string fld = detail::field_key("unified", key);
        std::string ctrl = detail::unified_controller(key, fld);
        // On hybrid hosts only controllers bound to the cgroup2 mount have
        // their files there; core cgroup.* files always do.
        if (layout.mode != Mode::unified && ctrl != "cgroup" && !layout.on_v2(ctrl))
            detail::unsupported(fld, "not supported by this host (controller `" + ctrl +
                                         "` is not on the cgroup v2 hierarchy)");
        detail::Emitter{out, Hierarchy::v2, ctrl.c_str()}.add(key, value, fld);
    }
}

}  // namespace

std::string to_string(const Write& w) {
    std::string s = w.hierarchy == Hierarchy::v2 ? "v2 " : "";
    s += w.controller + ":" + w.file + "=" + w.value;
    if (!w.alt_file.empty()) s += " (else " + w.alt_file + "=" + w.alt_value + ")";
    if (w.optional) s += " [optional]";
    if (w.retry_einval) s += " [retry]";
    if (w.verify) s += " [verify]";
    return s;
}

WritePlan plan_writes(const spec::Resources& r, const Layout& layout, bool with_devices) {
    if (layout.mode == Mode::unified) {
        WritePlan out = v2_writes(r);
        out.devices_ebpf = with_devices;
        return out;
    }
    WritePlan out;
    for (const auto& info : kSections) {
        if (info.section == Section::devices) {
            if (!with_devices) continue;
            // Without a v1 devices hierarchy the rules go to a BPF program
            // on the cgroup2 leaf; with neither they cannot be enforced.
            if (layout.v1_mount("devices") != nullptr)
                v1_section(r, Section::devices, out);
            else if (layout.v2)
                out.devices_ebpf = true;
            else
                detail::unsupported("linux.resources.devices", "not supported by this host (no devices controller)");
            continue;
        }
        WritePlan part;
        if (layout.v1_mount(info.v1) != nullptr) {
            v1_section(r, info.section, part);
        } else if (info.v2 != nullptr && layout.on_v2(info.v2)) {
            v2_section(r, info.section, part);
        } else {
            v1_section(r, info.section, part);  // validates, and tells whether anything is set
            if (!part.writes.empty())
                detail::unsupported(part.writes.front().field,
                                    std::string("not supported by this host (no ") + info.v1 + " controller)");
        }
        append(out, std::move(part));
    }
    unified_keys(r, layout, out);
    return out;
}

}  // namespace rt::cgroups
