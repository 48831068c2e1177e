// spec::Resources -> JSON, the inverse of parse_resources(): `update` keeps
// the merged resources in the saved config.json text, so the next `update`
// merges onto them and every later command reads them back with the same
// parser. Key names are config-linux.md's; absent optional fields are omitted.
#pragma once

#include <string>
#include <string_view>

#include "spec.hpp"

namespace rt::spec {

std::string resources_json(const Resources& r);

// `config` (a config.json document) with linux.resources replaced by `r`
// (linux created when absent); every other member is kept as it was.
// Throws invalid_config naming `doc` when `config` is not a JSON object.
std::string with_resources(std::string_view config, const Resources& r, std::string_view doc = "config.json");

}  // namespace rt::spec
