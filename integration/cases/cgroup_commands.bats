#!/usr/bin/env bats
# ps, pause, resume, update and events: the commands that read or change a
# running container's cgroup (contract §2.3, §2.4, §2.5, §3.10).
#
# Every cgroup file is found from the container init's /proc/<pid>/cgroup
# and the host's cgroup mounts, so the cases run the same on hybrid hosts
# (v1 controllers) and on pure cgroup v2 (integration/vm/run-v2.sh).

load ../lib/helpers

setup_file() { common_setup_file; }
setup() {
	common_setup
	# The cases write marker files into the container's /tmp.
	cfg '.root.readonly = false'
}
teardown() { common_teardown; }

# ------------------------------------------------------ cgroup files ---

# The mountpoint of the v1 hierarchy holding controller $1 ("" if none).
v1_mount() {
	awk -v c="$1" '{
		for (i = 7; i <= NF && $i != "-"; i++) ;
		if ($(i + 1) != "cgroup") next
		n = split($(i + 3), o, ",")
		for (j = 1; j <= n; j++) if (o[j] == c) { print $5; exit }
	}' /proc/self/mountinfo
}

v2_mount() {
	awk '{
		for (i = 7; i <= NF && $i != "-"; i++) ;
		if ($(i + 1) == "cgroup2") { print $5; exit }
	}' /proc/self/mountinfo
}

# on_v1 PID CTRL: the process's CTRL controller is a v1 hierarchy.
on_v1() {
	awk -F: -v c="$2" '$1 != "0" { n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) f = 1 } END { exit !f }' \
		"/proc/$1/cgroup"
}

# cg_dir PID CTRL: the directory of PID's cgroup that holds CTRL's files.
cg_dir() {
	local pid=$1 ctrl=$2 path
	if on_v1 "$pid" "$ctrl"; then
		path=$(awk -F: -v c="$ctrl" '$1 != "0" { n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' "/proc/$pid/cgroup")
		echo "$(v1_mount "$ctrl")$path"
	else
		path=$(awk -F: '$1 == "0" { print $3 }' "/proc/$pid/cgroup")
		echo "$(v2_mount)$path"
	fi
}

# The limits as one spelling for both layouts.
mem_limit() {  # bytes, or "max"
	local d v
	d=$(cg_dir "$1" memory)
	if on_v1 "$1" memory; then
		v=$(cat "$d/memory.limit_in_bytes")
		((v >= 9223372036854771712)) && v=max
		echo "$v"
	else
		cat "$d/memory.max"
	fi
}
pids_max() { cat "$(cg_dir "$1" pids)/pids.max"; }
cpu_max() {  # "QUOTA PERIOD", QUOTA "max" when unlimited
	local d
	d=$(cg_dir "$1" cpu)
	if on_v1 "$1" cpu; then
		local q
		q=$(cat "$d/cpu.cfs_quota_us")
		[[ $q == -1 ]] && q=max
		echo "$q $(cat "$d/cpu.cfs_period_us")"
	else
		cat "$d/cpu.max"
	fi
}
is_frozen() {
	local d
	d=$(cg_dir "$1" freezer)
	if on_v1 "$1" freezer; then
		[[ $(cat "$d/freezer.state") == FROZEN ]]
	else
		[[ $(cat "$d/cgroup.freeze") == 1 ]]
	fi
}

# --------------------------------------------------------- helpers ---

init_pid() { state_field "$CID" pid; }

# The container's /tmp, seen from the host.
ctmp() { echo "$BUNDLE/rootfs/tmp/$1"; }

# start_ctr: create + start the current config.
start_ctr() {
	create_ctr
	rt start "$CID"
}

# A shell that waits for /tmp/go before running "$1", then sleeps.
on_go() {
	set_args /bin/sh -c "while [ ! -e /tmp/go ]; do sleep 0.05; done; $1; sleep 100"
}
go() { touch "$(ctmp go)"; }

has_content() { [[ -s $1 ]]; }

# events_bg ARGS...: `events ARGS... $CID` in the background, stdout to
# $T/events; $EV is its pid. fd 3 closed, or bats would wait for it.
events_bg() {
	timeout 60 "$RUNTIME" --root "$ROOT" events "$@" "$CID" >"$T/events" 2>"$T/events.err" 3>&- &
	EV=$!
}

# events_wait: the background events must end on its own once the
# container's processes are gone (cgroup v2: runc too, on "populated 0").
# runc 1.1 on cgroup v1 ends only when `delete` removes the cgroup.
events_wait() {
	wait_status "$CID" stopped || fail_msg "container did not stop"
	if is_runc && ! wait_for 3 eval "! kill -0 $EV 2>/dev/null"; then
		rt delete "$CID"
	fi
	wait_for 10 eval "! kill -0 $EV 2>/dev/null" || fail_msg "events still running after the container stopped"
	wait "$EV" || fail_msg "events failed: $(cat "$T/events.err")"
}

# ----------------------------------------------------- pause/resume ---

@test "pause / resume: frozen cgroup, paused state, the process stops advancing" {
	set_args /bin/sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/n.tmp; mv /tmp/n.tmp /tmp/n; sleep 0.02; done'
	start_ctr
	local pid
	pid=$(init_pid)
	wait_for 5 has_content "$(ctmp n)" || fail_msg "counter did not start"

	run --separate-stderr rt pause "$CID"
	assert_success
	assert_eq "$(state_field "$CID" status)" paused
	is_frozen "$pid" || fail_msg "cgroup not frozen"
	local a b
	a=$(cat "$(ctmp n)")
	sleep 0.5
	b=$(cat "$(ctmp n)")
	assert_eq "$b" "$a" "(counter advanced while paused)"
	# Listed as paused too, and pausing again is refused as runc does.
	assert_eq "$(rt list -f json | jq -r ".[] | select(.id == \"$CID\") | .status")" paused
	run --separate-stderr rt pause "$CID"
	assert_failure
	assert_stderr_contains "container not running"

	run --separate-stderr rt resume "$CID"
	assert_success
	assert_eq "$(state_field "$CID" status)" running
	! is_frozen "$pid" || fail_msg "cgroup still frozen"
	wait_for 5 eval "[[ \$(cat '$(ctmp n)') != $a ]]" || fail_msg "counter did not resume"
}

@test "pause: allowed on a created container (runc 1.1), resume brings it back to created" {
	create_ctr
	run --separate-stderr rt pause "$CID"
	assert_success
	assert_eq "$(state_field "$CID" status)" paused
	rt resume "$CID"
	assert_eq "$(state_field "$CID" status)" created
}

@test "pause / resume: stopped and unknown containers are refused with runc's wording" {
	probe_args exit 0
	start_ctr
	wait_status "$CID" stopped
	run --separate-stderr rt pause "$CID"
	assert_failure
	assert_stderr_contains "container not running"
	run --separate-stderr rt resume "$CID"
	assert_failure
	assert_stderr_contains "container not paused"

	run --separate-stderr rt pause nosuch
	assert_failure
	assert_stderr_contains "container does not exist"
	run --separate-stderr rt resume nosuch
	assert_failure
	assert_stderr_contains "container does not exist"
}

@test "resume: a running container is not paused" {
	probe_args sleep 100
	start_ctr
	run --separate-stderr rt resume "$CID"
	assert_failure
	assert_stderr_contains "container not paused"
}

# --------------------------------------------------------------- ps ---

@test "ps --format json: the init and its child, host pids" {
	set_args /bin/sh -c 'sleep 100 & wait'
	start_ctr
	local pid
	pid=$(init_pid)
	wait_for 5 pgrep -P "$pid" >/dev/null || fail_msg "child not started"
	run --separate-stderr rt ps --format json "$CID"
	assert_success
	assert_eq "$(jq -r 'length' <<<"$output")" 2
	assert_eq "$(jq -r "index($pid) != null" <<<"$output")" true
	local child
	child=$(jq -r ".[] | select(. != $pid)" <<<"$output")
	assert_eq "$(awk '{print $4}' "/proc/$child/stat")" "$pid" "(second pid is not the init's child)"
	# -f json spelling, newline-terminated.
	[[ $(rt ps -f json "$CID" | tail -c 1 | od -An -c | tr -d ' ') == '\n' ]] || fail_msg "not newline-terminated"
}

@test "ps --format json: null once the container's processes are gone" {
	probe_args exit 0
	start_ctr
	wait_status "$CID" stopped
	run --separate-stderr rt ps --format json "$CID"
	assert_success
	assert_eq "$output" null
}

@test "ps (table): header plus only the container's processes, ps args passed through" {
	set_args /bin/sh -c 'sleep 100 & wait'
	start_ctr
	local pid
	pid=$(init_pid)
	wait_for 5 pgrep -P "$pid" >/dev/null
	local pids
	pids=$(rt ps -f json "$CID" | jq -r '.[]' | sort -n | tr '\n' ' ')

	run --separate-stderr rt ps "$CID"
	assert_success
	[[ ${lines[0]} =~ ^UID\ +PID\ +PPID ]] || fail_msg "header"
	assert_eq "${#lines[@]}" 3
	assert_eq "$(printf '%s\n' "${lines[@]:1}" | awk '{print $2}' | sort -n | tr '\n' ' ')" "$pids"

	# Everything after the id goes to ps; the PID column is found by name.
	run --separate-stderr rt ps "$CID" -o comm,pid
	assert_success
	[[ ${lines[0]} =~ ^COMMAND\ +PID ]] || fail_msg "header"
	assert_eq "$(printf '%s\n' "${lines[@]:1}" | awk '{print $2}' | sort -n | tr '\n' ' ')" "$pids"
	assert_line_match "^sh +$pid\$"

	# No PID column: runc's error.
	run --separate-stderr rt ps "$CID" -o comm
	assert_failure
	assert_stderr_contains "couldn't find PID field in ps output"
}

@test "ps: unknown container" {
	run --separate-stderr rt ps --format json nosuch
	assert_failure
	assert_stderr_contains "container does not exist"
}

# ----------------------------------------------------------- update ---

@test "update --resources FILE: memory and pids limits land in the cgroup" {
	probe_args sleep 100
	start_ctr
	local pid
	pid=$(init_pid)
	echo '{"memory":{"limit":67108864},"pids":{"limit":50}}' >"$T/res.json"
	run --separate-stderr rt update --resources "$T/res.json" "$CID"
	assert_success
	assert_eq "$(mem_limit "$pid")" 67108864
	assert_eq "$(pids_max "$pid")" 50
	# The stats see the new limits.
	run --separate-stderr rt events --stats "$CID"
	assert_eq "$(jq -r .data.pids.limit <<<"$output")" 50
	assert_eq "$(jq -r .data.memory.usage.limit <<<"$output")" 67108864
}

@test "update --resources - and --resources=-: stdin, docker's zero-filled object" {
	probe_args sleep 100
	start_ctr
	local pid
	pid=$(init_pid)
	# What `docker update --cpus 0.5 --memory 64m --memory-swap 128m --pids-limit 50` sends (contract §2.5).
	echo '{"memory":{"limit":67108864,"reservation":0,"swap":134217728,"kernel":0},"cpu":{"shares":0,"quota":50000,"period":100000},"pids":{"limit":50},"blockIO":{"weight":0}}' |
		rt update --resources - "$CID"
	assert_eq "$(cpu_max "$pid")" "50000 100000"
	assert_eq "$(mem_limit "$pid")" 67108864
	assert_eq "$(pids_max "$pid")" 50
	echo '{"cpu":{"quota":25000}}' | rt update --resources=- "$CID"
	assert_eq "$(cpu_max "$pid")" "25000 100000"
	assert_eq "$(mem_limit "$pid")" 67108864 "(a later update must leave memory alone)"
}

@test "update flags: a lowered pids limit makes fork fail inside the container" {
	on_go '/probe forkn 10 >/tmp/forkn.out'
	start_ctr
	local pid
	pid=$(init_pid)
	run --separate-stderr rt update --pids-limit 4 --memory 32m --cpu-quota 20000 --cpu-period 100000 "$CID"
	assert_success
	assert_eq "$(pids_max "$pid")" 4
	assert_eq "$(mem_limit "$pid")" 33554432
	assert_eq "$(cpu_max "$pid")" "20000 100000"
	go
	wait_for 10 has_content "$(ctmp forkn.out)" || fail_msg "forkn did not run"
	run cat "$(ctmp forkn.out)"
	assert_line fork_error=EAGAIN
	local n
	n=$(value forked)
	((n < 4)) || fail_msg "forked $n children under pids.max 4"
}

@test "update: the new values are persisted, a second update merges onto them" {
	probe_args sleep 100
	start_ctr
	local pid
	pid=$(init_pid)
	rt update --cpu-period 200000 --cpu-quota 100000 --pids-limit 20 "$CID"
	# Only the quota: the period set before is kept (cgroup v2 writes both
	# in cpu.max, from the saved value).
	rt update --cpu-quota 50000 "$CID"
	assert_eq "$(cpu_max "$pid")" "50000 200000"
	assert_eq "$(pids_max "$pid")" 20
	rt update --memory 64m "$CID"
	assert_eq "$(pids_max "$pid")" 20
	assert_eq "$(mem_limit "$pid")" 67108864
	# Unlimited again.
	rt update --memory -1 "$CID"
	assert_eq "$(mem_limit "$pid")" max
	# The state keeps the merged resources (berth's state.json: config).
	if ! is_runc; then
		local res
		res=$(jq -r .config "$ROOT/$CID/state.json" | jq -c .linux.resources)
		assert_eq "$(jq -c .cpu <<<"$res")" '{"quota":50000,"period":200000}'
		assert_eq "$(jq -c .pids <<<"$res")" '{"limit":20}'
		assert_eq "$(jq -c .memory.limit <<<"$res")" -1
	fi
}

@test "update: stopped, unknown, bad input and Intel RDT are refused" {
	probe_args exit 0
	start_ctr
	wait_status "$CID" stopped
	run --separate-stderr rt update --pids-limit 10 "$CID"
	assert_failure
	assert_stderr_contains "container not running"

	run --separate-stderr rt update --pids-limit 10 nosuch
	assert_failure
	assert_stderr_contains "container does not exist"

	if ! is_runc; then
		# The message names the field.
		echo '{"memory":{"limit":"64m"}}' >"$T/bad.json"
		run --separate-stderr rt update -r "$T/bad.json" "$CID"
		assert_failure
		assert_stderr_contains "memory.limit"
		assert_one_line_error
		run --separate-stderr rt update --l3-cache-schema 'L3:0=f' "$CID"
		assert_failure
		assert_stderr_contains "Intel RDT"
	fi
}

@test "update --kernel-memory: ignored with a warning" {
	probe_args sleep 100
	start_ctr
	run --separate-stderr rt update --kernel-memory 10m --pids-limit 30 "$CID"
	assert_success
	is_runc || assert_stderr_contains "kernel-memory"  # runc 1.1.5 says nothing
	assert_eq "$(pids_max "$(init_pid)")" 30
}

# ----------------------------------------------------------- events ---

@test "events --stats: one stats event with runc's fields" {
	cfg '.linux.resources.pids = {"limit": 42}'
	probe_args sleep 100
	start_ctr
	run --separate-stderr rt events --stats "$CID"
	assert_success
	assert_eq "${#lines[@]}" 1
	assert_eq "$(jq -r .type <<<"$output")" stats
	assert_eq "$(jq -r .id <<<"$output")" "$CID"
	assert_eq "$(jq -r .data.pids.current <<<"$output")" 1
	assert_eq "$(jq -r .data.pids.limit <<<"$output")" 42
	(($(jq -r .data.memory.usage.usage <<<"$output") > 0)) || fail_msg "memory usage"
	jq -e '.data.cpu.usage | has("kernel") or has("total")' <<<"$output" >/dev/null || fail_msg "cpu usage"
	jq -e '.data.memory.raw | type == "object"' <<<"$output" >/dev/null || fail_msg "memory.raw"
}

@test "events --interval: a stats event per interval, ending when the container stops" {
	probe_args sleep 2
	create_ctr
	events_bg --interval 300ms
	rt start "$CID"
	events_wait
	run cat "$T/events"
	((${#lines[@]} >= 2)) || fail_msg "fewer than two events"
	local l
	for l in "${lines[@]}"; do
		assert_eq "$(jq -r '.type + " " + .id' <<<"$l")" "stats $CID"
	done
}

@test "events: a stopped container is refused" {
	probe_args exit 0
	start_ctr
	wait_status "$CID" stopped
	run --separate-stderr rt events --stats "$CID"
	assert_failure
	assert_stderr_contains "container with id $CID is not running"
	run --separate-stderr rt events "$CID"
	assert_failure
	assert_stderr_contains "container with id $CID is not running"
}

@test "events: an OOM kill in the container is reported as an oom event" {
	# 32 MiB, no swap; the init allocates 256 MiB.
	cfg '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
	probe_args alloc 268435456
	create_ctr
	events_bg --interval 200ms
	# Listening before the hog runs: the first stats event says so.
	wait_for 10 has_content "$T/events" || fail_msg "no first event: $(cat "$T/events.err")"
	rt start "$CID"
	events_wait
	run jq -c 'select(.type == "oom")' "$T/events"
	assert_eq "${lines[0]}" "{\"type\":\"oom\",\"id\":\"$CID\"}"
	! grep -q allocated= "$T/$CID.out" || fail_msg "the hog was not killed"
}
