#!/usr/bin/env bash
# demo.sh: run one busybox container with berth.
#
# Builds build/demo (a busybox-static rootfs plus a config.json from
# `berth spec`) if needed, runs a container that greets with its hostname and
# lists /, and exits with the container's exit status.
#
#   make demo                # or: integration/demo.sh
#   RUNTIME=/usr/sbin/runc integration/demo.sh   # same demo with another runtime
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
RUNTIME=${RUNTIME:-$REPO/build/berth}
BUSYBOX=${BUSYBOX:-/bin/busybox}
DEMO=$REPO/build/demo

die() { echo "demo.sh: $*" >&2; exit 1; }
[[ $EUID -eq 0 ]] || die "must run as root (containers need namespaces and mounts)"
[[ -x $RUNTIME ]] || die "runtime not found: $RUNTIME (run 'make' first)"
[[ -x $BUSYBOX ]] || die "busybox not found: $BUSYBOX (apt-get install busybox-static)"
command -v jq >/dev/null || die "jq not found (apt-get install jq)"

# The rootfs, built once (rebuilt when busybox changes).
if [[ ! -x $DEMO/rootfs/bin/busybox || $BUSYBOX -nt $DEMO/rootfs/bin/busybox ]]; then
	echo "demo.sh: building $DEMO/rootfs from $BUSYBOX" >&2
	rm -rf "$DEMO/rootfs"
	mkdir -p "$DEMO/rootfs"/{bin,dev,proc,sys,tmp,etc,root}
	chmod 1777 "$DEMO/rootfs/tmp"
	cp "$BUSYBOX" "$DEMO/rootfs/bin/busybox"
	chroot "$DEMO/rootfs" /bin/busybox --install -s /bin
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
		>"$DEMO/rootfs/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$DEMO/rootfs/etc/group"
fi

# The config: the runtime's own template, regenerated each time (cheap), made
# non-interactive.
rm -f "$DEMO/config.json"
"$RUNTIME" spec --bundle "$DEMO"
jq '.process.terminal = false
	| .hostname = "berth-demo"
	| .process.args = ["/bin/sh", "-c",
		"echo \"Hello from $(hostname), a container run by berth!\"; echo \"ls /:\"; ls /"]' \
	"$DEMO/config.json" >"$DEMO/config.json.tmp"
mv "$DEMO/config.json.tmp" "$DEMO/config.json"

ROOT=$(mktemp -d /tmp/berth-demo-root.XXXXXX)
ID=berth-demo-$$
cleanup() {
	"$RUNTIME" --root "$ROOT" delete --force "$ID" >/dev/null 2>&1 || true
	rm -rf "$ROOT"
}
trap cleanup EXIT

rc=0
"$RUNTIME" --root "$ROOT" run --bundle "$DEMO" "$ID" </dev/null || rc=$?
exit "$rc"
