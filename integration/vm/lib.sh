# shellcheck shell=bash
# Shared helpers for the VM test harnesses in integration/vm/ (sourced, bash).
#
# Per checkout, under $VM_DIR (build/vm/ by default; set VM_DIR to use another):
#   repo.cpio + repo.stamp        build/berth, build/probe, integration/
#   job.cpio                      the one command a run executes
#   initrd.img                    base + repo + job, concatenated (the kernel
#                                 unpacks concatenated newc archives in order)
#   console.log                   the serial console of the last run
#   systemd/                      run-systemd.sh: payload.tar, console.log
#
# Shared by every checkout on the machine, under $VM_CACHE (/var/cache/berth-vm
# by default), so that a fresh clone boots at once; every entry is keyed by a
# hash of its inputs, and builds happen under a lock:
#   kernel/<package>_<version>/   the Debian cloud kernel, extracted with
#                                 dpkg-deb -x (nothing is installed into /boot)
#   v2/base-<hash>.cpio           tools, libraries, /init (a new one when the
#                                 host packages, busybox, init or this file change)
#   systemd/                      run-systemd.sh: the debootstrap tree, the
#                                 root images, the .deb cache
VM_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$VM_LIB_DIR/../.." && pwd)
VM_DIR=${VM_DIR:-$REPO/build/vm}
VM_CACHE=${VM_CACHE:-/var/cache/berth-vm}

# Host tools the harness itself uses (qemu, cpio) and the Debian packages whose
# files go into the guest.
VM_HOST_PKGS="qemu-system-x86 cpio busybox-static"
# Packages copied whole into the guest (minus docs/man/locales), with the
# shared libraries of every ELF file in them.
VM_GUEST_PKGS="bash coreutils bats jq grep sed findutils mawk procps util-linux mount
bsdutils diffutils"
# Copied too when installed on the host: runc validates the suite itself on
# cgroup v2 (--env RUNTIME=/usr/sbin/runc), and crun is the third runtime of
# `make bench` (bench-v2.sh installs it; it refuses the hybrid hosts).
VM_GUEST_OPTIONAL_PKGS="runc crun"

vm_log() { echo "vm: $*" >&2; }
vm_die() { echo "vm: error: $*" >&2; exit 2; }

# vm_ensure_pkgs PKG...: install the missing ones, non-interactively.
vm_ensure_pkgs() {
	local p missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	((${#missing[@]} == 0)) && return 0
	# Both harnesses may start at once (make test): one apt-get at a time.
	mkdir -p "$VM_CACHE"
	(
		flock 7
		vm_log "installing: ${missing[*]}"
		export DEBIAN_FRONTEND=noninteractive
		apt-get -o DPkg::Lock::Timeout=600 update -qq >&2 &&
			apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >&2
	) 7>"$VM_CACHE/apt.lock" || vm_die "apt-get install ${missing[*]} failed"
}

# vm_kernel_dir: print the directory of the extracted cloud kernel
# (…/boot/vmlinuz-*, …/lib/modules/*). Downloads it once with `apt-get
# download` (no dpkg -i: /boot and the host's boot config stay untouched).
# VM_KERNEL_PKG overrides the package (default: what linux-image-cloud-amd64
# depends on). Offline, falls back to the newest kernel already cached. The
# kernel lives in $VM_CACHE/kernel/, shared by both guests and all checkouts.
vm_kernel_dir() {
	local pkg=${VM_KERNEL_PKG:-} ver="" dir
	mkdir -p "$VM_CACHE/kernel"
	if [[ -z $pkg ]]; then
		pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
			awk '/Depends: linux-image-/ {print $2; exit}')
		if [[ -z $pkg ]]; then
			apt-get update -qq >&2 || true
			pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
				awk '/Depends: linux-image-/ {print $2; exit}')
		fi
	fi
	[[ -n $pkg ]] && ver=$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ {print $2; exit}')
	if [[ -z $pkg || -z $ver || $ver == "(none)" ]]; then
		dir=$(ls -d "$VM_CACHE"/kernel/*_*/ 2>/dev/null | sort -V | tail -n1)
		[[ -n $dir ]] || vm_die "cannot resolve linux-image-cloud-amd64 and no kernel is cached"
		vm_log "apt cannot resolve the kernel; using cached ${dir%/}"
		echo "${dir%/}"
		return 0
	fi
	dir=$VM_CACHE/kernel/${pkg}_${ver//:/%}
	if ! compgen -G "$dir/boot/vmlinuz-*" >/dev/null; then
		exec 8>"$VM_CACHE/kernel/lock"
		flock 8
	fi
	if ! compgen -G "$dir/boot/vmlinuz-*" >/dev/null; then
		vm_log "downloading $pkg $ver"
		local dl=$VM_CACHE/kernel/dl.$$
		rm -rf "$dl" "$dir.tmp"
		mkdir -p "$dl"
		(cd "$dl" && apt-get download -o APT::Sandbox::User=root "$pkg=$ver" >&2) ||
			{ rm -rf "$dl"; vm_die "apt-get download $pkg=$ver failed"; }
		dpkg-deb -x "$dl"/*.deb "$dir.tmp" || vm_die "dpkg-deb -x failed"
		rm -rf "$dl"
		# dpkg-deb -x does not run the postinst: modules.dep is ours to make.
		vm_depmod "$dir.tmp"
		mv "$dir.tmp" "$dir"
	fi
	exec 8>&-
	echo "$dir"
}

# vm_usr_path PATH: PATH in the merged-/usr layout (/bin/x -> /usr/bin/x).
vm_usr_path() {
	case $1 in
	/bin/* | /sbin/* | /lib/* | /lib64/*) echo "/usr$1" ;;
	*) echo "$1" ;;
	esac
}

# vm_copy_files ROOT < LIST: copy the files and symlinks (not following them)
# named one per line on stdin into ROOT, at the same paths. One tar pipe: a
# process per file costs seconds per thousand files here.
vm_copy_files() {
	tar -C / --no-recursion -cf - -T - | tar -C "$1" -xf -
}

# vm_copy_elf_deps ROOT FILE...: copy the shared libraries (and loader) that
# the dynamic ELF files among FILE... need, following symlinks.
vm_copy_elf_deps() {
	local root=$1 f lib magic elves=()
	shift
	for f in "$@"; do
		[[ -f $f && ! -L $f ]] || continue
		magic=""
		LC_ALL=C read -r -n 4 magic <"$f" 2>/dev/null || true
		[[ $magic == $'\x7fELF' ]] && elves+=("$f")
	done
	((${#elves[@]})) || return 0
	# One ldd for all of them; static binaries just say so.
	ldd "${elves[@]}" 2>/dev/null | awk '/=> \// {print $3} /^\t\// {print $1}' | sort -u |
		while read -r lib; do
			lib=$(vm_usr_path "$lib")
			[[ -e $root$lib ]] && continue
			mkdir -p "$root$(dirname "$lib")"
			cp -L "$lib" "$root$lib"
		done
}

# vm_copy_pkgs ROOT PKG...: copy the packages' files (no docs, man pages,
# locales, /etc) and their libraries into ROOT (which has the merged-/usr
# symlinks).
vm_copy_pkgs() {
	local root=$1 f
	shift
	local files=()
	while read -r f; do
		case $f in
		/usr/share/doc/* | /usr/share/man/* | /usr/share/locale/* | /usr/share/info/* | \
			/usr/share/lintian/* | /usr/share/bash-completion/* | /usr/share/zsh/* | /etc/*) continue ;;
		esac
		[[ -L $f || -f $f ]] || continue
		files+=("$(vm_usr_path "$f")")
	done < <(dpkg -L "$@")
	printf '%s\n' "${files[@]}" | sort -u | sed 's|^/||' | vm_copy_files "$root"
	vm_copy_elf_deps "$root" "${files[@]}"
}

# vm_alternatives ROOT: the host's /etc/alternatives command links (awk ->
# mawk, ...) whose final target is in ROOT, as direct symlinks.
vm_alternatives() {
	local root=$1 l t
	for l in /usr/bin/* /usr/sbin/*; do
		[[ -L $l && $(readlink "$l") == /etc/alternatives/* ]] || continue
		t=$(readlink -f "$l") || continue
		[[ -e $root$t && ! -e $root$l ]] && ln -s "$t" "$root$l"
	done
	return 0
}

# vm_merged_usr ROOT: the Debian 12 merged-/usr layout.
vm_merged_usr() {
	local root=$1 d
	mkdir -p "$root"/usr/{bin,sbin,lib,lib64}
	for d in bin sbin lib lib64; do ln -sfn "usr/$d" "$root/$d"; done
}

# vm_busybox_applets ROOT: /bin/busybox plus a symlink for every applet that
# no real package provided.
vm_busybox_applets() {
	local root=$1 a
	cp /bin/busybox "$root/usr/bin/busybox"
	for a in $(/bin/busybox --list-full); do
		[[ -e $root/$a || -L $root/$a ]] && continue
		mkdir -p "$root/$(dirname "$a")"
		ln -s /bin/busybox "$root/$a"
	done
}

# vm_depmod KDIR: modules.dep & co. for the kernel extracted in KDIR (dpkg-deb
# -x does not run the postinst that makes them).
vm_depmod() {
	local kdir=$1 mdir
	mdir=$(ls -d "$kdir"/lib/modules/*/ | head -n1)
	mdir=${mdir%/}
	[[ -s $mdir/modules.dep ]] && return 0
	command -v depmod >/dev/null || vm_ensure_pkgs kmod
	depmod -b "$kdir" "$(basename "$mdir")" >&2 || vm_die "depmod failed"
}

# vm_prune KEEP GLOB...: delete all but the KEEP most recently used (mtime)
# of the cache entries matching GLOB... (files or directories). Callers touch
# an entry when they use it. A VM that has an image open keeps it alive.
vm_prune() {
	local keep=$1 e
	shift
	# shellcheck disable=SC2012
	ls -1dt "$@" 2>/dev/null | tail -n +"$((keep + 1))" | while read -r e; do
		vm_log "pruning old cache entry $e"
		rm -rf "$e"
	done
}

# vm_modules ROOT KDIR MODULE...: copy MODULEs and their dependencies (from
# modules.dep) to ROOT/job/modules/ and list them, dependencies first, in
# ROOT/job/modules.list for /init to insmod. Part of the job, so that changing
# them does not rebuild the base image.
vm_modules() {
	local root=$1 kdir=$2 m
	shift 2
	(($# == 0)) && return 0
	local mdir
	mdir=$(ls -d "$kdir"/lib/modules/*/ | head -n1)
	mdir=${mdir%/}
	vm_depmod "$kdir"
	local -A seen=()
	local order=()
	_vm_mod_add() {
		local name=$1 line path dep
		line=$(grep -E "(^|/)${name//-/[-_]}\.ko(\.[a-z]+)?:" "$mdir/modules.dep" | head -n1 || true)
		if [[ -z $line ]]; then
			grep -qE "/${name//-/[-_]}\.ko" "$mdir/modules.builtin" && return 0
			vm_die "module $name not found in $mdir"
		fi
		path=${line%%:*}
		[[ -n ${seen[$path]:-} ]] && return 0
		seen[$path]=1
		for dep in ${line#*:}; do
			dep=$(basename "$dep")
			_vm_mod_add "${dep%%.ko*}"
		done
		order+=("$path")
	}
	for m in "$@"; do _vm_mod_add "$m"; done
	mkdir -p "$root/job/modules"
	for m in "${order[@]}"; do
		cp "$mdir/$m" "$root/job/modules/"
		echo "/job/modules/$(basename "$m")" >>"$root/job/modules.list"
	done
}

# vm_cpio DIR OUT: newc archive of DIR, owned by root, uncompressed (TCG
# decompresses slowly; the kernel copies an uncompressed archive directly).
vm_cpio() {
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$2.tmp" &&
		mv "$2.tmp" "$2"
}

# vm_repo_payload DIR: what the guest needs of the repo, at /berth.
vm_repo_payload() {
	local d=$1
	[[ -x $REPO/build/berth && -x $REPO/build/probe ]] ||
		vm_die "build/berth or build/probe missing: run 'make all' first"
	mkdir -p "$d/berth/build"
	cp -a "$REPO/build/berth" "$REPO/build/probe" "$d/berth/build/"
	# The systemd cgroup driver's D-Bus helper (dynamic: libc, libsystemd0,
	# which both guests have), when it is built.
	[[ ! -x $REPO/build/berth-systemd ]] || cp -a "$REPO/build/berth-systemd" "$d/berth/build/"
	# A binary caught mid-link by a concurrent `make` would fail here, not in the VM.
	"$d/berth/build/berth" --version >/dev/null 2>&1 ||
		vm_die "build/berth does not run (being rebuilt?)"
	cp -a "$REPO/integration" "$d/berth/"
	# helpers.bash rebuilds the probe when probe.cpp is newer: never in the guest.
	touch "$d/berth/build/probe"
}

# vm_hash FILE...: one short hash over the contents of FILEs/dirs (those
# that exist).
vm_hash() {
	local p ps=()
	for p in "$@"; do [[ -e $p ]] && ps+=("$p"); done
	find "${ps[@]}" -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16
}

# vm_installed PKG...: those of PKG... installed on the host.
vm_installed() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' && echo "$p"
	done
	return 0
}

# ------------------------------------------------- options, job, boot, report

# vm_parse_args "$@": the options both harnesses take. Sets VM_CASES (guest
# paths), VM_FILTER, VM_CMD, VM_ENVS, VM_FILES, VM_MODULES, VM_DMESG,
# VM_REBUILD, VM_TIMEOUT, VM_MEM, VM_SMP, VM_CPU, VM_ACCEL. $1 of usage
# text: the calling script.
vm_parse_args() {
	local cases=""
	VM_FILTER="" VM_CMD="" VM_MODULES="" VM_DMESG=0 VM_REBUILD=0
	VM_TIMEOUT=${VM_TIMEOUT:-900} VM_MEM=${VM_MEM:-2048} VM_SMP=${VM_SMP:-2} VM_CPU=${VM_CPU:-max}
	# TCG unless VM_ACCEL says otherwise: a /dev/kvm that exists is no proof
	# that KVM works. The development VMs expose a nested one on which
	# qemu aborts (-cpu max/host: "failed to set MSR 0x10a") or the guest
	# never prints a line (-cpu max,-arch-capabilities). VM_ACCEL=kvm on a
	# host where it works.
	VM_ACCEL=${VM_ACCEL:-tcg,thread=multi}
	VM_ENVS=() VM_FILES=() VM_CASES=()
	while (($#)); do
		case $1 in
		--cases) cases=$2; shift 2 ;;
		--filter) VM_FILTER=$2; shift 2 ;;
		--cmd) VM_CMD=$2; shift 2 ;;
		--env) [[ $2 == [A-Za-z_]*=* ]] || vm_die "--env wants NAME=VALUE"; VM_ENVS+=("$2"); shift 2 ;;
		--file) VM_FILES+=("$2"); shift 2 ;;
		--modules) VM_MODULES=$2; shift 2 ;;
		--timeout) VM_TIMEOUT=$2; shift 2 ;;
		--mem) VM_MEM=$2; shift 2 ;;
		--smp) VM_SMP=$2; shift 2 ;;
		--cpu) VM_CPU=$2; shift 2 ;;
		--dmesg) VM_DMESG=1; shift ;;
		--rebuild) VM_REBUILD=1; shift ;;
		-h | --help) vm_usage 0 ;;
		*) echo "unknown argument: $1" >&2; vm_usage 2 >&2 ;;
		esac
	done
	[[ -n $cases && -n $VM_CMD ]] && vm_die "--cases and --cmd exclude each other"
	[[ -z $VM_CMD && -z $cases ]] && cases=integration/cases
	[[ $(id -u) == 0 ]] || vm_die "must run as root"
	# Guest paths of the cases: relative to the repo, which is /berth in the guest.
	local c
	# Unquoted: globs expand (relative to the current directory); one that
	# matches nothing, such as a file the suite does not have yet, is skipped.
	for c in $cases; do
		if [[ ! -e $c && ! -e $REPO/$c && $c == *[*?[]* ]]; then
			vm_log "note: $c matches no file; skipped"
			continue
		fi
		[[ -e $c || $c == /* ]] || c=$REPO/$c
		c=$(readlink -f "$c")
		[[ $c == "$REPO"/* && -e $c ]] || vm_die "not a file or directory in the repo: $c"
		VM_CASES+=("${c#"$REPO"/}")
	done
	[[ -n $VM_CMD || ${#VM_CASES[@]} -gt 0 ]] || vm_die "--cases: no bats file to run"
	return 0
}

# vm_usage STATUS: the calling script's header comment.
vm_usage() {
	sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
	exit "${1:-0}"
}

# vm_job_dir DIR: DIR/job/run (the bash script the guest runs in /berth),
# DIR/job/dmesg (with --dmesg) and the --file copies.
vm_job_dir() {
	local st=$1 e f src dst
	mkdir -p "$st/job"
	{
		echo '#!/bin/bash'
		for e in "${VM_ENVS[@]}"; do printf 'export %s=%q\n' "${e%%=*}" "${e#*=}"; done
		if [[ -n $VM_CMD ]]; then
			printf '%s\n' "$VM_CMD"
		else
			printf 'exec bats --formatter tap --timing --print-output-on-failure'
			[[ -z $VM_FILTER ]] || printf ' -f %q' "$VM_FILTER"
			printf ' %q' "${VM_CASES[@]}"
			echo
		fi
	} >"$st/job/run"
	((VM_DMESG == 0)) || echo 1 >"$st/job/dmesg"
	for f in "${VM_FILES[@]}"; do
		src=${f%%:*} dst=/job/files/$(basename "${f%%:*}")
		[[ $f != *:* ]] || dst=${f#*:}
		[[ -e $src ]] || vm_die "--file: no such file: $src"
		mkdir -p "$st$(dirname "$dst")"
		cp -a "$src" "$st$dst"
	done
}

# vm_qemu LOG QEMU-ARG...: boot under TCG with the serial console on stdio,
# a hard timeout, the console copied raw to LOG and shown without CRs and
# escape sequences. Sets VM_QRC (qemu's status, 124 on timeout) and VM_WALL.
vm_qemu() {
	local log=$1 start
	shift
	start=$(date +%s.%N)
	set +e
	# --foreground: qemu stays in our process group, so that stopping the
	# harness (or `make test`) stops the VM too.
	timeout --foreground -k 10 "$VM_TIMEOUT" qemu-system-x86_64 \
		-accel "$VM_ACCEL" -cpu "$VM_CPU" -m "$VM_MEM" -smp "$VM_SMP" \
		-nographic -no-reboot -nic none "$@" </dev/null 2>&1 |
		tee "$log" | sed -u -e 's/\r$//' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1bc//g'
	VM_QRC=${PIPESTATUS[0]}
	set -e
	VM_WALL=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
}

# vm_report LOG: timings, the bats summary (`N passed, N failed, N skipped`)
# when the job was bats, and exit with the guest job's status (124 on
# timeout, 99 without a trailer).
vm_report() {
	local log=$1 trailer times boot end rc
	trailer=$(tr -d '\r' <"$log" | grep -a -o 'BERTH-VM-RESULT rc=[0-9]*' | tail -n1 || true)
	times=$(tr -d '\r' <"$log" | grep -a -o 'BERTH-VM-TIME boot=[0-9.]* end=[0-9.]*' | tail -n1 || true)
	if [[ -n $times ]]; then
		boot=${times#*boot=}
		boot=${boot%% *}
		end=${times#*end=}
		vm_log "$(awk -v w="$VM_WALL" -v b="$boot" -v e="$end" \
			'BEGIN {printf "wall %.1f s: guest boot %.1f s, job %.1f s, rest (qemu, firmware, poweroff) %.1f s", w, b, e - b, w - e}')"
	fi
	if [[ -z $VM_CMD ]]; then
		tr -d '\r' <"$log" | sed -n '/^BERTH-VM-BEGIN/,/^BERTH-VM-END/p' | awk '
			/^ok / && / # skip/ {s++; next}
			/^ok / {p++; if (match($0, / in [0-9]+ms$/)) ms += substr($0, RSTART + 4, RLENGTH - 6); next}
			/^not ok / {f++; if (match($0, / in [0-9]+ms$/)) ms += substr($0, RSTART + 4, RLENGTH - 6)}
			END {n = p + f; if (n) printf "vm: %d cases ran in %.1f s (%.2f s per case)\n", n, ms / 1000, ms / 1000 / n > "/dev/stderr";
			     printf "%d passed, %d failed, %d skipped\n", p, f, s}'
	fi
	if [[ -z $trailer ]]; then
		if ((VM_QRC == 124)); then
			vm_log "timed out after ${VM_TIMEOUT}s (no BERTH-VM-RESULT trailer); console: $log"
			exit 124
		fi
		vm_log "no BERTH-VM-RESULT trailer (qemu exit $VM_QRC); console: $log"
		exit 99
	fi
	rc=${trailer#*rc=}
	vm_log "guest job exit status $rc; console: $log"
	exit "$rc"
}
