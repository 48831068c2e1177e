// config.json -> Spec: the top level, process, mounts and hooks (config.md).
// The linux object is in parse_linux.cpp. Field names are runtime-spec v1.3's;
// unknown keys are ignored, as config.md requires for forward compatibility.
#include "parse.hpp"

#include <cerrno>
#include <cstdio>
#include <memory>

#include "json_util.hpp"
#include "sys/error.hpp"
#include "validate.hpp"

namespace rt::spec {

using json::Obj;

namespace {

User read_user(const Obj& o) {
    User u;
    // config.md marks uid/gid REQUIRED, but the schema does not, and runc (Go
    // zero values) reads an absent one as 0: stay compatible with the latter.
    u.uid = o.num<uint32_t>("uid", 0);
    u.gid = o.num<uint32_t>("gid", 0);
    u.umask = o.opt_num<uint32_t>("umask");
    u.additional_gids = o.nums<uint32_t>("additionalGids");
    u.username = o.opt_str("username");
    return u;
}

Capabilities read_capabilities(const Obj& o) {
    Capabilities c;
    c.bounding = o.opt_strs("bounding");
    c.effective = o.opt_strs("effective");
    c.inheritable = o.opt_strs("inheritable");
    c.permitted = o.opt_strs("permitted");
    c.ambient = o.opt_strs("ambient");
    return c;
}

Rlimit read_rlimit(const Obj& o) {
    return {o.req_str("type"), o.req_num<uint64_t>("soft"), o.req_num<uint64_t>("hard")};
}

Scheduler read_scheduler(const Obj& o) {
    Scheduler s;
    s.policy = o.req_str("policy");
    s.nice = o.opt_num<int32_t>("nice");
    s.priority = o.opt_num<int32_t>("priority");
    s.flags = o.strs("flags");
    s.runtime = o.opt_num<uint64_t>("runtime");
    s.deadline = o.opt_num<uint64_t>("deadline");
    s.period = o.opt_num<uint64_t>("period");
    return s;
}

IoPriority read_io_priority(const Obj& o) {
    // config.md calls priority REQUIRED, the schema does not; 0 is the
    // kernel's default level, so an absent one is harmless.
    return {o.req_str("class"), o.num<int32_t>("priority", 0)};
}

ExecCpuAffinity read_exec_cpu_affinity(const Obj& o) { return {o.opt_str("initial"), o.opt_str("final")}; }

ConsoleSize read_console_size(const Obj& o) {
    return {o.req_num<uint32_t>("height"), o.req_num<uint32_t>("width")};
}

Process read_process(const Obj& o) {
    Process p;
    p.terminal = o.flag("terminal");
    p.console_size = o.opt_obj("consoleSize", read_console_size);
    if (auto user = o.opt_obj("user", read_user)) p.user = std::move(*user);
    p.args = o.strs("args");
    p.command_line = o.opt_str("commandLine");
    p.env = o.strs("env");
    p.cwd = o.req_str("cwd");
    p.capabilities = o.opt_obj("capabilities", read_capabilities);
    p.rlimits = o.list("rlimits", read_rlimit);
    p.no_new_privileges = o.flag("noNewPrivileges");
    p.apparmor_profile = o.opt_str("apparmorProfile");
    p.oom_score_adj = o.opt_num<int32_t>("oomScoreAdj");
    p.scheduler = o.opt_obj("scheduler", read_scheduler);
    p.selinux_label = o.opt_str("selinuxLabel");
    p.io_priority = o.opt_obj("ioPriority", read_io_priority);
    p.exec_cpu_affinity = o.opt_obj("execCPUAffinity", read_exec_cpu_affinity);
    return p;
}

Root read_root(const Obj& o) { return {o.req_str("path"), o.flag("readonly")}; }

Mount read_mount(const Obj& o) {
    Mount m;
    m.destination = o.req_str("destination");
    // config.md: on Linux a relative destination is deprecated but "MUST be
    // interpreted as relative to /"; runc 1.1.5 warns and does the same.
    // Normalizing here means nothing downstream ever sees a relative one.
    // An empty destination stays empty so that validate() rejects it.
    if (!m.destination.empty() && m.destination.front() != '/') m.destination.insert(0, "/");
    m.type = o.opt_str("type");
    m.source = o.opt_str("source");
    m.options = o.strs("options");
    m.uid_mappings = o.list("uidMappings", json::read_id_mapping);
    m.gid_mappings = o.list("gidMappings", json::read_id_mapping);
    return m;
}

Hook read_hook(const Obj& o) {
    Hook h;
    h.path = o.req_str("path");
    h.args = o.strs("args");
    h.env = o.strs("env");
    h.timeout = o.opt_num<int64_t>("timeout");
    return h;
}

Hooks read_hooks(const Obj& o) {
    Hooks h;
    h.prestart = o.list("prestart", read_hook);
    h.create_runtime = o.list("createRuntime", read_hook);
    h.create_container = o.list("createContainer", read_hook);
    h.start_container = o.list("startContainer", read_hook);
    h.poststart = o.list("poststart", read_hook);
    h.poststop = o.list("poststop", read_hook);
    return h;
}

Spec read_spec(const Obj& o) {
    Spec s;
    s.oci_version = o.req_str("ociVersion");
    s.process = o.opt_obj("process", read_process);
    s.root = o.opt_obj("root", read_root);
    s.hostname = o.opt_str("hostname");
    s.domainname = o.opt_str("domainname");
    s.mounts = o.list("mounts", read_mount);
    s.hooks = o.opt_obj("hooks", read_hooks);
    s.annotations = o.str_map("annotations");
    s.linux = o.opt_obj("linux", json::read_linux);
    return s;
}

// Parses `text` and hands its root object to `read`.
template <typename F>
auto read_document(std::string_view text, std::string_view doc, F read) {
    rapidjson::Document d;
    json::parse_text(d, text, doc);
    return read(Obj(d, json::Where{std::string(doc), ""}));
}

std::string read_file(const std::string& path, const std::string& doc) {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "re"), &std::fclose);
    if (!f) throw sys::Error(sys::ErrorKind::invalid_config, errno, doc + ": open " + path);
    std::string text;
    char buf[65536];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) text.append(buf, n);
    if (std::ferror(f.get())) throw sys::Error(sys::ErrorKind::invalid_config, errno, doc + ": read " + path);
    return text;
}

}  // namespace

Spec parse_spec(std::string_view text, std::string_view doc) { return read_document(text, doc, read_spec); }

Process parse_process(std::string_view text, std::string_view doc) {
    return read_document(text, doc, read_process);
}

Resources parse_resources(std::string_view text, std::string_view doc) {
    return read_document(text, doc, json::read_resources);
}

std::string read_bundle_config(const std::string& bundle) {
    return read_file(bundle + "/config.json", "config.json");
}

Spec load_bundle_config(const std::string& bundle) {
    const std::string doc = "config.json";
    Spec spec = parse_spec(read_file(bundle + "/" + doc, doc), doc);
    validate(spec);
    return spec;
}

}  // namespace rt::spec
