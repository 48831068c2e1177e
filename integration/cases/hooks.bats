#!/usr/bin/env bats
# OCI hooks (config.md "POSIX-platform Hooks", runtime.md "Lifecycle";
# contract §5): where each kind runs, the state it reads on stdin, argv and
# env, failures and timeouts.

load ../lib/helpers

setup_file() { common_setup_file; }
setup() {
	common_setup
	# Host-side hooks record their stdin, argv, cwd and mount namespace here.
	cat >"$T/hook.sh" <<-'EOF'
		#!/bin/sh
		out=$1
		cat >"$out.json"
		echo "$@" >"$out.argv"
		pwd >"$out.cwd"
		readlink /proc/self/ns/mnt >"$out.mntns"
		echo "${HOOK_ENV:-unset}" >"$out.env"
	EOF
	chmod +x "$T/hook.sh"
}
teardown() { common_teardown; }

# hook KIND NAME [EXTRA_JSON]: adds a hook running hook.sh with $T/NAME as output base.
hook() {
	cfg ".hooks.$1 += [{\"path\": \"$T/hook.sh\", \"args\": [\"hook.sh\", \"$T/$2\"] ${3:+, $3}}]"
}

@test "hooks: prestart and createRuntime run on the host with the init's host pid, status creating" {
	hook prestart pre
	hook createRuntime cr
	probe_args sleep 100
	create_ctr
	local pid
	pid=$(state_field "$CID" pid)
	for h in pre cr; do
		assert_eq "$(jq -r .status "$T/$h.json")" creating
		assert_eq "$(jq -r .pid "$T/$h.json")" "$pid"
		assert_eq "$(jq -r .id "$T/$h.json")" "$CID"
		assert_eq "$(jq -r .bundle "$T/$h.json")" "$BUNDLE"
		assert_eq "$(cat "$T/$h.mntns")" "$(readlink /proc/self/ns/mnt)"
		assert_eq "$(cat "$T/$h.cwd")" "$BUNDLE"
		# args are passed verbatim: argv[0] is "hook.sh", not the path
		assert_eq "$(cat "$T/$h.argv")" "$T/$h"
	done
}

@test "hooks: createContainer runs in the container's mount namespace before the program" {
	hook createContainer cc
	probe_args sleep 100
	create_ctr
	[[ -s $T/cc.json ]] || fail_msg "createContainer hook did not run"
	assert_eq "$(jq -r .status "$T/cc.json")" creating
	[[ $(cat "$T/cc.mntns") != "$(readlink /proc/self/ns/mnt)" ]] || fail_msg "ran in the host mount namespace"
	[[ $(cat "$T/cc.mntns") == "$(readlink "/proc/$(state_field "$CID" pid)/ns/mnt")" ]] ||
		fail_msg "not the container's mount namespace"
}

@test "hooks: startContainer runs inside the container at start; poststart on the host, running" {
	skip_if_runc "observed running poststart hooks during create"
	# startContainer's path resolves in the container: a script in the rootfs
	# writing into a bind mount of the test directory.
	mkdir -p "$T/shared"
	cat >"$BUNDLE/rootfs/start-hook.sh" <<-'EOF'
		#!/bin/sh
		cat >/shared/start.json
	EOF
	chmod +x "$BUNDLE/rootfs/start-hook.sh"
	add_mount "{\"destination\": \"/shared\", \"type\": \"bind\", \"source\": \"$T/shared\", \"options\": [\"rbind\"]}"
	cfg '.hooks.startContainer = [{"path": "/start-hook.sh"}]'
	hook poststart post
	probe_args sleep 100
	create_ctr
	[[ ! -e $T/shared/start.json ]] || fail_msg "startContainer ran before start"
	[[ ! -e $T/post.json ]] || fail_msg "poststart ran before start"
	rt start "$CID"
	# The init runs startContainer after `start` released it: not
	# necessarily before `start` returns (runc alike).
	wait_for 10 test -s "$T/shared/start.json" || fail_msg "startContainer did not run"
	assert_eq "$(jq -r .status "$T/shared/start.json")" created
	assert_eq "$(jq -r .pid "$T/shared/start.json")" 1
	assert_eq "$(jq -r .status "$T/post.json")" running
	assert_eq "$(jq -r .pid "$T/post.json")" "$(state_field "$CID" pid)"
}

@test "hooks: poststop runs at delete with status stopped; its failure only warns" {
	hook poststop stop
	cfg '.hooks.poststop += [{"path": "/bin/false"}]'
	probe_args exit 0
	create_ctr
	rt start "$CID"
	wait_status "$CID" stopped
	run --separate-stderr rt delete "$CID"
	assert_success
	assert_eq "$(jq -r .status "$T/stop.json")" stopped
	[[ $(jq -r '.pid // 0' "$T/stop.json") == 0 ]] || fail_msg "pid given for a stopped container"
	[[ ! -e $ROOT/$CID ]] || fail_msg "state dir left"
}

@test "hooks: env is the hook's own when given" {
	hook prestart pre '"env": ["HOOK_ENV=from-config"]'
	probe_args sleep 100
	create_ctr
	assert_eq "$(cat "$T/pre.env")" from-config
}

@test "hooks: a failing prestart hook fails create with its output and leaves nothing behind" {
	cat >"$T/bad.sh" <<-'EOF'
		#!/bin/sh
		echo "hook says no" >&2
		exit 3
	EOF
	chmod +x "$T/bad.sh"
	cfg ".hooks.prestart = [{\"path\": \"$T/bad.sh\"}]"
	probe_args sleep 100
	run --separate-stderr rt create --bundle "$BUNDLE" "$CID"
	assert_failure
	assert_stderr_contains "hook says no"
	assert_nothing_left "$CID"
}

@test "hooks: a failed create ends as a delete: poststop hooks run after the cleanup, status stopped" {
	cfg ".hooks.prestart = [{\"path\": \"/bin/false\"}]"
	hook poststop stop
	probe_args sleep 100
	run --separate-stderr rt create --bundle "$BUNDLE" "$CID"
	assert_failure
	assert_nothing_left "$CID"
	[[ -s $T/stop.json ]] || fail_msg "poststop hook did not run"
	assert_eq "$(jq -r .status "$T/stop.json")" stopped
	assert_eq "$(jq -r .id "$T/stop.json")" "$CID"
	[[ $(jq -r '.pid // 0' "$T/stop.json") == 0 ]] || fail_msg "pid given for a stopped container"
}

@test "hooks: create refused for a duplicate id runs no poststop hook" {
	probe_args sleep 100
	create_ctr
	hook poststop stop
	run --separate-stderr rt create --bundle "$BUNDLE" "$CID"
	assert_failure
	[[ ! -e $T/stop.json ]] || fail_msg "poststop ran for a container that was never created"
	status_is "$CID" created || fail_msg "the existing container was disturbed"
}

@test "hooks: a hook past its timeout is killed and create fails" {
	cat >"$T/slow.sh" <<-'EOF'
		#!/bin/sh
		exec sleep 60
	EOF
	chmod +x "$T/slow.sh"
	cfg ".hooks.createRuntime = [{\"path\": \"$T/slow.sh\", \"timeout\": 1}]"
	probe_args sleep 100
	local start=$SECONDS
	run --separate-stderr rt create --bundle "$BUNDLE" "$CID"
	assert_failure
	assert_stderr_contains "timeout"
	((SECONDS - start < 20)) || fail_msg "timeout not enforced"
	assert_nothing_left "$CID"
}

@test "hooks: a failing createContainer hook fails create and leaves nothing behind" {
	cfg '.hooks.createContainer = [{"path": "/bin/false"}]'
	probe_args sleep 100
	run --separate-stderr rt create --bundle "$BUNDLE" "$CID"
	assert_failure
	assert_one_line_error
	assert_nothing_left "$CID"
}
