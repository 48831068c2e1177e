#!/usr/bin/env bats
# linux.namespaces (new, joined by path), hostname, domainname, sysctl,
# user namespace id mappings and time namespace offsets
# (config-linux.md "Namespaces", "User namespace mappings", "Offset for Time
# Namespace", "Sysctl"; config.md "Hostname", "Domainname").

load ../lib/helpers

setup_file() { common_setup_file; }
setup() { common_setup; }
teardown() { common_teardown; }

# ns_value NAME: inode of /proc/self/ns/NAME as printed by `probe ns`.
ns_value() { value "$1"; }

drop_ns() { cfg ".linux.namespaces |= map(select(.type != \"$1\"))"; }

# join_ns TYPE PATH: make namespace TYPE join PATH.
join_ns() { cfg "(.linux.namespaces[] | select(.type == \"$1\")).path = \$p" --arg p "$2"; }

# persistent_ns KIND FILE [CMD...]: a namespace bind-mounted on FILE (unshare --KIND=FILE).
persistent_ns() {
	local kind=$1 f=$2
	shift 2
	touch "$f"
	CLEANUP_MOUNTS+=("$f")
	unshare --"$kind"="$f" "${@:-true}"
}

# The host uid 100000 (userns root) must be able to reach the rootfs.
make_bundle_traversable() {
	local d=$BUNDLE
	while [[ $d == "$BATS_RUN_TMPDIR"* && $d != / ]]; do
		chmod o+x "$d"
		d=$(dirname "$d")
	done
}

userns_cfg() {
	cfg '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]'
	make_bundle_traversable
}

@test "default spec: pid, network, ipc, uts, mount are new; user, cgroup, time are the host's" {
	run_probe ns
	assert_success
	# As `runc spec`: on a cgroup v2 host the template has a cgroup namespace too.
	local ns new=(pid net ipc uts mnt) host=(user cgroup time)
	if [[ $(stat -fc %T /sys/fs/cgroup) == cgroup2fs ]]; then
		new+=(cgroup)
		host=(user time)
	fi
	for ns in "${new[@]}"; do
		[[ $(ns_value "$ns") != "$(host_ns "$ns")" ]] || fail_msg "$ns namespace is the host's"
	done
	for ns in "${host[@]}"; do
		assert_eq "$(ns_value "$ns")" "$(host_ns "$ns")" "($ns should be the host's)"
	done
}

@test "each namespace type removed from the config is shared with the host" {
	local ns name
	for ns in pid network ipc uts; do
		cp "$BATS_FILE_TMPDIR/config.base.json" "$BUNDLE/config.json"
		drop_ns "$ns"
		[[ $ns == uts ]] && cfg 'del(.hostname)'
		run_probe ns
		assert_success
		name=$ns
		[[ $ns == network ]] && name=net
		assert_eq "$(ns_value "$name")" "$(host_ns "$name")" "($ns)"
	done
}

@test "pid namespace: the process is pid 1; without it, it is not" {
	run_probe pid
	assert_line pid=1
	assert_line ppid=0
	drop_ns pid
	run_probe pid
	assert_success
	refute_line pid=1
}

@test "network namespace: only a loopback interface" {
	run_probe read /proc/net/dev
	assert_success
	assert_line_match '^ *lo:'
	assert_eq "$(grep -c ':' <<<"$output")" 1
}

@test "cgroup namespace: new, and the container sees itself at the root" {
	cfg '.linux.namespaces |= map(select(.type != "cgroup")) + [{"type": "cgroup"}]'
	run_probe ns ";" cgroup
	assert_success
	[[ $(ns_value cgroup) != "$(host_ns cgroup)" ]] || fail_msg "cgroup ns is the host's"
	assert_line "0::/"
}

@test "join an existing network namespace by path" {
	persistent_ns net "$T/netns"
	join_ns network "$T/netns"
	run_probe ns
	assert_success
	assert_eq "$(ns_value net)" "$(stat -L -c %i "$T/netns")"
}

@test "join an existing uts namespace by path keeps its hostname" {
	persistent_ns uts "$T/utsns" hostname joined-uts
	join_ns uts "$T/utsns"
	cfg 'del(.hostname)'
	run_probe ns ";" hostname
	assert_success
	assert_eq "$(ns_value uts)" "$(stat -L -c %i "$T/utsns")"
	assert_line hostname=joined-uts
	[[ $(hostname) != joined-uts ]]
}

@test "join another container's pid namespace" {
	probe_args sleep 100
	create_ctr "$CID-a"
	local apid
	apid=$(state_field "$CID-a" pid)
	join_ns pid "/proc/$apid/ns/pid"
	run_probe ns ";" pid
	assert_success
	assert_eq "$(ns_value pid)" "$(stat -L -c %i "/proc/$apid/ns/pid")"
	refute_line pid=1
}

@test "namespace path that is not a namespace is refused" {
	touch "$T/not-a-ns"
	join_ns network "$T/not-a-ns"
	probe_args pid
	status=0
	rt create --bundle "$BUNDLE" "$CID" </dev/null >"$T/out" 2>"$T/err" 3>&- || status=$?
	stderr=$(<"$T/err")
	assert_failure
	# runc 1.1.5 prints three lines here (two "level=fatal" from nsexec); berth: one.
	is_runc || assert_one_line_error
	assert_nothing_left "$CID"
}

@test "hostname" {
	cfg '.hostname = "berth-host"'
	run_probe hostname
	assert_success
	assert_line hostname=berth-host
	[[ $(hostname) != berth-host ]]
}

@test "domainname" {
	# runc 1.1.5 ignores "domainname" (support came in runc 1.2); berth sets it.
	skip_if_runc "ignores process domainname"
	cfg '.hostname = "h" | .domainname = "example.org"'
	run_probe hostname
	assert_success
	assert_line hostname=h
	assert_line domainname=example.org
}

@test "sysctl: net.ipv4.ip_forward (netns) and kernel.shm_rmid_forced (ipcns), host unchanged" {
	local host_fwd host_shm
	host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	host_shm=$(cat /proc/sys/kernel/shm_rmid_forced)
	local want_fwd=$((1 - host_fwd)) want_shm=$((1 - host_shm))
	cfg '.linux.sysctl = {"net.ipv4.ip_forward": $a, "kernel.shm_rmid_forced": $b}' \
		--arg a "$want_fwd" --arg b "$want_shm"
	run_probe sysctl net.ipv4.ip_forward ";" sysctl kernel.shm_rmid_forced
	assert_success
	assert_line "net.ipv4.ip_forward=$want_fwd"
	assert_line "kernel.shm_rmid_forced=$want_shm"
	assert_eq "$(cat /proc/sys/net/ipv4/ip_forward)" "$host_fwd"
	assert_eq "$(cat /proc/sys/kernel/shm_rmid_forced)" "$host_shm"
}

@test "sysctl: slash-separated key form" {
	cfg '.linux.sysctl = {"net/ipv4/ip_forward": "1"}'
	run_probe sysctl net.ipv4.ip_forward
	assert_success
	assert_line "net.ipv4.ip_forward=1"
}

@test "sysctl: a net.* key in the host network namespace is refused" {
	drop_ns network
	cfg '.linux.sysctl = {"net.ipv4.ip_forward": "1"}'
	local host_fwd
	host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	probe_args pid
	run_ctr
	assert_failure
	assert_one_line_error
	assert_eq "$(cat /proc/sys/net/ipv4/ip_forward)" "$host_fwd"
	assert_nothing_left "$CID"
}

@test "user namespace: root inside, mapped ids outside, uid_map/gid_map content" {
	userns_cfg
	run_probe ids ";" ns ";" read /proc/self/uid_map ";" read /proc/self/gid_map ";" stat /probe
	assert_success
	assert_line uid=0
	assert_line gid=0
	[[ $(ns_value user) != "$(host_ns user)" ]] || fail_msg "user ns is the host's"
	local maps
	maps=$(printf '%s\n' "${lines[@]}" | awk 'NF == 3 && $1 ~ /^[0-9]+$/ {print $1, $2, $3}')
	assert_eq "$maps" $'0 100000 65536\n0 200000 65536'
	# Host root is not mapped: the image's files show as the overflow ids.
	assert_line_match '^type=file mode=0755 uid=65534 gid=65534 '
}

@test "user namespace: the init runs as the mapped host ids" {
	userns_cfg
	probe_args sleep 100
	create_ctr
	local pid
	pid=$(state_field "$CID" pid)
	run grep -E '^(Uid|Gid):' "/proc/$pid/status"
	assert_line_match '^Uid:[[:space:]]+100000[[:space:]]+100000[[:space:]]+100000[[:space:]]+100000$'
	assert_line_match '^Gid:[[:space:]]+200000[[:space:]]+200000[[:space:]]+200000[[:space:]]+200000$'
	# It joined its cgroup in every hierarchy from inside the user namespace
	# (through the files the runtime opened, where it moves itself).
	local _id _ctrls path n=0
	while IFS=: read -r _id _ctrls path; do
		[[ $path == */"$CID" ]] || fail_msg "hierarchy $_id:$_ctrls: cgroup $path, expected .../$CID"
		n=$((n + 1))
	done <"/proc/$pid/cgroup"
	((n > 0)) || fail_msg "no cgroup lines"
}

@test "user namespace: non-root container user maps to hostID + uid" {
	userns_cfg
	cfg '.process.user = {"uid": 1000, "gid": 1000}'
	probe_args sleep 100
	create_ctr
	local pid
	pid=$(state_field "$CID" pid)
	rt start "$CID"
	run grep -E '^Uid:' "/proc/$pid/status"
	assert_line_match '^Uid:[[:space:]]+101000[[:space:]]'
}

@test "time namespace: monotonic and boottime offsets" {
	# runc 1.1.5 has no time namespace support (added in runc 1.2).
	skip_if_runc "no time namespace support"
	[[ -e /proc/self/ns/time ]] || skip "kernel without time namespaces"
	cfg '.linux.namespaces += [{"type": "time"}]
		| .linux.timeOffsets = {"monotonic": {"secs": 864000, "nanosecs": 0},
		                        "boottime": {"secs": 1728000, "nanosecs": 0}}'
	run_probe ns ";" timens
	assert_success
	[[ $(ns_value time) != "$(host_ns time)" ]] || fail_msg "time ns is the host's"
	local host_mono host_boot
	read -r host_mono _ </proc/uptime
	host_mono=${host_mono%.*}
	host_boot=$host_mono
	local mono boot
	mono=$(value monotonic)
	boot=$(value boottime)
	((mono >= 864000 && mono < 864000 + host_mono + 60)) || fail_msg "monotonic $mono"
	((boot >= 1728000 && boot < 1728000 + host_boot + 60)) || fail_msg "boottime $boot"
}

@test "time namespace without offsets is new and clocks unchanged" {
	skip_if_runc "no time namespace support"
	[[ -e /proc/self/ns/time ]] || skip "kernel without time namespaces"
	cfg '.linux.namespaces += [{"type": "time"}]'
	run_probe ns ";" timens
	assert_success
	[[ $(ns_value time) != "$(host_ns time)" ]] || fail_msg "time ns is the host's"
	local up
	read -r up _ </proc/uptime
	up=${up%.*}
	(($(value boottime) - up < 5 && up - $(value boottime) < 5)) || fail_msg "boottime shifted"
}
