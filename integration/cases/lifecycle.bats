#!/usr/bin/env bats
# create / start / kill / state / delete / run / list / ps / pause: the
# lifecycle and the exact output formats callers parse (contract §2, §3).

load ../lib/helpers

setup_file() { common_setup_file; }
setup() { common_setup; }
teardown() { common_teardown; }

out_has_line() { grep -qx -- "$2" "$T/$1.out"; }

@test "create: state is created, pid file is bare digits equal to the state pid, init alive" {
	probe_args pid
	rt create --bundle "$BUNDLE" --pid-file "$T/init.pid" "$CID" </dev/null >"$T/$CID.out" 2>"$T/$CID.err" 3>&-

	run --separate-stderr rt state "$CID"
	assert_success
	assert_eq "$(jq -r .status <<<"$output")" created
	local pid
	pid=$(jq -r .pid <<<"$output")
	[[ $pid =~ ^[0-9]+$ && $pid -gt 1 ]] || fail_msg "bad pid $pid"

	# Pid file: decimal digits, no trailing newline (containerd uses Atoi).
	run cat "$T/init.pid"
	[[ $output =~ ^[0-9]+$ ]] || fail_msg "pid file is not digits"
	assert_eq "$(wc -c <"$T/init.pid")" "${#pid}" "(pid file must have no newline)"
	assert_eq "$output" "$pid"
	kill -0 "$pid"
	# The user program has not run yet.
	[[ ! -s $T/$CID.out ]] || fail_msg "program ran before start: $(cat "$T/$CID.out")"
	# The init is in the container's namespaces already.
	[[ $(stat -L -c %i "/proc/$pid/ns/uts") != "$(host_ns uts)" ]] || fail_msg "init not in a new uts ns"
}

@test "create: relative --pid-file is resolved against the caller's cwd" {
	mkdir "$T/cwd"
	(cd "$T/cwd" && rt create --bundle "$BUNDLE" --pid-file init.pid "$CID" </dev/null >"$T/$CID.out" 2>&1 3>&-)
	[[ -f $T/cwd/init.pid ]] || fail_msg "pid file not in caller's cwd"
	assert_eq "$(cat "$T/cwd/init.pid")" "$(state_field "$CID" pid)"
}

@test "state: document fields and format" {
	probe_args sleep 100
	create_ctr
	run --separate-stderr rt state "$CID"
	assert_success
	# Pretty-printed, no trailing newline.
	[[ ${lines[0]} == "{" ]] || fail_msg "state not pretty-printed"
	[[ $(rt state "$CID" | tail -c 1) == "}" ]] || fail_msg "state output must end with } (no newline)"
	assert_eq "$(jq -r .id <<<"$output")" "$CID"
	assert_eq "$(jq -r .bundle <<<"$output")" "$BUNDLE"
	assert_eq "$(jq -r .rootfs <<<"$output")" "$BUNDLE/rootfs"
	[[ $(jq -r .ociVersion <<<"$output") == 1.* ]] || fail_msg "ociVersion"
	[[ $(jq -r .created <<<"$output") =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$ ]] || fail_msg "created not RFC3339 UTC"
	assert_eq "$(jq -r '.pid | type' <<<"$output")" number
	assert_eq "$(jq -r '.owner' <<<"$output")" ""
}

@test "state: annotations are reported" {
	cfg '.annotations = {"org.example.key": "value"}'
	probe_args sleep 100
	create_ctr
	assert_eq "$(state_field "$CID" 'annotations["org.example.key"]')" value
}

@test "start: state running and the program runs" {
	probe_args signals 1
	create_ctr
	rt start "$CID"
	wait_for 5 out_has_line "$CID" ready || fail_msg "program did not start"
	assert_eq "$(state_field "$CID" status)" running
	# exec.fifo is gone after start.
	[[ ! -e $ROOT/$CID/exec.fifo ]] || fail_msg "exec.fifo still present after start"
}

@test "kill: default signal is SIGTERM; stopped container reports pid 0" {
	probe_args signals 1
	create_ctr
	rt start "$CID"
	wait_for 5 out_has_line "$CID" ready
	rt kill "$CID"
	wait_status "$CID" stopped || fail_msg "not stopped"
	run cat "$T/$CID.out"
	assert_line 15
	run --separate-stderr rt state "$CID"
	assert_eq "$(jq -r .pid <<<"$output")" 0
	assert_eq "$(jq -r .status <<<"$output")" stopped
}

@test "kill: signal names and numbers (USR1, SIGUSR2, 1, sigterm)" {
	probe_args signals 4
	create_ctr
	rt start "$CID"
	wait_for 5 out_has_line "$CID" ready
	rt kill "$CID" USR1
	wait_for 5 out_has_line "$CID" 10
	rt kill "$CID" SIGUSR2
	wait_for 5 out_has_line "$CID" 12
	rt kill "$CID" 1
	wait_for 5 out_has_line "$CID" 1
	rt kill "$CID" sigterm
	wait_status "$CID" stopped
	run cat "$T/$CID.out"
	assert_eq "$output" $'ready\n10\n12\n1\n15'
}

@test "kill: SIGKILL a created container" {
	probe_args pid
	create_ctr
	local pid
	pid=$(state_field "$CID" pid)
	rt kill "$CID" KILL
	wait_status "$CID" stopped
	wait_for 5 eval "! kill -0 $pid 2>/dev/null" || fail_msg "init $pid still alive"
	[[ ! -s $T/$CID.out ]] || fail_msg "program ran"
}

@test "kill --all on a stopped container succeeds (containerd calls it after init exit)" {
	probe_args exit 0
	create_ctr
	rt start "$CID"
	wait_status "$CID" stopped
	run --separate-stderr rt kill --all "$CID" 9
	assert_success
}

@test "kill --all signals every process of the container, not only its init" {
	local secs=$((100000 + RANDOM))
	# The background sleep starts before the trap: ignored signals are inherited.
	set_args /bin/sh -c "sleep $secs & trap '' TERM; while :; do sleep 1; done"
	create_ctr
	rt start "$CID"
	wait_for 5 pgrep -f "^sleep $secs\$" >/dev/null || fail_msg "background process not started"
	rt kill --all "$CID" TERM
	wait_for 5 eval "! pgrep -f '^sleep $secs\$' >/dev/null" || fail_msg "background process survived kill --all"
	assert_eq "$(state_field "$CID" status)" running
}

@test "create --pidfd-socket sends a pidfd of the init" {
	skip_if_runc "--pidfd-socket appeared in runc 1.2"
	probe_args sleep 100
	timeout -k 5 20 "$PROBE_BIN" recvtty "$T/pidfd.sock" "$T/pidfd.out" &
	local rpid=$!
	wait_for 5 test -S "$T/pidfd.sock"
	rt create --bundle "$BUNDLE" --pidfd-socket "$T/pidfd.sock" "$CID" </dev/null >/dev/null 2>&1 3>&-
	wait "$rpid" || true
	run cat "$T/pidfd.out.info"
	assert_line fds=1
	assert_line "pid=$(state_field "$CID" pid)"
}

@test "delete: stopped container, state dir removed" {
	probe_args exit 0
	create_ctr
	rt start "$CID"
	wait_status "$CID" stopped
	rt delete "$CID"
	[[ ! -e $ROOT/$CID ]] || fail_msg "state dir left"
	run --separate-stderr rt state "$CID"
	assert_failure
	assert_stderr_contains "container does not exist"
}

@test "delete: created container without --force kills init" {
	probe_args pid
	create_ctr
	local pid
	pid=$(state_field "$CID" pid)
	run --separate-stderr rt delete "$CID"
	assert_success
	wait_for 5 eval "! kill -0 $pid 2>/dev/null" || fail_msg "init $pid still alive"
	assert_nothing_left "$CID"
	[[ ! -s $T/$CID.out ]] || fail_msg "program ran"
}

@test "delete --force: running container is killed and removed" {
	probe_args sleep 100
	create_ctr
	rt start "$CID"
	local pid
	pid=$(state_field "$CID" pid)
	run --separate-stderr rt delete --force "$CID"
	assert_success
	wait_for 5 eval "! kill -0 $pid 2>/dev/null" || fail_msg "init $pid still alive"
	assert_nothing_left "$CID"
}

@test "delete --force: unknown id exits 0, and is idempotent" {
	run --separate-stderr rt delete --force nosuchcontainer
	assert_success
	probe_args exit 0
	create_ctr
	rt delete --force "$CID"
	run --separate-stderr rt delete --force "$CID"
	assert_success
	run --separate-stderr rt delete -f "$CID"
	assert_success
}

@test "delete --force: removes a stale state dir without state.json" {
	mkdir -p "$ROOT/stale"
	run --separate-stderr rt delete --force stale
	assert_success
	[[ ! -e $ROOT/stale ]] || fail_msg "stale dir not removed"
}

@test "run: foreground exit status 0, output passed through" {
	set_args sh -c 'echo to-stdout; echo to-stderr >&2'
	run_ctr
	assert_success
	assert_eq "$output" to-stdout
	assert_eq "$stderr" to-stderr
}

@test "run: exit 5 gives 5" {
	probe_args exit 5
	run_ctr
	assert_failure 5
}

@test "run: killed by a signal gives 128+N (SIGKILL 137, SIGTERM 143)" {
	# pid 1 of a pid namespace cannot kill itself: share the host pid ns.
	cfg '.linux.namespaces |= map(select(.type != "pid"))'
	run_probe kill-self KILL
	assert_failure 137
	run_probe kill-self TERM
	assert_failure 143
}

@test "run: SIGKILL from another kill call gives 137" {
	probe_args signals 1
	rt run --bundle "$BUNDLE" "$CID" </dev/null >"$T/out" 2>&1 3>&- &
	local bg=$!
	wait_for 10 grep -qx ready "$T/out" || fail_msg "not started"
	rt kill "$CID" KILL
	local rc=0
	wait "$bg" || rc=$?
	assert_eq "$rc" 137
}

@test "run: forwards signals to the container" {
	probe_args signals 1
	timeout -k 5 20 "$RUNTIME" --root "$ROOT" run --bundle "$BUNDLE" "$CID" </dev/null >"$T/out" 2>&1 3>&- &
	local bg=$!
	wait_for 10 grep -qx ready "$T/out" || fail_msg "not started"
	local rpid
	rpid=$(pgrep -P "$bg" -x "$(basename "$RUNTIME")" || true)
	[[ -n $rpid ]] || rpid=$(pgrep -P "$bg" | head -1)
	kill -USR1 "$rpid"
	local rc=0
	wait "$bg" || rc=$?
	run cat "$T/out"
	assert_line 10
	assert_eq "$rc" 0
}

@test "run: the container is deleted afterwards" {
	probe_args exit 0
	run_ctr
	assert_success
	run --separate-stderr rt state "$CID"
	assert_failure
	assert_nothing_left "$CID"
}

@test "run --keep: the stopped container stays until deleted" {
	probe_args exit 3
	run_ctr --keep
	assert_failure 3
	assert_eq "$(state_field "$CID" status)" stopped
	assert_eq "$(state_field "$CID" pid)" 0
	rt delete "$CID"
	[[ ! -e $ROOT/$CID ]]
}

@test "run --detach: returns 0 with the container running" {
	probe_args signals 1
	# Never `run` a detached command: bats would wait for the container's stdout.
	rt run --detach --bundle "$BUNDLE" --pid-file "$T/pid" "$CID" </dev/null >"$T/$CID.out" 2>&1 3>&-
	assert_eq "$(state_field "$CID" status)" running
	assert_eq "$(cat "$T/pid")" "$(state_field "$CID" pid)"
	wait_for 5 out_has_line "$CID" ready
	rt kill "$CID" TERM
	wait_status "$CID" stopped
	run cat "$T/$CID.out"
	assert_line 15
}

@test "run -d: detached container inherits the caller's stdio" {
	set_args sh -c 'echo out-line; echo err-line >&2'
	rt run -d --bundle "$BUNDLE" "$CID" </dev/null >"$T/o" 2>"$T/e" 3>&-
	wait_status "$CID" stopped
	assert_eq "$(cat "$T/o")" out-line
	assert_eq "$(cat "$T/e")" err-line
}

@test "list: empty root prints null for json, header only for table, nothing for -q" {
	run --separate-stderr rt list --format json
	assert_success
	assert_eq "$output" null
	run --separate-stderr rt list
	assert_success
	assert_eq "${#lines[@]}" 1
	[[ ${lines[0]} =~ ^ID\ +PID\ +STATUS\ +BUNDLE\ +CREATED\ +OWNER$ ]] || fail_msg "bad table header"
	run --separate-stderr rt list -q
	assert_success
	assert_eq "$output" ""
}

@test "list: table, json and quiet with two containers" {
	probe_args sleep 100
	create_ctr "$CID-a"
	create_ctr "$CID-b"
	rt start "$CID-b"
	local pa pb
	pa=$(state_field "$CID-a" pid)
	pb=$(state_field "$CID-b" pid)

	run --separate-stderr rt list
	assert_success
	assert_eq "${#lines[@]}" 3
	assert_line_match "^$CID-a +$pa +created +$BUNDLE +[0-9T:.Z-]+ +root\$"
	assert_line_match "^$CID-b +$pb +running +$BUNDLE +[0-9T:.Z-]+ +root\$"

	run --separate-stderr rt list --format=json
	assert_success
	assert_eq "$(jq -r 'map(.id) | sort | join(",")' <<<"$output")" "$CID-a,$CID-b"
	assert_eq "$(jq -r ".[] | select(.id == \"$CID-b\") | .status" <<<"$output")" running
	assert_eq "$(jq -r ".[] | select(.id == \"$CID-a\") | .pid" <<<"$output")" "$pa"
	assert_eq "$(jq -r '.[0].owner' <<<"$output")" root
	assert_eq "$(jq -r '.[0].bundle' <<<"$output")" "$BUNDLE"
	# One JSON document, newline-terminated.
	[[ $(rt list -f json | tail -c 1 | od -An -c | tr -d ' ') == '\n' ]] || fail_msg "json list not newline-terminated"

	run --separate-stderr rt list -q
	assert_success
	assert_eq "$(sort <<<"$output" | tr '\n' ' ')" "$CID-a $CID-b "
}

@test "ps --format json: array of host pids of the container" {
	probe_args sleep 100
	create_ctr
	rt start "$CID"
	run --separate-stderr rt ps --format json "$CID"
	assert_success
	assert_eq "$(jq -c . <<<"$output")" "[$(state_field "$CID" pid)]"
}

@test "pause / resume" {
	probe_args sleep 100
	create_ctr
	rt start "$CID"
	rt pause "$CID"
	assert_eq "$(state_field "$CID" status)" paused
	run --separate-stderr rt delete "$CID"
	assert_failure
	assert_stderr_contains "cannot delete container $CID that is not stopped: paused"
	rt resume "$CID"
	assert_eq "$(state_field "$CID" status)" running
	run --separate-stderr rt resume "$CID"
	assert_failure
	assert_stderr_contains "container not paused"
}

@test "--version: version, commit and spec lines" {
	run "$RUNTIME" --version
	assert_success
	[[ ${lines[0]} =~ ^[a-z]+\ version\ [0-9] ]] || fail_msg "first line"
	assert_line_match '^commit: '
	assert_line_match '^spec: 1\.'
}
