#!/usr/bin/env bats
# root.readonly, mounts (bind/rbind/tmpfs/proc/sysfs/mqueue/devpts/cgroup),
# rootfsPropagation, /dev (default devices, symlinks, linux.devices, /dev/shm),
# maskedPaths, readonlyPaths, symlinked mount destinations
# (config.md "Root", "Mounts"; config-linux.md "Devices", "Default Devices",
# "Rootfs Mount Propagation", "Masked Paths", "Readonly Paths";
# runtime-linux.md "Default Filesystems", "Dev symbolic links").

load ../lib/helpers

setup_file() { common_setup_file; }
setup() { common_setup; }
teardown() { common_teardown; }

# mount_line PATH: the probe line for the mount at PATH from the last run's output.
mount_line() {
	local l
	for l in "${lines[@]}"; do
		[[ $l == "$1 "* ]] && echo "$l"
	done | tail -1
}

# assert_mount PATH FIELD OPT...: the mount at PATH has each OPT in FIELD (opts|super).
assert_mount() {
	local path=$1 field=$2 l o
	shift 2
	l=$(mount_line "$path")
	[[ -n $l ]] || fail_msg "no mount at $path"
	for o in "$@"; do
		has_opt "$l" "$field" "$o" || fail_msg "mount $path: $field lacks $o ($l)"
	done
}

mount_type() { mount_line "$1" | tr ' ' '\n' | sed -n 's/^type=//p'; }
mount_prop() { mount_line "$1" | tr ' ' '\n' | sed -n 's/^prop=//p'; }

@test "root.readonly true: / is ro and writes fail with EROFS" {
	cfg '.root.readonly = true'
	run_probe mount / ";" write /berth-x
	assert_success
	assert_mount / opts ro
	assert_line EROFS
}

@test "root.readonly false: / is rw and writable" {
	cfg '.root.readonly = false'
	run_probe mount / ";" write /berth-x
	assert_success
	assert_mount / opts rw
	assert_line ok
	[[ -f $BUNDLE/rootfs/berth-x ]]
}

@test "relative root.path is resolved against the bundle; absolute works too" {
	cfg '.root.path = $p' --arg p "$BUNDLE/rootfs"
	run_probe pid
	assert_success
	assert_line pid=1
}

@test "bind mount with ro,nosuid,nodev,noexec" {
	mkdir -p "$T/src"
	echo hello >"$T/src/file"
	add_mount "{\"destination\": \"/mnt/b\", \"type\": \"bind\", \"source\": \"$T/src\",
		\"options\": [\"bind\", \"ro\", \"nosuid\", \"nodev\", \"noexec\"]}"
	run_probe mounts ";" read /mnt/b/file ";" write /mnt/b/new
	assert_success
	assert_mount /mnt/b opts ro nosuid nodev noexec
	assert_line hello
	assert_line EROFS
	[[ ! -e $T/src/new ]]
}

@test "bind mount read-write: writes reach the host directory" {
	mkdir -p "$T/src"
	add_mount "{\"destination\": \"/mnt/b\", \"type\": \"bind\", \"source\": \"$T/src\", \"options\": [\"rbind\", \"rw\"]}"
	run_probe mount /mnt/b ";" write /mnt/b/new data
	assert_success
	assert_line ok
	assert_eq "$(cat "$T/src/new")" data
}

@test "bind vs rbind: submounts only with rbind" {
	mkdir -p "$T/src/sub"
	mount -t tmpfs tmpfs "$T/src/sub"
	CLEANUP_MOUNTS+=("$T/src/sub")
	echo in-sub >"$T/src/sub/f"
	add_mount "{\"destination\": \"/mnt/b\", \"type\": \"bind\", \"source\": \"$T/src\", \"options\": [\"bind\"]}"
	add_mount "{\"destination\": \"/mnt/r\", \"type\": \"bind\", \"source\": \"$T/src\", \"options\": [\"rbind\"]}"
	run_probe mounts ";" ls /mnt/b/sub ";" read /mnt/r/sub/f
	assert_success
	[[ -n $(mount_line /mnt/b) ]] || fail_msg "no bind at /mnt/b"
	[[ -z $(mount_line /mnt/b/sub) ]] || fail_msg "plain bind carried the submount"
	assert_eq "$(mount_type /mnt/r/sub)" tmpfs
	assert_line in-sub
}

@test "bind mount of a file onto a missing destination creates it" {
	echo filedata >"$T/hostfile"
	add_mount "{\"destination\": \"/etc/berth-file\", \"type\": \"bind\", \"source\": \"$T/hostfile\", \"options\": [\"bind\", \"ro\"]}"
	run_probe stat /etc/berth-file ";" read /etc/berth-file
	assert_success
	assert_line_match '^type=file '
	assert_line filedata
}

@test "tmpfs with size and mode data, and nosuid/noexec flags" {
	add_mount '{"destination": "/mnt/t", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "noexec", "size=1m", "mode=0711"]}'
	run_probe mounts ";" stat /mnt/t ";" write /mnt/t/x
	assert_success
	assert_eq "$(mount_type /mnt/t)" tmpfs
	assert_mount /mnt/t opts nosuid noexec
	assert_mount /mnt/t super size=1024k mode=711
	assert_line_match '^type=dir mode=0711 '
	assert_line ok
}

@test "tmpfs with ro" {
	add_mount '{"destination": "/mnt/t", "type": "tmpfs", "source": "tmpfs", "options": ["ro"]}'
	run_probe mounts ";" write /mnt/t/x
	assert_success
	assert_mount /mnt/t opts ro
	assert_line EROFS
}

@test "mount destinations are created in order, nested under earlier mounts" {
	add_mount '{"destination": "/mnt/t", "type": "tmpfs", "source": "tmpfs"}'
	add_mount '{"destination": "/mnt/t/a/b", "type": "tmpfs", "source": "tmpfs", "options": ["size=64k"]}'
	run_probe mounts
	assert_success
	assert_eq "$(mount_type /mnt/t)" tmpfs
	assert_mount /mnt/t/a/b super size=64k
}

@test "default filesystems: proc, sysfs (ro), mqueue, devpts, /dev tmpfs, /dev/shm" {
	run_probe mounts ";" stat /dev/shm
	assert_success
	assert_eq "$(mount_type /proc)" proc
	assert_eq "$(mount_type /sys)" sysfs
	assert_mount /sys opts ro nosuid nodev noexec
	assert_eq "$(mount_type /dev)" tmpfs
	assert_mount /dev opts nosuid
	assert_mount /dev super mode=755
	assert_eq "$(mount_type /dev/pts)" devpts
	assert_mount /dev/pts opts nosuid noexec
	assert_mount /dev/pts super ptmxmode=666 mode=620 gid=5
	assert_eq "$(mount_type /dev/shm)" tmpfs
	assert_mount /dev/shm opts nosuid nodev noexec
	assert_mount /dev/shm super size=65536k
	assert_line_match '^type=dir mode=1777 '
	assert_eq "$(mount_type /dev/mqueue)" mqueue
	assert_mount /dev/mqueue opts nosuid nodev noexec
}

@test "cgroup mount: present at /sys/fs/cgroup and read-only" {
	run_probe mounts
	assert_success
	local l n=0
	for l in "${lines[@]}"; do
		[[ $l == /sys/fs/cgroup* ]] || continue
		[[ $l == *" type=cgroup "* || $l == *" type=cgroup2 "* ]] || continue
		has_opt "$l" opts ro || fail_msg "cgroup mount not ro: $l"
		n=$((n + 1))
	done
	((n > 0)) || fail_msg "no cgroup filesystem under /sys/fs/cgroup"
}

@test "cgroup mount with a cgroup namespace shows the container's own cgroup as root" {
	cfg '.linux.namespaces |= map(select(.type != "cgroup")) + [{"type": "cgroup"}]'
	run_probe mounts
	assert_success
	local l
	for l in "${lines[@]}"; do
		[[ $l == /sys/fs/cgroup* && ($l == *" type=cgroup "* || $l == *" type=cgroup2 "*) ]] || continue
		[[ $l == *" root=/ "* ]] || fail_msg "cgroup mount root is not / in a cgroupns: $l"
	done
}

@test "default devices: null zero full random urandom tty are char devices with the right numbers" {
	run_probe stat /dev/null ";" stat /dev/zero ";" stat /dev/full ";" stat /dev/random ";" \
		stat /dev/urandom ";" stat /dev/tty
	assert_success
	local want=(1:3 1:5 1:7 1:8 1:9 5:0) i
	for i in 0 1 2 3 4 5; do
		[[ ${lines[i]} =~ ^type=chr\ mode=0666\ uid=0\ gid=0\ rdev=${want[i]}$ ]] ||
			fail_msg "device ${want[i]}: ${lines[i]}"
	done
}

@test "default devices are usable (device cgroup allows them)" {
	run_probe write /dev/null x ";" read /dev/zero
	assert_success
	assert_line ok
}

@test "/dev symlinks: fd stdin stdout stderr ptmx" {
	run_probe stat /dev/fd ";" stat /dev/stdin ";" stat /dev/stdout ";" stat /dev/stderr ";" stat /dev/ptmx
	assert_success
	assert_eq "${lines[0]##* }" target=/proc/self/fd
	assert_eq "${lines[1]##* }" target=/proc/self/fd/0
	assert_eq "${lines[2]##* }" target=/proc/self/fd/1
	assert_eq "${lines[3]##* }" target=/proc/self/fd/2
	assert_eq "${lines[4]##* }" target=pts/ptmx
}

@test "linux.devices: char, block and fifo nodes with fileMode, uid, gid" {
	cfg '.linux.devices = [
		{"path": "/dev/berth-null", "type": "c", "major": 1, "minor": 3, "fileMode": 400, "uid": 1000, "gid": 100},
		{"path": "/dev/berth-loop", "type": "b", "major": 7, "minor": 200, "fileMode": 432, "uid": 0, "gid": 6},
		{"path": "/dev/berth-fifo", "type": "p", "fileMode": 420}]'
	run_probe stat /dev/berth-null ";" stat /dev/berth-loop ";" stat /dev/berth-fifo
	assert_success
	assert_eq "${lines[0]}" "type=chr mode=0620 uid=1000 gid=100 rdev=1:3"
	assert_eq "${lines[1]}" "type=blk mode=0660 uid=0 gid=6 rdev=7:200"
	assert_line_match '^type=fifo mode=0644 '
}

@test "device cgroup: a node without an allow rule is not usable; with one it is" {
	# 1:11 is /dev/kmsg: not in the default allow list; only opened, never written.
	cfg '.linux.devices = [{"path": "/dev/berth-kmsg", "type": "c", "major": 1, "minor": 11, "fileMode": 384}]'
	run_probe write /dev/berth-kmsg
	assert_success
	assert_line EPERM
	cfg '.linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 11, "access": "rw"}]'
	run_probe write /dev/berth-kmsg
	assert_success
	assert_line ok
}

@test "masked paths: file becomes /dev/null (char 1:3), dir becomes an empty read-only tmpfs" {
	cfg '.root.readonly = false'
	echo secret >"$BUNDLE/rootfs/etc/secret-file"
	mkdir -p "$BUNDLE/rootfs/mnt/secret-dir"
	echo secret >"$BUNDLE/rootfs/mnt/secret-dir/f"
	cfg '.linux.maskedPaths += ["/etc/secret-file", "/mnt/secret-dir", "/no/such/path"]'
	run_probe stat /etc/secret-file ";" read /etc/secret-file ";" write /etc/secret-file x ";" \
		ls /mnt/secret-dir ";" write /mnt/secret-dir/new ";" mounts
	assert_success
	assert_eq "${lines[0]}" "type=chr mode=0666 uid=0 gid=0 rdev=1:3"
	refute_line secret
	refute_line f
	assert_line EROFS
	assert_eq "$(mount_type /mnt/secret-dir)" tmpfs
	assert_mount /mnt/secret-dir opts ro
	assert_eq "$(cat "$BUNDLE/rootfs/etc/secret-file")" secret
}

@test "default masked paths that exist on this kernel are masked" {
	local p args=()
	for p in /proc/acpi /proc/asound /proc/kcore /proc/keys /proc/latency_stats /proc/timer_list \
		/proc/timer_stats /proc/sched_debug /sys/firmware /proc/scsi; do
		[[ -e $p ]] && args+=(stat "$p" ";")
	done
	((${#args[@]})) || skip "none of the default masked paths exist here"
	run_probe "${args[@]}" mounts
	assert_success
	for p in /proc/acpi /proc/asound /proc/kcore /proc/keys /proc/latency_stats /proc/timer_list \
		/proc/timer_stats /proc/sched_debug /sys/firmware /proc/scsi; do
		[[ -e $p ]] || continue
		if [[ -d $p ]]; then
			assert_eq "$(mount_type "$p")" tmpfs "($p)"
			assert_mount "$p" opts ro
		else
			[[ $(mount_line "$p") == *" root=/null "* || $(mount_line "$p") == *" root=/dev/null "* ]] ||
				[[ $output == *"type=chr mode=0666 uid=0 gid=0 rdev=1:3"* ]] || fail_msg "$p not masked"
		fi
	done
}

@test "readonly paths: defaults under /proc are ro; a custom one is ro while / is rw" {
	cfg '.root.readonly = false | .linux.readonlyPaths += ["/mnt/rodir"]'
	mkdir -p "$BUNDLE/rootfs/mnt/rodir"
	# Only opened for writing (no data): never writes to sysrq-trigger.
	run_probe mounts ";" write /proc/sys/kernel/hostname ";" write /mnt/rodir/x ";" write /mnt/x
	assert_success
	assert_mount /proc/sys opts ro
	assert_mount /proc/irq opts ro
	assert_mount /proc/bus opts ro
	assert_mount /proc/fs opts ro
	assert_mount /mnt/rodir opts ro
	[[ ${lines[-3]} == EROFS && ${lines[-2]} == EROFS ]] ||
		fail_msg "writes to readonly paths must fail with EROFS"
	assert_eq "${lines[-1]}" ok
	if [[ -e /proc/sysrq-trigger ]]; then
		assert_mount /proc/sysrq-trigger opts ro
		run_probe write /proc/sysrq-trigger
		assert_line EROFS
	fi
}

@test "mount destination through an absolute symlink in the image stays inside the rootfs" {
	cfg '.root.readonly = false'
	ln -s /etc "$BUNDLE/rootfs/lnk"
	add_mount '{"destination": "/lnk/berth-t", "type": "tmpfs", "source": "tmpfs", "options": ["size=64k"]}'
	run_probe mounts
	assert_success
	assert_eq "$(mount_type /etc/berth-t)" tmpfs
	[[ ! -e /etc/berth-t ]] || { rmdir /etc/berth-t; fail_msg "created /etc/berth-t on the host"; }
	[[ -d $BUNDLE/rootfs/etc/berth-t ]] || fail_msg "mountpoint not created in the rootfs"
}

# rootfsPropagation needs a shared source mount to be observable: bind the
# rootfs onto itself on the host and make it shared.
shared_rootfs() {
	mount --bind "$BUNDLE/rootfs" "$BUNDLE/rootfs"
	CLEANUP_MOUNTS+=("$BUNDLE/rootfs")
	mount --make-shared "$BUNDLE/rootfs"
}

# host_mount_propagates: after start, a host mount under the rootfs shows up
# in the container's mountinfo.
host_mount_propagates() {
	probe_args sleep 100
	create_ctr
	rt start "$CID"
	local pid
	pid=$(state_field "$CID" pid)
	mkdir -p "$T/hm"
	mount -t tmpfs berth-hm "$BUNDLE/rootfs/mnt"
	local rc=0
	grep -q " berth-hm " "/proc/$pid/mountinfo" || rc=1
	umount "$BUNDLE/rootfs/mnt"
	return $rc
}

@test "rootfsPropagation unset: / is a slave of a shared host mount (runc default rslave)" {
	shared_rootfs
	run_probe mount /
	assert_success
	[[ $(mount_prop /) == master:* ]] || fail_msg "/ is not a slave: $(mount_prop /)"
	host_mount_propagates || fail_msg "host mount did not propagate"
}

@test "rootfsPropagation private" {
	shared_rootfs
	cfg '.linux.rootfsPropagation = "private"'
	run_probe mount /
	assert_success
	assert_eq "$(mount_prop /)" private
	! host_mount_propagates || fail_msg "host mount propagated into a private root"
}

@test "rootfsPropagation slave" {
	# runc 1.1.5 leaves / private for any explicit rootfsPropagation (fixed in runc 1.2).
	skip_if_runc "rootfsPropagation slave ends up private"
	shared_rootfs
	cfg '.linux.rootfsPropagation = "slave"'
	run_probe mount /
	assert_success
	[[ $(mount_prop /) == master:* ]] || fail_msg "/ is not a slave: $(mount_prop /)"
	host_mount_propagates || fail_msg "host mount did not propagate"
}

@test "rootfsPropagation shared" {
	skip_if_runc "rootfsPropagation shared ends up private"
	shared_rootfs
	cfg '.linux.rootfsPropagation = "shared"'
	run_probe mount /
	assert_success
	[[ $(mount_prop /) == *shared:* ]] || fail_msg "/ is not shared: $(mount_prop /)"
}

@test "rootfsPropagation unbindable" {
	# runc 1.1.5 fails to bind the rootfs onto itself ("flags: 0x5000: invalid argument").
	skip_if_runc "rootfsPropagation unbindable fails"
	cfg '.linux.rootfsPropagation = "unbindable"'
	run_probe mount /
	assert_success
	assert_eq "$(mount_prop /)" unbindable
}

@test "mounts do not leak into the host mount namespace" {
	add_mount '{"destination": "/mnt/t", "type": "tmpfs", "source": "berth-leak-check"}'
	probe_args sleep 100
	create_ctr
	rt start "$CID"
	! grep -q berth-leak-check /proc/self/mountinfo || fail_msg "container mount visible on the host"
	! grep -qF "$BUNDLE/rootfs" /proc/self/mountinfo || fail_msg "rootfs mount visible on the host"
}

@test "--no-pivot: the rootfs becomes / by MS_MOVE + chroot, host root unreachable" {
	probe_args read /.berth-mark ";" ls /
	run --separate-stderr rt run --no-pivot --bundle "$BUNDLE" "$CID"
	assert_success
	assert_line "$MARK"
	assert_line probe
	refute_line work
	refute_line boot
}
