// The protocol between berth (static, no libsystemd) and build/berth-systemd
// (dynamic, sd-bus). Header-only so both programs and the unit tests share
// one definition without another library.
//
//   berth-systemd start-unit | set-properties | stop-unit
//   stdin:  one Request as a line of JSON
//   stdout: one reply line, "ok [text]", "exists <cgroup>" or "error <message>"
//
// start-unit replies "ok <ControlGroup>". With `hold`, the helper adds its
// own pid as the scope's PIDs= and, after replying, stays alive until its
// stdin reaches EOF: the scope exists and is non-empty until berth has put
// the container's first process into it. The other operations exit after
// the reply.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace rt::sdbus {

// DeviceAllow=: (path or group, "rwm").
using DeviceList = std::vector<std::pair<std::string, std::string>>;
// A number of any other basic D-Bus type (from org.systemd.property.*
// annotations): `sig` is one of "ynqiuxd"; integers in `i` (signed types)
// or `u`, doubles in `d`.
struct Number {
    char sig = 'i';
    int64_t i = 0;
    uint64_t u = 0;
    double d = 0;
    bool operator==(const Number&) const = default;
};
// One property value; the alternative fixes the D-Bus signature (see signature()).
using Value = std::variant<bool, uint64_t, std::string, std::vector<std::string>, std::vector<uint8_t>,
                           std::vector<uint32_t>, DeviceList, Number>;

struct Property {
    std::string name;
    Value value;
    // The first systemd version that knows the property; the helper drops it
    // on older ones (the cgroup file writes still apply the value).
    unsigned since = 0;
    bool operator==(const Property&) const = default;
};

struct Request {
    std::string unit;
    std::vector<Property> properties;
    bool hold = false;  // start-unit: join the scope and wait for EOF on stdin
    bool operator==(const Request&) const = default;
};

inline const char* signature(const Value& v) {
    static constexpr const char* sigs[] = {"b", "t", "s", "as", "ay", "au", "a(ss)"};
    if (const Number* n = std::get_if<Number>(&v)) {
        static constexpr const char* numbers[] = {"y", "n", "q", "i", "u", "x", "d"};
        return numbers[std::string_view("ynqiuxd").find(n->sig)];
    }
    return sigs[v.index()];
}
inline bool is_signed(char sig) { return sig == 'n' || sig == 'i' || sig == 'x'; }

namespace detail {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

inline void put(Writer& w, std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }

inline void put_value(Writer& w, const Value& v) {
    std::visit(
        [&](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, bool>) {
                w.Bool(x);
            } else if constexpr (std::is_same_v<T, uint64_t>) {
                w.Uint64(x);
            } else if constexpr (std::is_same_v<T, Number>) {
                if (x.sig == 'd') w.Double(x.d);
                else if (is_signed(x.sig)) w.Int64(x.i);
                else w.Uint64(x.u);
            } else if constexpr (std::is_same_v<T, std::string>) {
                put(w, x);
            } else if constexpr (std::is_same_v<T, DeviceList>) {
                w.StartArray();
                for (const auto& [path, perms] : x) {
                    w.StartArray();
                    put(w, path);
                    put(w, perms);
                    w.EndArray();
                }
                w.EndArray();
            } else {
                w.StartArray();
                for (const auto& e : x) {
                    if constexpr (std::is_same_v<typename T::value_type, std::string>)
                        put(w, e);
                    else
                        w.Uint(e);
                }
                w.EndArray();
            }
        },
        v);
}

[[noreturn]] inline void bad(const std::string& what) { throw std::invalid_argument("bad request: " + what); }

template <typename Int>
std::vector<Int> ints(const rapidjson::Value& a, const std::string& name, uint64_t max) {
    std::vector<Int> out;
    for (const auto& e : a.GetArray()) {
        if (!e.IsUint64() || e.GetUint64() > max) bad("property " + name + ": element out of range");
        out.push_back(static_cast<Int>(e.GetUint64()));
    }
    return out;
}

inline Value get_value(const std::string& type, const rapidjson::Value& v, const std::string& name) {
    auto want = [&](bool ok) {
        if (!ok) bad("property " + name + ": value does not match type " + type);
    };
    if (type == "b") {
        want(v.IsBool());
        return v.GetBool();
    }
    if (type == "t") {
        want(v.IsUint64());
        return v.GetUint64();
    }
    if (type == "s") {
        want(v.IsString());
        return std::string(v.GetString(), v.GetStringLength());
    }
    if (type.size() == 1 && std::string_view("ynqiuxd").find(type[0]) != std::string_view::npos) {
        Number n;
        n.sig = type[0];
        if (n.sig == 'd') {
            want(v.IsNumber());
            n.d = v.GetDouble();
        } else if (is_signed(n.sig)) {
            want(v.IsInt64());
            n.i = v.GetInt64();
        } else {
            want(v.IsUint64());
            n.u = v.GetUint64();
        }
        return n;
    }
    want(v.IsArray());
    if (type == "ay") return ints<uint8_t>(v, name, 0xff);
    if (type == "au") return ints<uint32_t>(v, name, 0xffffffff);
    if (type == "as") {
        std::vector<std::string> out;
        for (const auto& e : v.GetArray()) {
            want(e.IsString());
            out.emplace_back(e.GetString(), e.GetStringLength());
        }
        return out;
    }
    if (type == "a(ss)") {
        DeviceList out;
        for (const auto& e : v.GetArray()) {
            want(e.IsArray() && e.Size() == 2 && e[0].IsString() && e[1].IsString());
            out.emplace_back(std::string(e[0].GetString(), e[0].GetStringLength()),
                             std::string(e[1].GetString(), e[1].GetStringLength()));
        }
        return out;
    }
    bad("property " + name + ": unknown type `" + type + "`");
}

}  // namespace detail

// One line, no trailing newline.
inline std::string encode(const Request& r) {
    rapidjson::StringBuffer buf;
    detail::Writer w(buf);
    w.StartObject();
    w.Key("unit");
    detail::put(w, r.unit);
    if (r.hold) {
        w.Key("hold");
        w.Bool(true);
    }
    w.Key("properties");
    w.StartArray();
    for (const auto& p : r.properties) {
        w.StartObject();
        w.Key("name");
        detail::put(w, p.name);
        w.Key("type");
        w.String(signature(p.value));
        w.Key("value");
        detail::put_value(w, p.value);
        if (p.since != 0) {
            w.Key("since");
            w.Uint(p.since);
        }
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return std::string(buf.GetString(), buf.GetSize());
}

// Throws std::invalid_argument ("bad request: ...").
inline Request decode(std::string_view json) {
    rapidjson::Document d;
    d.Parse(json.data(), json.size());
    if (d.HasParseError() || !d.IsObject()) detail::bad("not a JSON object");
    Request r;
    auto unit = d.FindMember("unit");
    if (unit == d.MemberEnd() || !unit->value.IsString() || unit->value.GetStringLength() == 0)
        detail::bad("missing unit");
    r.unit = unit->value.GetString();
    if (auto h = d.FindMember("hold"); h != d.MemberEnd()) {
        if (!h->value.IsBool()) detail::bad("hold is not a boolean");
        r.hold = h->value.GetBool();
    }
    auto props = d.FindMember("properties");
    if (props == d.MemberEnd()) return r;
    if (!props->value.IsArray()) detail::bad("properties is not an array");
    for (const auto& p : props->value.GetArray()) {
        if (!p.IsObject() || !p.HasMember("name") || !p["name"].IsString() || !p.HasMember("type") ||
            !p["type"].IsString() || !p.HasMember("value"))
            detail::bad("a property needs name, type and value");
        Property prop;
        prop.name = p["name"].GetString();
        prop.value = detail::get_value(p["type"].GetString(), p["value"], prop.name);
        if (auto s = p.FindMember("since"); s != p.MemberEnd()) {
            if (!s->value.IsUint()) detail::bad("property " + prop.name + ": since is not a version");
            prop.since = s->value.GetUint();
        }
        r.properties.push_back(std::move(prop));
    }
    return r;
}

}  // namespace rt::sdbus
