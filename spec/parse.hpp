// config.json (and process.json / resources.json) -> typed model.
//
// Errors are rt::sys::Error of kind invalid_config whose message names the
// document and the JSON path:
//   config.json: linux.resources.memory.limit: expected integer, got string
//   config.json: invalid JSON at offset 12: Missing a comma or '}' after an object member
#pragma once

#include <string>
#include <string_view>

#include "spec.hpp"

namespace rt::spec {

// `doc` is the document name used as the message prefix ("config.json").
Spec parse_spec(std::string_view json, std::string_view doc = "config.json");
Process parse_process(std::string_view json, std::string_view doc = "process.json");
Resources parse_resources(std::string_view json, std::string_view doc = "resources");

// The text of <bundle>/config.json (errors: "config.json: open <path>: ...").
std::string read_bundle_config(const std::string& bundle);
// Reads <bundle>/config.json, parses and validates it.
Spec load_bundle_config(const std::string& bundle);

}  // namespace rt::spec
