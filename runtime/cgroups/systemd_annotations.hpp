// org.systemd.property.<Name> annotations: extra properties for the
// container's systemd unit, as runc's initSystemdProps (specconv.go) reads
// them. Only the systemd driver uses them; they are sent after berth's own
// properties, so they win where both name one.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "sdbus/protocol.hpp"

namespace rt::cgroups {

// Name: ASCII letters only, at least three. Value: GVariant text, as
// godbus's ParseVariant takes it: `true`, `uint64 300`, `int32 -1`, `2.5`,
// `'inactive-or-failed'`, `['a.service', 'b.service']`, `@as []`; an
// untyped integer is an int32. A name ending in "Sec" after a lower-case
// letter (TimeoutStopSec) becomes ...USec with the value in microseconds.
// Throws invalid_config naming the annotation.
std::vector<sdbus::Property> annotation_properties(const std::map<std::string, std::string>& annotations);

// One GVariant text value. Throws std::invalid_argument saying why.
sdbus::Value parse_gvariant(std::string_view text);

}  // namespace rt::cgroups
