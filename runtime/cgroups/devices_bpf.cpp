// The cgroup v2 device filter: program generation (pure) and the bpf(2)
// calls that load and attach it. Raw syscalls, no libbpf: five commands.
#include "cgroups/devices_bpf.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "cgroups/fsutil.hpp"
#include "sys/error.hpp"
#include "sys/fd.hpp"

namespace rt::cgroups {

namespace {

// Registers: R1 holds the context on entry, then serves as scratch.
enum : uint8_t { R0 = 0, R1, R2, R3, R4, R5 };
constexpr int kTypeReg = R2, kAccessReg = R3, kMajorReg = R4, kMinorReg = R5;
constexpr int32_t kAllAccess = BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD;

bpf_insn insn(uint8_t code, int dst, int src, int16_t off, int32_t imm) {
    bpf_insn i{};
    i.code = code;
    i.dst_reg = static_cast<uint8_t>(dst) & 0xf;
    i.src_reg = static_cast<uint8_t>(src) & 0xf;
    i.off = off;
    i.imm = imm;
    return i;
}

bpf_insn load_u32(int dst, size_t offset) {
    return insn(BPF_LDX | BPF_MEM | BPF_W, dst, R1, static_cast<int16_t>(offset), 0);
}
bpf_insn alu32(uint8_t op, int dst, int32_t imm) { return insn(BPF_ALU | op | BPF_K, dst, 0, 0, imm); }
bpf_insn mov32_reg(int dst, int src) { return insn(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0); }
// 32-bit compares (BPF_JMP32, Linux 5.1): the context fields are u32, and a
// 64-bit compare would sign-extend an immediate above INT32_MAX.
bpf_insn jmp32(uint8_t op, int dst, int32_t imm) { return insn(BPF_JMP32 | op | BPF_K, dst, 0, 0, imm); }
bpf_insn jmp32_reg(uint8_t op, int dst, int src) { return insn(BPF_JMP32 | op | BPF_X, dst, src, 0, 0); }
std::vector<bpf_insn> verdict(bool allow) {
    return {insn(BPF_ALU | BPF_MOV | BPF_K, R0, 0, 0, allow ? 1 : 0), insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)};
}

int32_t access_bits(const std::string& access) {
    int32_t bits = 0;
    for (char c : access)
        bits |= c == 'r' ? BPF_DEVCG_ACC_READ : c == 'w' ? BPF_DEVCG_ACC_WRITE : c == 'm' ? BPF_DEVCG_ACC_MKNOD : 0;
    return bits;
}

// One exception: every test that fails jumps past the block's exit.
std::vector<bpf_insn> rule_block(const DeviceRule& rule) {
    std::vector<bpf_insn> b;
    std::vector<size_t> skips;
    auto skip_unless = [&](bpf_insn jump) {
        skips.push_back(b.size());
        b.push_back(jump);
    };
    skip_unless(jmp32(BPF_JNE, kTypeReg, rule.type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR));
    int32_t bits = access_bits(rule.access);
    if (rule.allow) {
        // An allow must grant every requested bit: skip if request & ~bits.
        // rwm grants anything, no test needed (runc does the same).
        if (bits != kAllAccess) {
            b.push_back(mov32_reg(R1, kAccessReg));
            b.push_back(alu32(BPF_AND, R1, bits));
            skip_unless(jmp32_reg(BPF_JNE, R1, kAccessReg));
        }
    } else {
        // A deny refuses on any overlap, as the v1 kernel and the emulator
        // do (runc's program tests "subset" here, which lets "rw" through a
        // "w" deny).
        b.push_back(mov32_reg(R1, kAccessReg));
        b.push_back(alu32(BPF_AND, R1, bits));
        skip_unless(jmp32(BPF_JEQ, R1, 0));
    }
    auto u32 = [](int64_t v) { return static_cast<int32_t>(static_cast<uint32_t>(v)); };
    if (rule.major >= 0) skip_unless(jmp32(BPF_JNE, kMajorReg, u32(rule.major)));
    if (rule.minor >= 0) skip_unless(jmp32(BPF_JNE, kMinorReg, u32(rule.minor)));
    for (auto& i : verdict(rule.allow)) b.push_back(i);
    for (size_t at : skips) b[at].off = static_cast<int16_t>(b.size() - at - 1);
    return b;
}

long bpf(int cmd, bpf_attr& attr) { return ::syscall(SYS_bpf, cmd, &attr, sizeof attr); }

uint64_t ptr(const void* p) { return reinterpret_cast<uintptr_t>(p); }

// The verifier's last lines say why; the whole log can be kilobytes.
std::string log_tail(const std::string& log) {
    std::vector<std::string_view> lines;
    for (auto l : util::split(log.c_str(), '\n'))  // up to the kernel's NUL
        if (!util::trim(l).empty() && !util::starts_with(l, "processed ")) lines.push_back(l);  // not statistics
    std::string out;
    for (size_t i = lines.size() > 3 ? lines.size() - 3 : 0; i < lines.size(); ++i)
        out += (out.empty() ? "" : "; ") + std::string(lines[i]);
    return out;
}

sys::UniqueFd load(const std::vector<bpf_insn>& prog) {
    // Any license string is accepted: the program calls no GPL-only helper.
    static const char license[] = "Apache";
    bpf_attr a{};
    std::memset(&a, 0, sizeof a);
    a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    a.insns = ptr(prog.data());
    a.insn_cnt = static_cast<uint32_t>(prog.size());
    a.license = ptr(license);
    // No RLIMIT_MEMLOCK raise (runc's #2167): since Linux 5.11 BPF memory is
    // charged to the memory cgroup, and without CAP_SYS_RESOURCE it fails anyway.
    sys::UniqueFd fd(static_cast<int>(bpf(BPF_PROG_LOAD, a)));
    if (fd) return fd;
    // Load again with a log only on failure, as libbpf does: a log too
    // small for a successful load would make it fail with ENOSPC.
    int err = errno;
    std::string log(64 * 1024, '\0');
    a.log_level = 1;
    a.log_buf = ptr(log.data());
    a.log_size = static_cast<uint32_t>(log.size());
    fd.reset(static_cast<int>(bpf(BPF_PROG_LOAD, a)));
    if (fd) return fd;
    std::string why = log_tail(log);
    errno = err;
    sys::throw_errno("linux.resources.devices: load the BPF device filter%s",
                     why.empty() ? "" : " (verifier: " + why + ")");
}

int prog_attach(int dirfd, int prog_fd, uint32_t flags, int replace_fd) {
    bpf_attr a{};
    std::memset(&a, 0, sizeof a);
    a.target_fd = static_cast<uint32_t>(dirfd);
    a.attach_bpf_fd = static_cast<uint32_t>(prog_fd);
    a.attach_type = BPF_CGROUP_DEVICE;
    a.attach_flags = flags;
    if (flags & BPF_F_REPLACE) a.replace_bpf_fd = static_cast<uint32_t>(replace_fd);
    return static_cast<int>(bpf(BPF_PROG_ATTACH, a));
}

// Programs that cannot be opened (LSM policy: EPERM/EACCES, or detached
// meanwhile: ENOENT) are left alone, as runc does: another device program
// can only restrict further.
std::vector<sys::UniqueFd> open_programs(const std::vector<uint32_t>& ids) {
    std::vector<sys::UniqueFd> out;
    for (uint32_t id : ids) {
        bpf_attr a{};
        std::memset(&a, 0, sizeof a);
        a.prog_id = id;
        sys::UniqueFd fd(static_cast<int>(bpf(BPF_PROG_GET_FD_BY_ID, a)));
        if (fd)
            out.push_back(std::move(fd));
        else if (errno != EPERM && errno != EACCES && errno != ENOENT)
            sys::throw_errno("linux.resources.devices: open attached BPF program %u", id);
    }
    return out;
}

}  // namespace

std::vector<bpf_insn> device_program(const DeviceEmulator& e) {
    std::vector<bpf_insn> p = {
        load_u32(kTypeReg, offsetof(bpf_cgroup_dev_ctx, access_type)),
        alu32(BPF_AND, kTypeReg, 0xffff),
        load_u32(kAccessReg, offsetof(bpf_cgroup_dev_ctx, access_type)),
        alu32(BPF_RSH, kAccessReg, 16),
        load_u32(kMajorReg, offsetof(bpf_cgroup_dev_ctx, major)),
        load_u32(kMinorReg, offsetof(bpf_cgroup_dev_ctx, minor)),
    };
    // Exceptions are all allows (allow-list mode) or all denies; first
    // match decides, as in DeviceEmulator::allows().
    for (const auto& rule : e.exceptions()) {
        if (rule.major > UINT32_MAX || rule.minor > UINT32_MAX) continue;  // names no device
        for (auto& i : rule_block(rule)) p.push_back(i);
    }
    for (auto& i : verdict(e.default_allow())) p.push_back(i);
    return p;
}

std::vector<uint32_t> attached_device_programs(int cgroup2_dirfd) {
    std::vector<uint32_t> ids(64);  // the kernel's limit per attach point
    for (int tries = 0; tries < 10; ++tries) {
        bpf_attr a{};
        std::memset(&a, 0, sizeof a);
        a.query.target_fd = static_cast<uint32_t>(cgroup2_dirfd);
        a.query.attach_type = BPF_CGROUP_DEVICE;
        a.query.prog_ids = ptr(ids.data());
        a.query.prog_cnt = static_cast<uint32_t>(ids.size());
        if (bpf(BPF_PROG_QUERY, a) == 0) {
            ids.resize(a.query.prog_cnt);
            return ids;
        }
        // ENOSPC: more than fit, prog_cnt says how many now.
        if (errno != ENOSPC) sys::throw_errno("linux.resources.devices: query the cgroup's BPF device programs");
        ids.resize(a.query.prog_cnt);
    }
    sys::fail(sys::ErrorKind::generic, "linux.resources.devices: the cgroup's BPF device programs keep changing");
}

void attach_device_program(int cgroup2_dirfd, const std::vector<bpf_insn>& prog) {
    sys::UniqueFd fd = load(prog);
    std::vector<sys::UniqueFd> old = open_programs(attached_device_programs(cgroup2_dirfd));
    if (old.size() == 1) {
        if (prog_attach(cgroup2_dirfd, fd.get(), BPF_F_ALLOW_MULTI | BPF_F_REPLACE, old[0].get()) == 0) return;
        // EINVAL: no BPF_F_REPLACE before Linux 5.6; attach, then detach.
        if (errno != EINVAL) sys::throw_errno("linux.resources.devices: replace the BPF device filter");
    }
    if (prog_attach(cgroup2_dirfd, fd.get(), BPF_F_ALLOW_MULTI, -1) != 0)
        sys::throw_errno("linux.resources.devices: attach the BPF device filter");
    // The cgroup holds the new program now; the old ones go. A failure
    // leaves both attached: stricter than asked, never looser.
    for (const auto& o : old) {
        bpf_attr a{};
        std::memset(&a, 0, sizeof a);
        a.target_fd = static_cast<uint32_t>(cgroup2_dirfd);
        a.attach_bpf_fd = static_cast<uint32_t>(o.get());
        a.attach_type = BPF_CGROUP_DEVICE;
        if (bpf(BPF_PROG_DETACH, a) != 0 && errno != ENOENT)
            sys::throw_errno("linux.resources.devices: detach the previous BPF device filter");
    }
}

}  // namespace rt::cgroups
