// The few systemd Manager calls the cgroup driver needs, over sd-bus.
// Errors are std::runtime_error with one line of text naming the operation
// and the unit, ending in systemd's own message.
#pragma once

#include <string>

#include "sdbus/protocol.hpp"

struct sd_bus;

namespace rt::sdbus {

class Bus {
public:
    // The system bus; as root, systemd's private socket when no bus daemon runs.
    Bus();
    ~Bus();
    Bus(const Bus&) = delete;
    Bus& operator=(const Bus&) = delete;

    enum class Started { created, existed };
    // StartTransientUnit(unit, "replace", properties) and wait for its job.
    // A unit that already exists is reset (if failed) and started again once;
    // if it still exists and has a cgroup, that is `existed`.
    Started start_unit(const Request& r);
    // SetUnitProperties(unit, runtime=true, properties).
    void set_properties(const Request& r);
    // StopUnit(unit, "replace") and wait for its job; a missing unit is fine.
    void stop_unit(const std::string& unit);
    // The unit's ControlGroup property ("" when it has none).
    std::string control_group(const std::string& unit);

private:
    sd_bus* bus_ = nullptr;
    int version_ = -2;  // systemd's major version; -2: not asked yet, -1: unknown

    int version();
    std::vector<Property> supported(const std::vector<Property>& props);
    void wait_job(const std::string& job, const std::string& what, std::string& result);
    bool reset_failed(const std::string& unit);
};

}  // namespace rt::sdbus
