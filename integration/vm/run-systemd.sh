#!/usr/bin/env bash
# Run berth's integration cases (or any command) in a QEMU VM that boots a
# minimal Debian 12 with systemd as PID 1 (cgroup v2 only, as systemd 252
# sets it up): the job runs in berth-vm.service with Delegate=yes, below
# /system.slice, with dbus running, as under containerd on a real host.
#
# The root image is built once with debootstrap (--variant=minbase, plus
# systemd, dbus, Debian's cloud kernel with its initramfs-tools initrd, bats,
# jq, busybox-static, runc) and mkfs.ext4 -d; it is booted with -snapshot, so
# it never changes. The repo payload and the job go in on a second virtio disk
# (a tar on /dev/vdb). Same options, output and exit status as run-v2.sh:
#
#   integration/vm/run-systemd.sh --cmd 'systemctl --version; cat /proc/self/cgroup'
#   integration/vm/run-systemd.sh --cases integration/cases/lifecycle.bats
#
# Options:
#   --cases "FILES"   bats files or directories, relative to the repo (default: integration/cases)
#   --filter REGEX    bats -f REGEX
#   --cmd "COMMAND"   run COMMAND with bash in /berth instead of bats
#   --env NAME=VALUE  export in the guest before the job (repeatable)
#   --file SRC[:DEST] copy a host file into the guest (default DEST /job/files/NAME; repeatable)
#   --timeout S       hard limit for the whole VM run (default 900, env VM_TIMEOUT)
#   --mem MB / --smp N   guest size (default 2048 / 2)
#   --cpu MODEL       QEMU CPU model (default max, env VM_CPU)
#   --dmesg           print the guest's dmesg and journal warnings after the job
#   --rebuild         rebuild the root image (debootstrap again)
#
# Needs root and network access to the Debian mirror the host's apt uses (for
# the first debootstrap only). Cache: build/vm/systemd/. Console:
# build/vm/systemd/console.log.
set -euo pipefail

source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
vm_parse_args "$@"
[[ -z $VM_MODULES ]] || vm_die "--modules: the Debian initrd and udev load modules here"

SD_DIR=$VM_DIR/systemd
SD_FILES=$VM_LIB_DIR/systemd
# Beyond minbase. udev: device units for /dev/vd*; initramfs-tools comes with
# the kernel and builds the initrd inside the chroot (the host's /boot is
# never touched).
SD_PKGS="systemd systemd-sysv dbus udev linux-image-cloud-amd64 bats jq busybox-static procps
util-linux mount bsdutils diffutils findutils runc"
SD_SUITE=bookworm

mkdir -p "$SD_DIR"
exec 9>"$SD_DIR/lock"
flock 9

vm_ensure_pkgs qemu-system-x86 debootstrap e2fsprogs tar

# Mirrors: the host's (deb822 or one-line sources), else deb.debian.org.
sd_mirror() {
	local m
	m=$(grep -hs -E '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -v security | head -n1)
	[[ -n $m ]] || m=$(grep -hs -E '^deb ' /etc/apt/sources.list | awk '{print $2}' | grep -v security | head -n1)
	echo "${m:-http://deb.debian.org/debian}"
}
sd_security_mirror() {
	local m
	m=$(grep -hs -E '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep security | head -n1)
	echo "${m:-http://deb.debian.org/debian-security}"
}

# ------------------------------------------------------------ debootstrap ---
rootfs=$SD_DIR/rootfs
rootfs_stamp=$(echo "$SD_SUITE $SD_PKGS $(sd_mirror)" | sha256sum | cut -c1-16)
if ((VM_REBUILD)) || [[ $(cat "$SD_DIR/rootfs.stamp" 2>/dev/null) != "$rootfs_stamp" ]]; then
	t0=$(date +%s)
	rm -rf "$rootfs" "$rootfs.tmp" "$SD_DIR/root.img" "$SD_DIR/rootfs.stamp" "$SD_DIR/image.stamp"
	vm_log "debootstrap $SD_SUITE from $(sd_mirror) (once; a few minutes)"
	debootstrap --variant=minbase --include="$(echo $SD_PKGS | tr ' ' ,)" \
		"$SD_SUITE" "$rootfs.tmp" "$(sd_mirror)" >"$SD_DIR/debootstrap.log" 2>&1 ||
		vm_die "debootstrap failed, see $SD_DIR/debootstrap.log"
	# Security updates (the kernel run-v2.sh uses comes from there too).
	cat >"$rootfs.tmp/etc/apt/sources.list" <<-EOF
		deb $(sd_mirror) $SD_SUITE main
		deb $(sd_mirror) $SD_SUITE-updates main
		deb $(sd_security_mirror) $SD_SUITE-security main
	EOF
	printf '#!/bin/sh\nexit 101\n' >"$rootfs.tmp/usr/sbin/policy-rc.d"
	chmod 755 "$rootfs.tmp/usr/sbin/policy-rc.d"
	mount -t proc proc "$rootfs.tmp/proc"
	(chroot "$rootfs.tmp" /usr/bin/env DEBIAN_FRONTEND=noninteractive sh -c \
		'apt-get update -qq && apt-get -y -qq -o Dpkg::Options::=--force-confold dist-upgrade && apt-get clean') \
		>>"$SD_DIR/debootstrap.log" 2>&1 || { umount "$rootfs.tmp/proc"; vm_die "apt-get upgrade in the chroot failed, see $SD_DIR/debootstrap.log"; }
	umount "$rootfs.tmp/proc"
	rm -f "$rootfs.tmp/usr/sbin/policy-rc.d"
	mv "$rootfs.tmp" "$rootfs"
	echo "$rootfs_stamp" >"$SD_DIR/rootfs.stamp"
	vm_log "debootstrap done in $(($(date +%s) - t0)) s ($(du -sh "$rootfs" | cut -f1))"
fi

# ---------------------------------------------------------------- root.img ---
image_stamp=$(cat "$SD_DIR/rootfs.stamp" "$SD_FILES"/* "$0" | sha256sum | cut -c1-16)
if ((VM_REBUILD)) || [[ ! -s $SD_DIR/root.img || $(cat "$SD_DIR/image.stamp" 2>/dev/null) != "$image_stamp" ]]; then
	t0=$(date +%s)
	r=$rootfs
	install -m 0644 "$SD_FILES/berth-vm.service" "$r/etc/systemd/system/berth-vm.service"
	install -m 0755 "$SD_FILES/berth-vm-job" "$r/usr/local/sbin/berth-vm-job"
	mkdir -p "$r/etc/systemd/system/multi-user.target.wants"
	ln -sfn /etc/systemd/system/berth-vm.service "$r/etc/systemd/system/multi-user.target.wants/berth-vm.service"
	# /tmp stays on the root filesystem, Debian 12's default (no tmp.mount,
	# whose nodev would break cases that write to device nodes in bundles).
	# Nothing else on the console, and no timers competing for the (emulated) CPU.
	for u in serial-getty@ttyS0.service getty@tty1.service apt-daily.timer apt-daily-upgrade.timer \
		e2scrub_all.timer e2scrub_reap.service fstrim.timer systemd-timesyncd.service; do
		ln -sfn /dev/null "$r/etc/systemd/system/$u"
	done
	echo berth-vm >"$r/etc/hostname"
	printf '127.0.0.1 localhost berth-vm\n' >"$r/etc/hosts"
	printf '# root is /dev/vda, from the kernel command line\n' >"$r/etc/fstab"
	rm -f "$r/etc/machine-id"
	: >"$r/etc/machine-id"
	# One image of the tree, 768 MiB of slack (sparse file).
	size=$(($(du -sm "$r" | cut -f1) + 768))
	rm -f "$SD_DIR/root.img.tmp"
	mkfs.ext4 -q -F -L berthroot -d "$r" "$SD_DIR/root.img.tmp" "${size}M" || vm_die "mkfs.ext4 -d failed"
	mv "$SD_DIR/root.img.tmp" "$SD_DIR/root.img"
	echo "$image_stamp" >"$SD_DIR/image.stamp"
	vm_log "root image built in $(($(date +%s) - t0)) s (${size} MiB)"
fi
kernel=$(ls "$rootfs"/boot/vmlinuz-* | sort -V | tail -n1)
initrd=$(ls "$rootfs"/boot/initrd.img-* | sort -V | tail -n1)
[[ -f $kernel && -f $initrd ]] || vm_die "no kernel or initrd in $rootfs/boot"

# ------------------------------------------------------------- payload.tar ---
st=$SD_DIR/payload.root
rm -rf "$st"
mkdir -p "$st"
vm_repo_payload "$st"
vm_job_dir "$st"
tar -C "$st" --owner=0 --group=0 -cf "$SD_DIR/payload.tar" berth job
rm -rf "$st"

# ------------------------------------------------------------------ boot ---
vm_log "booting $(basename "$kernel") with systemd (tcg, $VM_SMP vCPU, $VM_MEM MiB, timeout ${VM_TIMEOUT}s)"
vm_qemu "$SD_DIR/console.log" -kernel "$kernel" -initrd "$initrd" -snapshot \
	-drive "file=$SD_DIR/root.img,format=raw,if=virtio" \
	-drive "file=$SD_DIR/payload.tar,format=raw,if=virtio,readonly=on" \
	-append "console=ttyS0 root=/dev/vda rw quiet panic=-1 systemd.show_status=false systemd.unified_cgroup_hierarchy=1"
vm_report "$SD_DIR/console.log"
