#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The Python examples (bindings/python/examples/*.py), one test point each:
# every example checks its own result (exact totals, sessions, freshness)
# and exits non-zero if it does not hold.
dir=/opt/skv/python/examples
echo "TAP version 13"
if ! command -v python3 >/dev/null 2>&1; then
	echo "1..1"
	echo "ok 1 python examples # SKIP no python3 in this VM (tools/vm/run --python)"
	echo "# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:1 error:0"
	exit 4
fi
n=0
for f in "$dir"/*.py; do n=$((n + 1)); done
[ -f "$dir/rate_limiter.py" ] || n=0
if [ "$n" = 0 ]; then
	echo "1..1"
	echo "not ok 1 python examples: none in $dir (make python)"
	echo "# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0"
	exit 1
fi
echo "1..$n"
i=0 pass=0 fail=0
for f in "$dir"/*.py; do
	i=$((i + 1))
	name=${f##*/}
	if timeout 600 python3 "$f" >/tmp/example.out 2>&1; then
		pass=$((pass + 1))
		sed 's/^/# /' /tmp/example.out
		echo "ok $i $name"
	else
		fail=$((fail + 1))
		sed 's/^/# /' /tmp/example.out
		echo "not ok $i $name"
	fi
done
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:0 error:0"
[ "$fail" = 0 ]
