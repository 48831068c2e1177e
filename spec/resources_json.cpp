#include "resources_json.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "sys/error.hpp"

namespace rt::spec {

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void key(Writer& w, const char* k) { w.Key(k); }
void str(Writer& w, std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }

template <typename T>
void num(Writer& w, T v) {
    if constexpr (std::is_signed_v<T>)
        w.Int64(static_cast<int64_t>(v));
    else
        w.Uint64(static_cast<uint64_t>(v));
}

template <typename T>
void opt(Writer& w, const char* k, const std::optional<T>& v) {
    if (!v) return;
    key(w, k);
    if constexpr (std::is_same_v<T, bool>)
        w.Bool(*v);
    else if constexpr (std::is_same_v<T, std::string>)
        str(w, *v);
    else
        num(w, *v);
}

template <typename T, typename F>
void list(Writer& w, const char* k, const std::vector<T>& items, F each) {
    if (items.empty()) return;
    key(w, k);
    w.StartArray();
    for (const auto& i : items) {
        w.StartObject();
        each(i);
        w.EndObject();
    }
    w.EndArray();
}

void memory(Writer& w, const Memory& m) {
    w.StartObject();
    opt(w, "limit", m.limit);
    opt(w, "reservation", m.reservation);
    opt(w, "swap", m.swap);
    opt(w, "kernel", m.kernel);
    opt(w, "kernelTCP", m.kernel_tcp);
    opt(w, "swappiness", m.swappiness);
    opt(w, "disableOOMKiller", m.disable_oom_killer);
    opt(w, "useHierarchy", m.use_hierarchy);
    opt(w, "checkBeforeUpdate", m.check_before_update);
    w.EndObject();
}

void cpu(Writer& w, const Cpu& c) {
    w.StartObject();
    opt(w, "shares", c.shares);
    opt(w, "quota", c.quota);
    opt(w, "burst", c.burst);
    opt(w, "period", c.period);
    opt(w, "realtimeRuntime", c.realtime_runtime);
    opt(w, "realtimePeriod", c.realtime_period);
    opt(w, "cpus", c.cpus);
    opt(w, "mems", c.mems);
    opt(w, "idle", c.idle);
    w.EndObject();
}

void block_io(Writer& w, const BlockIo& b) {
    w.StartObject();
    opt(w, "weight", b.weight);
    opt(w, "leafWeight", b.leaf_weight);
    list(w, "weightDevice", b.weight_device, [&](const WeightDevice& d) {
        key(w, "major"); num(w, d.major);
        key(w, "minor"); num(w, d.minor);
        opt(w, "weight", d.weight);
        opt(w, "leafWeight", d.leaf_weight);
    });
    auto throttle = [&](const char* k, const std::vector<ThrottleDevice>& v) {
        list(w, k, v, [&](const ThrottleDevice& d) {
            key(w, "major"); num(w, d.major);
            key(w, "minor"); num(w, d.minor);
            key(w, "rate"); num(w, d.rate);
        });
    };
    throttle("throttleReadBpsDevice", b.throttle_read_bps_device);
    throttle("throttleWriteBpsDevice", b.throttle_write_bps_device);
    throttle("throttleReadIOPSDevice", b.throttle_read_iops_device);
    throttle("throttleWriteIOPSDevice", b.throttle_write_iops_device);
    w.EndObject();
}

void resources(Writer& w, const Resources& r) {
    w.StartObject();
    list(w, "devices", r.devices, [&](const DeviceCgroup& d) {
        key(w, "allow"); w.Bool(d.allow);
        opt(w, "type", d.type);
        opt(w, "major", d.major);
        opt(w, "minor", d.minor);
        opt(w, "access", d.access);
    });
    if (r.memory) {
        key(w, "memory");
        memory(w, *r.memory);
    }
    if (r.cpu) {
        key(w, "cpu");
        cpu(w, *r.cpu);
    }
    if (r.pids) {
        key(w, "pids");
        w.StartObject();
        opt(w, "limit", r.pids->limit);
        w.EndObject();
    }
    if (r.block_io) {
        key(w, "blockIO");
        block_io(w, *r.block_io);
    }
    list(w, "hugepageLimits", r.hugepage_limits, [&](const HugepageLimit& h) {
        key(w, "pageSize"); str(w, h.page_size);
        key(w, "limit"); num(w, h.limit);
    });
    if (r.network) {
        key(w, "network");
        w.StartObject();
        opt(w, "classID", r.network->class_id);
        list(w, "priorities", r.network->priorities, [&](const NetworkPriority& p) {
            key(w, "name"); str(w, p.name);
            key(w, "priority"); num(w, p.priority);
        });
        w.EndObject();
    }
    if (!r.rdma.empty()) {
        key(w, "rdma");
        w.StartObject();
        for (const auto& [dev, lim] : r.rdma) {
            str(w, dev);
            w.StartObject();
            opt(w, "hcaHandles", lim.hca_handles);
            opt(w, "hcaObjects", lim.hca_objects);
            w.EndObject();
        }
        w.EndObject();
    }
    if (!r.unified.empty()) {
        key(w, "unified");
        w.StartObject();
        for (const auto& [k, v] : r.unified) {
            str(w, k);
            str(w, v);
        }
        w.EndObject();
    }
    w.EndObject();
}

}  // namespace

std::string resources_json(const Resources& r) {
    rapidjson::StringBuffer buf;
    Writer w(buf);
    resources(w, r);
    return std::string(buf.GetString(), buf.GetSize());
}

std::string with_resources(std::string_view config, const Resources& r, std::string_view doc) {
    rapidjson::Document d;
    d.Parse(config.data(), config.size());
    if (d.HasParseError() || !d.IsObject())
        sys::fail(sys::ErrorKind::invalid_config, "%s: not a JSON object", std::string(doc));
    auto& alloc = d.GetAllocator();
    std::string text = resources_json(r);
    rapidjson::Document res(&alloc);
    res.Parse(text.c_str(), text.size());
    auto linux_it = d.FindMember("linux");
    if (linux_it == d.MemberEnd() || !linux_it->value.IsObject()) {
        if (linux_it != d.MemberEnd()) d.RemoveMember(linux_it);
        d.AddMember("linux", rapidjson::Value(rapidjson::kObjectType), alloc);
        linux_it = d.FindMember("linux");
    }
    rapidjson::Value& lx = linux_it->value;
    if (auto it = lx.FindMember("resources"); it != lx.MemberEnd())
        it->value = rapidjson::Value(res, alloc);
    else
        lx.AddMember("resources", rapidjson::Value(res, alloc), alloc);
    rapidjson::StringBuffer buf;
    Writer w(buf);
    d.Accept(w);
    return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace rt::spec
