// The OCI state document, byte for byte as runc 1.1.5 prints it.
//
// runc marshals with Go's encoding/json, whose string escaping differs from
// RapidJSON's (it escapes <, > and & as \u003c \u003e \u0026, U+2028/U+2029,
// uses lower-case hex, and turns invalid UTF-8 into U+FFFD). Tools compare
// `state` output and hooks hash their stdin, so the writer below follows Go.
#include "state.hpp"

#include <string_view>

#include "sys/quote.hpp"

namespace rt::spec {

namespace {

void put_string(std::string& out, std::string_view s) {
    static const char hex[] = "0123456789abcdef";
    out += '"';
    for (size_t i = 0; i < s.size();) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            switch (c) {
                case '"': out += "\\\""; break;
                case '\\': out += "\\\\"; break;
                case '\n': out += "\\n"; break;
                case '\r': out += "\\r"; break;
                case '\t': out += "\\t"; break;
                default:
                    if (c < 0x20 || c == '<' || c == '>' || c == '&') {
                        out += "\\u00";
                        out += hex[c >> 4];
                        out += hex[c & 0xF];
                    } else {
                        out += static_cast<char>(c);
                    }
            }
            ++i;
            continue;
        }
        char32_t rune = 0;
        size_t n = sys::utf8_decode(s, i, rune);  // Go's utf8 rules
        if (n == 0) {
            out += "\\ufffd";
            ++i;
        } else if (rune == 0x2028 || rune == 0x2029) {
            out += rune == 0x2028 ? "\\u2028" : "\\u2029";
            i += n;
        } else {
            out.append(s.substr(i, n));
            i += n;
        }
    }
    out += '"';
}

// Emits one object the way Go's json.Marshal / json.MarshalIndent(v, "", "  ")
// do; `indent` empty means compact.
class ObjectWriter {
public:
    ObjectWriter(std::string& out, std::string indent, int depth = 0)
        : out_(out), indent_(std::move(indent)), depth_(depth) {
        out_ += '{';
    }

    void key(std::string_view k) {
        if (count_++) out_ += ',';
        newline(depth_ + 1);
        put_string(out_, k);
        out_ += indent_.empty() ? ":" : ": ";
    }
    void field(std::string_view k, std::string_view v) {
        key(k);
        put_string(out_, v);
    }
    void field(std::string_view k, long long v) {
        key(k);
        out_ += std::to_string(v);
    }
    void field(std::string_view k, const std::map<std::string, std::string>& m) {
        key(k);
        ObjectWriter inner(out_, indent_, depth_ + 1);
        for (const auto& [name, value] : m) inner.field(name, value);  // Go sorts map keys too
        inner.close();
    }
    void close() {
        if (count_) newline(depth_);
        out_ += '}';
    }

private:
    void newline(int depth) {
        if (indent_.empty()) return;
        out_ += '\n';
        for (int i = 0; i < depth; ++i) out_ += indent_;
    }

    std::string& out_;
    std::string indent_;
    int depth_;
    int count_ = 0;
};

// runc list.go containerState: the field order is the struct's.
void put_container_state(std::string& out, const StateDoc& s, const std::string& indent) {
    ObjectWriter w(out, indent);
    w.field("ociVersion", s.oci_version);
    w.field("id", s.id);
    w.field("pid", s.pid);
    w.field("status", s.status);
    w.field("bundle", s.bundle);
    w.field("rootfs", s.rootfs);
    w.field("created", s.created);
    if (!s.annotations.empty()) w.field("annotations", s.annotations);  // omitempty
    w.field("owner", s.owner);
    w.close();
}

}  // namespace

std::string state_json_pretty(const StateDoc& s) {
    std::string out;
    put_container_state(out, s, "  ");
    return out;
}

std::string state_list_json(const std::vector<StateDoc>& list) {
    // runc encodes a nil slice, which Go prints as null; json.Encoder adds the newline.
    if (list.empty()) return "null\n";
    std::string out = "[";
    for (size_t i = 0; i < list.size(); ++i) {
        if (i) out += ',';
        put_container_state(out, list[i], "");
    }
    out += "]\n";
    return out;
}

std::string state_json_for_hook(const StateDoc& s) {
    // runtime-spec specs-go State, json.Marshal'ed by runc: pid and
    // annotations are omitempty.
    std::string out;
    ObjectWriter w(out, "");
    w.field("ociVersion", s.oci_version);
    w.field("id", s.id);
    w.field("status", s.status);
    if (s.pid != 0) w.field("pid", s.pid);
    w.field("bundle", s.bundle);
    if (!s.annotations.empty()) w.field("annotations", s.annotations);
    w.close();
    return out;
}

}  // namespace rt::spec
