// Device control on cgroup v2: a BPF_PROG_TYPE_CGROUP_DEVICE program
// attached to the container's cgroup2 directory (runc devicefilter.go and
// ebpf_linux.go). The kernel runs it on every open/mknod of a device node
// by a process of the cgroup; returning 0 refuses with EPERM.
//
// The program is generated from the emulator's final state, not from the
// rule list, so v1 and v2 hosts make the same decisions (see devices.hpp).
#pragma once

#include <linux/bpf.h>

#include <cstdint>
#include <vector>

#include "cgroups/devices.hpp"

namespace rt::cgroups {

// Decides as e.allows() does, given struct bpf_cgroup_dev_ctx in R1:
// access_type = (BPF_DEVCG_ACC_* << 16) | BPF_DEVCG_DEV_*, major, minor.
// Instructions used: ldx w, alu32 and/rsh/mov, jmp32 jne/jeq, mov, exit.
std::vector<bpf_insn> device_program(const DeviceEmulator& e);

// Loads `prog` and makes it the only device program attached directly to
// the cgroup2 directory (BPF_F_ALLOW_MULTI): one old program is replaced
// atomically (BPF_F_REPLACE); otherwise the new one is attached first and
// the old ones detached, so there is never a moment without a filter.
// Throws sys::Error naming linux.resources.devices, with the verifier's log
// when the kernel refuses the program.
void attach_device_program(int cgroup2_dirfd, const std::vector<bpf_insn>& prog);

// Ids of the device programs attached directly to the directory
// (BPF_PROG_QUERY without BPF_F_QUERY_EFFECTIVE).
std::vector<uint32_t> attached_device_programs(int cgroup2_dirfd);

}  // namespace rt::cgroups
