// Semantic checks of a parsed Spec, all in one place. Throws rt::sys::Error
// of kind invalid_config naming the field: "config.json: process.args: must not be empty".
#pragma once

#include "spec.hpp"

namespace rt::spec {

void validate(const Spec& spec);
void validate_process(const Process& process, std::string_view doc = "config.json: process");
bool valid_container_id(std::string_view id);

}  // namespace rt::spec
