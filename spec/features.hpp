#pragma once
#include <string>

namespace rt::spec {
// The `features` document (features.md / features-linux.md), pretty-printed.
std::string features_json();
// The `spec` command's default config.json (runc spec's template); rootless
// variant as `runc spec --rootless` makes it.
std::string default_spec_json(bool rootless);
}  // namespace rt::spec
