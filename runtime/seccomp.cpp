// OCI seccomp -> classic BPF, compiled in the parent.
//
// Why the parent: libseccomp allocates, probes the kernel, resolves names and
// can fail in a dozen ways. Doing all of that before clone3 means a bad profile
// is reported as a config error while nothing exists yet (no namespaces, no
// cgroup, no half-built rootfs to tear down), and the container init, which
// must not allocate or throw, is left with one seccomp(2) call on a ready
// sock_fprog (load() below). It also keeps libseccomp's own loader, with its
// NNP/TSYNC side effects, out of the child entirely: we export the program
// and install it ourselves with exactly the flags the profile asks for.
//
// Semantics follow runc (libcontainer/seccomp/seccomp_linux.go):
//   - SCMP_ACT_KILL is SCMP_ACT_KILL_THREAD; ERRNO and TRACE take errnoRet,
//     EPERM when absent.
//   - rules whose action equals the default action are skipped (libseccomp
//     refuses them), as are syscall names libseccomp cannot resolve (profiles
//     list syscalls newer than the library).
//   - args: conditions on distinct indexes are AND-ed in one rule; if any
//     index appears twice, every condition becomes a rule of its own (OR).
//   - SCMP_ACT_NOTIFY may not be the default action nor apply to write(2).
//   - binary-tree optimisation for long profiles (libseccomp 2.5.4 misbehaves
//     on an empty one, hence the threshold).
// Not done: runc's patchbpf, which prepends a stub returning ENOSYS (instead
// of the default action) for syscalls newer than anything the profile names,
// so that glibc falls back (e.g. clone3 -> clone) under old profiles.
#include "seccomp.hpp"

#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "spec/names.hpp"
#include "sys/error.hpp"
#include "sys/fd.hpp"

namespace rt::seccomp {

using sys::Error;
using sys::ErrorKind;

namespace {

constexpr unsigned max_syscall_args = 6;
// runc's threshold for SCMP_FLTATR_CTL_OPTIMIZE=2 (binary tree).
constexpr size_t optimize_threshold = 32;

std::string quoted(std::string_view v) { return "`" + std::string(v) + "`"; }

[[noreturn]] void bad(const std::string& field, const std::string& what) {
    sys::fail(ErrorKind::invalid_config, "config.json: linux.seccomp%s%s: %s", field.empty() ? "" : ".",
              field, what);
}

[[noreturn]] void unsupported(const std::string& field, const std::string& what) {
    sys::fail(ErrorKind::unsupported, "config.json: linux.seccomp%s%s: %s", field.empty() ? "" : ".", field,
              what);
}

// libseccomp's rc (-errno) as an Error; EINVAL means libseccomp judged the
// rule itself invalid, EOPNOTSUPP that it or the kernel cannot do it.
[[noreturn]] void libseccomp_fail(int rc, const std::string& field, const std::string& what) {
    int e = rc < 0 ? -rc : EINVAL;
    ErrorKind kind = e == EINVAL ? ErrorKind::invalid_config
                     : e == EOPNOTSUPP ? ErrorKind::unsupported
                                       : ErrorKind::generic;
    throw Error(kind, e,
                sys::format("config.json: linux.seccomp%s%s: %s", field.empty() ? "" : ".", field, what));
}

std::string libseccomp_version() {
    const scmp_version* v = seccomp_version();
    if (!v) return "libseccomp";
    return sys::format("libseccomp %u.%u.%u", v->major, v->minor, v->micro);
}

// The API level is probed from the kernel once per process.
unsigned api_level() {
    static const unsigned level = seccomp_api_get();
    return level;
}

struct Action {
    uint32_t value = 0;
    bool notify = false;
};

// action_field/errno_field: "defaultAction"/"defaultErrnoRet" or
// "syscalls[i].action"/"syscalls[i].errnoRet".
Action parse_action(const std::string& name, const std::optional<uint32_t>& errno_ret,
                    const std::string& action_field, const std::string& errno_field) {
    if (!spec::names::contains(spec::names::seccomp_actions, name))
        bad(action_field, "unknown action " + quoted(name));
    bool takes_errno = name == "SCMP_ACT_ERRNO" || name == "SCMP_ACT_TRACE";
    // config-linux.md: an errno with an action that takes none MUST fail.
    if (errno_ret && !takes_errno) bad(errno_field, "only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
    // SECCOMP_RET_DATA is 16 bits; runc truncates (int16), which can turn an
    // errno into 0, i.e. a syscall that "succeeds" without running.
    if (errno_ret && *errno_ret > 0xffff)
        bad(errno_field, sys::format("%u is out of range (at most 65535)", *errno_ret));
    uint32_t data = errno_ret.value_or(EPERM);

    // API levels (seccomp_api_get(3)): 3 adds KILL_PROCESS and LOG, 6 makes
    // NOTIFY usable together with TSYNC; runc requires 6 for NOTIFY too.
    auto need_api = [&](unsigned level, const char* kernel) {
        if (api_level() < level)
            unsupported(action_field, sys::format("%s needs libseccomp API level %u (Linux >= %s), have %u",
                                                  name, level, kernel, api_level()));
    };
    if (name == "SCMP_ACT_ALLOW") return {SCMP_ACT_ALLOW};
    if (name == "SCMP_ACT_ERRNO") return {SCMP_ACT_ERRNO(data)};
    if (name == "SCMP_ACT_TRACE") return {SCMP_ACT_TRACE(data)};
    if (name == "SCMP_ACT_KILL" || name == "SCMP_ACT_KILL_THREAD") return {SCMP_ACT_KILL_THREAD};
    if (name == "SCMP_ACT_TRAP") return {SCMP_ACT_TRAP};
    if (name == "SCMP_ACT_KILL_PROCESS") {
        need_api(3, "4.14");
        return {SCMP_ACT_KILL_PROCESS};
    }
    if (name == "SCMP_ACT_LOG") {
        need_api(3, "4.14");
        return {SCMP_ACT_LOG};
    }
    if (name == "SCMP_ACT_NOTIFY") {
        need_api(6, "5.7");
        return {SCMP_ACT_NOTIFY, true};
    }
    bad(action_field, "unknown action " + quoted(name));  // in names:: but not handled here
}

scmp_compare parse_op(const std::string& op, const std::string& field) {
    static constexpr std::array<std::pair<std::string_view, scmp_compare>, 7> ops = {{
        {"SCMP_CMP_NE", SCMP_CMP_NE},
        {"SCMP_CMP_LT", SCMP_CMP_LT},
        {"SCMP_CMP_LE", SCMP_CMP_LE},
        {"SCMP_CMP_EQ", SCMP_CMP_EQ},
        {"SCMP_CMP_GE", SCMP_CMP_GE},
        {"SCMP_CMP_GT", SCMP_CMP_GT},
        {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
    }};
    for (const auto& [name, value] : ops)
        if (op == name) return value;
    bad(field, "unknown operator " + quoted(op));
}

// "SCMP_ARCH_X86_64" -> "x86_64" -> SCMP_ARCH_X86_64, as runc and crun do.
uint32_t parse_arch(const std::string& arch, const std::string& field) {
    if (!spec::names::contains(spec::names::seccomp_archs, arch))
        bad(field, "unknown architecture " + quoted(arch));
    std::string lower = arch.substr(std::string_view("SCMP_ARCH_").size());
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    uint32_t token = seccomp_arch_resolve_name(lower.c_str());
    if (token == 0)
        unsupported(field, "architecture " + quoted(arch) + " is not supported by " + libseccomp_version());
    return token;
}

unsigned parse_flag(const std::string& flag, const std::string& field) {
    // Passed to seccomp(2) by load() rather than set as libseccomp attributes
    // (SCMP_FLTATR_CTL_TSYNC/_LOG/_SSB), which only matter to seccomp_load().
    if (flag == "SECCOMP_FILTER_FLAG_TSYNC") return SECCOMP_FILTER_FLAG_TSYNC;
    if (flag == "SECCOMP_FILTER_FLAG_LOG") return SECCOMP_FILTER_FLAG_LOG;
    if (flag == "SECCOMP_FILTER_FLAG_SPEC_ALLOW") return SECCOMP_FILTER_FLAG_SPEC_ALLOW;
    if (flag == "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") return SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
    bad(field, "unknown flag " + quoted(flag));
}

struct CtxRelease {
    void operator()(void* ctx) const noexcept { seccomp_release(ctx); }
};
using Ctx = std::unique_ptr<void, CtxRelease>;

// libseccomp 2.5.4 has no seccomp_export_bpf_mem: export into a memfd.
std::vector<sock_filter> export_bpf(const Ctx& ctx) {
    sys::UniqueFd fd(memfd_create("berth-seccomp", MFD_CLOEXEC));
    if (!fd) sys::throw_errno("seccomp: memfd_create");
    if (int rc = seccomp_export_bpf(ctx.get(), fd.get()); rc < 0)
        throw Error(ErrorKind::generic, -rc, "seccomp: exporting the BPF program");
    struct stat st {};
    sys::check_sys(fstat(fd.get(), &st), "seccomp: fstat memfd");
    size_t size = static_cast<size_t>(st.st_size);
    if (size == 0 || size % sizeof(sock_filter) != 0)
        sys::fail(ErrorKind::generic, "seccomp: exported BPF program has %zu bytes, not a multiple of %zu", size,
                  sizeof(sock_filter));
    std::vector<sock_filter> filter(size / sizeof(sock_filter));
    auto* out = reinterpret_cast<char*>(filter.data());
    for (size_t done = 0; done < size;) {
        ssize_t n = pread(fd.get(), out + done, size - done, static_cast<off_t>(done));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) sys::throw_errno("seccomp: reading back the BPF program");
        if (n == 0) sys::fail(ErrorKind::generic, "seccomp: short read of the BPF program");
        done += static_cast<size_t>(n);
    }
    return filter;
}

}  // namespace

Program compile(const spec::Seccomp& s) {
    Program p;
    Action def = parse_action(s.default_action, s.default_errno_ret, "defaultAction", "defaultErrnoRet");
    // runc: the notify fd is sent by the init with write(2) after the filter
    // is in place; a default NOTIFY would catch that write too.
    if (def.notify) bad("defaultAction", "SCMP_ACT_NOTIFY cannot be the default action");

    // Check everything the profile says before touching libseccomp, so the
    // first mistake is reported whatever follows it.
    std::vector<uint32_t> archs;
    for (size_t i = 0; i < s.architectures.size(); ++i)
        archs.push_back(parse_arch(s.architectures[i], sys::format("architectures[%zu]", i)));
    for (size_t i = 0; i < s.flags.size(); ++i) p.flags |= parse_flag(s.flags[i], sys::format("flags[%zu]", i));

    struct Rule {
        Action action;
        std::vector<scmp_arg_cmp> conds;
        bool split = false;  // some index repeats: one rule per condition (runc)
    };
    std::vector<Rule> rules;
    rules.reserve(s.syscalls.size());
    for (size_t i = 0; i < s.syscalls.size(); ++i) {
        const spec::SeccompSyscall& sc = s.syscalls[i];
        std::string where = sys::format("syscalls[%zu]", i);
        Rule r;
        r.action = parse_action(sc.action, sc.errno_ret, where + ".action", where + ".errnoRet");
        if (r.action.notify) {
            p.notify = true;
            for (size_t j = 0; j < sc.names.size(); ++j)
                if (sc.names[j] == "write")
                    bad(sys::format("%s.names[%zu]", where, j), "SCMP_ACT_NOTIFY cannot be used for `write`");
        }
        std::array<unsigned, max_syscall_args> per_index{};
        for (size_t k = 0; k < sc.args.size(); ++k) {
            const spec::SeccompArg& a = sc.args[k];
            std::string wk = sys::format("%s.args[%zu]", where, k);
            if (a.index >= max_syscall_args) bad(wk + ".index", "must be at most 5 (syscalls take six arguments)");
            scmp_compare op = parse_op(a.op, wk + ".op");
            // MASKED_EQ: value is the mask, valueTwo the datum (runc passes
            // both to libseccomp as datum_a/datum_b whatever the op).
            r.conds.push_back(scmp_arg_cmp{a.index, op, a.value, a.value_two.value_or(0)});
            if (++per_index[a.index] > 1) r.split = true;
        }
        rules.push_back(std::move(r));
    }

    Ctx ctx(seccomp_init(def.value));
    if (!ctx) sys::fail(ErrorKind::generic, "seccomp: creating the filter failed (%s)", libseccomp_version());
    // The init sets no_new_privs itself (process.noNewPrivileges); and load()
    // bypasses seccomp_load() anyway.
    if (int rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_NNP, 0); rc < 0)
        libseccomp_fail(rc, "", "clearing SCMP_FLTATR_CTL_NNP");
    for (size_t i = 0; i < archs.size(); ++i) {
        int rc = seccomp_arch_add(ctx.get(), archs[i]);
        if (rc < 0 && rc != -EEXIST)  // the native arch is already there
            libseccomp_fail(rc, sys::format("architectures[%zu]", i), "adding " + quoted(s.architectures[i]));
    }

    size_t added = 0;
    for (size_t i = 0; i < s.syscalls.size(); ++i) {
        const Rule& r = rules[i];
        if (r.action.value == def.value) continue;  // redundant: libseccomp refuses it
        for (size_t j = 0; j < s.syscalls[i].names.size(); ++j) {
            const std::string& name = s.syscalls[i].names[j];
            int nr = seccomp_syscall_resolve_name(name.c_str());
            if (nr == __NR_SCMP_ERROR) continue;  // unknown to libseccomp: skipped, as runc
            auto add = [&](unsigned count, const scmp_arg_cmp* conds) {
                int rc = seccomp_rule_add_array(ctx.get(), r.action.value, nr, count, conds);
                if (rc < 0)
                    libseccomp_fail(rc, sys::format("syscalls[%zu].names[%zu]", i, j),
                                    "adding a rule for " + quoted(name));
                ++added;
            };
            if (!r.split) {
                add(static_cast<unsigned>(r.conds.size()), r.conds.data());
            } else {
                for (const scmp_arg_cmp& c : r.conds) add(1, &c);
            }
        }
    }
    if (added > optimize_threshold) {
        // Not fatal: older libseccomp has no binary tree, the filter is just longer.
        (void)seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_OPTIMIZE, 2);
    }

    p.filter = export_bpf(ctx);
    if (p.filter.size() > BPF_MAXINSNS)
        bad("", sys::format("the profile compiles to %zu BPF instructions, more than the kernel's limit of %d",
                            p.filter.size(), BPF_MAXINSNS));

    if (p.notify) {
        // The kernel refuses TSYNC with NEW_LISTENER unless TSYNC_ESRCH says
        // how to report a thread that cannot be synced (libseccomp does this).
        if (p.flags & SECCOMP_FILTER_FLAG_TSYNC) p.flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
    } else {
        // Only meaningful for a listener; the kernel refuses it without one.
        p.flags &= ~static_cast<unsigned>(SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV);
    }
    return p;
}

int load(const Program& p) noexcept {
    if (p.filter.empty() || p.filter.size() > BPF_MAXINSNS) return -EINVAL;
    sock_fprog prog{};
    prog.len = static_cast<unsigned short>(p.filter.size());
    prog.filter = const_cast<sock_filter*>(p.filter.data());
    unsigned long flags = p.flags;
    if (p.notify) flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
    long rc = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
    if (rc < 0) return -errno;
    return static_cast<int>(rc);
}

}  // namespace rt::seccomp
