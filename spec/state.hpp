// The OCI state document (runtime.md "State"), as printed by `state` and
// `list` and written to hooks' stdin.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace rt::spec {

struct StateDoc {
    std::string oci_version;
    std::string id;
    std::string status;  // creating | created | running | paused | stopped
    int pid = 0;         // 0 when stopped
    std::string bundle;
    std::string rootfs;
    std::string created;  // RFC3339Nano UTC
    std::string owner;
    std::map<std::string, std::string> annotations;
};

// `state`: 2-space indented, fields as runc prints them (annotations omitted
// when empty, pid always present, owner always present).
std::string state_json_pretty(const StateDoc& s);
// `list --format json`: compact objects inside one array; "null" when empty.
std::string state_list_json(const std::vector<StateDoc>& list);
// Hook stdin (runtime-spec specs-go State): ociVersion, id, status, pid
// (omitted when 0), bundle, annotations (omitted when empty).
std::string state_json_for_hook(const StateDoc& s);

}  // namespace rt::spec
