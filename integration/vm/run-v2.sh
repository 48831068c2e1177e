#!/usr/bin/env bash
# Run berth's integration cases (or any command) as root inside a QEMU VM
# whose only cgroup hierarchy is cgroup v2, with every controller enabled.
# The guest boots Debian's cloud kernel straight into an initramfs (busybox,
# bash, bats, jq, coreutils, procps, util-linux, runc if the host has it, and
# the repo's build/berth, build/probe and integration/ at /berth).
#
#   integration/vm/run-v2.sh                                   # all of integration/cases
#   integration/vm/run-v2.sh --cases "integration/cases/lifecycle.bats integration/cases/errors.bats"
#   integration/vm/run-v2.sh --cases integration/cases/mounts.bats --filter 'cgroup'
#   integration/vm/run-v2.sh --cmd 'cat /sys/fs/cgroup/cgroup.controllers; /berth/build/berth --version'
#   integration/vm/run-v2.sh --env RUNTIME=/usr/sbin/runc --cases integration/cases/lifecycle.bats
#
# Options:
#   --cases "FILES"   bats files or directories, relative to the repo (default: integration/cases)
#   --filter REGEX    bats -f REGEX
#   --cmd "COMMAND"   run COMMAND with bash in /berth instead of bats
#   --env NAME=VALUE  export in the guest before the job (repeatable)
#   --file SRC[:DEST] copy a host file into the guest (default DEST /job/files/NAME; repeatable)
#   --modules "M..."  kernel modules to insmod at boot (with their dependencies)
#   --timeout S       hard limit for the whole VM run (default 900, env VM_TIMEOUT)
#   --mem MB / --smp N   guest size (default 2048 / 2)
#   --cpu MODEL       QEMU CPU model (default max, env VM_CPU)
#   --dmesg           print the guest's dmesg after the job
#   --rebuild         rebuild the cached initramfs parts
#
# Needs root (apt-get, mknod for /dev/console) and build/berth + build/probe
# (`make all`). Exit status: the job's, 124 on timeout, 99 when the console
# has no `BERTH-VM-RESULT rc=N` trailer. The console is in $VM_DIR/console.log
# (VM_DIR: build/vm by default); the kernel and the base initramfs are shared
# by all checkouts in $VM_CACHE (/var/cache/berth-vm by default).
set -euo pipefail

source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
vm_parse_args "$@"

mkdir -p "$VM_DIR"
exec 9>"$VM_DIR/lock"
flock 9

vm_ensure_pkgs $VM_HOST_PKGS $VM_GUEST_PKGS
kdir=$(vm_kernel_dir)
kernel=$(ls "$kdir"/boot/vmlinuz-* | head -n1)
optional=$(vm_installed $VM_GUEST_OPTIONAL_PKGS)

# ------------------------------------------------------------- base.cpio ---
# Shared by all checkouts: $VM_CACHE/v2/base-<stamp>.cpio.
base_stamp=$(
	{
		dpkg-query -W -f='${Package} ${Version}\n' $VM_GUEST_PKGS busybox-static $optional
		echo "$kdir"
		sha256sum /bin/busybox "$VM_LIB_DIR/init" "$VM_LIB_DIR/lib.sh" | cut -d' ' -f1
	} | sha256sum | cut -c1-16
)
base=$VM_CACHE/v2/base-$base_stamp.cpio
mkdir -p "$VM_CACHE/v2"
if ((VM_REBUILD)) || [[ ! -s $base ]]; then
	exec 8>"$VM_CACHE/v2/lock"
	flock 8
fi
if ((VM_REBUILD)) || [[ ! -s $base ]]; then
	t0=$(date +%s.%N)
	st=$VM_CACHE/v2/base.root.$$
	rm -rf "$st"
	mkdir -p "$st"/{dev,proc,sys,tmp,run,root,etc,var/tmp}
	vm_merged_usr "$st"
	mknod -m 600 "$st/dev/console" c 5 1
	mknod -m 666 "$st/dev/null" c 1 3
	vm_copy_pkgs "$st" $VM_GUEST_PKGS $optional
	vm_alternatives "$st"
	vm_busybox_applets "$st"
	cp "$VM_LIB_DIR/init" "$st/init"
	chmod 755 "$st/init"
	cat >"$st/etc/passwd" <<-'PASSWD'
		root:x:0:0:root:/root:/bin/bash
		nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
	PASSWD
	cat >"$st/etc/group" <<-'GROUP'
		root:x:0:
		tty:x:5:
		users:x:100:
		nogroup:x:65534:
	GROUP
	printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files\n' >"$st/etc/nsswitch.conf"
	printf '127.0.0.1 localhost berth-vm\n' >"$st/etc/hosts"
	echo berth-vm >"$st/etc/hostname"
	vm_cpio "$st" "$base"
	rm -rf "$st"
	vm_log "base initramfs rebuilt ($(du -h "$base" | cut -f1), $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}') s)"
fi
exec 8>&-
touch "$base"
vm_prune 3 "$VM_CACHE"/v2/base-*.cpio

# ------------------------------------------------------------- repo.cpio ---
repo_stamp=$(vm_hash "$REPO/build/berth" "$REPO/build/probe" "$REPO/build/berth-systemd" "$REPO/integration")
if ((VM_REBUILD)) || [[ ! -s $VM_DIR/repo.cpio || $(cat "$VM_DIR/repo.stamp" 2>/dev/null) != "$repo_stamp" ]]; then
	st=$VM_DIR/repo.root
	rm -rf "$st"
	mkdir -p "$st"
	vm_repo_payload "$st"
	vm_cpio "$st" "$VM_DIR/repo.cpio"
	echo "$repo_stamp" >"$VM_DIR/repo.stamp"
	rm -rf "$st"
fi

# --------------------------------------------------- job.cpio, initrd.img ---
st=$VM_DIR/job.root
rm -rf "$st"
vm_job_dir "$st"
vm_modules "$st" "$kdir" $VM_MODULES
vm_cpio "$st" "$VM_DIR/job.cpio"
rm -rf "$st"
# The kernel unpacks concatenated newc archives one after the other.
cat "$base" "$VM_DIR/repo.cpio" "$VM_DIR/job.cpio" >"$VM_DIR/initrd.img"

# ------------------------------------------------------------------ boot ---
vm_log "booting $(basename "$kernel") (${VM_ACCEL%%,*}, $VM_SMP vCPU, $VM_MEM MiB, timeout ${VM_TIMEOUT}s)"
vm_qemu "$VM_DIR/console.log" -kernel "$kernel" -initrd "$VM_DIR/initrd.img" \
	-append "console=ttyS0 quiet cgroup_no_v1=all panic=-1"
vm_report "$VM_DIR/console.log"
