#include "container_cgroup.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "cgroups/cgroupfs.hpp"
#include "cgroups/layout.hpp"
#include "cgroups/systemd.hpp"
#include "cgroups/systemd_annotations.hpp"
#include "sys/error.hpp"
#include "sys/fd.hpp"
#include "sys/file.hpp"
#include "sys/log.hpp"

namespace rt::container_cgroup {

using sys::ErrorKind;

namespace {

std::string record_path(const std::string& state_dir) { return state_dir + "/cgroup.json"; }

}  // namespace

Opened for_create(bool systemd, const spec::Spec& spec, const std::string& id) {
    Opened o;
    o.layout = cgroups::detect_layout();
    std::optional<std::string> path = spec.linux ? spec.linux->cgroups_path : std::nullopt;
    if (systemd) {
        auto sd = std::make_unique<cgroups::Systemd>(cgroups::Systemd::for_container(o.layout, path, id));
        sd->add_unit_properties(cgroups::annotation_properties(spec.annotations));
        o.manager = std::move(sd);
    } else
        o.manager = std::make_unique<cgroups::Cgroupfs>(cgroups::Cgroupfs::for_container(o.layout, path, id));
    o.record = record_of(*o.manager, systemd);
    return o;
}

std::unique_ptr<cgroups::Manager> open(const Record& r) {
    std::unique_ptr<cgroups::Manager> m;
    if (r.systemd) m = std::make_unique<cgroups::Systemd>(cgroups::detect_layout(), r.unit, r.slice, r.paths);
    else m = std::make_unique<cgroups::Cgroupfs>(cgroups::detect_layout(), r.paths);
    m->assume_created();  // made at create; exec's join() only moves its process
    return m;
}

void set_spawn_callbacks(cgroups::Manager& m, spawn::Callbacks& cb) {
    using Join = cgroups::Manager::Join;
    switch (m.join_mode()) {
        case Join::by_clone:
            cb.place_cgroup = [&m](pid_t pid) {
                m.cloned_in(pid);
                return std::vector<sys::UniqueFd>();
            };
            break;
        case Join::by_itself:
            cb.place_cgroup = [&m](pid_t) { return m.self_join_files(); };
            break;
        case Join::by_parent:
            cb.place_cgroup = [&m](pid_t pid) {
                m.join(pid);
                return std::vector<sys::UniqueFd>();
            };
            cb.join_init = [&m](pid_t pid) { m.join(pid); };
            break;
    }
}

Record record_of(const cgroups::Manager& m, bool systemd) {
    Record r;
    r.systemd = systemd;
    if (systemd) {
        const auto& sd = static_cast<const cgroups::Systemd&>(m);
        r.unit = sd.unit();
        r.slice = sd.slice();
        r.paths = sd.paths();
    } else {
        r.paths = static_cast<const cgroups::Cgroupfs&>(m).paths();
    }
    return r;
}

std::unique_ptr<cgroups::Manager> open_recorded(const std::string& state_dir) {
    auto record = load(state_dir);
    return record ? open(*record) : nullptr;
}

void save(const std::string& state_dir, const Record& r) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.StartObject();
    w.Key("driver");
    w.String(r.systemd ? "systemd" : "cgroupfs");
    w.Key("v2");
    w.String(r.paths.v2.c_str());
    w.Key("v1");
    w.StartObject();
    for (const auto& [controller, dir] : r.paths.v1) {
        w.Key(controller.c_str());
        w.String(dir.c_str());
    }
    w.EndObject();
    w.Key("unit");
    w.String(r.unit.c_str());
    w.Key("slice");
    w.String(r.slice.c_str());
    w.EndObject();
    std::string path = record_path(state_dir);
    std::string tmp = path + ".tmp";
    sys::UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!fd) sys::throw_errno("create %s", tmp);
    if (::write(fd.get(), buf.GetString(), buf.GetSize()) != static_cast<ssize_t>(buf.GetSize()))
        sys::throw_errno("write %s", tmp);
    fd.reset();
    if (::rename(tmp.c_str(), path.c_str()) != 0) sys::throw_errno("rename %s", tmp);
}

std::optional<Record> load(const std::string& state_dir) {
    std::string path = record_path(state_dir);
    if (::access(path.c_str(), F_OK) != 0) return std::nullopt;
    std::string text = sys::read_file(path);
    rapidjson::Document d;
    d.Parse(text.c_str(), text.size());
    if (d.HasParseError() || !d.IsObject()) sys::fail(ErrorKind::generic, "%s: corrupt cgroup record", path);
    auto str = [&](const char* k) -> std::string {
        auto it = d.FindMember(k);
        return it != d.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
    };
    Record r;
    r.systemd = str("driver") == "systemd";
    r.paths.v2 = str("v2");
    r.unit = str("unit");
    r.slice = str("slice");
    if (auto it = d.FindMember("v1"); it != d.MemberEnd() && it->value.IsObject())
        for (auto& m : it->value.GetObject())
            if (m.value.IsString()) r.paths.v1[m.name.GetString()] = m.value.GetString();
    return r;
}

size_t signal_all(const cgroups::Manager& m, int sig) {
    // A paused container stays paused, except that SIGKILL must thaw it: a
    // frozen task does not die until it runs again. A cgroup that cannot be
    // frozen (no freezer) is signalled as it is.
    bool paused = m.freezer_state() != cgroups::FreezerState::thawed;
    bool froze = false;
    if (!paused) {
        try {
            m.freeze(true);
            froze = true;
        } catch (const sys::Error& e) {
            sys::log::debug(sys::format("signal all: not frozen: %s", e.what()));
        }
    }
    auto pids = m.pids();
    for (pid_t pid : pids) ::kill(pid, sig);
    if (froze || (paused && sig == SIGKILL)) m.freeze(false);
    return pids.size();
}

}  // namespace rt::container_cgroup
