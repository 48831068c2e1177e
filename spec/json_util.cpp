#include "json_util.hpp"

#include <rapidjson/error/en.h>

#include <cmath>
#include <cstdio>

#include "sys/error.hpp"

namespace rt::spec::json {

using sys::Error;
using sys::ErrorKind;

Where Where::field(std::string_view k) const {
    if (path.empty()) return {doc, std::string(k)};
    return {doc, path + "." + std::string(k)};
}

Where Where::index(size_t i) const { return {doc, path + "[" + std::to_string(i) + "]"}; }

Where Where::key(std::string_view k) const { return {doc, path + "[\"" + std::string(k) + "\"]"}; }

void fail(const Where& w, const std::string& what) {
    if (w.path.empty()) throw Error(ErrorKind::invalid_config, w.doc + ": " + what);
    throw Error(ErrorKind::invalid_config, w.doc + ": " + w.path + ": " + what);
}

const char* type_name(const Value& v) {
    switch (v.GetType()) {
        case rapidjson::kNullType: return "null";
        case rapidjson::kFalseType:
        case rapidjson::kTrueType: return "boolean";
        case rapidjson::kObjectType: return "object";
        case rapidjson::kArrayType: return "array";
        case rapidjson::kStringType: return "string";
        case rapidjson::kNumberType: return v.IsInt64() || v.IsUint64() ? "integer" : "number";
    }
    return "unknown";
}

void fail_integer(const Value& v, const Where& w) {
    // Integers beyond 64 bits arrive as doubles; report them as out of range
    // rather than as "not an integer", which is what the author meant.
    if (v.IsDouble()) {
        double d = v.GetDouble();
        if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) >= 9223372036854775808.0) {
            char buf[64];
            std::snprintf(buf, sizeof buf, std::fabs(d) < 1e21 ? "%.0f" : "%g", d);
            fail(w, std::string("value ") + buf + " out of range");
        }
    }
    fail(w, std::string("expected integer, got ") + type_name(v));
}

std::string as_string(const Value& v, const Where& w) {
    if (!v.IsString()) fail(w, std::string("expected string, got ") + type_name(v));
    std::string s(v.GetString(), v.GetStringLength());
    // "\u0000" is valid JSON, but every string here ends up as a C string
    // (path, argv, env, file content) where it would silently truncate.
    if (s.find('\0') != std::string::npos) fail(w, "must not contain a NUL character");
    return s;
}

bool as_bool(const Value& v, const Where& w) {
    if (!v.IsBool()) fail(w, std::string("expected boolean, got ") + type_name(v));
    return v.GetBool();
}

Obj::Obj(const Value& v, Where where) : v_(v), where_(std::move(where)) {
    if (!v_.IsObject()) fail(where_, std::string("expected object, got ") + type_name(v_));
}

const Value* Obj::get(std::string_view key) const {
    // The last duplicate wins, as in Go's encoding/json (runc, containerd).
    const Value* found = nullptr;
    for (auto m = v_.MemberBegin(); m != v_.MemberEnd(); ++m) {
        if (std::string_view(m->name.GetString(), m->name.GetStringLength()) == key) found = &m->value;
    }
    if (found && found->IsNull()) return nullptr;
    return found;
}

const Value& Obj::need(std::string_view key) const {
    const Value* v = get(key);
    if (!v) fail(at(key), "required field missing");
    return *v;
}

std::optional<std::string> Obj::opt_str(std::string_view key) const {
    const Value* v = get(key);
    if (!v) return std::nullopt;
    return as_string(*v, at(key));
}

bool Obj::flag(std::string_view key, bool absent) const { return opt_flag(key).value_or(absent); }

std::optional<bool> Obj::opt_flag(std::string_view key) const {
    const Value* v = get(key);
    if (!v) return std::nullopt;
    return as_bool(*v, at(key));
}

std::vector<std::string> Obj::strs(std::string_view key) const {
    std::vector<std::string> out;
    each(key, [&](const Value& v, const Where& w) { out.push_back(as_string(v, w)); });
    return out;
}

std::optional<std::vector<std::string>> Obj::opt_strs(std::string_view key) const {
    if (!get(key)) return std::nullopt;
    return strs(key);
}

std::map<std::string, std::string> Obj::str_map(std::string_view key) const {
    std::map<std::string, std::string> out;
    entries(key, [&](const std::string& k, const Value& v, const Where& w) { out[k] = as_string(v, w); });
    return out;
}

void parse_text(rapidjson::Document& d, std::string_view text, std::string_view doc) {
    // Iterative parsing: a hostile, deeply nested document must not overflow the stack.
    d.Parse<rapidjson::kParseIterativeFlag>(text.data(), text.size());
    if (!d.HasParseError()) return;
    std::string msg = rapidjson::GetParseError_En(d.GetParseError());
    if (!msg.empty() && msg.back() == '.') msg.pop_back();  // house style: no trailing period
    throw Error(ErrorKind::invalid_config, std::string(doc) + ": invalid JSON at offset " +
                                               std::to_string(d.GetErrorOffset()) + ": " + msg);
}

}  // namespace rt::spec::json
