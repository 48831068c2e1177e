#!/usr/bin/env bash
# Runs the unit tests and the integration suite, then prints one closing line
# "test: N passed, N failed, N skipped" over both. Exit status: non-zero if
# anything failed or nothing ran.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

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

pass=$(( ${u_pass:-0} + b_pass ))
fail=$(( ${u_fail:-0} + b_fail ))
skip=$(( ${u_skip:-0} + b_skip ))
echo "test: $pass passed, $fail failed, $skip skipped"
(( unit_rc == 0 && bats_rc == 0 && fail == 0 && pass > 0 ))
