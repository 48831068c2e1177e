#!/usr/bin/env bats
# Black-box regression tests for runtime vulnerability classes that concern
# mounts, /dev, leaked fds and the runtime executable
# (/work/shared/reference/security-classes.md; section numbers below refer to it).
#
# Every case passes when the runtime either refuses the configuration with a
# clean error, or runs it without breaking a host invariant.  Cases that runc
# 1.1.5 fails are skipped only when $RUNTIME is runc; berth must pass them.

load ../lib/helpers

setup_file() { common_setup_file; }

setup() {
	common_setup
	CANARY=/berth-canary-$MARK
	touch "$CANARY"
}

teardown() {
	common_teardown
	rm -f "$CANARY"
}

# try_run: foreground run; sets status/output/stderr (never hangs the suite).
try_run() { run --separate-stderr rt run --bundle "$BUNDLE" "$CID"; }

no_dev_mounts() { cfg '.mounts |= map(select(.destination | startswith("/dev") | not))'; }

# ----------------------------------------------------------------- fds ---

@test "CVE-2024-21626 (3.7a): cwd=/proc/self/fd/N for N in 3..20 fails or stays inside" {
	local n
	for n in $(seq 3 20); do
		cfg '.process.cwd = $c' --arg c "/proc/self/fd/$n"
		run_probe cwd ";" ls ../../../../../../.. ";" stat "../../../../../../..$CANARY"
		if [[ $status -eq 0 ]]; then
			refute_line "${CANARY#/}"
			assert_line error=ENOENT
			[[ $output != *"(unreachable)"* ]] || fail_msg "cwd outside the container for fd $n"
		fi
	done
}

@test "CVE-2024-21626 (3.7e): a directory fd held by the caller never becomes reachable" {
	cfg '.process.cwd = "/proc/self/fd/9"'
	probe_args cwd ";" ls ../../../../../../.. ";" fds
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID" 9</
	if [[ $status -eq 0 ]]; then
		refute_line "${CANARY#/}"
		[[ $output != *"(unreachable)"* ]] || fail_msg "cwd outside the container"
	fi
	cfg '.process.cwd = "/"'
	probe_args fds
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID" 9</ 8</sys/fs/cgroup
	assert_success
	assert_eq "$output" ""
}

@test "CVE-2024-21626 (3.7c): exec --cwd through a container symlink to /proc/self/fd/N stays inside" {
	probe_args sleep 100
	create_ctr
	rt start "$CID"
	local n
	for n in $(seq 3 20); do
		rt exec "$CID" /bin/ln -sfn "/proc/self/fd/$n" /dev/shm/c
		run --separate-stderr rt exec --cwd /dev/shm/c "$CID" /probe cwd ";" ls ../../../../../../.. ";" stat "../../../../../../..$CANARY"
		if [[ $status -eq 0 ]]; then
			refute_line "${CANARY#/}"
			[[ $output != *"(unreachable)"* ]] || fail_msg "exec cwd outside the container for fd $n"
		fi
	done
}

@test "CVE-2016-9962 (3.13): a container's pid 1 cannot ptrace or read the fds of exec before it execs" {
	# The grabber (default capabilities) races every new process for
	# PTRACE_SEIZE and /proc/N/fd while exec joins 100 times. Once exec has
	# dropped to the container's capabilities, only being non-dumpable keeps
	# it out until execve; a large seccomp filter (rules that never match),
	# loaded in that window, widens it. A race harness, so it cannot prove
	# absence; with PR_SET_DUMPABLE removed from the child it reported the
	# exec process and its fds (report socket, namespace fds) in 2 of 3 runs.
	# The kernel serialises ptrace attach with execve (cred_guard_mutex):
	# a correct runtime never shows up as "early".
	cfg '.process.noNewPrivileges = true | .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [range(1000; 2500) | {"names": ["fcntl"], "action": "SCMP_ACT_ERRNO",
			"args": [{"index": 0, "value": ., "op": "SCMP_CMP_EQ"}]}]}'
	probe_args grabber /bin/busybox
	rt run -d --bundle "$BUNDLE" "$CID" </dev/null >"$T/grab.out" 2>&1 3>&-
	CLEANUP_IDS+=("$CID")
	wait_for 10 grep -qx ready "$T/grab.out" || fail_msg "grabber not ready: $(cat "$T/grab.out")"
	local i
	for i in $(seq 100); do
		rt exec "$CID" /bin/true </dev/null >/dev/null 2>&1 || fail_msg "exec $i failed"
	done
	rt kill "$CID" USR1
	wait_for 10 grep -q '^done ' "$T/grab.out" || fail_msg "grabber did not finish: $(cat "$T/grab.out")"
	run cat "$T/grab.out"
	refute_line_match '^early '
}

@test "3.16 / CVE-2026-30892: exec -u is uid[:gid], numeric and in range" {
	skip_if_runc "casts -u 4294967296 to uint32: uid 0"
	probe_args sleep 100
	create_ctr
	rt start "$CID"
	run --separate-stderr rt exec -u 1 "$CID" /probe ids
	assert_success
	assert_line uid=1
	run --separate-stderr rt exec -u 1:2 "$CID" /probe ids
	assert_success
	assert_line uid=1
	assert_line gid=2
	local u
	for u in 1: :2 4294967296 -1 x 1:x; do
		run --separate-stderr rt exec -u "$u" "$CID" /probe ids
		[[ $status -ne 0 ]] || fail_msg "exec -u $u ran: $output"
		refute_line uid=0
	done
}

@test "CVE-2024-21626 (3.7b): args[0] through /proc/self/fd/N does not run a host binary" {
	local n
	for n in $(seq 3 12); do
		set_args "/proc/self/fd/$n/../../../../../../../bin/busybox" ls -a /
		try_run
		if [[ $status -eq 0 ]]; then
			refute_line "${CANARY#/}"
		fi
	done
}

@test "CVE-2024-21626 (3.7d): the created init holds no directory fd" {
	probe_args sleep 100
	create_ctr
	local pid fd target
	pid=$(state_field "$CID" pid)
	for fd in /proc/"$pid"/fd/*; do
		target=$(readlink "$fd" || true)
		[[ ! -d $fd ]] || fail_msg "init holds a directory fd: ${fd##*/} -> $target"
	done
}

# ----------------------------------------------------------------- exe ---

# A private copy of the runtime binary: any damage stays in $T.
copy_runtime() {
	mkdir -p "$T/bin"
	RTCOPY=$T/bin/$(basename "$RUNTIME")
	cp "$RUNTIME" "$RTCOPY"
	RTHASH=$(sha256sum <"$RTCOPY")
}

rtc() { timeout -k 5 "$RT_TIMEOUT" "$RTCOPY" --root "$ROOT" "$@"; }

# A pipe nobody reads, already full: whatever writes to it blocks forever.
full_pipe() {
	mkfifo "$T/fifo"
	exec {FULLPIPE}<>"$T/fifo"
	"$PROBE_BIN" fillpipe >&"$FULLPIPE"
}

# run_self_exe ID: a detached container whose entrypoint is /proc/self/exe,
# i.e. the runtime binary itself; it blocks printing its usage on a full pipe.
# A runtime may also refuse it, or the exec may fail: both are safe.
run_self_exe() {
	set_args /proc/self/exe
	CLEANUP_IDS+=("$1")
	rtc run -d --bundle "$BUNDLE" "$1" </dev/null >&"$FULLPIPE" 2>&"$FULLPIPE" 3>&- || true
}

# self_exe_pid ID: pid of ID's process if it is alive and has exec'd the runtime.
self_exe_pid() {
	local pid
	pid=$(rtc state "$1" 2>/dev/null | jq -r .pid) || return 1
	[[ $pid =~ ^[0-9]+$ && $pid -gt 0 ]] && exec_ed_self "$pid" && echo "$pid"
}

# exec_ed_self PID: PID has exec'd /proc/self/exe (runc 1.1.5 instead fails
# that exec with ENOENT and blocks printing the error, which is also safe).
exec_ed_self() { [[ $(tr '\0' '\n' <"/proc/$1/cmdline" | head -1) == /proc/self/exe ]]; }

@test "CVE-2019-5736 (3.1): entrypoint /proc/self/exe does not expose the on-disk runtime binary" {
	copy_runtime
	full_pipe
	run_self_exe "$CID"
	local pid
	if pid=$(self_exe_pid "$CID"); then
		# Whatever the container runs, its exe cannot be opened for writing.
		run "$PROBE_BIN" write "/proc/$pid/exe" "#!/bin/sh"
		[[ $output != ok ]] || fail_msg "the container's exe is writable"
	fi
	rtc delete --force "$CID" || true
	exec {FULLPIPE}>&-
	assert_eq "$(sha256sum <"$RTCOPY")" "$RTHASH" "(runtime binary modified)"
}

@test "CVE-2019-5736 (3.1): a container process cannot overwrite the runtime through /proc/PID/exe" {
	copy_runtime
	full_pipe
	# In one pid namespace (held by A): B, a created container whose init is the
	# runtime parked on exec.fifo; D, a container whose entrypoint is the
	# runtime binary (blocked on the full pipe, if the runtime lets it run);
	# C, the attacker, which grabs every exe it can see.
	probe_args sleep 100
	rtc create --bundle "$BUNDLE" "$CID-a" </dev/null >/dev/null 2>&1 3>&-
	rtc start "$CID-a"
	CLEANUP_IDS+=("$CID-a" "$CID-b")
	local apid dpid
	apid=$(rtc state "$CID-a" | jq -r .pid)
	cfg '(.linux.namespaces[] | select(.type == "pid")).path = $p' --arg p "/proc/$apid/ns/pid"
	probe_args sleep 100
	rtc create --bundle "$BUNDLE" "$CID-b" </dev/null >/dev/null 2>&1 3>&-
	run_self_exe "$CID-d"
	dpid=$(self_exe_pid "$CID-d") || dpid=
	probe_args exe-attack
	rtc run -d --bundle "$BUNDLE" "$CID-c" </dev/null >"$T/attack.out" 2>&1 3>&-
	CLEANUP_IDS+=("$CID-c")
	wait_for 10 grep -qx ready "$T/attack.out" || fail_msg "attacker not ready: $(cat "$T/attack.out")"
	if [[ -n $dpid ]]; then
		grep -q '^grabbed ' "$T/attack.out" || fail_msg "attacker could not see the runtime copy: $(cat "$T/attack.out")"
	fi
	# The runtime leaves the container (B execs its payload, D dies); then the
	# attacker tries to write through the fds it holds.
	local bpid
	bpid=$(rtc state "$CID-b" | jq -r .pid)
	rtc start "$CID-b"
	wait_for 10 eval '[[ $(tr "\0" " " <"/proc/$bpid/cmdline") == "/probe sleep 100 " ]]' ||
		fail_msg "B's payload did not start"
	rtc delete --force "$CID-d" || true
	rtc kill "$CID-c" USR1
	wait_for 10 eval '[[ $(rtc state "$CID-c" | jq -r .status) == stopped ]]'
	run cat "$T/attack.out"
	refute_line_match '^write [0-9]+ ok$'
	exec {FULLPIPE}>&-
	assert_eq "$(sha256sum <"$RTCOPY")" "$RTHASH" "(runtime binary modified)"
}

refute_line_match() {
	local l
	for l in "${lines[@]}"; do [[ $l =~ $1 ]] && fail_msg "unexpected line matching /$1/: $l"; done
	return 0
}

@test "CVE-2019-5736: the created init's executable cannot be opened for writing" {
	# berth (and runc 1.1.5's bindfd) run from a read-only view of the binary:
	# the issue asks for no per-run copy, so the invariant checked is the one
	# that matters: /proc/PID/exe cannot be opened for writing, even by root.
	probe_args sleep 100
	create_ctr
	local pid
	pid=$(state_field "$CID" pid)
	# ETXTBSY while the init still runs the runtime; EROFS (the read-only
	# view) once nothing executes it, which is when CVE-2019-5736 writes.
	run "$PROBE_BIN" write "/proc/$pid/exe"
	[[ $output == *ETXTBSY || $output == *EROFS ]] || fail_msg "exe opened for writing: $output"
}

# -------------------------------------------------- mount destinations ---

@test "3.4a: a mount through an image symlink to / lands inside the rootfs" {
	cfg '.root.readonly = false'
	ln -s / "$BUNDLE/rootfs/lnk"
	add_mount "{\"destination\": \"/lnk/berth-esc-$MARK\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"}"
	run_probe mount "/berth-esc-$MARK"
	local created=0
	[[ -e /berth-esc-$MARK ]] && { created=1; rmdir "/berth-esc-$MARK" || true; }
	[[ $created -eq 0 ]] || fail_msg "mountpoint created on the host"
	if [[ $status -eq 0 ]]; then
		assert_line_match "^/berth-esc-$MARK type=tmpfs "
	fi
	! grep -q "berth-esc-$MARK" /proc/self/mountinfo || fail_msg "mount on the host"
}

@test "CVE-2024-45310 (3.8): mounts through a symlink to an absolute host path stay in the rootfs" {
	cfg '.root.readonly = false'
	mkdir "$T/outside"
	echo f >"$T/hostfile"
	ln -s "$T/outside" "$BUNDLE/rootfs/lnk"
	add_mount '{"destination": "/lnk/a/b/c", "type": "tmpfs", "source": "tmpfs"}'
	add_mount "{\"destination\": \"/lnk/f\", \"type\": \"bind\", \"source\": \"$T/hostfile\", \"options\": [\"bind\"]}"
	run_probe mounts
	run ls -A "$T/outside"
	assert_eq "$output" "" "(host directory $T/outside must stay empty)"
}

@test "3.13 / CVE-2019-19921, CVE-2023-27561 (3.3a): rootfs /proc or /sys as a symlink is refused" {
	rmdir "$BUNDLE/rootfs/proc"
	ln -s /bad-proc "$BUNDLE/rootfs/proc"
	try_run
	assert_failure
	assert_nothing_left "$CID"
	rm "$BUNDLE/rootfs/proc"
	mkdir "$BUNDLE/rootfs/proc"
	rmdir "$BUNDLE/rootfs/sys"
	ln -s /bad-sys "$BUNDLE/rootfs/sys"
	try_run
	assert_failure
	assert_nothing_left "$CID"
}

@test "CVE-2023-28642 (3.3b): /proc -> /vol/p with a bind-mounted volume: refused, volume untouched" {
	mkdir -p "$T/vol"
	rmdir "$BUNDLE/rootfs/proc"
	ln -s /vol/p "$BUNDLE/rootfs/proc"
	mkdir -p "$BUNDLE/rootfs/vol"
	cfg '.mounts = [{"destination": "/vol", "type": "bind", "source": $v, "options": ["rbind"]}] + .mounts' --arg v "$T/vol"
	try_run
	assert_failure
	run ls -A "$T/vol"
	assert_eq "$output" ""
}

@test "3.2: only procfs may be mounted at /proc; /proc subpaths outside the allowlist are refused" {
	add_mount '{"destination": "/proc", "type": "tmpfs", "source": "tmpfs"}'
	probe_args pid
	try_run
	assert_failure
	cp "$BATS_FILE_TMPDIR/config.base.json" "$BUNDLE/config.json"
	echo x >"$T/file"
	add_mount "{\"destination\": \"/proc/sys/kernel/core_pattern\", \"type\": \"bind\", \"source\": \"$T/file\", \"options\": [\"bind\"]}"
	probe_args pid
	try_run
	assert_failure
	assert_one_line_error
}

@test "3.2 control: a bind over an allowlisted /proc file (/proc/cpuinfo) works" {
	echo berth-cpuinfo >"$T/file"
	add_mount "{\"destination\": \"/proc/cpuinfo\", \"type\": \"bind\", \"source\": \"$T/file\", \"options\": [\"bind\"]}"
	run_probe read /proc/cpuinfo
	assert_success
	assert_line berth-cpuinfo
}

# ----------------------------------------------------------------- /dev ---

@test "CVE-2025-31133 (3.9): maskedPaths with the image's /dev/null symlinked to a host file" {
	# runc 1.1.5 bind-mounts the symlink target (the host file) over the masked
	# path, read-write: the container rewrites the host file.
	skip_if_runc "vulnerable to CVE-2025-31133 (forged /dev/null)"
	echo original >"$T/hostfile"
	no_dev_mounts
	cfg '.root.readonly = false | .linux.maskedPaths = ["/etc/masked"]'
	add_mount "{\"destination\": \"/hf\", \"type\": \"bind\", \"source\": \"$T/hostfile\", \"options\": [\"bind\"]}"
	echo masked >"$BUNDLE/rootfs/etc/masked"
	ln -s /hf "$BUNDLE/rootfs/dev/null"
	run_probe stat /etc/masked ";" write /etc/masked pwned
	if [[ $status -eq 0 ]]; then
		assert_eq "${lines[0]}" "type=chr mode=0666 uid=0 gid=0 rdev=1:3"
	fi
	assert_eq "$(cat "$T/hostfile")" original "(host file modified)"
}

@test "CVE-2025-31133 (3.9): maskedPaths with the image's /dev/null missing or a regular file" {
	no_dev_mounts
	cfg '.root.readonly = false | .linux.maskedPaths = ["/etc/masked"]'
	mkdir "$T/out"
	add_mount "{\"destination\": \"/out\", \"type\": \"bind\", \"source\": \"$T/out\", \"options\": [\"bind\"]}"
	echo secret >"$BUNDLE/rootfs/etc/masked"
	# Results go to a bind-mounted host dir: stdio may legitimately be anything here.
	set_args /bin/sh -c '/probe read /etc/masked >/out/result; echo done >>/out/result'
	local variant
	for variant in missing regular-file; do
		[[ $variant == regular-file ]] && echo notnull >"$BUNDLE/rootfs/dev/null"
		rm -f "$T/out/result"
		try_run
		# Either refused, or the mask is applied: never fail open.
		if [[ $status -eq 0 ]]; then
			[[ -f $T/out/result ]] || fail_msg "$variant: payload did not run"
			! grep -q secret "$T/out/result" || fail_msg "$variant: masked file readable"
		fi
	done
}

@test "CVE-2026-41579 (3.11): rootfs /dev symlinked to a host directory is not written through" {
	# runc 1.1.5 follows the symlink before pivot_root: it replaces the host
	# file ptmx and creates fd/stdin/stdout/stderr links in the host directory.
	skip_if_runc "vulnerable to CVE-2026-41579 (/dev setup follows a rootfs /dev symlink)"
	mkdir "$T/outdev"
	echo marker >"$T/outdev/ptmx"
	rmdir "$BUNDLE/rootfs/dev"
	ln -s "$T/outdev" "$BUNDLE/rootfs/dev"
	cfg '.mounts |= map(select(.destination == "/proc"))'
	run_probe pid
	run ls -A "$T/outdev"
	assert_eq "$output" ptmx
	[[ -f $T/outdev/ptmx && ! -L $T/outdev/ptmx ]] || fail_msg "ptmx replaced"
	assert_eq "$(cat "$T/outdev/ptmx")" marker
}

@test "CVE-2025-52565 (3.10): image /dev/console symlinked to a host path with a terminal" {
	no_dev_mounts
	cfg '.mounts += [{"destination": "/dev/pts", "type": "devpts", "source": "devpts",
		"options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]}]'
	ln -s pts/ptmx "$BUNDLE/rootfs/dev/ptmx"
	ln -s "$T/x" "$BUNDLE/rootfs/dev/console"
	probe_args stat -L /dev/console
	cfg '.process.terminal = true'
	timeout -k 5 20 "$PROBE_BIN" recvtty "$T/tty.sock" "$T/tty.out" &
	local rpid=$!
	wait_for 5 test -S "$T/tty.sock"
	status=0
	rt create --bundle "$BUNDLE" --console-socket "$T/tty.sock" "$CID" </dev/null >"$T/out" 2>&1 3>&- || status=$?
	if [[ $status -eq 0 ]]; then
		rt start "$CID"
		wait "$rpid" || true
		run tr -d '\r' <"$T/tty.out"
		assert_line_match '^type=chr .* rdev=136:[0-9]+$'
	else
		kill "$rpid" 2>/dev/null || true
	fi
	[[ ! -e $T/x ]] || fail_msg "$T/x created on the host"
}

@test "3.14 / CVE-2026-88265: stdio is not reopened through a forged /dev/null" {
	# runc 1.1.5 "reopens /dev/null" for every stdio fd whose rdev matches the
	# image's /dev/null (a symlink to a regular file: rdev 0, like a pipe), so
	# the container's stdio becomes the bound host file and output lands in it.
	skip_if_runc "reopens stdio through the image's /dev/null"
	echo original >"$T/hostfile"
	chmod 0644 "$T/hostfile"
	no_dev_mounts
	cfg '.process.user = {"uid": 1000, "gid": 1000}'
	add_mount "{\"destination\": \"/hf\", \"type\": \"bind\", \"source\": \"$T/hostfile\", \"options\": [\"bind\"]}"
	ln -s /hf "$BUNDLE/rootfs/dev/null"
	run_probe fds -a
	assert_eq "$(stat -c %u:%g "$T/hostfile")" 0:0 "(host file chowned)"
	assert_eq "$(cat "$T/hostfile")" original "(host file modified)"
}
