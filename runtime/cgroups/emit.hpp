// Internal helpers shared by v1.cpp, v2.cpp and devices_v1.cpp to build
// Write records with their OCI field names.
#pragma once

#include <cstdint>
#include <string>

#include "cgroups/resources.hpp"
#include "sys/error.hpp"

namespace rt::cgroups::detail {

inline std::string field(const char* section, const char* key) {
    return std::string("linux.resources.") + section + "." + key;
}
inline std::string field_at(const char* section, const char* list, size_t i) {
    return std::string("linux.resources.") + section + "." + list + "[" + std::to_string(i) + "]";
}
inline std::string field_key(const char* section, const std::string& key) {
    return std::string("linux.resources.") + section + "[\"" + key + "\"]";
}

struct Emitter {
    WritePlan& out;
    Hierarchy hierarchy;
    const char* controller;

    Write& add(std::string file, std::string value, std::string fld) {
        Write w;
        w.hierarchy = hierarchy;
        w.controller = controller;
        w.file = std::move(file);
        w.value = std::move(value);
        w.field = std::move(fld);
        out.writes.push_back(std::move(w));
        return out.writes.back();
    }
};

[[noreturn]] inline void invalid(const std::string& fld, const std::string& what) {
    throw sys::Error(sys::ErrorKind::invalid_config, fld + ": " + what);
}
[[noreturn]] inline void unsupported(const std::string& fld, const std::string& what) {
    throw sys::Error(sys::ErrorKind::unsupported, fld + ": " + what);
}

// "8:16" for blkio/io device keys; negative numbers are not devices.
inline std::string devno(int64_t major, int64_t minor, const std::string& fld) {
    if (major < 0 || minor < 0)
        invalid(fld, "invalid device number " + std::to_string(major) + ":" + std::to_string(minor));
    return std::to_string(major) + ":" + std::to_string(minor);
}

// hugetlb file names embed the page size: only the schema's ^[1-9][0-9]*[KMG]B$.
void check_page_size(const std::string& size, const std::string& fld);
// Interface (net_prio) and RDMA device names become part of a line the
// kernel parses on blanks: none allowed, and not empty.
void check_word(const std::string& word, const std::string& fld);
// kernel/kernelTCP: ignored (runc: "Kernel memory settings are ignored").
void warn_kernel_memory(const spec::Memory& m, WritePlan& out);
// "dev hca_handle=3 hca_object=10000"
std::string rdma_line(const std::string& dev, const spec::Rdma& r, const std::string& fld);
// linux.resources.unified key -> its controller ("io" for io.max); throws
// invalid_config for anything but a single CONTROLLER.PARAMETER file name.
std::string unified_controller(const std::string& key, const std::string& fld);
// Same file names and values on both hierarchies.
void pids_section(const spec::Resources& r, WritePlan& out, Hierarchy h);
void cpuset_section(const spec::Resources& r, WritePlan& out, Hierarchy h);
// hugetlb.<size>.<limit> and, where the kernel has reservation accounting
// (5.7), hugetlb.<size>.rsvd.<limit> with the same value, so a reservation
// cannot exceed what faulting may use. `limit`: limit_in_bytes (v1), max (v2).
void hugetlb_section(const spec::Resources& r, WritePlan& out, Hierarchy h, const char* limit);

}  // namespace rt::cgroups::detail
