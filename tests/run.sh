#!/usr/bin/env bash
# Runs the unit tests, the integration suite on the host, and bats files in
# two VMs (integration/vm/: pure cgroup v2 with busybox as init, and systemd
# as PID 1), then prints one closing line "test: N passed, N failed, N
# skipped" over all of them. Exit status: non-zero if anything failed, a VM
# gave no result, or nothing ran.
#
# Environment (the Makefile passes its variables of the same names):
#   VM_V2_CASES       bats files for the v2 VM (globs; files that do not exist
#                     yet are skipped with a note). Empty: no v2 VM run.
#   VM_SYSTEMD_CASES  the same for the systemd VM, where BERTH_TEST_SYSTEMD=1
#                     is exported (the suite then adds --systemd-cgroup).
#   SKIP_VM=1         do not boot the VMs; their cases count as skipped.
#   VM_PARALLEL=0     boot the VMs one after the other, after the host suites.
#                     By default both boot at once, beside the host suites: a
#                     TCG guest running bats keeps about one host core busy,
#                     and the three together take the time of the slowest.
#   VM_NICE           nice level of the background VMs (default 10).
#   VM_DIR, VM_CACHE, VM_TIMEOUT   see integration/vm/lib.sh.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
VM_V2_CASES=${VM_V2_CASES-integration/cases/lifecycle.bats}
VM_SYSTEMD_CASES=${VM_SYSTEMD_CASES-integration/cases/lifecycle.bats}
SKIP_VM=${SKIP_VM:-0}
VM_PARALLEL=${VM_PARALLEL:-1}
tmp=$(mktemp -d)
vm_pid=""
cleanup() {
	# A VM still running (an interrupted `make test`): stop it with its harness.
	[[ -n $vm_pid ]] && kill -- -"$vm_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
log=$tmp/log
notes=()

# tap_counts FILE: "passed failed skipped" of the bats TAP lines in FILE.
tap_counts() {
	awk '/^ok [0-9]+ / && / # skip/ {s++; next}
	     /^ok [0-9]+ / {p++; next}
	     /^not ok [0-9]+ / {f++}
	     END {print p + 0, f + 0, s + 0}' "$1"
}

# vm_files PATTERNS: the bats files the patterns (globs) match, one per line;
# a note for each pattern that matches nothing.
vm_files() {
	local p f found
	for p in $1; do
		found=0
		for f in $p; do
			[[ -f $f ]] || continue
			echo "$f"
			found=1
		done
		((found)) || echo "test: note: $p does not exist (yet); not run in the VM" >&2
	done
}

# vm_part NAME SCRIPT PATTERNS [ARG...]: run the files in one VM; its console
# goes to $tmp/NAME.log, its counts to $tmp/NAME.counts ("p f s" + a reason
# when the VM itself failed).
vm_part() {
	local name=$1 script=$2 files rc p f s why="" start
	shift 2
	files=$(vm_files "$1" 2>>"$tmp/$name.notes" | tr '\n' ' ')
	shift
	files=${files% }
	if [[ -z $files ]]; then
		echo "0 0 0" >"$tmp/$name.counts"
		return 0
	fi
	start=$SECONDS
	echo "test: VM $name: $files"
	"$script" --cases "$files" "$@" </dev/null >"$tmp/$name.log" 2>&1
	rc=$?
	# Only the job's lines: the boot messages stay out of the counts.
	sed -n '/^BERTH-VM-BEGIN/,/^BERTH-VM-END/p' "$tmp/$name.log" >"$tmp/$name.tap"
	read -r p f s < <(tap_counts "$tmp/$name.tap")
	case $rc in
	0) ;;
	124) why="timed out (VM_TIMEOUT)" ;;
	99) why="gave no result (no BERTH-VM-RESULT line: kernel panic or init failure)" ;;
	*) ((f > 0)) || why="failed with exit status $rc before or outside bats" ;;
	esac
	[[ -n $why ]] && f=$((f + 1))
	echo "$p $f $s $rc $((SECONDS - start)) $why" >"$tmp/$name.counts"
}

vm_v2() { vm_part v2 integration/vm/run-v2.sh "$VM_V2_CASES"; }
vm_systemd() { vm_part systemd integration/vm/run-systemd.sh "$VM_SYSTEMD_CASES" --env BERTH_TEST_SYSTEMD=1; }

# vm_show NAME: the VM's console (TAP with the output of failed cases), then
# its counts, in the log of `make test`.
vm_show() {
	local name=$1 p f s rc secs why
	[[ -s $tmp/$name.notes ]] && cat "$tmp/$name.notes"
	[[ -s $tmp/$name.log ]] || return 0
	echo "---------------------------------------------------------------- VM $name"
	cat "$tmp/$name.log"
	read -r p f s rc secs why <"$tmp/$name.counts"
	echo "test: VM $name: $p passed, $f failed, $s skipped in ${secs}s${why:+; the VM $why}"
}

if [[ $SKIP_VM == 1 ]]; then
	n=0
	for part in "v2:$VM_V2_CASES" "systemd:$VM_SYSTEMD_CASES"; do
		files=$(vm_files "${part#*:}" 2>/dev/null | tr '\n' ' ')
		c=0
		[[ -z $files ]] || c=$(bats --count $files)
		n=$((n + c))
		echo "0 0 $c" >"$tmp/${part%%:*}.counts"
	done
	notes+=("test: note: SKIP_VM=1: the VM parts did not run; their $n cases count as skipped")
elif ((VM_PARALLEL)); then
	# In the background while the host suites run. setsid: its own process
	# group, so that cleanup() can stop the harnesses and their qemu.
	export tmp VM_V2_CASES VM_SYSTEMD_CASES
	# Niced: the host suites have a few timing-sensitive cases; the guests
	# take the CPU they leave (and all of it once they are done).
	nice -n "${VM_NICE:-10}" setsid -w bash -c "$(declare -f tap_counts vm_files vm_part vm_v2 vm_systemd)
		vm_v2 & vm_systemd & wait" >"$tmp/vm.out" 2>&1 &
	vm_pid=$!
	echo "test: the VMs (pure cgroup v2, systemd) boot in the background; their logs follow the host suites"
fi

host_start=$SECONDS
"$BUILD/unit" 2>&1 | tee "$log"
unit_rc=${PIPESTATUS[0]}
# doctest: "[doctest] test cases: 157 | 157 passed | 0 failed | 0 skipped"
read -r u_pass u_fail u_skip < <(awk -F'|' '/test cases:/ {
	gsub(/[^0-9]/, "", $2); gsub(/[^0-9]/, "", $3); gsub(/[^0-9]/, "", $4); print $2, $3, $4 }' "$log")

bats --print-output-on-failure integration/cases 2>&1 | tee "$log"
bats_rc=${PIPESTATUS[0]}
b_skip=$(grep -cE '^ok [0-9]+ .* # skip' "$log")
b_pass=$(( $(grep -cE '^ok [0-9]+' "$log") - b_skip ))
b_fail=$(grep -cE '^not ok [0-9]+' "$log")
notes+=("test: host suites took $((SECONDS - host_start))s")

if [[ $SKIP_VM != 1 ]]; then
	if ((VM_PARALLEL)); then
		echo "test: waiting for the VMs"
		wait "$vm_pid"
		vm_pid=""
		cat "$tmp/vm.out"
	else
		vm_v2
		vm_systemd
	fi
	vm_show v2
	vm_show systemd
fi

pass=$(( ${u_pass:-0} + b_pass ))
fail=$(( ${u_fail:-0} + b_fail ))
skip=$(( ${u_skip:-0} + b_skip ))
vm_ok=1
for name in v2 systemd; do
	if [[ ! -s $tmp/$name.counts ]]; then
		# The background job died before writing its counts.
		[[ $SKIP_VM == 1 ]] || { vm_ok=0; fail=$((fail + 1)); notes+=("test: VM $name: no result"); }
		continue
	fi
	read -r p f s rc secs _ <"$tmp/$name.counts"
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	[[ -z ${secs:-} ]] || notes+=("test: VM $name took ${secs}s")
	[[ ${rc:-0} == 0 ]] || vm_ok=0
done
echo "test: unit ${u_pass:-0}/${u_fail:-0}/${u_skip:-0}, host bats $b_pass/$b_fail/$b_skip (passed/failed/skipped)"
for n in "${notes[@]}"; do echo "$n"; done
echo "test: $pass passed, $fail failed, $skip skipped"
(( unit_rc == 0 && bats_rc == 0 && vm_ok && fail == 0 && pass > 0 ))
