#!/usr/bin/env bats
# process: args, env, cwd, user (uid/gid/additionalGids/umask), capabilities,
# rlimits, noNewPrivileges, oomScoreAdj, fd hygiene, --preserve-fds,
# LISTEN_FDS, terminal + --console-socket, consoleSize
# (config.md "Process", "POSIX process", "User"; contract §3.3, §3.5).

load ../lib/helpers

setup_file() { common_setup_file; }
setup() { common_setup; }
teardown() { common_teardown; }

# Capability bits used below.
CHOWN=0x1 KILL=0x20 NET_BIND_SERVICE=0x400 NET_RAW=0x2000 AUDIT_WRITE=0x20000000
hex16() { printf '%016x' "$(($1))"; }

@test "args are passed verbatim (spaces, empty strings)" {
	set_args /bin/sh -c 'for a in "$@"; do printf "[%s]" "$a"; done; echo' sh "a b" "" "c\"d" '$HOME'
	run_ctr
	assert_success
	assert_eq "$output" '[a b][][c"d][$HOME]'
}

@test "args[0] is looked up in the container's PATH" {
	cfg '.process.env = ["PATH=/bin"]'
	set_args busybox echo found
	run_ctr
	assert_success
	assert_eq "$output" found
}

@test "env: exactly the configured variables (plus HOME), nothing from the caller" {
	cfg '.process.env = ["PATH=/bin:/usr/bin", "A=1", "B=x y", "EMPTY="]'
	export BERTH_CALLER_SECRET=leak
	run_probe env
	unset BERTH_CALLER_SECRET
	assert_success
	assert_line "PATH=/bin:/usr/bin"
	assert_line "A=1"
	assert_line "B=x y"
	assert_line "EMPTY="
	refute_line "BERTH_CALLER_SECRET=leak"
	local l
	for l in "${lines[@]}"; do
		[[ $l =~ ^(PATH|A|B|EMPTY|HOME)= ]] || fail_msg "unexpected variable: $l"
	done
}

@test "env: HOME is set from the image's /etc/passwd when absent (runc behaviour)" {
	cfg '.process.env = ["PATH=/bin"]'
	run_probe env
	assert_line HOME=/root
	cfg '.process.user = {"uid": 1000, "gid": 1000}'
	run_probe env
	assert_line HOME=/home/user
	cfg '.process.env += ["HOME=/custom"]'
	run_probe env
	assert_line HOME=/custom
	refute_line HOME=/home/user
}

@test "cwd" {
	cfg '.process.cwd = "/etc"'
	run_probe cwd
	assert_success
	assert_line cwd=/etc
}

@test "cwd that does not exist in the image is created (runc behaviour)" {
	cfg '.process.cwd = "/var/berth/work"'
	run_probe cwd
	assert_success
	assert_line cwd=/var/berth/work
}

@test "user: uid, gid, additionalGids" {
	cfg '.process.user = {"uid": 1000, "gid": 1000, "additionalGids": [100, 5]}'
	run_probe ids
	assert_success
	assert_line uid=1000
	assert_line gid=1000
	assert_line euid=1000
	assert_line egid=1000
	assert_line groups=5,100
}

@test "user: no additionalGids means no supplementary groups (not even from /etc/group)" {
	# The image's /etc/group lists user 1000 in group 100 ("users").
	cfg '.process.user = {"uid": 1000, "gid": 1000}'
	run_probe ids
	assert_success
	assert_line uid=1000
	assert_line groups=
}

@test "user: umask" {
	cfg '.process.user.umask = 63'
	run_probe ids
	assert_success
	assert_line umask=0077
	cfg 'del(.process.user.umask)'
	run_probe ids
	assert_line umask=0022
}

@test "capabilities: runc spec defaults (ambient is ignored because inheritable is empty)" {
	run_probe caps
	assert_success
	local want
	want=$(hex16 $((KILL | NET_BIND_SERVICE | AUDIT_WRITE)))
	assert_line "CapInh=0000000000000000"
	assert_line "CapPrm=$want"
	assert_line "CapEff=$want"
	assert_line "CapBnd=$want"
	assert_line "CapAmb=0000000000000000"
}

@test "capabilities: all five sets for a non-root user (permitted/effective come from ambient)" {
	cfg '.process.user = {"uid": 1000, "gid": 1000} | .process.noNewPrivileges = false
		| .process.capabilities = {
			"bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW", "CAP_NET_BIND_SERVICE"],
			"permitted": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
			"effective": ["CAP_CHOWN", "CAP_KILL"],
			"inheritable": ["CAP_CHOWN", "CAP_NET_BIND_SERVICE"],
			"ambient": ["CAP_NET_BIND_SERVICE"]}'
	run_probe caps
	assert_success
	assert_line "CapInh=$(hex16 $((CHOWN | NET_BIND_SERVICE)))"
	assert_line "CapPrm=$(hex16 $NET_BIND_SERVICE)"
	assert_line "CapEff=$(hex16 $NET_BIND_SERVICE)"
	assert_line "CapBnd=$(hex16 $((CHOWN | KILL | NET_RAW | NET_BIND_SERVICE)))"
	assert_line "CapAmb=$(hex16 $NET_BIND_SERVICE)"
}

@test "capabilities: all five sets for root without noNewPrivileges" {
	cfg '.process.noNewPrivileges = false
		| .process.capabilities = {
			"bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"],
			"permitted": ["CAP_CHOWN", "CAP_KILL"],
			"effective": ["CAP_KILL"],
			"inheritable": ["CAP_CHOWN"],
			"ambient": ["CAP_CHOWN"]}'
	run_probe caps
	assert_success
	# execve as root: permitted = effective = bounding | inheritable.
	assert_line "CapInh=$(hex16 $CHOWN)"
	assert_line "CapPrm=$(hex16 $((CHOWN | KILL | NET_RAW)))"
	assert_line "CapEff=$(hex16 $((CHOWN | KILL | NET_RAW)))"
	assert_line "CapBnd=$(hex16 $((CHOWN | KILL | NET_RAW)))"
	assert_line "CapAmb=$(hex16 $CHOWN)"
}

@test "capabilities: root with noNewPrivileges cannot gain beyond the configured permitted set" {
	cfg '.process.noNewPrivileges = true
		| .process.capabilities = {
			"bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"],
			"permitted": ["CAP_CHOWN", "CAP_KILL"],
			"effective": ["CAP_KILL"],
			"inheritable": ["CAP_CHOWN"],
			"ambient": ["CAP_CHOWN"]}'
	run_probe caps
	assert_success
	assert_line "CapInh=$(hex16 $CHOWN)"
	assert_line "CapPrm=$(hex16 $((CHOWN | KILL)))"
	assert_line "CapEff=$(hex16 $((CHOWN | KILL)))"
	assert_line "CapBnd=$(hex16 $((CHOWN | KILL | NET_RAW)))"
	assert_line "CapAmb=$(hex16 $CHOWN)"
}

@test "capabilities: empty sets" {
	cfg '.process.capabilities = {}'
	run_probe caps
	assert_success
	local s
	for s in CapInh CapPrm CapEff CapBnd CapAmb; do
		assert_line "$s=0000000000000000"
	done
}

@test "capabilities: dropped bounding capability has an effect (chown fails)" {
	cfg '.root.readonly = false | .process.capabilities.bounding = ["CAP_KILL"]'
	set_args /bin/sh -c 'touch /tmp/f && chown 1000 /tmp/f && echo chowned || echo denied'
	run_ctr
	assert_eq "$output" denied
}

@test "rlimits: NOFILE soft/hard below the host hard limit" {
	local hard
	hard=$(ulimit -Hn)
	((hard > 200)) || skip "host hard NOFILE limit too low"
	cfg '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 100, "hard": 200},
		{"type": "RLIMIT_CORE", "soft": 0, "hard": 0}]'
	run_probe rlimit NOFILE ";" rlimit CORE
	assert_success
	assert_eq "${lines[0]}" "100 200"
	assert_eq "${lines[1]}" "0 0"
}

@test "rlimits: spec default NOFILE 1024/1024" {
	run_probe rlimit NOFILE
	assert_success
	assert_eq "$output" "1024 1024"
}

@test "rlimits: unconfigured NOFILE is the caller's, not a value raised by the runtime" {
	# runc 1.1.5 (Go 1.19) leaks its own raised soft NOFILE limit into the container.
	skip_if_runc "leaks the Go runtime's raised RLIMIT_NOFILE"
	local hard
	hard=$(ulimit -Hn)
	((hard > 1000)) || skip "host hard NOFILE limit too low"
	cfg 'del(.process.rlimits)'
	probe_args rlimit NOFILE
	run --separate-stderr bash -c 'ulimit -Sn 1000 && exec "$@"' _ \
		timeout -k 5 30 "$RUNTIME" --root "$ROOT" run --bundle "$BUNDLE" "$CID"
	assert_success
	assert_eq "$output" "1000 $hard"
}

@test "noNewPrivileges true and false" {
	cfg '.process.noNewPrivileges = true'
	run_probe nnp
	assert_line nnp=1
	cfg '.process.noNewPrivileges = false'
	run_probe nnp
	assert_line nnp=0
}

@test "oomScoreAdj" {
	cfg '.process.oomScoreAdj = 123'
	run_probe oom
	assert_success
	assert_line oom_score_adj=123
	cfg 'del(.process.oomScoreAdj)'
	run_probe oom
	assert_line "oom_score_adj=$(cat /proc/self/oom_score_adj)"
}

@test "fds: only 0, 1, 2 in the container although the runtime had extra fds (run)" {
	exec 5</etc/hostname 7>"$T/scratch"
	run_probe fds
	exec 5<&- 7>&-
	assert_success
	assert_eq "$output" ""
}

@test "fds: only 0, 1, 2 after create + start, with extra fds at both steps" {
	probe_args fds
	exec 5</etc/hostname 9<"$BUNDLE/config.json"
	rt create --bundle "$BUNDLE" "$CID" </dev/null >"$T/out" 2>&1 3>&-
	rt start "$CID" 3>&-
	exec 5<&- 9<&-
	wait_status "$CID" stopped
	assert_eq "$(cat "$T/out")" ""
}

@test "fds: stdio of a detached container is the caller's, nothing else" {
	probe_args fds -a
	exec 5</etc/hostname
	rt run -d --bundle "$BUNDLE" "$CID" </dev/null >"$T/out" 2>"$T/err" 3>&-
	exec 5<&-
	wait_status "$CID" stopped
	run cat "$T/out"
	assert_eq "${#lines[@]}" 3
	assert_line "0 /dev/null"
	assert_line "1 $T/out"
	assert_line "2 $T/err"
}

@test "--preserve-fds N passes fds 3..3+N-1 with their numbers, and no more" {
	echo one >"$T/f1"
	echo two >"$T/f2"
	echo three >"$T/f3"
	probe_args fds ";" read /proc/self/fd/3 ";" read /proc/self/fd/4
	run --separate-stderr rt run --preserve-fds 2 --bundle "$BUNDLE" "$CID" 3<"$T/f1" 4<"$T/f2" 5<"$T/f3"
	assert_success
	assert_line_match "^3 .*/f1$"
	assert_line_match "^4 .*/f2$"
	assert_line one
	assert_line two
	[[ $output != *"/f3"* ]] || fail_msg "fd 5 leaked"
}

# With LISTEN_PID = the runtime's own pid (bash execs into it).
listen_run() {
	local n=$1
	shift
	run --separate-stderr timeout -k 5 30 bash -c \
		'export LISTEN_PID=$$ LISTEN_FDS='"$n"'; exec "$0" --root "$1" run --bundle "$2" "${@:3}"' \
		"$RUNTIME" "$ROOT" "$BUNDLE" "$@"
}

@test "LISTEN_FDS/LISTEN_PID: socket-activation fds are passed, env rewritten to LISTEN_PID=1" {
	echo a >"$T/f1"
	echo b >"$T/f2"
	echo c >"$T/f3"
	probe_args fds ";" env
	listen_run 2 "$CID" 3<"$T/f1" 4<"$T/f2" 5<"$T/f3"
	assert_success
	assert_line_match "^3 .*/f1$"
	assert_line_match "^4 .*/f2$"
	[[ $output != *"/f3"* ]] || fail_msg "fd 5 leaked"
	assert_line LISTEN_FDS=2
	assert_line LISTEN_PID=1
}

@test "LISTEN_FDS plus --preserve-fds: extra fds follow the listen fds" {
	echo a >"$T/f1"
	echo b >"$T/f2"
	echo c >"$T/f3"
	echo d >"$T/f4"
	probe_args fds
	listen_run 2 --preserve-fds 1 "$CID" 3<"$T/f1" 4<"$T/f2" 5<"$T/f3" 6<"$T/f4"
	assert_success
	assert_line_match "^3 .*/f1$"
	assert_line_match "^4 .*/f2$"
	assert_line_match "^5 .*/f3$"
	[[ $output != *"/f4"* ]] || fail_msg "fd 6 leaked"
}

@test "LISTEN_FDS with a LISTEN_PID that is not the runtime's: nothing passed" {
	echo a >"$T/f1"
	probe_args fds ";" env
	LISTEN_PID=1 LISTEN_FDS=1 run --separate-stderr rt run --bundle "$BUNDLE" "$CID" 3<"$T/f1"
	assert_success
	[[ $output != *"/f1"* ]] || fail_msg "fd 3 passed without a matching LISTEN_PID"
	refute_line LISTEN_FDS=1
}

# tty_run ARGS...: terminal=true, create with --console-socket served by
# `probe recvtty`, start, and collect what the container wrote to the pty
# into $output (CRs stripped) and the receiver's info into $T/tty.out.info.
tty_run() {
	probe_args "$@"
	cfg '.process.terminal = true'
	timeout -k 5 20 "$PROBE_BIN" recvtty "$T/tty.sock" "$T/tty.out" ${TTY_GATE:+"$TTY_GATE"} &
	local rpid=$!
	wait_for 5 test -S "$T/tty.sock" || fail_msg "receiver did not listen"
	status=0
	rt create --bundle "$BUNDLE" --console-socket "$T/tty.sock" "$CID" </dev/null >"$T/out" 2>&1 3>&- || status=$?
	[[ $status -eq 0 ]] || { kill "$rpid"; fail_msg "create failed: $(cat "$T/out")"; }
	[[ -z ${TTY_GATE-} ]] || touch "$TTY_GATE"
	rt start "$CID"
	wait "$rpid" || fail_msg "receiver failed"
	output=$(tr -d '\r' <"$T/tty.out")
	mapfile -t lines <<<"$output"
}

@test "terminal: --console-socket receives the pty master; container stdio is the pty and ctty" {
	tty_run tty ";" fds -a ";" stat /dev/console
	assert_line isatty0=1
	assert_line isatty1=1
	assert_line isatty2=1
	assert_line ttyname0=/dev/pts/0
	assert_line ctty=1
	assert_line "0 /dev/pts/0"
	assert_line "1 /dev/pts/0"
	assert_line "2 /dev/pts/0"
	# /dev/console is the pty slave (devpts major 136).
	assert_line_match '^type=chr mode=[0-7]+ uid=0 gid=[0-9]+ rdev=136:0$'
	# One message, exactly one fd, non-empty payload.
	run cat "$T/tty.out.info"
	assert_line fds=1
	assert_line_match '^payload=.+'
}

@test "terminal: consoleSize sets the window size" {
	cfg '.process.consoleSize = {"height": 33, "width": 101}'
	tty_run tty
	assert_line rows=33
	assert_line cols=101
}

@test "terminal: create does not wait for the console socket receiver to accept" {
	# containerd accepts only after create has exited (contract §3.3).
	TTY_GATE=$T/gate tty_run tty
	assert_line isatty0=1
}

@test "terminal: the runtime's stdout is not the container's (create returns, EOF on its pipe)" {
	probe_args sleep 100
	cfg '.process.terminal = true'
	timeout -k 5 20 "$PROBE_BIN" recvtty "$T/tty.sock" "$T/tty.out" &
	wait_for 5 test -S "$T/tty.sock"
	# $(...) returns only when every holder of the pipe has closed it.
	local out
	out=$(timeout -k 5 20 "$RUNTIME" --root "$ROOT" create --bundle "$BUNDLE" --console-socket "$T/tty.sock" "$CID" </dev/null 2>&1 3>&-) ||
		fail_msg "create failed or hung: $out"
	assert_eq "$(state_field "$CID" status)" created
}

@test "session keyring: a new _ses.<id> keyring, none with --no-new-keyring" {
	cfg '.linux.maskedPaths -= ["/proc/keys"]'
	probe_args read /proc/keys
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID"
	assert_success
	assert_output_contains "_ses.$CID"
	run --separate-stderr rt run --no-new-keyring --bundle "$BUNDLE" "$CID-nk"
	CLEANUP_IDS+=("$CID-nk")
	assert_success
	[[ $output != *"_ses.$CID-nk"* ]] || fail_msg "a session keyring was made despite --no-new-keyring"
}
