#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the test suite in the VM on each supported kernel (with it the VM's
# README and man-page command blocks, build/tests/doc_commands.sh), the
# host's command blocks (tools/doc-check host), the Debian packages' smoke
# test, and compare the host's boot and kernel packages with the listing
# make check saved before it installed anything (tools/host-state); print
# one summary line, "N passed, N failed, N skipped", summed over all.
# A kernel whose run ends in a splat, a leak, a crash or a timeout counts
# one failure more than its tests reported. Usage: check.sh [KERNEL...]
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${SKV_BUILD:-$top/build}
kernels=${*:-6.1 6.12 debug}
pass=0 fail=0 skip=0

# skv-sync's test (tools/skv-sync/tests/skv_sync.sh) runs etcd and Redis in
# the guest: their binaries out of their packages, never installed
# (tools/skv-sync/tests/fetch-etcd.sh, tools/bench/fetch-servers.sh), and
# veth.ko for its two "hosts". Without them its scenarios skip.
# The debug kernel has no TCP/IP, so it gets Redis (unix socket) only.
sync_adds=() etcd_adds=()
if servers=$("$top/tools/bench/fetch-servers.sh" 2>/dev/null); then
	[ -x "$servers/redis-server" ] && sync_adds+=(--add "$servers/redis-server")
fi
[ -x /usr/bin/redis-cli ] && sync_adds+=(--add /usr/bin/redis-cli)
if etcd=$("$top/tools/skv-sync/tests/fetch-etcd.sh" 2>/dev/null); then
	for b in etcd etcdctl; do
		[ -x "$etcd/$b" ] && etcd_adds+=(--add "$etcd/$b")
	done
fi
if mods=$("$top/tools/skv-sync/tests/fetch-veth.sh" 2>/dev/null); then
	for f in "$mods"/veth-*.ko; do
		[ -f "$f" ] && etcd_adds+=(--add "$f")
	done
fi

for k in $kernels; do
	echo "# ==== kernel $k ===="
	log=$build/check-$k.log
	# bash: the README's commands are for bash (doc_commands.sh).
	adds=("${sync_adds[@]}")
	[ "$k" = debug ] || adds+=("${etcd_adds[@]}")
	"$top/tools/vm/run" --kernel "$k" --suite --add /bin/bash "${adds[@]}" \
		--timeout "${SKV_TIMEOUT:-1800}" --log "$log"
	rc=$?
	line=$(tr -d '\r' <"$log" 2>/dev/null | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n 1)
	if [ -n "$line" ]; then
		p=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
		f=$(echo "$line" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
		s=$(echo "$line" | sed -nE 's/.*, ([0-9]+) skipped.*/\1/p')
	else
		p=0 f=0 s=0
	fi
	if [ "$rc" != 0 ] && [ "${f:-0}" = 0 ]; then
		echo "# kernel $k: the run failed (status $rc) beyond its tests"
		f=1
	fi
	echo "# kernel $k: $p passed, $f failed, ${s:-0} skipped"
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + ${s:-0}))
done

# The Debian packages, installed into the VM image, on both cloud kernels.
if [ -z "${SKV_NO_DEB_CHECK:-}" ] && [ -x "$top/packaging/deb-check" ]; then
	echo "# ==== Debian packages ===="
	make -s -C "$top" deb-check 2>&1 | tee "$build/deb-check.log"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$build/deb-check.log" | tail -n 1)
	p=$(echo "${line:-0 passed, 0 failed}" | sed -E 's/^([0-9]+) passed.*/\1/')
	f=$(echo "${line:-0 passed, 0 failed}" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
	[ "$rc" != 0 ] && [ "$f" = 0 ] && f=1
	echo "# Debian packages: $p passed, $f failed"
	pass=$((pass + p)) fail=$((fail + f))
fi

# The command blocks of README.md and the man pages that run on the host.
echo "# ==== README and man-page commands on the host ===="
"$top/tools/doc-check" host 2>&1 | tee "$build/doc-check-host.log"
rc=${PIPESTATUS[0]}
totals=$(grep -E '^# Totals: pass:[0-9]+ fail:[0-9]+' "$build/doc-check-host.log" | tail -n 1)
p=$(echo "$totals" | sed -nE 's/.* pass:([0-9]+).*/\1/p')
f=$(echo "$totals" | sed -nE 's/.* fail:([0-9]+).*/\1/p')
s=$(echo "$totals" | sed -nE 's/.* skip:([0-9]+).*/\1/p')
p=${p:-0} f=${f:-0} s=${s:-0}
[ "$rc" != 0 ] && [ "$f" = 0 ] && f=1
echo "# host commands: $p passed, $f failed, $s skipped"
pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))

# Last: /boot, the bootloader, the kernel packages and the enabled services
# as make check found them before installing anything.
echo "# ==== the host: /boot, bootloader, kernel packages, services ===="
if [ -f "$build/host-state.before" ]; then
	if "$top/tools/host-state" --compare "$build/host-state.before"; then
		echo "ok - host unchanged: /boot, bootloader, kernel packages, services"
		pass=$((pass + 1))
	else
		echo "not ok - host changed: /boot, bootloader, kernel packages or services (diff above)"
		fail=$((fail + 1))
	fi
else
	echo "ok - host unchanged # SKIP no listing from before (make check saves it)"
	skip=$((skip + 1))
fi

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
