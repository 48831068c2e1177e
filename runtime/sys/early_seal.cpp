// The ELF entry point of berth: the CVE-2019-5736 re-exec (sealed_exe.hpp)
// done before the C library starts.
//
// create, run and exec re-execute berth from a detached read-only view of its
// own binary. Done from main(), the first image pays for a whole program
// start before it throws itself away: glibc's start-up (cpuid probing,
// relocation, IRELATIVE ifuncs), the C++ and libcap-ng constructors and ~40
// page faults, about 2-3 ms per invocation on our test VM (measured with
// `make bench`). Here the first image makes five raw system calls and
// execs; only the second one starts the C library.
//
// Nothing here may need the C library or relocations: no libc calls, no
// errno, no TLS (the stack protector reads its canary from TLS), no data with
// absolute addresses. The Makefile builds this file with
// -ffreestanding -fno-stack-protector and no sanitizer, and fails the build
// if the object has any undefined symbol. Whatever goes wrong here is left to
// main(): sys::ensure_sealed_exe() calls berth_seal_exe again there, finds the
// binary sealed (or re-executes, or reports the error once, with context).
#include <fcntl.h>
#include <linux/mount.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>

namespace {

long raw(long nr, long a = 0, long b = 0, long c = 0, long d = 0, long e = 0) {
    long ret;
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
                     : "rcx", "r11", "memory");
    return ret;
}

bool same(const char* a, const char* b) {
    while (*a && *a == *b) ++a, ++b;
    return *a == *b;
}

// The commands that put a process into a container. Any argument that spells
// one counts (no flag parsing here): a false positive only costs the re-exec
// main() would skip, and main() still seals when this misses.
bool wants_seal(long argc, char** argv) {
    for (long i = 1; i < argc; ++i)
        if (same(argv[i], "create") || same(argv[i], "run") || same(argv[i], "exec")) return true;
    return false;
}

}  // namespace

// The seal itself, shared with sys::ensure_sealed_exe (which reports a
// failure): returns 0 when the binary already lives on a read-only mount,
// never returns once it re-executes, and on failure returns -errno with
// *step naming what failed.
extern "C" long berth_seal_exe(char** argv, char** envp, const char** step) {
    long exe = raw(SYS_open, reinterpret_cast<long>("/proc/self/exe"), O_PATH | O_CLOEXEC);
    if (exe < 0) {
        *step = "open /proc/self/exe";
        return exe;
    }
    struct statfs fs;
    if (raw(SYS_fstatfs, exe, reinterpret_cast<long>(&fs)) == 0 && (fs.f_flags & ST_RDONLY)) {
        raw(SYS_close, exe);
        return 0;
    }
    long tree = raw(SYS_open_tree, exe, reinterpret_cast<long>(""),
                    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
    raw(SYS_close, exe);
    if (tree < 0) {
        *step = "clone a read-only view of the runtime binary";
        return tree;
    }
    mount_attr attr;
    attr.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
    attr.attr_clr = 0;
    attr.propagation = 0;
    attr.userns_fd = 0;
    long rc = raw(SYS_mount_setattr, tree, reinterpret_cast<long>(""), AT_EMPTY_PATH,
                  reinterpret_cast<long>(&attr), sizeof attr);
    if (rc < 0) {
        *step = "make the runtime view read-only";
    } else {
        // The tree fd is CLOEXEC: after execveat the mount lives on only as
        // the new image's exe file.
        rc = raw(SYS_execveat, tree, reinterpret_cast<long>(""), reinterpret_cast<long>(argv),
                 reinterpret_cast<long>(envp), AT_EMPTY_PATH);
        *step = "re-exec the runtime from its read-only view";
    }
    raw(SYS_close, tree);
    return rc;
}

// sp: the initial process stack (argc, argv..., 0, envp..., 0, auxv).
// Returns when no re-exec is needed or it failed (main() reports why).
extern "C" void berth_early_seal(long* sp) {
    long argc = sp[0];
    char** argv = reinterpret_cast<char**>(sp + 1);
    char** envp = argv + argc + 1;
    const char* step;
    if (wants_seal(argc, argv)) berth_seal_exe(argv, envp, &step);
}

// The entry point (linked with -e berth_entry): call berth_early_seal with
// the initial stack, then hand the untouched stack and %rdx (the dynamic
// loader's fini function in sanitizer builds; 0 when static) to the C
// library's _start.
__asm__(R"(
    .text
    .globl berth_entry
    .type berth_entry, @function
berth_entry:
    endbr64
    mov %rsp, %r12
    mov %rdx, %r13
    mov %rsp, %rdi
    and $-16, %rsp
    call berth_early_seal
    mov %r12, %rsp
    mov %r13, %rdx
    jmp _start
    .size berth_entry, .-berth_entry
)");
