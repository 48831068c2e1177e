#!/usr/bin/env bash
# Run berth's integration cases (or any command) in a QEMU VM that boots a
# minimal Debian 12 with systemd as PID 1 (cgroup v2 only, as systemd 252
# sets it up): the job runs in berth-vm.service with Delegate=yes, below
# /system.slice, with dbus running, as under containerd on a real host.
#
# The root image is built once with debootstrap (--variant=minbase, plus
# systemd, dbus, kmod, bats, jq, busybox-static, procps), the host's runc and
# crun, and the modules of the kernel run-v2.sh boots, then mkfs.ext4 -d. It
# is cached in $VM_CACHE/systemd (/var/cache/berth-vm by default), keyed by a
# hash of its inputs, so every checkout on the machine shares it. The kernel
# (the same as run-v2.sh's) boots it without an initrd: NVMe and ext4 are
# built in. It is booted with -snapshot, so it never changes. The repo payload
# and the job go in on a second NVMe disk (a tar). Same options, output and
# exit status as run-v2.sh:
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
# the first debootstrap only). Console: $VM_DIR/systemd/console.log (VM_DIR:
# build/vm by default).
set -euo pipefail

source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
vm_parse_args "$@"
[[ -z $VM_MODULES ]] || vm_die "--modules: the Debian initrd and udev load modules here"

SD_DIR=$VM_DIR/systemd
SD_CACHE=$VM_CACHE/systemd
SD_FILES=$VM_LIB_DIR/systemd
# Beyond minbase (which has util-linux, mount, bsdutils, diffutils,
# findutils). No kernel, initramfs-tools or udev: the guest boots run-v2.sh's
# kernel without an initrd, and kmod's modprobe loads modules on demand (mount
# -t overlay, veth) from the /lib/modules copied into the image. runc and crun
# come from the host, as in run-v2.sh.
SD_PKGS="systemd systemd-sysv dbus kmod bats jq busybox-static procps"
SD_SUITE=bookworm
# Bump to rebuild the tree when the way it is made changes.
SD_ROOTFS_REV=2

mkdir -p "$SD_DIR" "$SD_CACHE"
exec 9>"$SD_DIR/lock"
flock 9

vm_ensure_pkgs qemu-system-x86 debootstrap e2fsprogs tar
kdir=$(vm_kernel_dir)
kernel=$(ls "$kdir"/boot/vmlinuz-* | head -n1)
kver=$(basename "$(ls -d "$kdir"/lib/modules/*/ | head -n1)")
optional=$(vm_installed $VM_GUEST_OPTIONAL_PKGS)

# The host's Debian mirror (deb822 or one-line sources), else deb.debian.org.
sd_mirror() {
	local m
	m=$(grep -hs -E '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' |
		grep -E '/debian/?$' | head -n1)
	[[ -n $m ]] || m=$(grep -hs -E '^deb ' /etc/apt/sources.list | awk '{print $2}' |
		grep -E '/debian/?$' | head -n1)
	echo "${m:-http://deb.debian.org/debian}"
}

# ------------------------------------------------------------ debootstrap ---
# $SD_CACHE/rootfs-<stamp>: the debootstrap tree, never changed once made.
rootfs_stamp=$(echo "$SD_ROOTFS_REV $SD_SUITE $SD_PKGS $(sd_mirror)" | sha256sum | cut -c1-16)
rootfs=$SD_CACHE/rootfs-$rootfs_stamp
exec 8>"$SD_CACHE/lock"
flock 8
if ((VM_REBUILD)) || [[ ! -e $rootfs/.complete ]]; then
	t0=$(date +%s)
	rm -rf "$rootfs" "$rootfs.tmp"
	mkdir -p "$SD_CACHE/debs"
	# debootstrap takes a .deb from its cache directory when the name and the
	# checksum match: seed it with the host's apt cache (hard links).
	cp -ln /var/cache/apt/archives/*.deb "$SD_CACHE/debs/" 2>/dev/null || true
	vm_log "debootstrap $SD_SUITE from $(sd_mirror) (once per machine; a few minutes)"
	debootstrap --variant=minbase --include="$(echo $SD_PKGS | tr ' ' ,)" \
		--cache-dir="$SD_CACHE/debs" "$SD_SUITE" "$rootfs.tmp" "$(sd_mirror)" \
		>"$SD_CACHE/debootstrap.log" 2>&1 ||
		vm_die "debootstrap failed, see $SD_CACHE/debootstrap.log"
	# What a test VM never reads.
	rm -rf "$rootfs.tmp"/var/cache/apt/archives/*.deb "$rootfs.tmp"/var/lib/apt/lists/* \
		"$rootfs.tmp"/usr/share/{doc,man,info,locale,lintian}
	touch "$rootfs.tmp/.complete"
	mv "$rootfs.tmp" "$rootfs"
	vm_log "debootstrap done in $(($(date +%s) - t0)) s ($(du -sh "$rootfs" | cut -f1))"
fi
touch "$rootfs"

# ---------------------------------------------------------------- root.img ---
# $SD_CACHE/root-<stamp>.img: the tree, plus the host's runc/crun, the kernel's
# modules, berth-vm.service and the masks.
image_stamp=$(
	{
		echo "$rootfs_stamp $kdir"
		dpkg-query -W -f='${Package} ${Version}\n' $optional
		cat "$SD_FILES"/* "$0" "$VM_LIB_DIR/lib.sh"
	} | sha256sum | cut -c1-16
)
image=$SD_CACHE/root-$image_stamp.img
if ((VM_REBUILD)) || [[ ! -s $image ]]; then
	t0=$(date +%s)
	r=$SD_CACHE/image.root.$$
	rm -rf "$r"
	# Hard links: nothing below may write into a file of the tree (rm first).
	cp -al "$rootfs" "$r"
	rm -f "$r/.complete"
	vm_copy_pkgs "$r" $optional
	mkdir -p "$r/usr/lib/modules"
	cp -al "$kdir/lib/modules/$kver" "$r/usr/lib/modules/" 2>/dev/null ||
		cp -a "$kdir/lib/modules/$kver" "$r/usr/lib/modules/"
	install -D -m 0644 "$SD_FILES/berth-vm.service" "$r/etc/systemd/system/berth-vm.service"
	install -D -m 0755 "$SD_FILES/berth-vm-job" "$r/usr/local/sbin/berth-vm-job"
	mkdir -p "$r/etc/systemd/system/multi-user.target.wants"
	ln -sfn /etc/systemd/system/berth-vm.service "$r/etc/systemd/system/multi-user.target.wants/berth-vm.service"
	# /tmp stays on the root filesystem, Debian 12's default (no tmp.mount,
	# whose nodev would break cases that write to device nodes in bundles).
	# Nothing else on the console, and no timers competing for the (emulated) CPU.
	for u in serial-getty@ttyS0.service getty@tty1.service apt-daily.timer apt-daily-upgrade.timer \
		e2scrub_all.timer e2scrub_reap.service fstrim.timer systemd-timesyncd.service; do
		ln -sfn /dev/null "$r/etc/systemd/system/$u"
	done
	rm -f "$r"/etc/{hostname,hosts,fstab,machine-id}
	echo berth-vm >"$r/etc/hostname"
	printf '127.0.0.1 localhost berth-vm\n' >"$r/etc/hosts"
	printf '# root is /dev/nvme0n1, from the kernel command line\n' >"$r/etc/fstab"
	: >"$r/etc/machine-id"
	# One image of the tree, 768 MiB of slack (sparse file).
	size=$(($(du -sm "$r" | cut -f1) + 768))
	rm -f "$image.tmp"
	mkfs.ext4 -q -F -L berthroot -d "$r" "$image.tmp" "${size}M" || vm_die "mkfs.ext4 -d failed"
	rm -rf "$r"
	mv "$image.tmp" "$image"
	vm_log "root image built in $(($(date +%s) - t0)) s (${size} MiB)"
fi
touch "$image"
rm -rf "$SD_CACHE"/image.root.*
vm_prune 2 "$SD_CACHE"/rootfs-*
vm_prune 3 "$SD_CACHE"/root-*.img
exec 8>&-

# ------------------------------------------------------------- payload.tar ---
st=$SD_DIR/payload.root
rm -rf "$st"
mkdir -p "$st"
vm_repo_payload "$st"
vm_job_dir "$st"
tar -C "$st" --owner=0 --group=0 -cf "$SD_DIR/payload.tar" berth job
rm -rf "$st"

# ------------------------------------------------------------------ boot ---
# One NVMe controller (built into the kernel, so no initrd is needed) with
# two namespaces: nvme0n1 the root image, nvme0n2 the payload. Namespaces of
# one controller are numbered in order; two controllers would be probed in
# parallel. The image is opened at start, so pruning it later does not
# disturb a running VM.
vm_log "booting $(basename "$kernel") with systemd (${VM_ACCEL%%,*}, $VM_SMP vCPU, $VM_MEM MiB, timeout ${VM_TIMEOUT}s)"
vm_qemu "$SD_DIR/console.log" -kernel "$kernel" -snapshot \
	-drive "file=$image,format=raw,if=none,id=root" \
	-drive "file=$SD_DIR/payload.tar,format=raw,if=none,id=payload,readonly=on" \
	-device nvme,id=nvme0,serial=berth -device nvme-ns,bus=nvme0,drive=root,nsid=1 \
	-device nvme-ns,bus=nvme0,drive=payload,nsid=2 \
	-append "console=ttyS0 root=/dev/nvme0n1 rootwait rw quiet panic=-1 systemd.show_status=false systemd.unified_cgroup_hierarchy=1"
vm_report "$SD_DIR/console.log"
