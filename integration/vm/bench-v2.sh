#!/usr/bin/env bash
# The second half of `make bench`: integration/bench.sh inside the pure
# cgroup v2 VM (run-v2.sh), with berth, runc and crun. crun refuses the
# hybrid-cgroup development hosts, so this is where the three compare. The
# guest is TCG-emulated: absolute times are several times the host's, the
# ratios are what to read.
#
#   integration/vm/bench-v2.sh                 # BENCH_VM_N iterations (default 20)
#   BENCH_VM_N=50 integration/vm/bench-v2.sh --timeout 1800
#
# Installs Debian's crun on the host when missing (apt-get), so that run-v2.sh
# packs it into the guest with its libraries, as it does runc. Any further
# options go to run-v2.sh. Exit status: bench.sh's (non-zero when a runtime
# invocation failed), or run-v2.sh's (124 timeout, 99 no result).
set -euo pipefail

source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
[[ $(id -u) == 0 ]] || vm_die "must run as root"
vm_ensure_pkgs runc crun
N=${BENCH_VM_N:-20}
[[ $N =~ ^[1-9][0-9]*$ ]] || vm_die "BENCH_VM_N must be a positive integer"
exec "$VM_LIB_DIR/run-v2.sh" --timeout "${VM_TIMEOUT:-900}" \
	--cmd "BENCH_N=$N RUNTIMES='berth runc crun' integration/bench.sh" "$@"
