// The cgroup v2 device filter. Pure part: a small interpreter runs the
// generated program over a grid of devices and accesses, and must agree
// with DeviceEmulator::allows(). Host part (root and a cgroup2 mount): the
// kernel verifies, attaches and enforces it on a forked child.
#include <doctest/doctest.h>

#include "tests/cgroups_test_util.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <initializer_list>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "cgroups/cgroupfs.hpp"
#include "cgroups/devices_bpf.hpp"
#include "spec/parse.hpp"
#include "sys/error.hpp"
#include "sys/fd.hpp"

using namespace rt::cgroups;
using cgtest::Lines;
using cgtest::lines;
using cgtest::res;

namespace {

// Only what device_program() emits; anything else fails the test.
uint32_t run(const std::vector<bpf_insn>& prog, const bpf_cgroup_dev_ctx& ctx) {
    uint64_t reg[11] = {};
    bool r1_is_ctx = true;  // R1 points at ctx until written
    for (size_t pc = 0; pc < prog.size(); ++pc) {
        const bpf_insn& i = prog[pc];
        uint32_t src = BPF_SRC(i.code) == BPF_X ? static_cast<uint32_t>(reg[i.src_reg]) : static_cast<uint32_t>(i.imm);
        uint32_t dst = static_cast<uint32_t>(reg[i.dst_reg]);
        auto jump_if = [&](bool taken) {
            if (taken) pc += i.off;
            REQUIRE(pc < prog.size());
        };
        switch (i.code) {
        case BPF_LDX | BPF_MEM | BPF_W:
            REQUIRE((i.src_reg == 1 && r1_is_ctx));
            REQUIRE((i.off >= 0 && i.off % 4 == 0 && static_cast<size_t>(i.off) + 4 <= sizeof ctx));
            std::memcpy(&dst, reinterpret_cast<const char*>(&ctx) + i.off, 4);
            break;
        case BPF_ALU | BPF_AND | BPF_K: dst &= src; break;
        case BPF_ALU | BPF_RSH | BPF_K: dst >>= src; break;
        case BPF_ALU | BPF_MOV | BPF_K:
        case BPF_ALU | BPF_MOV | BPF_X: dst = src; break;
        case BPF_JMP32 | BPF_JNE | BPF_K:
        case BPF_JMP32 | BPF_JNE | BPF_X: jump_if(dst != src); continue;
        case BPF_JMP32 | BPF_JEQ | BPF_K: jump_if(dst == src); continue;
        case BPF_JMP | BPF_EXIT: return static_cast<uint32_t>(reg[0]);
        default: FAIL("unexpected opcode " << int(i.code) << " at " << pc);
        }
        reg[i.dst_reg] = dst;  // ALU32 zero-extends
        if (i.dst_reg == 1) r1_is_ctx = false;
    }
    FAIL("ran off the end of the program");
    return 0;
}

// Disagreements between the program and the emulator: "c 1:5 rw; ...".
std::string disagreements(const DeviceEmulator& e) {
    auto prog = device_program(e);
    std::string out;
    for (char type : {'b', 'c'})
        for (int64_t major : std::initializer_list<int64_t>{0, 1, 4, 5, 8, 10, 136, 4095, 4294967295})
            for (int64_t minor : {0, 1, 2, 3, 5, 7, 11, 200, 229})
                for (const char* access : {"r", "w", "m", "rw", "rm", "wm", "rwm"}) {
                    uint32_t bits = 0;
                    for (const char* c = access; *c; ++c)
                        bits |= *c == 'r' ? BPF_DEVCG_ACC_READ : *c == 'w' ? BPF_DEVCG_ACC_WRITE : BPF_DEVCG_ACC_MKNOD;
                    bpf_cgroup_dev_ctx ctx{};
                    ctx.access_type = bits << 16 | (type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
                    ctx.major = static_cast<uint32_t>(major);
                    ctx.minor = static_cast<uint32_t>(minor);
                    uint32_t got = run(prog, ctx);
                    CHECK(got <= 1);  // the kernel's verifier insists on 0 or 1
                    if ((got == 1) != e.allows(type, major, minor, access))
                        out += std::string(1, type) + " " + std::to_string(major) + ":" + std::to_string(minor) +
                               " " + access + "; ";
                }
    return out;
}

// Rule lists covering both modes, wildcards, block vs char, partial access.
std::vector<std::vector<DeviceRule>> rule_lists() {
    return {
        device_rules(res("{}")),                                    // runc's defaults
        {{'a', -1, -1, "rwm", false, 0}},                           // deny all
        device_rules(res(R"({"devices":[{"allow":true,"access":"rwm"}]})")),  // allow all (privileged)
        device_rules(res(R"({"devices":[{"allow":false,"access":"rwm"},
            {"allow":true,"type":"c","minor":3,"access":"r"},{"allow":true,"type":"b","major":8,"access":"rw"},
            {"allow":true,"type":"c","major":4294967295,"access":"w"}]})")),  // wildcards, a u32-max major
        device_rules(res(R"({"devices":[{"allow":false,"access":"rwm"},
            {"allow":true,"type":"b","major":1,"minor":5,"access":"rwm"}]})")),  // block 1:5, not char
        device_rules(res(R"({"devices":[{"allow":true,"access":"rwm"},
            {"allow":false,"type":"c","major":5,"minor":2,"access":"rw"},{"allow":false,"type":"b","major":8,"access":"w"},
            {"allow":false,"type":"c","minor":11,"access":"m"}]})")),  // deny-list mode
        {{'a', -1, -1, "rwm", false, 0}, {'c', 1, 3, "rwm", true, 1}, {'c', 1, 3, "w", false, 2}},  // narrowed
        // docker run (no --privileged): deny all, its default devices, fuse.
        device_rules(res(R"({"devices":[{"allow":false,"access":"rwm"},
            {"allow":true,"type":"c","major":1,"minor":5,"access":"rwm"},{"allow":true,"type":"c","major":1,"minor":3,"access":"rwm"},
            {"allow":true,"type":"c","major":1,"minor":9,"access":"rwm"},{"allow":true,"type":"c","major":1,"minor":8,"access":"rwm"},
            {"allow":true,"type":"c","major":5,"minor":0,"access":"rwm"},{"allow":true,"type":"c","major":5,"minor":1,"access":"rwm"},
            {"allow":false,"type":"c","major":10,"minor":229,"access":"rwm"},
            {"allow":true,"type":"c","major":10,"minor":229,"access":"rw"}]})")),
    };
}

}  // namespace

TEST_CASE("cgroups bpf: the device program decides as the emulator does") {
    for (const auto& rules : rule_lists()) {
        DeviceEmulator e = emulate(rules);
        INFO("default allow: " << e.default_allow() << ", exceptions: " << e.exceptions().size());
        CHECK(disagreements(e) == "");
    }
}

TEST_CASE("cgroups bpf: program shape") {
    // Allow-all: read the context, return 1. No exceptions to test.
    auto all = device_program(emulate(device_rules(res(R"({"devices":[{"allow":true,"access":"rwm"}]})"))));
    REQUIRE(all.size() == 8);
    CHECK(all[6].code == (BPF_ALU | BPF_MOV | BPF_K));
    CHECK(all[6].imm == 1);
    CHECK(all[7].code == (BPF_JMP | BPF_EXIT));
    // Defaults: 11 allow exceptions, each ending in "return 1"; the last
    // instructions return 0.
    auto def = device_program(emulate(device_rules(res("{}"))));
    CHECK(std::count_if(def.begin(), def.end(), [](const bpf_insn& i) { return i.code == (BPF_JMP | BPF_EXIT); }) == 12);
    CHECK(def[def.size() - 2].imm == 0);
    // Every jump lands inside the program.
    for (size_t pc = 0; pc < def.size(); ++pc)
        if (BPF_CLASS(def[pc].code) == BPF_JMP32) CHECK(pc + 1 + def[pc].off < def.size());
}

namespace {

// Forks a child that joins `cgroup` and opens `path`: 0 when it opened, else
// the errno (or 255 when joining failed).
int open_in(const std::string& cgroup, const char* path, int flags) {
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        int fd = ::open((cgroup + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC);
        if (fd < 0 || ::write(fd, "0", 1) != 1) _exit(255);
        ::close(fd);
        _exit(::open(path, flags | O_CLOEXEC) >= 0 ? 0 : errno);
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    return WEXITSTATUS(status);
}

// A second device program loaded behind attach_device_program's back, to
// attach next to it (BPF_F_ALLOW_MULTI) and exercise the detach path.
rt::sys::UniqueFd load_raw(const std::vector<bpf_insn>& prog) {
    bpf_attr a{};
    std::memset(&a, 0, sizeof a);
    a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    a.insns = reinterpret_cast<uintptr_t>(prog.data());
    a.insn_cnt = static_cast<uint32_t>(prog.size());
    a.license = reinterpret_cast<uintptr_t>("Apache");
    return rt::sys::UniqueFd(static_cast<int>(::syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof a)));
}

}  // namespace

TEST_CASE("cgroups bpf host: attach, enforce, replace on this kernel" * doctest::skip(geteuid() != 0)) {
    Layout layout = detect_layout();
    if (!layout.v2) {
        MESSAGE("no cgroup2 mount, skipped");
        return;
    }
    std::string dir = layout.v2->mountpoint + "/berth-bpf-test-" + std::to_string(getpid());
    if (::mkdir(dir.c_str(), 0755) != 0) {
        MESSAGE("cannot create " << dir << ", skipped: " << std::strerror(errno));
        return;
    }
    rt::sys::ScopeExit cleanup([&] { ::rmdir(dir.c_str()); });
    rt::sys::UniqueFd dirfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    REQUIRE(dirfd);
    CHECK(attached_device_programs(dirfd.get()).empty());

    // The defaults without /dev/zero (c 1:5).
    auto rules = device_rules(res("{}"));
    std::erase_if(rules, [](const DeviceRule& r) { return r.type == 'c' && r.major == 1 && r.minor == 5; });
    attach_device_program(dirfd.get(), device_program(emulate(rules)));
    auto first = attached_device_programs(dirfd.get());
    CHECK(first.size() == 1);
    CHECK(open_in(dir, "/dev/null", O_RDWR) == 0);
    CHECK(open_in(dir, "/dev/zero", O_RDONLY) == EPERM);

    // Allow everything: BPF_F_REPLACE swaps the one program.
    attach_device_program(dirfd.get(), device_program(emulate({{'a', -1, -1, "rwm", true, 0}})));
    auto second = attached_device_programs(dirfd.get());
    REQUIRE(second.size() == 1);
    CHECK(second != first);
    CHECK(open_in(dir, "/dev/zero", O_RDONLY) == 0);

    // Two programs attached: the new one goes in, both old ones go.
    rt::sys::UniqueFd extra = load_raw(device_program(emulate({{'a', -1, -1, "rwm", true, 0}})));
    REQUIRE(extra);
    bpf_attr a{};
    std::memset(&a, 0, sizeof a);
    a.target_fd = static_cast<uint32_t>(dirfd.get());
    a.attach_bpf_fd = static_cast<uint32_t>(extra.get());
    a.attach_type = BPF_CGROUP_DEVICE;
    a.attach_flags = BPF_F_ALLOW_MULTI;
    REQUIRE(::syscall(SYS_bpf, BPF_PROG_ATTACH, &a, sizeof a) == 0);
    CHECK(attached_device_programs(dirfd.get()).size() == 2);
    attach_device_program(dirfd.get(), device_program(emulate(rules)));
    CHECK(attached_device_programs(dirfd.get()).size() == 1);
    CHECK(open_in(dir, "/dev/zero", O_RDONLY) == EPERM);

    // A refused program: the error names the field and quotes the verifier.
    std::vector<bpf_insn> bad(1);
    bad[0].code = BPF_JMP | BPF_EXIT;  // R0 never set
    try {
        attach_device_program(dirfd.get(), bad);
        FAIL("loaded a program that returns nothing");
    } catch (const rt::sys::Error& e) {
        std::string msg = e.what();
        CHECK(msg.rfind("linux.resources.devices: load the BPF device filter (verifier: ", 0) == 0);
        CHECK(msg.find("R0 !read_ok") != std::string::npos);
        MESSAGE(msg);
    }
    CHECK(attached_device_programs(dirfd.get()).size() == 1);

    // The kernel's verifier accepts every program of the pure test.
    for (const auto& list : rule_lists()) CHECK_NOTHROW(attach_device_program(dirfd.get(), device_program(emulate(list))));
    CHECK(attached_device_programs(dirfd.get()).size() == 1);
}

TEST_CASE("cgroups bpf host: Cgroupfs::set enforces linux.resources.devices on cgroup v2" *
          doctest::skip(geteuid() != 0)) {
    Layout host = detect_layout();
    if (!host.v2) {
        MESSAGE("no cgroup2 mount, skipped");
        return;
    }
    // The host as if no v1 devices hierarchy existed: rules go to BPF.
    Layout layout;
    layout.mode = Mode::unified;
    layout.v2 = host.v2;
    std::string dir = host.v2->mountpoint + "/berth-bpf-set-" + std::to_string(getpid());
    if (::mkdir(dir.c_str(), 0755) != 0) {
        MESSAGE("cannot create " << dir << ", skipped: " << std::strerror(errno));
        return;
    }
    rt::sys::ScopeExit cleanup([&] { ::rmdir(dir.c_str()); });
    Paths paths;
    paths.v2 = dir;
    Cgroupfs cg(layout, paths);

    CHECK(cg.set(res("{}"), true).empty());  // no "not enforced" warning
    CHECK(open_in(dir, "/dev/null", O_RDWR) == 0);
    if (::access("/dev/kmsg", F_OK) != 0) {
        MESSAGE("no /dev/kmsg, rest skipped");
        return;
    }
    CHECK(open_in(dir, "/dev/kmsg", O_RDONLY) == EPERM);  // c 1:11 is not a default

    cg.set(res(R"({"devices":[{"allow":true,"type":"c","major":1,"minor":11,"access":"r"}]})"), true);
    CHECK(open_in(dir, "/dev/kmsg", O_RDONLY) == 0);
    CHECK(open_in(dir, "/dev/kmsg", O_RDWR) == EPERM);  // "rw" needs one rule granting both

    rt::sys::UniqueFd dirfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    REQUIRE(dirfd);
    CHECK(attached_device_programs(dirfd.get()).size() == 1);
}
