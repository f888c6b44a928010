#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the demo VM (make demo): tools/vm/run with the demo script,
# tools/demo.sh, as its command. The demo's last step runs etcd and two
# skv-sync "hosts" (network namespaces joined by veth pairs) in the guest,
# so the guest gets etcd and etcdctl, taken out of their packages without
# installing them (tools/skv-sync/tests/fetch-etcd.sh), and the kernel's
# veth.ko (tools/skv-sync/tests/fetch-veth.sh), as make check's guests do
# (tools/check.sh). When either cannot be fetched, the step says why in
# one line and the rest of the demo runs. Usage: demo-vm.sh [KERNEL]
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kernel=${1:-6.12}
adds=() why='' msg=''
err=$(mktemp)
trap 'rm -f "$err"' EXIT

# fetch NAME SCRIPT: sets dir to the directory SCRIPT prints; SCRIPT's
# messages go to the terminal when it succeeds, its last one into why
# when it fails.
fetch() {
	if dir=$("$2" 2>"$err") && [ -d "$dir" ]; then
		cat "$err" >&2
		return 0
	fi
	msg=$(tail -n 1 "$err" | tr -cd '[:print:]')
	why="$1 could not be fetched${msg:+: $msg}"
	return 1
}

if fetch etcd "$top/tools/skv-sync/tests/fetch-etcd.sh"; then
	adds+=(--add "$dir/etcd" --add "$dir/etcdctl")
fi
if [ -z "$why" ] && fetch veth.ko "$top/tools/skv-sync/tests/fetch-veth.sh"; then
	# shellcheck source=tools/vm/kernels.sh
	. "$top/tools/vm/kernels.sh"
	skv_kernel_paths "$kernel" || exit 1
	ko=$dir/veth-${KIMAGE##*/vmlinuz-}.ko
	if [ -f "$ko" ]; then
		adds+=(--add "$ko")
	else
		why="veth.ko could not be fetched (no $ko)"
	fi
fi

# Without either, the step cannot run: the guest gets neither, and why.
cmd=(skv-demo)
if [ -n "$why" ]; then
	adds=()
	cmd=(env "SKV_DEMO_NO_SYNC=$why" skv-demo)
fi
exec "$top/tools/vm/run" --kernel "$kernel" --no-tests "${adds[@]}" -- "${cmd[@]}"
