// RAII for kernel resources: UniqueFd, ScopeExit, ChildGuard.
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <utility>

namespace rt::sys {

// Move-only owner of a file descriptor. close() is not retried on EINTR:
// on Linux the descriptor is gone either way, and a retry could close an
// fd another part of the program just received.
class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : fd_(fd) {}
    UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
    UniqueFd& operator=(UniqueFd&& o) noexcept {
        if (this != &o) reset(o.release());
        return *this;
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    ~UniqueFd() { reset(); }

    int get() const noexcept { return fd_; }
    explicit operator bool() const noexcept { return fd_ >= 0; }
    int release() noexcept { return std::exchange(fd_, -1); }
    void reset(int fd = -1) noexcept {
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd;
    }

private:
    int fd_ = -1;
};

// Runs a rollback action at scope exit unless dismissed.
template <typename F>
class ScopeExit {
public:
    explicit ScopeExit(F f) : f_(std::move(f)) {}
    ScopeExit(const ScopeExit&) = delete;
    ScopeExit& operator=(const ScopeExit&) = delete;
    ~ScopeExit() {
        if (armed_) f_();
    }
    void dismiss() noexcept { armed_ = false; }

private:
    F f_;
    bool armed_ = true;
};

// Owns a child process: SIGKILLs and reaps it at scope exit unless released.
class ChildGuard {
public:
    ChildGuard() = default;
    explicit ChildGuard(pid_t pid) : pid_(pid) {}
    ChildGuard(ChildGuard&& o) noexcept : pid_(o.release()) {}
    ChildGuard& operator=(ChildGuard&&) = delete;
    ChildGuard(const ChildGuard&) = delete;
    ~ChildGuard();
    pid_t get() const noexcept { return pid_; }
    pid_t release() noexcept { return std::exchange(pid_, -1); }
    void adopt(pid_t pid) noexcept { pid_ = pid; }  // only when empty

private:
    pid_t pid_ = -1;
};

}  // namespace rt::sys
