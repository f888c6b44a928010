#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run every skv selftest beside this script (the binaries, then the other
# *.sh tests), print their KTAP output and, last, one summary line
# "N passed, N failed, N skipped" summed from each test's
# "# Totals: pass:N fail:N xfail:N xpass:N skip:N error:N" line. A test
# that exits non-zero without reporting a failure, or prints no Totals
# line (a crash), counts as one failure. Exits non-zero if any failed.
# busybox sh compatible; runs in the test VM as root.
dir=$(cd "$(dirname "$0")" && pwd)
self=$(basename "$0")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/skv-selftests.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

tests=
for f in "$dir"/*; do
	[ -f "$f" ] && [ -x "$f" ] || continue
	case "${f##*/}" in
	"$self" | *.sh | *.h | *.c | *.o) ;;
	*) tests="$tests $f" ;;
	esac
done
for f in "$dir"/*.sh; do
	[ -f "$f" ] && [ "${f##*/}" != "$self" ] && tests="$tests $f"
done

n=0
for t in $tests; do n=$((n + 1)); done

pass=0 fail=0 skip=0 i=0
echo "TAP version 13"
echo "1..$n"
for t in $tests; do
	i=$((i + 1))
	name=${t##*/}
	echo "# selftests: skv: $name"
	# Stream the output as it comes (long tests on slow kernels) and keep
	# a copy to parse; the exit status goes through a file.
	{
		case "$t" in
		*.sh) sh "$t" 2>&1 ;;
		*) "$t" 2>&1 ;;
		esac
		echo $? >"$tmp/rc"
	} | tee "$tmp/out" | sed 's/^/# /'
	rc=$(cat "$tmp/rc" 2>/dev/null)
	rc=${rc:-1}

	totals=$(grep -E '^# Totals: pass:[0-9]+ fail:[0-9]+' "$tmp/out" | tail -n 1)
	if [ -n "$totals" ]; then
		get() { echo "$totals" | sed -E "s/.* $1:([0-9]+).*/\\1/"; }
		p=$(get pass) f=$(get fail) s=$(get skip)
		xf=$(get xfail) xp=$(get xpass) e=$(get error)
		# An expected failure passes; an unexpected pass or an error fails.
		p=$((p + ${xf:-0})) f=$((f + ${xp:-0} + ${e:-0}))
		# Exit status 4 is kselftest's "skipped".
		[ "$rc" != 0 ] && [ "$rc" != 4 ] && [ "$f" = 0 ] && f=1
	else
		p=0 f=1 s=0
	fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))

	if [ "$f" != 0 ]; then
		echo "not ok $i selftests: skv: $name # exit=$rc"
	elif [ "$p" = 0 ] && [ "$s" != 0 ]; then
		echo "ok $i selftests: skv: $name # SKIP"
	else
		echo "ok $i selftests: skv: $name"
	fi
done

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
