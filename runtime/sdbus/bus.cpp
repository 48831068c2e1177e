#include "sdbus/bus.hpp"

#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <stdexcept>

namespace rt::sdbus {

namespace {

constexpr const char* kDest = "org.freedesktop.systemd1";
constexpr const char* kPath = "/org/freedesktop/systemd1";
constexpr const char* kManager = "org.freedesktop.systemd1.Manager";
// runc waits 30 s for a unit job, and so do we.
constexpr uint64_t kJobTimeoutUsec = 30ULL * 1000 * 1000;

struct BusError {
    sd_bus_error e = SD_BUS_ERROR_NULL;
    ~BusError() { sd_bus_error_free(&e); }
    bool is(const char* name) const { return sd_bus_error_has_name(&e, name) > 0; }
};

struct Message {
    sd_bus_message* m = nullptr;
    ~Message() { sd_bus_message_unref(m); }
};

[[noreturn]] void fail(const std::string& what, const sd_bus_error& e, int r) {
    std::string why = sd_bus_error_is_set(&e) && e.message != nullptr && *e.message != '\0' ? e.message
                                                                                            : std::strerror(-r);
    throw std::runtime_error(what + ": " + why);
}

void check(int r, const std::string& what) {
    if (r < 0) throw std::runtime_error(what + ": " + std::strerror(-r));
}

uint64_t now_usec() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000 + static_cast<uint64_t>(ts.tv_nsec) / 1000;
}

// Range checks were made when the annotation was parsed.
void append_number(sd_bus_message* m, const Number& n, const std::string& what) {
    switch (n.sig) {
        case 'y': { uint8_t v = static_cast<uint8_t>(n.u); check(sd_bus_message_append_basic(m, 'y', &v), what); break; }
        case 'n': { int16_t v = static_cast<int16_t>(n.i); check(sd_bus_message_append_basic(m, 'n', &v), what); break; }
        case 'q': { uint16_t v = static_cast<uint16_t>(n.u); check(sd_bus_message_append_basic(m, 'q', &v), what); break; }
        case 'i': { int32_t v = static_cast<int32_t>(n.i); check(sd_bus_message_append_basic(m, 'i', &v), what); break; }
        case 'u': { uint32_t v = static_cast<uint32_t>(n.u); check(sd_bus_message_append_basic(m, 'u', &v), what); break; }
        case 'x': check(sd_bus_message_append_basic(m, 'x', &n.i), what); break;
        case 'd': check(sd_bus_message_append_basic(m, 'd', &n.d), what); break;
        default: throw std::invalid_argument(what + ": unknown number type");
    }
}

void append_value(sd_bus_message* m, const Value& v, const std::string& what) {
    std::visit(
        [&](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, bool>) {
                int b = x;
                check(sd_bus_message_append_basic(m, 'b', &b), what);
            } else if constexpr (std::is_same_v<T, uint64_t>) {
                check(sd_bus_message_append_basic(m, 't', &x), what);
            } else if constexpr (std::is_same_v<T, Number>) {
                append_number(m, x, what);
            } else if constexpr (std::is_same_v<T, std::string>) {
                check(sd_bus_message_append_basic(m, 's', x.c_str()), what);
            } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
                check(sd_bus_message_open_container(m, 'a', "s"), what);
                for (const auto& s : x) check(sd_bus_message_append_basic(m, 's', s.c_str()), what);
                check(sd_bus_message_close_container(m), what);
            } else if constexpr (std::is_same_v<T, std::vector<uint8_t>>) {
                check(sd_bus_message_append_array(m, 'y', x.data(), x.size()), what);
            } else if constexpr (std::is_same_v<T, std::vector<uint32_t>>) {
                check(sd_bus_message_append_array(m, 'u', x.data(), x.size() * sizeof(uint32_t)), what);
            } else {
                check(sd_bus_message_open_container(m, 'a', "(ss)"), what);
                for (const auto& [path, perms] : x)
                    check(sd_bus_message_append(m, "(ss)", path.c_str(), perms.c_str()), what);
                check(sd_bus_message_close_container(m), what);
            }
        },
        v);
}

// a(sv)
void append_properties(sd_bus_message* m, const std::vector<Property>& props, const std::string& what) {
    check(sd_bus_message_open_container(m, 'a', "(sv)"), what);
    for (const auto& p : props) {
        check(sd_bus_message_open_container(m, 'r', "sv"), what);
        check(sd_bus_message_append_basic(m, 's', p.name.c_str()), what);
        check(sd_bus_message_open_container(m, 'v', signature(p.value)), what);
        append_value(m, p.value, what + ": property " + p.name);
        check(sd_bus_message_close_container(m), what);
        check(sd_bus_message_close_container(m), what);
    }
    check(sd_bus_message_close_container(m), what);
}

// Collects JobRemoved(id, job, unit, result). Installed before the call
// that queues the job: the job may finish before the call's reply is read.
class JobWatch {
public:
    JobWatch(sd_bus* bus, bool direct, const std::string& what) : bus_(bus) {
        // Only systemd may own its name on a bus; a direct connection has no sender.
        check(sd_bus_match_signal(bus, &slot_, direct ? nullptr : kDest, kPath, kManager, "JobRemoved",
                                  &JobWatch::on_removed, this),
              what + ": watch systemd jobs");
    }
    ~JobWatch() { sd_bus_slot_unref(slot_); }
    JobWatch(const JobWatch&) = delete;
    JobWatch& operator=(const JobWatch&) = delete;

    // The job's result ("done", "failed", "canceled", "timeout", ...).
    std::string wait(const std::string& job, const std::string& what) {
        uint64_t deadline = now_usec() + kJobTimeoutUsec;
        for (;;) {
            if (auto it = removed_.find(job); it != removed_.end()) return it->second;
            int r = sd_bus_process(bus_, nullptr);
            check(r, what);
            if (r > 0) continue;
            uint64_t now = now_usec();
            if (now >= deadline) throw std::runtime_error(what + ": timed out waiting for systemd's job");
            check(sd_bus_wait(bus_, deadline - now), what);
        }
    }

private:
    sd_bus* bus_;
    sd_bus_slot* slot_ = nullptr;
    std::map<std::string, std::string> removed_;

    static int on_removed(sd_bus_message* m, void* self, sd_bus_error*) {
        uint32_t id = 0;
        const char *job = nullptr, *unit = nullptr, *result = nullptr;
        if (sd_bus_message_read(m, "uoss", &id, &job, &unit, &result) >= 0)
            static_cast<JobWatch*>(self)->removed_[job] = result;
        return 0;
    }
};

bool direct_connection(sd_bus* bus) {
    // sd_bus_is_bus_client() is newer than some systemd versions: compare instead.
    const char* address = nullptr;
    return sd_bus_get_address(bus, &address) >= 0 && address != nullptr &&
           std::strcmp(address, "unix:path=/run/systemd/private") == 0;
}

}  // namespace

Bus::Bus() {
    int r = sd_bus_open_system(&bus_);
    if (r < 0 && geteuid() == 0) {
        // No bus daemon (minimal hosts): systemd's own socket speaks the same API to root.
        sd_bus* priv = nullptr;
        if (sd_bus_new(&priv) >= 0 && sd_bus_set_address(priv, "unix:path=/run/systemd/private") >= 0 &&
            sd_bus_start(priv) >= 0) {
            bus_ = priv;
            r = 0;
        } else {
            sd_bus_unref(priv);
        }
    }
    check(r, "connect to the system bus");
}

Bus::~Bus() { sd_bus_flush_close_unref(bus_); }

int Bus::version() {
    if (version_ != -2) return version_;
    version_ = -1;
    BusError err;
    char* s = nullptr;
    if (sd_bus_get_property_string(bus_, kDest, kPath, kManager, "Version", &err.e, &s) >= 0 && s != nullptr) {
        // "252.39-1~deb12u2", "v245.4-1.fc32", "252"
        const char* p = s;
        while (*p == 'v' || *p == '"') ++p;
        if (*p >= '0' && *p <= '9') version_ = static_cast<int>(std::strtol(p, nullptr, 10));
    }
    std::free(s);
    return version_;
}

std::vector<Property> Bus::supported(const std::vector<Property>& props) {
    std::vector<Property> out;
    for (const auto& p : props)
        if (p.since == 0 || version() >= static_cast<int>(p.since)) out.push_back(p);
    return out;
}

bool Bus::reset_failed(const std::string& unit) {
    BusError err;
    return sd_bus_call_method(bus_, kDest, kPath, kManager, "ResetFailedUnit", &err.e, nullptr, "s",
                              unit.c_str()) >= 0;
}

Bus::Started Bus::start_unit(const Request& req) {
    const std::string what = "start unit " + req.unit;
    std::vector<Property> props = supported(req.properties);
    if (req.hold) props.push_back({"PIDs", std::vector<uint32_t>{static_cast<uint32_t>(getpid())}});
    JobWatch watch(bus_, direct_connection(bus_), what);
    for (int attempt = 0;; ++attempt) {
        Message call, reply;
        BusError err;
        check(sd_bus_message_new_method_call(bus_, &call.m, kDest, kPath, kManager, "StartTransientUnit"), what);
        check(sd_bus_message_append(call.m, "ss", req.unit.c_str(), "replace"), what);
        append_properties(call.m, props, what);
        check(sd_bus_message_append(call.m, "a(sa(sv))", 0), what);  // no auxiliary units
        int r = sd_bus_call(bus_, call.m, kJobTimeoutUsec, &err.e, &reply.m);
        if (r >= 0) {
            const char* job = nullptr;
            check(sd_bus_message_read(reply.m, "o", &job), what);
            std::string result = watch.wait(job, what);
            if (result != "done") {
                reset_failed(req.unit);  // let systemd forget the failed unit
                throw std::runtime_error(what + ": systemd's job finished with result `" + result + "`");
            }
            return Started::created;
        }
        if (!err.is("org.freedesktop.systemd1.UnitExists")) fail(what, err.e, r);
        // Maybe a failed leftover of the same name: reset it so systemd
        // unloads it, and try once more (runc does the same).
        if (attempt == 0) {
            reset_failed(req.unit);
            continue;
        }
        // Still there, so active: usable when systemd gave it a cgroup.
        if (control_group(req.unit).empty()) fail(what, err.e, r);
        return Started::existed;
    }
}

void Bus::set_properties(const Request& req) {
    const std::string what = "set properties of unit " + req.unit;
    Message call;
    BusError err;
    check(sd_bus_message_new_method_call(bus_, &call.m, kDest, kPath, kManager, "SetUnitProperties"), what);
    check(sd_bus_message_append(call.m, "sb", req.unit.c_str(), 1), what);  // runtime: gone at reboot
    append_properties(call.m, supported(req.properties), what);
    int r = sd_bus_call(bus_, call.m, kJobTimeoutUsec, &err.e, nullptr);
    if (r < 0) fail(what, err.e, r);
}

void Bus::stop_unit(const std::string& unit) {
    const std::string what = "stop unit " + unit;
    JobWatch watch(bus_, direct_connection(bus_), what);
    Message reply;
    BusError err;
    int r = sd_bus_call_method(bus_, kDest, kPath, kManager, "StopUnit", &err.e, &reply.m, "ss", unit.c_str(),
                               "replace");
    if (r < 0) {
        if (err.is("org.freedesktop.systemd1.NoSuchUnit")) return;
        fail(what, err.e, r);
    }
    const char* job = nullptr;
    check(sd_bus_message_read(reply.m, "o", &job), what);
    // Any result will do (runc only warns): what is left of the cgroup is
    // removed by the caller, which reports processes that are still there.
    watch.wait(job, what);
    reset_failed(unit);
}

std::string Bus::control_group(const std::string& unit) {
    const std::string what = "read the control group of unit " + unit;
    Message reply;
    BusError err;
    int r = sd_bus_call_method(bus_, kDest, kPath, kManager, "GetUnit", &err.e, &reply.m, "s", unit.c_str());
    if (r < 0) {
        if (err.is("org.freedesktop.systemd1.NoSuchUnit")) return "";
        fail(what, err.e, r);
    }
    const char* path = nullptr;
    check(sd_bus_message_read(reply.m, "o", &path), what);
    // The property lives on the unit type's interface: ".scope" -> "...Scope".
    auto dot = unit.rfind('.');
    std::string type = dot == std::string::npos ? "" : unit.substr(dot + 1);
    if (type.empty()) throw std::runtime_error(what + ": the unit name has no type suffix");
    type[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(type[0])));
    char* cg = nullptr;
    BusError perr;
    r = sd_bus_get_property_string(bus_, kDest, path, ("org.freedesktop.systemd1." + type).c_str(), "ControlGroup",
                                   &perr.e, &cg);
    if (r < 0) fail(what, perr.e, r);
    std::string out = cg != nullptr ? cg : "";
    std::free(cg);
    return out;
}

}  // namespace rt::sdbus
