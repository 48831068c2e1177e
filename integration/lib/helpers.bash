# Shared helpers for the berth integration suite (bats).
#
# Every case file does:
#   load ../lib/helpers
#   setup_file()    { common_setup_file; }
#   setup()         { common_setup; }
#   teardown()      { common_teardown; }
#
# Per test: $ROOT (a fresh --root), $BUNDLE (rootfs copy + config.json from
# `$RUNTIME spec`, terminal=false, args=/probe), $CID (a container id unique in
# this run), $T (scratch dir outside the bundle).  All runtime calls go through
# `rt`, which passes --root "$ROOT".

bats_require_minimum_version 1.5.0

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RUNTIME=${RUNTIME:-$REPO/build/berth}
BUILD=$REPO/build
PROBE_BIN=$BUILD/probe
ROOTFS_CACHE=$BUILD/rootfs-cache
BUSYBOX=${BUSYBOX:-/bin/busybox}
# Upper bound for any single runtime invocation, so a broken runtime fails a
# case instead of hanging the suite.
RT_TIMEOUT=${RT_TIMEOUT:-30}

# True when the runtime under test is runc (used to skip cases for known
# runc 1.1.5 bugs or missing features; berth must pass them).
is_runc() { [[ $(basename "$RUNTIME") == runc* ]]; }
skip_if_runc() { if is_runc; then skip "runc 1.1.5: $*"; fi; }
# Cases that need container cgroups (ps, pause, device rules) run against
# runc only until berth's cgroup support lands (issue 3), which removes this.
skip_until_cgroups() { if ! is_runc; then skip "berth: container cgroups not implemented yet (issue 3)"; fi; }

# BERTH_TEST_SYSTEMD=1: every call uses the systemd cgroup driver, and
# cgroupsPath takes the "slice:prefix:name" form (see set_cgroups_path).
rt() {
	local g=(--root "$ROOT")
	[[ ${BERTH_TEST_SYSTEMD-} == 1 ]] && g+=(--systemd-cgroup)
	timeout -k 5 "$RT_TIMEOUT" "$RUNTIME" "${g[@]}" "$@"
}

# ---------------------------------------------------------------- build ---

# Build build/probe (if stale) and build/rootfs-cache (if stale), under a lock
# so parallel bats jobs do it once.
build_rootfs_cache() {
	mkdir -p "$BUILD"
	(
		flock 9
		if [[ ! -x $PROBE_BIN || $REPO/integration/probe/probe.cpp -nt $PROBE_BIN ]]; then
			g++ -std=c++20 -O2 -Wall -Wextra -Werror -static -o "$PROBE_BIN" \
				"$REPO/integration/probe/probe.cpp" || exit 1
		fi
		local stamp
		stamp=$(cat "$PROBE_BIN" "$BUSYBOX" | sha256sum | cut -c1-16)
		if [[ -f $ROOTFS_CACHE/.stamp && $(cat "$ROOTFS_CACHE/.stamp") == "$stamp" ]]; then
			exit 0
		fi
		local tmp=$ROOTFS_CACHE.tmp.$$
		rm -rf "$tmp"
		mkdir -p "$tmp"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root,home/user,var,run,mnt}
		chmod 1777 "$tmp/tmp"
		cp "$BUSYBOX" "$tmp/bin/busybox"
		chroot "$tmp" /bin/busybox --install -s /bin
		cp "$PROBE_BIN" "$tmp/probe"
		cat >"$tmp/etc/passwd" <<-'EOF'
			root:x:0:0:root:/root:/bin/sh
			user:x:1000:1000:user:/home/user:/bin/sh
			nobody:x:65534:65534:nobody:/nonexistent:/bin/false
		EOF
		cat >"$tmp/etc/group" <<-'EOF'
			root:x:0:
			tty:x:5:
			users:x:100:user
			user:x:1000:
			nogroup:x:65534:
		EOF
		echo "berth-test" >"$tmp/etc/hostname"
		echo "$stamp" >"$tmp/.stamp"
		rm -rf "$ROOTFS_CACHE"
		mv "$tmp" "$ROOTFS_CACHE"
	) 9>"$BUILD/rootfs-cache.lock"
}

common_setup_file() {
	build_rootfs_cache || return 1
	if [[ ! -x $RUNTIME ]]; then
		echo "# runtime under test not executable: $RUNTIME" >&3
		return 1
	fi
	# The base config: the runtime's own `spec` template, generated once per file.
	local d=$BATS_FILE_TMPDIR/spec
	mkdir -p "$d"
	"$RUNTIME" spec --bundle "$d" || return 1
	jq '.process.terminal = false | .process.args = ["/probe", "pid"]' \
		"$d/config.json" >"$BATS_FILE_TMPDIR/config.base.json" || return 1
}

# ------------------------------------------------------------ per test ---

common_setup() {
	T=$BATS_TEST_TMPDIR
	ROOT=$T/root
	BUNDLE=$T/bundle
	CID=bt$$-$BATS_SUITE_TEST_NUMBER
	CLEANUP_IDS=("$CID")
	CLEANUP_MOUNTS=()
	MARK=berth-$$-$BATS_SUITE_TEST_NUMBER-$RANDOM$RANDOM
	make_bundle "$BUNDLE"
}

# make_bundle DIR: rootfs copy with a unique marker file, plus the base config.
make_bundle() {
	local b=$1
	mkdir -p "$b"
	cp -a "$ROOTFS_CACHE" "$b/rootfs"
	echo "$MARK" >"$b/rootfs/.berth-mark"
	echo "$MARK" >"$b/.berth-mark"
	cp "$BATS_FILE_TMPDIR/config.base.json" "$b/config.json"
}

common_teardown() {
	local ids=("${CLEANUP_IDS[@]}") d id
	if [[ -d $ROOT ]]; then
		for d in "$ROOT"/*/; do
			[[ -d $d ]] && ids+=("$(basename "$d")")
		done
	fi
	for id in $(printf '%s\n' "${ids[@]}" | sort -u); do
		timeout -k 2 15 "$RUNTIME" --root "$ROOT" delete --force "$id" >/dev/null 2>&1 || true
	done
	kill_marked_procs
	local m i
	for ((i = ${#CLEANUP_MOUNTS[@]} - 1; i >= 0; i--)); do
		umount -l "${CLEANUP_MOUNTS[i]}" 2>/dev/null || true
	done
	# Anything still mounted under the test dir (a runtime bug) would make
	# bats' cleanup fail: detach it.
	for m in $(awk -v t="$T/" 'index($5, t) == 1 {print $5}' /proc/self/mountinfo | sort -r); do
		umount -l "$m" 2>/dev/null || true
	done
}

# PIDs of processes whose root, cwd or exe lives in this test's bundle (found
# through the marker file, which works across mount namespaces).
marked_pids() {
	grep -lxF "$MARK" /proc/[0-9]*/root/.berth-mark /proc/[0-9]*/cwd/.berth-mark 2>/dev/null |
		cut -d/ -f3 | sort -u | grep -vxF -e "$$" -e "$BASHPID" || true
}

kill_marked_procs() {
	local pids
	pids=$(marked_pids)
	[[ -z $pids ]] && return 0
	kill -9 $pids 2>/dev/null || true
	sleep 0.1
}

# ------------------------------------------------------------- config ---

# cfg FILTER [jq args...]: edit $BUNDLE/config.json in place (CFG overrides the file).
cfg() {
	local f=${CFG:-$BUNDLE/config.json} filter=$1
	shift
	jq "$@" "$filter" "$f" >"$f.tmp" && mv "$f.tmp" "$f"
}

# json_array ARG...: the arguments as a JSON array of strings.
json_array() {
	local a out="" sep=""
	for a in "$@"; do
		a=${a//\\/\\\\}
		a=${a//\"/\\\"}
		a=${a//$'\n'/\\n}
		a=${a//$'\t'/\\t}
		out+="$sep\"$a\""
		sep=,
	done
	echo "[$out]"
}

# set_args ARG...: process.args = the given strings.
set_args() {
	cfg '.process.args = $a' --argjson a "$(json_array "$@")"
}

# probe_args ARG...: process.args = ["/probe", ARG...].
probe_args() { set_args /probe "$@"; }

# add_mount JSON: append one mount object.
add_mount() { cfg ".mounts += [$1]"; }

# --------------------------------------------------------------- runs ---

# run_probe ARG...: foreground `run` of /probe ARG...; sets status/output/stderr/lines.
run_probe() {
	probe_args "$@"
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID"
}

# run_ctr [FLAGS...]: foreground run of the current config.
run_ctr() {
	run --separate-stderr rt run --bundle "$BUNDLE" "$@" "$CID"
}

# create_ctr [ID]: create with stdio to files ($T/<id>.out, .err); fd 3 (bats) closed.
create_ctr() {
	local id=${1:-$CID}
	[[ " ${CLEANUP_IDS[*]} " == *" $id "* ]] || CLEANUP_IDS+=("$id")
	rt create --bundle "$BUNDLE" "$id" </dev/null >"$T/$id.out" 2>"$T/$id.err" 3>&-
}

# state_field ID FIELD: a field of `state` (a jq path). A plain top-level
# name (pid, status) is read without jq: starting jq costs a quarter of a
# second in the TCG guests.
state_field() {
	local json re
	[[ $2 =~ ^[a-z]+$ ]] || { rt state "$1" | jq -r ".$2"; return; }
	json=$(rt state "$1") || return 1
	re="\"$2\": *(\"([^\"]*)\"|(-?[0-9]+))"
	[[ $json =~ $re ]] || return 1
	echo "${BASH_REMATCH[2]}${BASH_REMATCH[3]}"
}

# wait_for TIMEOUT_S CMD...: poll until CMD succeeds.
wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		((SECONDS < end)) || return 1
		sleep 0.05
	done
}

# exited PID: PID has finished exiting (its cwd is released: gone or a zombie).
# A SIGKILLed process still shows its cwd for a moment after kill returns.
exited() { ! readlink "/proc/$1/cwd" >/dev/null 2>&1; }

status_is() { [[ $(state_field "$1" status 2>/dev/null) == "$2" ]]; }

wait_status() { wait_for "${3:-10}" status_is "$1" "$2"; }

host_ns() { stat -L -c %i "/proc/self/ns/$1"; }

# ---------------------------------------------------------- assertions ---

fail_msg() {
	{
		echo "FAIL: $*"
		echo "status=$status"
		echo "--- output:"
		echo "$output"
		echo "--- stderr:"
		echo "${stderr-}"
	} >&2
	return 1
}

assert_success() {
	[[ $status -eq 0 ]] || fail_msg "expected success"
}

# assert_failure [CODE]: non-zero (or exactly CODE).
assert_failure() {
	if [[ $# -gt 0 ]]; then
		[[ $status -eq $1 ]] || fail_msg "expected exit status $1"
	else
		[[ $status -ne 0 ]] || fail_msg "expected failure"
	fi
}

assert_eq() {
	[[ $1 == "$2" ]] || fail_msg "expected [$2], got [$1] ${3-}"
}

# assert_line LINE: some line of $output equals LINE exactly.
assert_line() {
	local l
	for l in "${lines[@]}"; do [[ $l == "$1" ]] && return 0; done
	fail_msg "no line equal to [$1]"
}

refute_line() {
	local l
	for l in "${lines[@]}"; do [[ $l == "$1" ]] && fail_msg "unexpected line [$1]"; done
	return 0
}

# assert_line_match REGEX
assert_line_match() {
	local l
	for l in "${lines[@]}"; do [[ $l =~ $1 ]] && return 0; done
	fail_msg "no line matching /$1/"
}

assert_output_contains() {
	[[ $output == *"$1"* ]] || fail_msg "output does not contain [$1]"
}

assert_stderr_contains() {
	[[ ${stderr-} == *"$1"* ]] || fail_msg "stderr does not contain [$1]"
}

# value KEY: the value of the KEY=... line in $output.
value() {
	local l
	for l in "${lines[@]}"; do
		[[ $l == "$1="* ]] && { echo "${l#*=}"; return 0; }
	done
	return 1
}

# has_opt LINE FIELD OPT: FIELD=a,b,c (in a probe mount line) contains OPT.
has_opt() {
	local f
	f=$(tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p")
	[[ ,$f, == *",$3,"* ]]
}

# The error the runtime printed must be exactly one non-empty line.
assert_one_line_error() {
	local e=${stderr-}
	[[ -n $e ]] || fail_msg "no error message on stderr"
	[[ $(printf '%s\n' "$e" | grep -c .) -eq 1 ]] || fail_msg "error message is not one line"
}

# Nothing of container ID may survive: no state dir, no process running in
# the bundle's rootfs, no mount referencing the bundle.
assert_nothing_left() {
	local id=$1
	[[ ! -e $ROOT/$id ]] || fail_msg "state dir $ROOT/$id left behind"
	local pids
	pids=$(marked_pids)
	[[ -z $pids ]] || fail_msg "processes left behind: $pids ($(for p in $pids; do tr '\0' ' ' <"/proc/$p/cmdline"; echo; done))"
	! grep -qF "$BUNDLE" /proc/self/mountinfo || fail_msg "mount left behind: $(grep -F "$BUNDLE" /proc/self/mountinfo)"
	local cg
	cg=$(find /sys/fs/cgroup -maxdepth 5 -type d -name "$id" 2>/dev/null)
	[[ -z $cg ]] || fail_msg "cgroup left behind: $cg"
}

# ------------------------------------------------------------- cgroups ---
#
# Never hard-code a cgroup path: a process's cgroup directory is found from
# /proc/PID/cgroup and the caller's /proc/self/mountinfo, which works for
# every layout, cgroupsPath form and driver (cgroupfs or systemd).

is_systemd_driver() { [[ ${BERTH_TEST_SYSTEMD-} == 1 ]]; }

# cg_layout: unified (only cgroup2), hybrid (v1 controllers plus cgroup2) or
# legacy (v1 only).
cg_layout() {
	awk '$0 ~ / - cgroup2 / { v2 = 1 }
		/ - cgroup / {
			n = split($NF, o, ",")
			for (i = 1; i <= n; i++) if (o[i] !~ /^(rw|ro|name=.*|noprefix|clone_children|xattr|release_agent=.*|cpuset_v2_mode|favordynmods|nsdelegate)$/) v1 = 1
		}
		END { print v1 ? (v2 ? "hybrid" : "legacy") : (v2 ? "unified" : "none") }' /proc/self/mountinfo
}

# cg_v1_mount CONTROLLER: "ROOT MOUNTPOINT" of the v1 hierarchy that has
# CONTROLLER (cpu, memory, name=systemd, ...); fails when none has it.
cg_v1_mount() {
	awk -v c="$1" '/ - cgroup / {
		n = split($NF, o, ",")
		for (i = 1; i <= n; i++) if (o[i] == c) { print $4, $5; found = 1; exit }
	} END { exit !found }' /proc/self/mountinfo
}

# cg_v2_mount: "ROOT MOUNTPOINT" of the cgroup2 mount (the one under
# /sys/fs/cgroup when several show it).
cg_v2_mount() {
	awk '/ - cgroup2 / { if (!m || $5 ~ /^\/sys\/fs\/cgroup/) { m = $4 " " $5 } } END { if (!m) exit 1; print m }' /proc/self/mountinfo
}

# cg_on_v1 CONTROLLER: CONTROLLER is driven by a v1 hierarchy on this host.
cg_on_v1() { cg_v1_mount "$1" >/dev/null; }

# cg_has CONTROLLER: the host has CONTROLLER (v1 hierarchy, or listed in
# the cgroup2 root's cgroup.controllers).
cg_has() {
	cg_on_v1 "$1" && return 0
	local r m
	read -r r m < <(cg_v2_mount) || return 1
	[[ " $(cat "$m/cgroup.controllers" 2>/dev/null) " == *" $1 "* ]]
}

# cg_rel PID CONTROLLER: the cgroup of PID for CONTROLLER as /proc/PID/cgroup
# shows it (relative to the caller's cgroup namespace). CONTROLLER "" (or a
# controller without a v1 hierarchy) means the cgroup2 line.
cg_rel() {
	local pid=$1 c=$2
	if [[ -n $c ]] && cg_on_v1 "$c"; then
		awk -F: -v c="$c" '$1 != "0" || $2 != "" {
			n = split($2, o, ",")
			for (i = 1; i <= n; i++) if (o[i] == c) { sub(/^[^:]*:[^:]*:/, ""); print; exit }
		}' "/proc/$pid/cgroup"
	else
		sed -n 's/^0:://p' "/proc/$pid/cgroup"
	fi
}

# cg_dir PID CONTROLLER: host path of PID's cgroup directory for CONTROLLER
# (its v1 hierarchy, else the cgroup2 mount). Fails when PID is gone or the
# host has no such hierarchy.
cg_dir() {
	local pid=$1 c=$2 rel root mnt
	if [[ -n $c ]] && cg_on_v1 "$c"; then
		read -r root mnt < <(cg_v1_mount "$c") || return 1
	else
		read -r root mnt < <(cg_v2_mount) || return 1
	fi
	rel=$(cg_rel "$pid" "$c") || return 1
	[[ -n $rel ]] || return 1
	# The mount shows the hierarchy from ROOT down.
	if [[ $root != / ]]; then
		[[ $rel == "$root" || $rel == "$root"/* ]] || return 1
		rel=${rel#"$root"}
	fi
	rel=${rel%/}
	echo "$mnt$rel"
}

# cg_file_dir PID FILE: the directory holding FILE (memory.max, io.max,
# blkio.weight, cgroup.procs...) for PID: the controller is FILE's prefix.
cg_file_dir() {
	local c=${2%%.*}
	[[ $c == cgroup ]] && c=""
	cg_dir "$1" "$c"
}

# cg_file PID V1FILE V2FILE: host path of the file that holds the value on
# this host: V1FILE when its controller has a v1 hierarchy, else V2FILE on
# the cgroup2 hierarchy. "" for a variant that does not exist; fails when the
# matching one is "".
cg_file() {
	local pid=$1 f1=$2 f2=$3 d
	if [[ -n $f1 ]] && cg_on_v1 "${f1%%.*}"; then
		d=$(cg_file_dir "$pid" "$f1") || return 1
		echo "$d/$f1"
	elif [[ -n $f2 ]] && ! cg_on_v1 "${f2%%.*}"; then
		d=$(cg_file_dir "$pid" "$f2") || return 1
		echo "$d/$f2"
	else
		return 1
	fi
}

# cg_read PID V1FILE V2FILE: the content of whichever file holds the value
# on this host (see cg_file).
cg_read() {
	local f
	f=$(cg_file "$@") || return 1
	cat "$f"
}

# cg_dirs PID: every cgroup directory of PID, one per hierarchy (v1 and v2).
cg_dirs() {
	local pid=$1 line ctrls c
	while IFS= read -r line; do
		ctrls=${line#*:}
		ctrls=${ctrls%%:*}
		if [[ -z $ctrls ]]; then
			cg_dir "$pid" "" || true
		else
			c=${ctrls%%,*}
			cg_on_v1 "$c" && { cg_dir "$pid" "$c" || true; }
		fi
	done <"/proc/$pid/cgroup"
}

# set_cgroups_path PATH [SYSTEMD_PATH]: linux.cgroupsPath for the driver in
# use: PATH (cgroupfs: "/a/b" or "a/b"), or with the systemd driver
# SYSTEMD_PATH, by default "system.slice:berthtest:<last part of PATH>".
set_cgroups_path() {
	local p=$1
	if is_systemd_driver; then
		p=${2:-system.slice:berthtest:${1##*/}}
	fi
	cfg '.linux.cgroupsPath = $p' --arg p "$p"
}
