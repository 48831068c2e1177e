#include "cgroups/apply.hpp"

#include <algorithm>
#include <cerrno>
#include <optional>

#include "cgroups/fsutil.hpp"
#include "sys/error.hpp"

namespace rt::cgroups {

namespace {

using sys::Error;
using sys::ErrorKind;

// "linux.resources.memory.limit" -> "memory"; retries stay inside it.
std::string_view section_of(std::string_view field) {
    constexpr std::string_view prefix = "linux.resources.";
    if (util::starts_with(field, prefix)) field.remove_prefix(prefix.size());
    return field.substr(0, field.find_first_of(".[ "));
}

std::optional<uint64_t> read_u64(const std::string& path) {
    try {
        auto text = util::read_optional(path);
        uint64_t v;
        if (text && util::parse_u64(util::trim(*text), v)) return v;
    } catch (const Error&) {
    }
    return std::nullopt;
}

class Applier {
public:
    Applier(const Paths& paths, const WriteFn& write, std::vector<std::string>& log)
        : paths_(paths), write_(write), log_(log) {}

    // False when deferred: EINVAL on a retry_einval write.
    bool perform(const Write& w, bool may_defer) {
        std::string dir = dir_of(w);
        std::string file = w.file, value = w.value;
        int err = write_(util::join(dir, file), value);
        if (err == ENOENT && !w.alt_file.empty()) {
            file = w.alt_file;
            value = w.alt_value;
            err = write_(util::join(dir, file), value);
        }
        if (err == ENOENT) {
            if (!util::is_dir(dir))
                throw Error(ErrorKind::not_found, w.field + ": cgroup directory `" + dir + "` does not exist");
            if (w.optional) return true;
            unsupported(w, dir);
        }
        if (err == EINVAL && may_defer) return false;
        if (err == EBUSY && file == "memory.limit_in_bytes") limit_below_usage(w, dir);
        if (err != 0) throw Error(ErrorKind::generic, err, w.field + ": write " + file);
        if (w.verify) verify(w, dir, file, value);
        log_.push_back(util::join(dir, file) + "=" + value);
        return true;
    }

    // runc fs2 CheckMemoryUsage: best effort, an unreadable memory.current
    // (cgroup not created yet) skips the check.
    void check_memory(const MemoryCheck& c) {
        if (paths_.v2.empty()) return;
        auto usage = read_u64(util::join(paths_.v2, "memory.current"));
        if (!usage) return;
        if (c.swap > 0 && static_cast<uint64_t>(c.swap) <= *usage)
            throw Error(ErrorKind::generic, "linux.resources.memory.swap: rejecting memory+swap limit " +
                                                std::to_string(c.swap) + " <= usage " + std::to_string(*usage));
        if (c.limit > 0 && static_cast<uint64_t>(c.limit) <= *usage)
            throw Error(ErrorKind::generic, "linux.resources.memory.limit: rejecting memory limit " +
                                                std::to_string(c.limit) + " <= usage " + std::to_string(*usage));
    }

private:
    const Paths& paths_;
    const WriteFn& write_;
    std::vector<std::string>& log_;

    std::string dir_of(const Write& w) const {
        if (w.hierarchy == Hierarchy::v2) {
            if (paths_.v2.empty())
                throw Error(ErrorKind::unsupported, w.field + ": not supported by this host (no cgroup v2 hierarchy)");
            return paths_.v2;
        }
        auto it = paths_.v1.find(w.controller);
        if (it == paths_.v1.end())
            throw Error(ErrorKind::unsupported,
                        w.field + ": not supported by this host (no " + w.controller + " controller)");
        return it->second;
    }

    [[noreturn]] void unsupported(const Write& w, const std::string& dir) const {
        if (w.hierarchy == Hierarchy::v2 && w.controller != "cgroup") {
            // A v2 file is missing when its controller is not enabled for
            // this cgroup (parent's cgroup.subtree_control).
            auto ctrls = util::read_optional(util::join(dir, "cgroup.controllers"));
            if (ctrls) {
                auto list = util::fields(*ctrls);
                if (std::find(list.begin(), list.end(), w.controller) == list.end())
                    throw Error(ErrorKind::unsupported, w.field + ": not supported by this host (controller `" +
                                                            w.controller + "` is not available in `" + dir + "`)");
            }
        }
        std::string what = w.file + (w.alt_file.empty() ? "" : " nor " + w.alt_file);
        throw Error(ErrorKind::unsupported, w.field + ": not supported by this host (no " + what + ")");
    }

    [[noreturn]] void limit_below_usage(const Write& w, const std::string& dir) const {
        auto usage = read_u64(util::join(dir, "memory.usage_in_bytes"));
        auto peak = read_u64(util::join(dir, "memory.max_usage_in_bytes"));
        if (!usage || !peak) throw Error(ErrorKind::generic, EBUSY, w.field + ": write " + w.file);
        throw Error(ErrorKind::generic, w.field + ": unable to set memory limit to " + w.value +
                                            " (current usage: " + std::to_string(*usage) +
                                            ", peak usage: " + std::to_string(*peak) + ")");
    }

    // v1 clamps cpu.shares silently; read back as runc does.
    void verify(const Write& w, const std::string& dir, const std::string& file, const std::string& value) const {
        auto got = read_u64(util::join(dir, file));
        uint64_t want;
        if (!got || !util::parse_u64(value, want) || *got == want) return;
        std::string bound = want > *got ? "maximum" : "minimum";
        throw Error(ErrorKind::invalid_config,
                    w.field + ": the " + bound + " allowed cpu-shares is " + std::to_string(*got));
    }
};

}  // namespace

int write_cgroup_file(const std::string& path, std::string_view value) { return util::write_file(path, value); }

std::vector<std::string> apply_writes(const WritePlan& plan, const Paths& paths, const WriteFn& write) {
    std::vector<std::string> log;
    Applier a(paths, write, log);
    bool memory_checked = false;
    const auto& ws = plan.writes;
    for (size_t i = 0; i < ws.size();) {
        std::string_view section = section_of(ws[i].field);
        size_t end = i;
        while (end < ws.size() && section_of(ws[end].field) == section) ++end;
        if (plan.memory_check && !memory_checked && section == "memory" && ws[i].hierarchy == Hierarchy::v2) {
            a.check_memory(*plan.memory_check);
            memory_checked = true;
        }
        std::vector<const Write*> deferred;
        for (size_t k = i; k < end; ++k)
            if (!a.perform(ws[k], ws[k].retry_einval)) deferred.push_back(&ws[k]);
        for (const Write* w : deferred) a.perform(*w, false);
        i = end;
    }
    return log;
}

}  // namespace rt::cgroups
