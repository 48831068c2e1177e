// Semantic checks of a parsed Spec, all in one place. Throws rt::sys::Error
// of kind invalid_config naming the field: "config.json: process.args: must not be empty".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "spec.hpp"

namespace rt::spec {

// Requires `process` (runc refuses create/run without one: "process property
// must not be empty"), so it is the check for create/run.
void validate(const Spec& spec);
// `doc` is "<document>[: <path prefix>]": "config.json: process" for the
// container's process, "process.json" for `exec --process`.
void validate_process(const Process& process, std::string_view doc = "config.json: process");
bool valid_container_id(std::string_view id);

// What config.md says to warn about and carry on: capability names the
// runtime cannot map ("MUST be logged as a warning ... SHOULD NOT fail"; runc
// 1.1.5 logs "ignoring unknown or unavailable capabilities"). One message per
// problem, prefixed like errors; the caller logs them.
std::vector<std::string> warnings(const Spec& spec);
std::vector<std::string> process_warnings(const Process& process,
                                          std::string_view doc = "config.json: process");
bool known_capability(std::string_view name);

}  // namespace rt::spec
