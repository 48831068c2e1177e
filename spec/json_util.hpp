// Internal to spec/: typed, path-aware reading of a RapidJSON DOM.
//
// Every error names the document and the JSON path of the offending value,
// so the messages read the same from every parser function:
//   config.json: mounts[2].destination: expected string, got integer
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "spec.hpp"

namespace rt::spec::json {

using Value = rapidjson::Value;

// Where a value sits: the document name and the path inside it.
struct Where {
    std::string doc;   // "config.json"
    std::string path;  // "linux.resources.memory" ("" for the document root)

    Where field(std::string_view key) const;
    Where index(size_t i) const;
    Where key(std::string_view k) const;  // map entry: annotations["x"]
};

[[noreturn]] void fail(const Where& w, const std::string& what);

// "string", "integer", "number" (non-integral), "boolean", "array", "object", "null".
const char* type_name(const Value& v);

std::string as_string(const Value& v, const Where& w);
bool as_bool(const Value& v, const Where& w);

[[noreturn]] void fail_integer(const Value& v, const Where& w);

// Integers must be JSON integers that fit T exactly: 5.0 is rejected (as Go's
// encoding/json, which runc uses, rejects it), and so is 4294967296 for a uint32.
template <typename T>
T as_int(const Value& v, const Where& w) {
    static_assert(std::is_integral_v<T> && !std::is_same_v<T, bool>);
    using L = std::numeric_limits<T>;
    if (v.IsUint64()) {
        uint64_t x = v.GetUint64();
        if (x <= static_cast<uint64_t>(L::max())) return static_cast<T>(x);
        fail(w, "value " + std::to_string(x) + " out of range");
    }
    if (v.IsInt64()) {  // negative: every non-negative integer was IsUint64 above
        int64_t x = v.GetInt64();
        if constexpr (L::is_signed) {
            if (x >= static_cast<int64_t>(L::min())) return static_cast<T>(x);
        }
        fail(w, "value " + std::to_string(x) + " out of range");
    }
    fail_integer(v, w);
}

// A JSON object being read. Absent members and members set to null read the
// same: config.md gives null no meaning of its own, and Go decodes it as absent.
class Obj {
public:
    Obj(const Value& v, Where where);

    const Where& where() const { return where_; }
    Where at(std::string_view key) const { return where_.field(key); }
    // nullptr when absent or null.
    const Value* get(std::string_view key) const;
    // Throws "required field missing" when absent or null.
    const Value& need(std::string_view key) const;

    std::string req_str(std::string_view key) const { return as_string(need(key), at(key)); }
    std::optional<std::string> opt_str(std::string_view key) const;
    bool flag(std::string_view key, bool absent = false) const;
    std::optional<bool> opt_flag(std::string_view key) const;
    std::vector<std::string> strs(std::string_view key) const;  // absent reads as empty
    std::vector<std::string> req_strs(std::string_view key) const {
        need(key);
        return strs(key);
    }
    std::optional<std::vector<std::string>> opt_strs(std::string_view key) const;
    std::map<std::string, std::string> str_map(std::string_view key) const;

    template <typename T>
    T req_num(std::string_view key) const {
        return as_int<T>(need(key), at(key));
    }
    template <typename T>
    std::optional<T> opt_num(std::string_view key) const {
        const Value* v = get(key);
        if (!v) return std::nullopt;
        return as_int<T>(*v, at(key));
    }
    template <typename T>
    T num(std::string_view key, T absent) const {
        return opt_num<T>(key).value_or(absent);
    }
    template <typename T>
    std::vector<T> nums(std::string_view key) const {
        std::vector<T> out;
        each(key, [&](const Value& v, const Where& w) { out.push_back(as_int<T>(v, w)); });
        return out;
    }

    // An optional nested object, read by f(const Obj&).
    template <typename F>
    auto opt_obj(std::string_view key, F f) const -> std::optional<std::invoke_result_t<F, const Obj&>> {
        const Value* v = get(key);
        if (!v) return std::nullopt;
        return f(Obj(*v, at(key)));
    }
    // An array of objects, each read by f(const Obj&); absent reads as empty.
    template <typename F>
    auto list(std::string_view key, F f) const -> std::vector<std::invoke_result_t<F, const Obj&>> {
        std::vector<std::invoke_result_t<F, const Obj&>> out;
        each(key, [&](const Value& v, const Where& w) { out.push_back(f(Obj(v, w))); });
        return out;
    }
    // An object whose values are objects, each read by f(const Obj&).
    template <typename F>
    auto obj_map(std::string_view key, F f) const
        -> std::map<std::string, std::invoke_result_t<F, const Obj&>> {
        std::map<std::string, std::invoke_result_t<F, const Obj&>> out;
        entries(key, [&](const std::string& k, const Value& v, const Where& w) { out[k] = f(Obj(v, w)); });
        return out;
    }

private:
    // Calls f(element, where) for each element of an optional array.
    template <typename F>
    void each(std::string_view key, F f) const {
        const Value* v = get(key);
        if (!v) return;
        Where w = at(key);
        if (!v->IsArray()) fail(w, std::string("expected array, got ") + type_name(*v));
        for (rapidjson::SizeType i = 0; i < v->Size(); ++i) f((*v)[i], w.index(i));
    }
    // Calls f(name, value, where) for each member of an optional object.
    template <typename F>
    void entries(std::string_view key, F f) const {
        const Value* v = get(key);
        if (!v) return;
        Where w = at(key);
        if (!v->IsObject()) fail(w, std::string("expected object, got ") + type_name(*v));
        for (auto m = v->MemberBegin(); m != v->MemberEnd(); ++m) {
            std::string k(m->name.GetString(), m->name.GetStringLength());
            f(k, m->value, w.key(k));
        }
    }

    const Value& v_;
    Where where_;
};

// Parses JSON text; syntax errors become
// "<doc>: invalid JSON at offset N: <rapidjson message>".
void parse_text(rapidjson::Document& d, std::string_view text, std::string_view doc);

// Readers shared by parse.cpp and parse_linux.cpp.
IdMapping read_id_mapping(const Obj& o);
Linux read_linux(const Obj& o);
Resources read_resources(const Obj& o);

}  // namespace rt::spec::json
