#include "cgroups/systemd_annotations.hpp"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <stdexcept>

#include "sys/error.hpp"

namespace rt::cgroups {

using sdbus::Number;
using sdbus::Value;

namespace {

constexpr std::string_view prefix = "org.systemd.property.";

[[noreturn]] void bad(const std::string& why) { throw std::invalid_argument(why); }

// A recursive-descent reader for the part of the GVariant text format that
// unit properties use: booleans, numbers (typed or not), strings and arrays
// of strings.
class Reader {
public:
    explicit Reader(std::string_view s) : s_(s) {}

    Value value() {
        skip_ws();
        if (eat('@')) {
            std::string type = word_or_sig();
            if (type != "as") bad("only `@as` arrays are supported, not `@" + type + "`");
            return strings();
        }
        if (peek() == '[') return strings();
        if (peek() == '\'' || peek() == '"') return string();
        if (std::isalpha(static_cast<unsigned char>(peek()))) {
            std::string w = word_or_sig();
            if (w == "true" || w == "false") return w == "true";
            if (w == "boolean") {
                skip_ws();
                std::string b = word_or_sig();
                if (b != "true" && b != "false") bad("`boolean` wants true or false");
                return b == "true";
            }
            if (w == "string") {
                skip_ws();
                return string();
            }
            static const std::map<std::string, char, std::less<>> types = {
                {"byte", 'y'},  {"int16", 'n'}, {"uint16", 'q'}, {"int32", 'i'},
                {"uint32", 'u'}, {"int64", 'x'}, {"uint64", 't'}, {"double", 'd'}};
            auto it = types.find(w);
            if (it == types.end()) bad("unknown word `" + w + "`");
            skip_ws();
            return number(it->second);
        }
        return number(0);
    }

    void end() {
        skip_ws();
        if (i_ != s_.size()) bad("unexpected `" + std::string(s_.substr(i_)) + "`");
    }

private:
    std::string_view s_;
    size_t i_ = 0;

    char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
    bool eat(char c) {
        if (peek() != c) return false;
        ++i_;
        return true;
    }
    void skip_ws() {
        while (std::isspace(static_cast<unsigned char>(peek()))) ++i_;
    }
    std::string word_or_sig() {
        size_t start = i_;
        while (std::isalnum(static_cast<unsigned char>(peek()))) ++i_;
        if (start == i_) bad("expected a word");
        return std::string(s_.substr(start, i_ - start));
    }

    std::string string() {
        char quote = peek();
        if (quote != '\'' && quote != '"') bad("expected a quoted string");
        ++i_;
        std::string out;
        for (;;) {
            if (i_ >= s_.size()) bad("unterminated string");
            char c = s_[i_++];
            if (c == quote) return out;
            if (c != '\\') {
                out += c;
                continue;
            }
            if (i_ >= s_.size()) bad("unterminated string");
            char e = s_[i_++];
            switch (e) {
                case 'n': out += '\n'; break;
                case 't': out += '\t'; break;
                case 'r': out += '\r'; break;
                case '\\': case '\'': case '"': out += e; break;
                default: bad(std::string("unsupported escape `\\") + e + "`");
            }
        }
    }

    std::vector<std::string> strings() {
        skip_ws();
        if (!eat('[')) bad("expected `[`");
        std::vector<std::string> out;
        skip_ws();
        if (eat(']')) return out;
        for (;;) {
            skip_ws();
            out.push_back(string());
            skip_ws();
            if (eat(']')) return out;
            if (!eat(',')) bad("expected `,` or `]` in an array");
        }
    }

    // sig 0: untyped, an int32 unless it has a fraction or exponent.
    Value number(char sig) {
        size_t start = i_;
        while (i_ < s_.size() && !std::isspace(static_cast<unsigned char>(s_[i_])) && s_[i_] != ',' && s_[i_] != ']')
            ++i_;
        std::string text(s_.substr(start, i_ - start));
        if (text.empty()) bad("expected a number");
        bool hex = text.find("0x") != std::string::npos || text.find("0X") != std::string::npos;
        if (sig == 0) sig = !hex && text.find_first_of(".eE") != std::string::npos ? 'd' : 'i';
        char* end = nullptr;
        errno = 0;
        if (sig == 'd') {
            double d = std::strtod(text.c_str(), &end);
            if (*end || errno == ERANGE || !std::isfinite(d)) bad("`" + text + "` is not a double");
            Number n;
            n.sig = 'd';
            n.d = d;
            return n;
        }
        if (sdbus::is_signed(sig)) {
            long long v = std::strtoll(text.c_str(), &end, 0);
            int64_t lo = sig == 'n' ? INT16_MIN : sig == 'i' ? INT32_MIN : INT64_MIN;
            int64_t hi = sig == 'n' ? INT16_MAX : sig == 'i' ? INT32_MAX : INT64_MAX;
            if (*end || errno == ERANGE || v < lo || v > hi) bad("`" + text + "` is out of range or not an integer");
            Number n;
            n.sig = sig;
            n.i = v;
            return n;
        }
        if (text[0] == '-') bad("`" + text + "` is negative for an unsigned type");
        unsigned long long v = std::strtoull(text.c_str(), &end, 0);
        uint64_t hi = sig == 'y' ? UINT8_MAX : sig == 'q' ? UINT16_MAX : sig == 'u' ? UINT32_MAX : UINT64_MAX;
        if (*end || errno == ERANGE || v > hi) bad("`" + text + "` is out of range or not an integer");
        if (sig == 't') return static_cast<uint64_t>(v);
        Number n;
        n.sig = sig;
        n.u = v;
        return n;
    }
};

void check_name(const std::string& name) {
    if (name.size() < 3) bad("property name too short");
    for (char c : name)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) bad("property name has a non-letter `" + std::string(1, c) + "`");
}

// runc's convertSecToUSec. runc wraps negative seconds into huge unsigned
// values; berth refuses them.
uint64_t to_usec(const Value& v) {
    constexpr uint64_t M = 1000000;
    auto scale = [](uint64_t sec) {
        if (sec > UINT64_MAX / M) bad("seconds out of range");
        return sec * M;
    };
    if (const uint64_t* t = std::get_if<uint64_t>(&v)) return scale(*t);
    const Number* n = std::get_if<Number>(&v);
    if (!n) bad("a ...Sec property wants a number");
    if (n->sig == 'd') {
        if (n->d < 0 || n->d * M >= 18446744073709551616.0) bad("seconds out of range");
        return static_cast<uint64_t>(n->d * M);
    }
    if (sdbus::is_signed(n->sig)) {
        if (n->i < 0) bad("negative seconds");
        return scale(static_cast<uint64_t>(n->i));
    }
    return scale(n->u);
}

}  // namespace

Value parse_gvariant(std::string_view text) {
    Reader r(text);
    Value v = r.value();
    r.end();
    return v;
}

std::vector<sdbus::Property> annotation_properties(const std::map<std::string, std::string>& annotations) {
    std::vector<sdbus::Property> out;
    for (const auto& [key, text] : annotations) {
        if (key.compare(0, prefix.size(), prefix) != 0) continue;
        std::string name = key.substr(prefix.size());
        try {
            check_name(name);
            Value v = parse_gvariant(text);
            // TimeoutStopSec -> TimeoutStopUSec (a lower-case letter before
            // "Sec": "USec" names are taken as they are).
            if (name.size() > 3 && name.compare(name.size() - 3, 3, "Sec") == 0 && name[name.size() - 4] >= 'a' &&
                name[name.size() - 4] <= 'z') {
                v = to_usec(v);
                name = name.substr(0, name.size() - 3) + "USec";
            }
            out.push_back({name, std::move(v)});
        } catch (const std::invalid_argument& e) {
            sys::fail(sys::ErrorKind::invalid_config, "annotations: %s=%s: %s", key, text, e.what());
        }
    }
    return out;
}

}  // namespace rt::cgroups
