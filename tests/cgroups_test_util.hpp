// Helpers shared by the cgroups unit tests.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cgroups/resources.hpp"
#include "spec/parse.hpp"
#include "sys/error.hpp"

namespace cgtest {

using Lines = std::vector<std::string>;

inline rt::spec::Resources res(const char* json) { return rt::spec::parse_resources(json); }

// One "hierarchy controller:file=value" line per planned write.
inline Lines lines(const rt::cgroups::WritePlan& p) {
    Lines out;
    for (const auto& w : p.writes) out.push_back(to_string(w));
    return out;
}

// The message of the rt::sys::Error that f() throws (its kind checked), or
// "no error".
std::string error_of(auto&& f, rt::sys::ErrorKind kind) {
    try {
        f();
    } catch (const rt::sys::Error& e) {
        CHECK(e.kind() == kind);
        return e.what();
    }
    return "no error";
}

}  // namespace cgtest
