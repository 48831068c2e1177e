#!/usr/bin/env bash
# bench.sh: berth vs runc (and crun) on the same bundle.
#
# For BENCH_N iterations (default 100), interleaved so all runtimes see the
# same machine state:
#   run                   `<rt> run` of /bin/true (foreground, deleted after)
#   create+start+delete   `<rt> create`, `<rt> start`, `<rt> delete --force`
# then, as a separate phase, `run` again with one cpuset cgroup kept for the
# whole phase ("run, cpuset kept"): see KEEP below.
# Each runtime has its own --root.  Wall time per iteration comes from bash's
# $EPOCHREALTIME (no fork for timing; the shell overhead is the same for both).
# Reports medians (and p90) per runtime and the ratio <other>/berth for each
# other runtime, plus the peak RSS of one `run` invocation (GNU time, else
# `probe rusage`).
#
# RUNTIMES lists the runtimes, berth first: "berth runc" by default (runc
# only when found, but its columns always print). crun refuses the hybrid
# cgroup hosts, so integration/vm/bench-v2.sh runs "berth runc crun" in the
# pure cgroup v2 VM.
#
#   make bench               # or: integration/bench.sh
#   BENCH_N=20 BERTH=build/berth RUNC=/usr/sbin/runc integration/bench.sh
#   RUNTIMES="berth runc crun" CRUN=/usr/bin/crun integration/bench.sh
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
N=${BENCH_N:-100}
BERTH=${BERTH:-$REPO/build/berth}
RUNC=${RUNC:-$(command -v runc || true)}
CRUN=${CRUN:-$(command -v crun || true)}
BUSYBOX=${BUSYBOX:-/bin/busybox}
PROBE=$REPO/build/probe
BENCH=$REPO/build/bench

die() { echo "bench.sh: $*" >&2; exit 1; }
[[ $EUID -eq 0 ]] || die "must run as root"
[[ -x $BERTH ]] || die "berth not found: $BERTH (run 'make' first)"
bin_of() {
	case $1 in
	berth) echo "$BERTH" ;;
	runc) echo "$RUNC" ;;
	crun) echo "$CRUN" ;;
	esac
}
# The runtimes measured (RUNTIMES) and those shown in the table (COLUMNS).
if [[ -n ${RUNTIMES:-} ]]; then
	read -r -a COLUMNS <<<"$RUNTIMES"
	[[ ${COLUMNS[0]} == berth ]] || die "RUNTIMES must start with berth"
	RUNTIMES=()
	for rt in "${COLUMNS[@]}"; do
		case $rt in
		berth) RUNTIMES+=(berth) ;;
		runc) [[ -n $RUNC && -x $RUNC ]] && RUNTIMES+=(runc) || echo "bench.sh: runc not found, skipped" >&2 ;;
		crun) [[ -n $CRUN && -x $CRUN ]] && RUNTIMES+=(crun) || echo "bench.sh: crun not found, skipped" >&2 ;;
		*) die "unknown runtime in RUNTIMES: $rt (berth, runc, crun)" ;;
		esac
	done
	[[ " ${RUNTIMES[*]} " == *" runc "* ]] || RUNC=
else
	COLUMNS=(berth runc)
	[[ -n $RUNC && -x $RUNC ]] || { echo "bench.sh: runc not found, benchmarking berth alone" >&2; RUNC=; }
	RUNTIMES=(berth)
	[[ -n $RUNC ]] && RUNTIMES+=(runc)
fi
[[ $N =~ ^[1-9][0-9]*$ ]] || die "BENCH_N must be a positive integer"
command -v jq >/dev/null || die "jq not found"

# Bundle: busybox rootfs, runc's default spec (berth's if runc is absent),
# terminal false, args ["/bin/true"].
if [[ ! -x $BENCH/rootfs/bin/busybox || $BUSYBOX -nt $BENCH/rootfs/bin/busybox ]]; then
	rm -rf "$BENCH/rootfs"
	mkdir -p "$BENCH/rootfs"/{bin,dev,proc,sys,tmp,etc}
	cp "$BUSYBOX" "$BENCH/rootfs/bin/busybox"
	chroot "$BENCH/rootfs" /bin/busybox --install -s /bin
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$BENCH/rootfs/etc/passwd"
	printf 'root:x:0:\n' >"$BENCH/rootfs/etc/group"
fi
rm -f "$BENCH/config.json"
"${RUNC:-$BERTH}" spec --bundle "$BENCH"
jq '.process.terminal = false | .process.args = ["/bin/true"]' "$BENCH/config.json" >"$BENCH/config.json.tmp"
mv "$BENCH/config.json.tmp" "$BENCH/config.json"

# State roots live on a tmpfs, as they do in production (/run/runc,
# /run/containerd/runc, /var/run/docker/runtime-runc are all under /run).
# This VM's /run is on its ext4 root, where each mkdir/rename costs ~1 ms.
WORK=$(mktemp -d /tmp/berth-bench.XXXXXX)
mount -t tmpfs -o mode=0700 berth-bench "$WORK"
cleanup() {
	local rt
	for rt in "${RUNTIMES[@]}"; do
		[[ -d $WORK/root-$rt ]] || continue
		for d in "$WORK/root-$rt"/*/; do
			[[ -d $d ]] && "$(bin_of "$rt")" \
				--root "$WORK/root-$rt" delete --force "$(basename "$d")" >/dev/null 2>&1
		done
	done
	umount "$WORK" 2>/dev/null || true
	rm -rf "$WORK"
	[[ -z ${KEEP:-} ]] || rmdir "$KEEP" 2>/dev/null || true
}
trap cleanup EXIT

FAILS=0

# one NAME BIN KIND I: one timed iteration; appends microseconds to $WORK/NAME.KIND.
# Each runtime invocation is timed by `probe timeit` (spawn to reap, stdio on
# /dev/null); a cycle is the sum of its three invocations.
one() {
	local name=$1 bin=$2 kind=$3 i=$4 root=$WORK/root-$1 id=b$4 us total=0 ok=1
	case $kind in
	run | steady)
		us=$("$PROBE" timeit "$bin" --root "$root" run --bundle "$BENCH" "$id") || ok=0
		total=$us
		;;
	cycle)
		for step in "create --bundle $BENCH $id" "start $id" "delete --force $id"; do
			# shellcheck disable=SC2086
			us=$("$PROBE" timeit "$bin" --root "$root" $step) || { ok=0; break; }
			total=$((total + us))
		done
		;;
	esac
	if ((ok)); then
		echo "$total" >>"$WORK/$name.$kind"
	else
		FAILS=$((FAILS + 1))
		"$bin" --root "$root" delete --force "$id" >/dev/null 2>&1 || true
	fi
}

# stats FILE: "median p90" in milliseconds.
stats() {
	[[ -s $1 ]] || { echo "- -"; return; }
	sort -n "$1" | awk '{ v[NR] = $1 } END {
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		p = v[int(0.9 * NR + 0.999)]; if (p == "") p = v[NR]
		printf "%.2f %.2f\n", m / 1000, p / 1000 }'
}

# peak_rss BIN: KiB of peak RSS of one `run` invocation.
peak_rss() {
	local bin=$1 root=$WORK/root-rss out
	mkdir -p "$root"
	if [[ -x /usr/bin/time ]] && /usr/bin/time -f %M true >/dev/null 2>&1; then
		/usr/bin/time -o "$WORK/rss" -f 'maxrss_kb=%M' "$bin" --root "$root" run --bundle "$BENCH" rss \
			</dev/null >/dev/null 2>&1 || true
		out=$(cat "$WORK/rss")
	elif [[ -x $PROBE ]]; then
		out=$("$PROBE" rusage "$bin" --root "$root" run --bundle "$BENCH" rss 2>&1 </dev/null >/dev/null) || true
	else
		echo "-"
		return
	fi
	"$bin" --root "$root" delete --force rss >/dev/null 2>&1 || true
	sed -n 's/.*maxrss_kb=\([0-9]*\).*/\1/p' <<<"$out" | tail -1
}

echo "bench.sh: $N iterations each; berth=$BERTH${RUNC:+ runc=$RUNC}$([[ " ${RUNTIMES[*]} " == *" crun "* ]] && echo " crun=$CRUN")" >&2
# Warm-up (page cache, cgroup hierarchy), not measured.
for i in 1 2 3; do
	for rt in "${RUNTIMES[@]}"; do
		mkdir -p "$WORK/root-$rt"
		"$(bin_of "$rt")" --root "$WORK/root-$rt" run --bundle "$BENCH" "w$i" </dev/null >/dev/null 2>&1 || true
	done
done
for ((i = 0; i < N; i++)); do
	for kind in run cycle; do
		# Alternate which runtime goes first.
		if ((i % 2)); then order=("${RUNTIMES[@]}"); else mapfile -t order < <(printf '%s\n' "${RUNTIMES[@]}" | tac); fi
		for rt in "${order[@]}"; do one "$rt" "$(bin_of "$rt")" "$kind" "$i"; done
	done
done

# A host running containers always has cpuset cgroups that outlive any one
# container (/docker, /kubepods, system.slice, ...). On a test host where a
# container's cgroup is the only one, its cpuset mkdir and rmdir make the
# kernel patch its code (the cpusets_enabled static key) for every container:
# 2-6 ms each on one development VM (0.3 ms on another), paid by every runtime, so the main rows carry that
# constant. The "cpuset kept" phase keeps one cpuset cgroup (KEEP) while it
# runs, as such a host would.
# cpuset_root: where a cpuset cgroup can be made (v1 cpuset mount, or a
# cgroup2 root delegating cpuset); nothing when there is none.
cpuset_root() {
	local mp
	mp=$(awk '/ - cgroup / && $NF ~ /(^|,)cpuset(,|$)/ { print $5; exit }' /proc/self/mountinfo)
	if [[ -z $mp ]]; then
		mp=$(awk '/ - cgroup2 / { print $5; exit }' /proc/self/mountinfo)
		[[ -n $mp ]] && grep -qw cpuset "$mp/cgroup.subtree_control" 2>/dev/null || mp=
	fi
	echo "$mp"
}
if root=$(cpuset_root) && [[ -n $root ]]; then
	KEEP=$root/berth-bench-$$
	mkdir "$KEEP"
	for rt in "${RUNTIMES[@]}"; do
		"$(bin_of "$rt")" --root "$WORK/root-$rt" run --bundle "$BENCH" w-steady </dev/null >/dev/null 2>&1 || true
	done
	for ((i = 0; i < N; i++)); do
		if ((i % 2)); then order=("${RUNTIMES[@]}"); else mapfile -t order < <(printf '%s\n' "${RUNTIMES[@]}" | tac); fi
		for rt in "${order[@]}"; do one "$rt" "$(bin_of "$rt")" steady "$i"; done
	done
	rmdir "$KEEP" && KEEP=
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2fx", a / b; else printf "-" }'; }

# One row: label, runs, then per runtime "med p90", then one ratio per other
# runtime. With the default COLUMNS (berth runc) this is the original table.
others=("${COLUMNS[@]:1}")
row() { printf '%-24s %6s' "$1" "$2"; shift 2; printf ' %12s' "$@"; }
hdr=(benchmark runs)
for rt in "${COLUMNS[@]}"; do hdr+=("$rt med" "$rt p90"); done
printf '\n'
row "${hdr[@]}"
for rt in "${others[@]}"; do printf ' %11s' "$rt/berth"; done
printf '\n'
for kind in run cycle steady; do
	case $kind in
	run) label="run /bin/true (ms)" ;;
	cycle) label="create+start+delete(ms)" ;;
	steady)
		[[ -s $WORK/berth.steady ]] || continue
		label="run, cpuset kept (ms)"
		;;
	esac
	cells=() meds=()
	for rt in "${COLUMNS[@]}"; do
		read -r m p <<<"$(stats "$WORK/$rt.$kind")"
		cells+=("$m" "$p") meds+=("$m")
	done
	row "$label" "$N" "${cells[@]}"
	for ((j = 1; j < ${#COLUMNS[@]}; j++)); do printf ' %11s' "$(ratio "${meds[j]}" "${meds[0]}")"; done
	printf '\n'
done
cells=() rss=()
for rt in "${COLUMNS[@]}"; do
	r=-
	[[ " ${RUNTIMES[*]} " == *" $rt "* ]] && r=$(peak_rss "$(bin_of "$rt")")
	cells+=("${r:--}" "") rss+=("${r:-0}")
done
row "peak RSS of run (KiB)" 1 "${cells[@]}"
for ((j = 1; j < ${#COLUMNS[@]}; j++)); do printf ' %11s' "$(ratio "${rss[j]/-/0}" "${rss[0]/-/0}")"; done
printf '\n'
if ((FAILS)); then
	echo "bench.sh: $FAILS failed invocations (not counted)" >&2
	exit 1
fi
