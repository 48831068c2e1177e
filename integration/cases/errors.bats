#!/usr/bin/env bats
# Failures: non-zero exit, exactly one line of error on stderr, the phrases
# callers match on (contract §2.7, §3.7-3.9, DESIGN §3.4), and nothing left
# behind: no state dir, no process in the rootfs, no mount, no cgroup.

load ../lib/helpers

setup_file() { common_setup_file; }
setup() { common_setup; }
teardown() { common_teardown; }

# try CMD...: run the runtime with stdio in files (a detached container that
# was wrongly created must not hold a bats pipe open); sets status, output,
# stderr, lines.
try() {
	status=0
	rt "$@" </dev/null >"$T/try.out" 2>"$T/try.err" 3>&- || status=$?
	output=$(<"$T/try.out")
	stderr=$(<"$T/try.err")
	mapfile -t lines <<<"$output"
}

try_create() { try create --bundle "$BUNDLE" "${1:-$CID}"; }

# create must fail with one line of error (containing $1 if given), and leave
# nothing behind.
create_must_fail() {
	try_create
	assert_failure
	assert_one_line_error
	[[ -z ${1-} ]] || assert_stderr_contains "$1"
	assert_nothing_left "$CID"
}

@test "malformed config.json" {
	echo '{"ociVersion": "1.0.2", "process": {' >"$BUNDLE/config.json"
	create_must_fail
}

@test "config.json is not valid for its schema (args is a string)" {
	cfg '.process.args = "probe"'
	create_must_fail
}

@test "missing config.json" {
	rm "$BUNDLE/config.json"
	create_must_fail
}

@test "bundle directory does not exist" {
	try create --bundle "$T/nonexistent" "$CID"
	assert_failure
	assert_one_line_error
	assert_nothing_left "$CID"
}

@test "missing process.args" {
	cfg 'del(.process.args)'
	create_must_fail
}

@test "empty process.args" {
	cfg '.process.args = []'
	create_must_fail
}

@test "missing rootfs" {
	cfg '.root.path = "no-such-rootfs"'
	create_must_fail
}

@test "relative process.cwd" {
	cfg '.process.cwd = "relative/dir"'
	create_must_fail
}

@test "unknown namespace type" {
	cfg '.linux.namespaces += [{"type": "bogus"}]'
	create_must_fail
}

@test "duplicate namespace type" {
	cfg '.linux.namespaces += [{"type": "network"}]'
	create_must_fail
}

@test "unknown rlimit type" {
	cfg '.process.rlimits += [{"type": "RLIMIT_BOGUS", "soft": 1, "hard": 1}]'
	create_must_fail
}

@test "hostname without a private UTS namespace" {
	cfg '.linux.namespaces |= map(select(.type != "uts")) | .hostname = "x"'
	create_must_fail
}

@test "executable not found in \$PATH (reported by create, not start)" {
	set_args no-such-command
	create_must_fail 'executable file not found in $PATH'
}

@test "absolute executable path does not exist" {
	set_args /no/such/binary
	create_must_fail "no such file or directory"
}

@test "executable is not executable: permission denied" {
	set_args /etc/passwd
	create_must_fail "permission denied"
}

@test "executable is a directory" {
	set_args /etc
	try_create
	assert_failure
	assert_one_line_error
	[[ $stderr == *"permission denied"* || $stderr == *"is a directory"* ]] ||
		fail_msg "expected 'permission denied' or 'is a directory'"
	assert_nothing_left "$CID"
}

@test "bind mount source does not exist (fails inside the container setup)" {
	add_mount '{"destination": "/mnt/x", "type": "bind", "source": "/nonexistent-berth-src", "options": ["bind"]}'
	create_must_fail
}

@test "mount of an unknown filesystem type" {
	add_mount '{"destination": "/mnt", "type": "nosuchfs", "source": "none"}'
	create_must_fail
}

@test "invalid container ids are rejected and create nothing outside the root" {
	local id
	for id in ../escape a/b .. . "bad id" ""; do
		try create --bundle "$BUNDLE" "$id"
		assert_failure
		assert_one_line_error
	done
	[[ ! -e $T/escape ]] || fail_msg "../escape created"
	[[ -z $(marked_pids) ]] || fail_msg "processes left"
	# The root may not even exist: nothing was ever created in it.
	run ls -A "$ROOT"
	[[ $status -ne 0 || -z $output ]] || fail_msg "entries left in root: $output"
}

@test "duplicate id: error, and the first container is untouched" {
	probe_args sleep 100
	create_ctr
	local pid
	pid=$(state_field "$CID" pid)
	try_create
	assert_failure
	assert_one_line_error
	assert_stderr_contains "container with given ID already exists"
	assert_eq "$(state_field "$CID" status)" created
	assert_eq "$(state_field "$CID" pid)" "$pid"
	kill -0 "$pid"
	# Only the first container's processes exist.
	assert_eq "$(marked_pids | wc -l)" 1
}

@test "unknown id: state, start, kill, delete, pause, resume, ps fail with 'container does not exist'" {
	local cmd
	for cmd in state start kill delete pause resume ps; do
		try "$cmd" nosuchcontainer
		assert_failure
		assert_one_line_error
		assert_stderr_contains "container does not exist"
	done
	[[ ! -e $ROOT/nosuchcontainer ]] || fail_msg "state dir created for an unknown id"
}

@test "unknown id: exec fails with status 255" {
	try exec nosuchcontainer /probe pid
	assert_failure 255
	assert_one_line_error
	assert_stderr_contains "container does not exist"
}

@test "start on a running container fails" {
	probe_args sleep 100
	create_ctr
	rt start "$CID"
	try start "$CID"
	assert_failure
	assert_one_line_error
	assert_eq "$(state_field "$CID" status)" running
}

@test "start on a stopped container fails" {
	probe_args exit 0
	create_ctr
	rt start "$CID"
	wait_status "$CID" stopped
	try start "$CID"
	assert_failure
	assert_one_line_error
}

@test "kill on a stopped container: 'container not running'" {
	probe_args exit 0
	create_ctr
	rt start "$CID"
	wait_status "$CID" stopped
	try kill "$CID" KILL
	assert_failure
	assert_one_line_error
	assert_stderr_contains "container not running"
}

@test "kill with an unknown signal name fails" {
	probe_args sleep 100
	create_ctr
	try kill "$CID" NOSUCHSIG
	assert_failure
	assert_one_line_error
	assert_eq "$(state_field "$CID" status)" created
}

@test "delete of a running container without --force fails and leaves it running" {
	probe_args sleep 100
	create_ctr
	rt start "$CID"
	try delete "$CID"
	assert_failure
	assert_one_line_error
	assert_stderr_contains "cannot delete container $CID that is not stopped: running"
	assert_eq "$(state_field "$CID" status)" running
}

@test "bad flags and unknown subcommands exit non-zero" {
	try --no-such-global-flag list
	assert_failure
	try list --no-such-flag
	assert_failure
	try create --no-such-flag --bundle "$BUNDLE" "$CID"
	assert_failure
	assert_nothing_left "$CID"
	try no-such-subcommand
	assert_failure
	try --log-format bogus list
	assert_failure
}

@test "missing container id argument exits non-zero" {
	local cmd
	for cmd in create start state kill delete; do
		try "$cmd"
		assert_failure
	done
}

@test "--console-socket without terminal is refused" {
	try create --bundle "$BUNDLE" --console-socket "$T/sock" "$CID"
	assert_failure
	assert_one_line_error
	assert_nothing_left "$CID"
}

@test "terminal without --console-socket is refused for create and run -d" {
	cfg '.process.terminal = true'
	create_must_fail
	try run -d --bundle "$BUNDLE" "$CID"
	assert_failure
	assert_one_line_error
	assert_nothing_left "$CID"
}

@test "--log with --log-format json: the error is one JSON record, also echoed on stderr" {
	try --log "$T/log.json" --log-format json state nosuchcontainer
	assert_failure
	assert_stderr_contains "container does not exist"
	run jq -r 'select(.level == "error") | .msg' "$T/log.json"
	assert_success
	assert_eq "$output" "container does not exist"
	run jq -r '.time' "$T/log.json"
	[[ $output =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9:]+)$ ]] || fail_msg "time is not RFC3339"
	# Every line is one JSON object with level, msg, time.
	run jq -c 'keys' "$T/log.json"
	assert_eq "$output" '["level","msg","time"]'
}

@test "--log json: a failed create's reason is the last error record" {
	set_args no-such-command
	try --log "$T/log.json" --log-format json create --bundle "$BUNDLE" "$CID"
	assert_failure
	run jq -rs 'map(select(.level == "error")) | last | .msg' "$T/log.json"
	assert_output_contains 'executable file not found in $PATH'
	assert_nothing_left "$CID"
}
