// spec/features.cpp: the `features` document and the `spec` template.
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include "spec/features.hpp"
#include "spec/names.hpp"

#ifndef TESTS_DATA_DIR
#define TESTS_DATA_DIR "tests/data"
#endif

using namespace rt::spec;

namespace {

std::string read_data(const std::string& name) {
    std::ifstream f(std::string(TESTS_DATA_DIR) + "/" + name);
    REQUIRE_MESSAGE(f.good(), "missing test data " << name);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

std::set<std::string> strings(const rapidjson::Value& array) {
    std::set<std::string> out;
    for (const auto& v : array.GetArray()) out.insert(v.GetString());
    return out;
}

// Every member of `o` is one of `allowed`: features-linux.json has no
// additionalProperties, and features.md forbids unknown ones.
void only_keys(const rapidjson::Value& o, std::set<std::string> allowed) {
    REQUIRE(o.IsObject());
    for (const auto& m : o.GetObject()) {
        CAPTURE(m.name.GetString());
        CHECK(allowed.count(m.name.GetString()) == 1);
    }
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
    for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) s.replace(pos, from.size(), to);
}

}  // namespace

TEST_CASE("features: document structure follows features-schema.json") {
    std::string text = features_json();
    CHECK(text.back() == '\n');
    CHECK(text.rfind("{\n    \"ociVersionMin\": \"1.0.0\",\n    \"ociVersionMax\": \"1.3.0\",\n", 0) == 0);

    rapidjson::Document d;
    d.Parse(text.c_str());
    REQUIRE_FALSE(d.HasParseError());
    only_keys(d, {"ociVersionMin", "ociVersionMax", "hooks", "mountOptions", "annotations", "linux"});
    CHECK(std::string(d["ociVersionMin"].GetString()) == "1.0.0");
    CHECK(std::string(d["ociVersionMax"].GetString()) == "1.3.0");
    CHECK(strings(d["hooks"]) ==
          std::set<std::string>{"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"});

    const auto& linux_ = d["linux"];
    only_keys(linux_, {"namespaces", "capabilities", "cgroup", "seccomp", "apparmor", "selinux", "intelRdt",
                       "mountExtensions", "netDevices"});
    CHECK(linux_["namespaces"].Size() == 8);
    CHECK(strings(linux_["namespaces"]).count("time") == 1);
    REQUIRE(linux_["capabilities"].Size() == 41);
    CHECK(std::string(linux_["capabilities"][0].GetString()) == "CAP_CHOWN");
    CHECK(std::string(linux_["capabilities"][40].GetString()) == "CAP_CHECKPOINT_RESTORE");

    const auto& cg = linux_["cgroup"];
    only_keys(cg, {"v1", "v2", "systemd", "systemdUser", "rdma"});
    CHECK(cg["v1"].GetBool());
    CHECK(cg["v2"].GetBool());
    CHECK(cg["systemd"].GetBool());
    CHECK_FALSE(cg["systemdUser"].GetBool());
    CHECK(cg["rdma"].GetBool());

    const auto& sc = linux_["seccomp"];
    only_keys(sc, {"enabled", "actions", "operators", "archs", "knownFlags", "supportedFlags"});
    CHECK(sc["enabled"].GetBool());
    for (const auto& a : sc["actions"].GetArray()) CHECK(names::contains(names::seccomp_actions, a.GetString()));
    CHECK(sc["actions"].Size() == 9);
    CHECK(sc["operators"].Size() == 7);
    for (const auto& a : sc["archs"].GetArray()) CHECK(names::contains(names::seccomp_archs, a.GetString()));
    CHECK(strings(sc["archs"]).count("SCMP_ARCH_X86_64") == 1);
    std::set<std::string> flags{"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_LOG"};
    CHECK(strings(sc["knownFlags"]) == flags);
    CHECK(strings(sc["supportedFlags"]) == flags);

    for (const char* off : {"apparmor", "selinux", "intelRdt", "netDevices"}) {
        CAPTURE(off);
        only_keys(linux_[off], {"enabled"});
        CHECK_FALSE(linux_[off]["enabled"].GetBool());
    }
    CHECK_FALSE(linux_["mountExtensions"]["idmap"]["enabled"].GetBool());

    const auto& ann = d["annotations"];
    only_keys(ann, {"io.github.seccomp.libseccomp.version", "org.berth.version", "org.berth.commit"});
    for (const auto& m : ann.GetObject()) CHECK(m.value.IsString());
    CHECK(std::string(ann["io.github.seccomp.libseccomp.version"].GetString()).find('.') != std::string::npos);
}

TEST_CASE("features: mount options") {
    rapidjson::Document d;
    d.Parse(features_json().c_str());
    auto opts = strings(d["mountOptions"]);
    // dockerd refuses rro mounts unless the runtime lists "rro".
    for (const char* o : {"rro", "rbind", "bind", "ro", "rw", "nosuid", "suid", "nodev", "dev", "noexec", "exec",
                          "sync", "async", "dirsync", "remount", "mand", "nomand", "atime", "noatime", "diratime",
                          "nodiratime", "relatime", "norelatime", "strictatime", "nostrictatime", "nosymfollow",
                          "symfollow", "private", "rprivate", "shared", "rshared", "slave", "rslave", "unbindable",
                          "runbindable", "defaults", "lazytime", "iversion", "silent", "loud", "rnosuid"}) {
        CAPTURE(o);
        CHECK(opts.count(o) == 1);
    }
    for (const char* o : {"tmpcopyup", "idmap", "ridmap"}) {
        CAPTURE(o);
        CHECK(opts.count(o) == 0);
    }
    // Sorted and unique, as runc lists them.
    std::vector<std::string> listed;
    for (const auto& v : d["mountOptions"].GetArray()) listed.push_back(v.GetString());
    CHECK(std::is_sorted(listed.begin(), listed.end()));
    CHECK(listed.size() == opts.size());
}

TEST_CASE("features: spec template matches `runc spec` of runc 1.1.5") {
    std::string expected = read_data("runc-1.1.5-spec.json");
    replace_all(expected, "\"ociVersion\": \"1.0.2-dev\"", "\"ociVersion\": \"1.3.0\"");
    CHECK(default_spec_json(false) == expected);
}

TEST_CASE("features: rootless spec template matches `runc spec --rootless`") {
    // The fixture was made as root; runc maps the caller's euid/egid.
    std::string expected = read_data("runc-1.1.5-spec-rootless.json");
    replace_all(expected, "\"ociVersion\": \"1.0.2-dev\"", "\"ociVersion\": \"1.3.0\"");
    size_t uid = expected.find("\"hostID\": 0");
    REQUIRE(uid != std::string::npos);
    size_t gid = expected.find("\"hostID\": 0", uid + 1);
    REQUIRE(gid != std::string::npos);
    expected.replace(gid, 11, "\"hostID\": " + std::to_string(getegid()));
    expected.replace(uid, 11, "\"hostID\": " + std::to_string(geteuid()));
    CHECK(default_spec_json(true) == expected);
}
