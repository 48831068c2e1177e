#!/usr/bin/env bats
# exec (contract §2.8, runc's exec.go): a process joins every namespace and
# the cgroup of a created or running container; the process comes from
# --process or from config.json plus the flags; foreground exec exits with
# its status, -d returns once it runs (pid file, console socket); failures
# exit 255.

load ../lib/helpers

setup_file() { common_setup_file; }
setup() {
	common_setup
	probe_args sleep 100
}
teardown() { common_teardown; }

# exec_run ARGS...: foreground exec in $CID; sets status/output/stderr/lines.
exec_run() { run --separate-stderr rt exec "$@"; }

init_pid() { state_field "$CID" pid; }

@test "exec: the process is in every namespace and the cgroup of the init" {
	cfg '.hostname = "exec-host"'
	create_ctr
	rt start "$CID"
	local init
	init=$(init_pid)
	exec_run "$CID" /probe ns ";" hostname ";" pid
	assert_success
	local out=$output t
	for t in cgroup ipc mnt net pid uts; do
		[[ -e /proc/$init/ns/$t ]] && assert_line "$t=$(stat -L -c %i "/proc/$init/ns/$t")"
	done
	assert_line hostname=exec-host
	# Its cgroup is the init's in every hierarchy (both seen from inside, so
	# relative to the same cgroup namespace when there is one).
	local mine
	run --separate-stderr rt exec "$CID" /bin/cat /proc/self/cgroup
	assert_success
	mine=$output
	run --separate-stderr rt exec "$CID" /bin/cat /proc/1/cgroup
	assert_eq "$mine" "$output"
	# Inside the container's pid namespace, not its init.
	output=$out
	mapfile -t lines <<<"$output"
	local p
	p=$(value pid)
	[[ $p -gt 1 ]] || fail_msg "exec'd process has pid $p"
}

@test "exec: foreground exit status is the process's; a signal gives 128+N" {
	create_ctr
	rt start "$CID"
	exec_run "$CID" /probe exit 7
	assert_eq "$status" 7
	exec_run "$CID" /probe kill-self 9
	assert_eq "$status" 137
}

@test "exec: a created container accepts exec; its init still waits for start" {
	create_ctr
	exec_run "$CID" /probe hostname
	assert_success
	assert_eq "$(state_field "$CID" status)" created
}

@test "exec: flags -e, --cwd, -u, --additional-gids, --no-new-privs, --cap apply over config.json" {
	create_ctr
	rt start "$CID"
	exec_run -e EXEC_VAR=yes --cwd /tmp -u 1000:100 --additional-gids 5 --no-new-privs --cap CAP_NET_RAW \
		"$CID" /probe env ";" cwd ";" ids ";" nnp ";" caps
	assert_success
	assert_line EXEC_VAR=yes
	assert_line cwd=/tmp
	assert_line uid=1000
	assert_line gid=100
	assert_line_match '^groups=.*\b5\b'
	assert_line nnp=1
	# CAP_NET_RAW (13) is added to the bounding and permitted sets.
	local bnd
	bnd=$(value CapBnd)
	((0x$bnd & (1 << 13))) || fail_msg "CAP_NET_RAW not in the bounding set: $bnd"
}

@test "exec --process: the JSON process replaces config.json's" {
	create_ctr
	rt start "$CID"
	cat >"$T/process.json" <<-'EOF'
		{"args": ["/probe", "env", ";", "cwd", ";", "ids"], "env": ["ONLY=this"], "cwd": "/etc",
		 "user": {"uid": 65534, "gid": 65534}}
	EOF
	exec_run --process "$T/process.json" "$CID"
	assert_success
	assert_line ONLY=this
	refute_line PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
	assert_line cwd=/etc
	assert_line uid=65534
}

@test "exec -d: returns while the process runs; --pid-file holds its host pid" {
	create_ctr
	rt start "$CID"
	# Detached, the process inherits the runtime's stdio (as runc): files
	# here, since a pipe would stay open as long as the process runs.
	rt exec -d --pid-file "$T/exec.pid" "$CID" /probe sleep 100 </dev/null >"$T/exec.out" 2>"$T/exec.err" ||
		fail_msg "exec -d failed: $(cat "$T/exec.err")"
	local pid
	pid=$(cat "$T/exec.pid")
	[[ $pid =~ ^[0-9]+$ ]] || fail_msg "pid file: [$pid]"
	[[ -d /proc/$pid ]] || fail_msg "exec'd process $pid is not running"
	assert_eq "$(readlink "/proc/$pid/ns/pid")" "$(readlink "/proc/$(init_pid)/ns/pid")"
	# ps lists it with the init (contract: every process in the cgroup).
	run --separate-stderr rt ps --format json "$CID"
	assert_success
	[[ $output == *"$pid"* ]] || fail_msg "ps does not list $pid: $output"
	rt delete --force "$CID"
	wait_for 10 exited "$pid" || fail_msg "exec'd process survived delete --force"
	assert_nothing_left "$CID"
}

@test "exec -t -d: the pty master goes to --console-socket" {
	create_ctr
	rt start "$CID"
	timeout -k 5 20 "$PROBE_BIN" recvtty "$T/tty.sock" "$T/tty.out" &
	local rpid=$!
	wait_for 5 test -S "$T/tty.sock" || fail_msg "receiver did not listen"
	run --separate-stderr rt exec -t -d --console-socket "$T/tty.sock" "$CID" /probe tty
	assert_success
	wait "$rpid" || fail_msg "receiver failed"
	run tr -d '\r' <"$T/tty.out"
	assert_line isatty0=1
	assert_line isatty1=1
}

@test "exec -t -d without --console-socket is a usage error" {
	create_ctr
	exec_run -t -d "$CID" /probe tty
	assert_failure
	assert_one_line_error
	assert_stderr_contains "cannot allocate tty if runc will detach without setting console socket"
}

@test "exec: a stopped container is refused with 255; an unknown one too" {
	probe_args exit 0
	create_ctr
	rt start "$CID"
	wait_status "$CID" stopped
	exec_run "$CID" /probe hostname
	assert_eq "$status" 255
	assert_one_line_error
	assert_stderr_contains "cannot exec in a stopped container"
	exec_run nosuchcontainer /probe hostname
	assert_eq "$status" 255
	assert_stderr_contains "does not exist"
}

@test "exec: a paused container is refused unless --ignore-paused" {
	skip_if_runc "1.1.5's wording differs"
	create_ctr
	rt start "$CID"
	rt pause "$CID"
	exec_run "$CID" /probe hostname
	assert_eq "$status" 255
	assert_stderr_contains "cannot exec in a paused container (use --ignore-paused to override)"
	rt resume "$CID"
}

@test "exec: a missing executable fails with 255, names it, and leaves no process" {
	create_ctr
	rt start "$CID"
	local before
	before=$(rt ps --format json "$CID")
	exec_run "$CID" /nonexistent
	assert_eq "$status" 255
	assert_one_line_error
	assert_stderr_contains "/nonexistent"
	assert_eq "$(rt ps --format json "$CID")" "$before"
}

@test "exec: no args and no --process is an error" {
	create_ctr
	exec_run "$CID"
	assert_failure
	assert_one_line_error
}
