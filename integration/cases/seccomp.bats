#!/usr/bin/env bats
# seccomp (config-linux.md "Seccomp"): the filter is in force in the
# container with and without noNewPrivileges, actions and argument filters.

load ../lib/helpers

setup_file() { common_setup_file; }
setup() { common_setup; }
teardown() { common_teardown; }

try_create() { run --separate-stderr rt create --bundle "$BUNDLE" "$CID"; }

deny_mkdir() {
	cfg '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}'
}

@test "seccomp: ERRNO action with noNewPrivileges (filter loaded last)" {
	deny_mkdir
	cfg '.process.noNewPrivileges = true'
	set_args /bin/mkdir /dev/shm/berth-x
	run_ctr
	assert_failure
	assert_stderr_contains "Permission denied"
}

@test "seccomp: ERRNO action without noNewPrivileges (filter loaded while privileged)" {
	deny_mkdir
	cfg '.process.noNewPrivileges = false'
	set_args /bin/mkdir /dev/shm/berth-x
	run_ctr
	assert_failure
	assert_stderr_contains "Permission denied"
}

@test "seccomp: default action errno, unknown syscall names skipped" {
	cfg '.linux.seccomp = {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
		"syscalls": [{"names": ["no_such_syscall_berth"], "action": "SCMP_ACT_ALLOW"}]}'
	probe_args pid
	run_ctr
	assert_failure
}

@test "seccomp: KILL_PROCESS ends the container with SIGSYS" {
	cfg '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_KILL_PROCESS"}]}'
	probe_args pid
	run_ctr
	assert_failure 159
}

@test "seccomp: argument filter (kill with SIGUSR1 only)" {
	cfg '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
		"args": [{"index": 1, "value": 10, "op": "SCMP_CMP_EQ"}]}]}'
	set_args /bin/sh -c 'trap "" USR1; kill -0 $$ && echo zero-ok; kill -USR1 $$ || echo usr1-denied'
	run_ctr
	assert_line zero-ok
	assert_line usr1-denied
}

@test "seccomp: a bad action is a clear config error and leaves nothing behind" {
	skip_if_runc "its message does not name the field"
	cfg '.linux.seccomp = {"defaultAction": "SCMP_ACT_BOGUS"}'
	try_create
	assert_failure
	assert_one_line_error
	assert_stderr_contains "linux.seccomp.defaultAction"
	assert_nothing_left "$CID"
}
