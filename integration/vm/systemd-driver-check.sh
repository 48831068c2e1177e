#!/usr/bin/env bash
# The systemd cgroup driver end to end, without the container lifecycle: run
# inside the systemd guest (systemd 252 as PID 1, cgroup v2), after
# `make all build/unit`:
#
#   integration/vm/run-systemd.sh --cmd 'bash /berth/integration/vm/systemd-driver-check.sh'
#
# 1. berth-systemd alone: a held scope exists while the helper runs and is
#    collected by systemd once the helper's stdin closes (berth crashing
#    mid-create leaves nothing behind).
# 2. build/unit's "cgroups systemd host" cases: Systemd::create() (scope with
#    Delegate=yes), set() (systemctl show and the cgroup files agree),
#    clone3(CLONE_INTO_CGROUP) into the scope, join() letting the helper go,
#    freeze/stats/update from the saved unit, destroy() (unit and directory
#    gone), and a systemd error coming back once with the unit's name.
set -uo pipefail
cd "$(dirname "$0")/../.."
helper=build/berth-systemd
fail=0
check() {
	if [[ $2 == "$3" ]]; then echo "ok   $1: $2"; else echo "FAIL $1: got '$2', want '$3'"; fail=1; fi
}

echo "== $(systemctl --version | head -n1); $(stat -f -c %T /sys/fs/cgroup)"
[[ -x $helper ]] || { echo "FAIL $helper missing (make all)"; exit 1; }
ldd "$helper" | sed 's/^/   /'

echo "== 1. a held scope lives as long as the helper's stdin"
v2=/sys/fs/cgroup # the cgroup2 mount: hybrid hosts (systemd.unified_cgroup_hierarchy=0) have it below
[[ -d $v2/unified ]] && v2=$v2/unified
unit=berth-gc-check-$$.scope
req='{"unit":"'$unit'","hold":true,"properties":[{"name":"Slice","type":"s","value":"system.slice"},{"name":"Delegate","type":"b","value":true},{"name":"TasksMax","type":"t","value":33}]}'
coproc HELPER { exec "$helper" start-unit; }
hpid=$HELPER_PID out=${HELPER[0]} in=${HELPER[1]}
echo "$req" >&"$in"
read -r -t 60 reply <&"$out"
check "start-unit reply" "$reply" "ok /system.slice/$unit"
check "held scope" "$(systemctl is-active "$unit")" "active"
check "TasksMax" "$(systemctl show -p TasksMax --value "$unit")" "33"
check "its one process is the helper" "$(cat "$v2/system.slice/$unit/cgroup.procs")" "$hpid"
exec {in}>&- # EOF: berth is done (or died)
wait "$hpid"
check "helper exit status" "$?" "0"
for _ in $(seq 50); do [[ -d $v2/system.slice/$unit ]] || break; sleep 0.1; done
check "empty scope collected" "$(systemctl is-active "$unit")" "inactive"
check "its cgroup removed" "$([[ -d $v2/system.slice/$unit ]] && echo present || echo absent)" "absent"
check "stop-unit of a missing unit" "$(echo '{"unit":"'$unit'"}' | "$helper" stop-unit)" "ok"
check "a bad request" "$(echo 'nope' | "$helper" set-properties)" "error bad request: not a JSON object"

echo "== 2. the driver (build/unit)"
if [[ -x build/unit ]]; then
	build/unit -tc='cgroups systemd host*' -s 2>&1 | grep -E 'MESSAGE|^  |TEST CASE|ERROR|test cases|assertions|Status|already exists' |
		grep -v '^  values:' || true
	build/unit -tc='cgroups systemd host*' >/dev/null 2>&1 || fail=1
	# The pure parts too, under this libc and kernel.
	build/unit -tc='systemd*' | tail -n 3
	build/unit -tc='systemd*' >/dev/null 2>&1 || fail=1
else
	echo "FAIL build/unit missing (make build/unit)"
	fail=1
fi
leftover=$(systemctl list-units --all --no-legend 'berth-*.scope' | grep -v "^$" || true)
check "no berth units left" "$leftover" ""
echo "== result: $([[ $fail == 0 ]] && echo PASS || echo FAIL)"
exit "$fail"
