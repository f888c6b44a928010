#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the test suite in the VM on each supported kernel and print one
# summary line, "N passed, N failed, N skipped", summed over the kernels.
# A kernel whose run ends in a splat, a leak, a crash or a timeout counts
# one failure more than its tests reported. Usage: check.sh [KERNEL...]
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${SKV_BUILD:-$top/build}
kernels=${*:-6.1 6.12 debug}
pass=0 fail=0 skip=0

for k in $kernels; do
	echo "# ==== kernel $k ===="
	log=$build/check-$k.log
	"$top/tools/vm/run" --kernel "$k" --suite --timeout "${SKV_TIMEOUT:-1800}" --log "$log"
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

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
