#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: boot the 6.12 cloud kernel in the TCG VM (2 vCPUs) once, run
# skv-bench and skv-bench-peers inside it (tools/bench/guest.sh), collect
# their JSON from the console and write $SKV_BUILD/bench/bench.{txt,json,png}.
# Environment: SKV_BENCH_OPTS (options for both binaries, e.g. "-k 20000
# -r 5"), QEMU_MEM (default 4G: 100k 16 KiB values per store),
# SKV_BENCH_TIMEOUT (seconds, default 840).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${SKV_BUILD:-$top/build}
out=$build/bench
guest=$out/guest
kernel=6.12
export QEMU_MEM=${QEMU_MEM:-4G}
export QEMU_SMP=2
# Python's figures (tools/bench/py_bench.py): the guest gets python3, the
# skv package and the host's redis-py.
export SKV_VM_PYTHON=1 SKV_VM_PYTHON_PKGS="redis packaging"

for f in "$build/bin/skv-bench" "$out/skv-bench-peers"; do
	[ -x "$f" ] || { echo "bench: $f is missing (make bench-build)" >&2; exit 1; }
done
rm -rf "$guest" "$out"/raw-*.json "$out"/bench.{txt,json,png,dat} "$out"/curve.dat "$out"/bench-curve.png
mkdir -p "$guest"
# The servers, out of their packages into the cache, never installed on
# the host (tools/bench/fetch-servers.sh).
servers=$("$top/tools/bench/fetch-servers.sh")
cp "$servers/redis-server" "$servers/memcached" "$guest/"
install -m 0755 "$top/tools/bench/guest.sh" "$guest/skv-bench-guest"
# Options travel in a file: the VM's command line is one word.
printf '%s\n' "${SKV_BENCH_OPTS:-}" >"$guest/skv-bench-opts"

echo "bench: booting the $kernel VM (TCG, $QEMU_SMP vCPUs, $QEMU_MEM); every figure is taken in this one boot"
start=$(date +%s)
rc=0
"$top/tools/vm/run" --kernel "$kernel" --timeout "${SKV_BENCH_TIMEOUT:-840}" \
	--add "$out/skv-bench-peers" --add "$guest/redis-server" \
	--add "$guest/memcached" --add "$guest/skv-bench-guest" \
	--add "$guest/skv-bench-opts" \
	--log "$out/console.log" -- skv-bench-guest |
	grep --line-buffered -v '^SKVB:' || rc=$?
echo "bench: the VM ran $(($(date +%s) - start)) s (status $rc)"

tr -d '\r' <"$out/console.log" >"$out/console.clean"
files=()
for n in skv redis memcached local; do
	grep "^SKVB:$n.json:" "$out/console.clean" | sed "s/^SKVB:$n.json://" >"$out/raw-$n.json" || true
	if [ -s "$out/raw-$n.json" ]; then
		files+=("$out/raw-$n.json")
	else
		echo "bench: no $n.json from the VM" >&2
		rm -f "$out/raw-$n.json"
	fi
done
[ ${#files[@]} -gt 0 ] || { echo "bench: the VM produced no results" >&2; exit 1; }

host_cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
"$build/bin/skv-bench" report --out "$out" \
	--fact "vm=QEMU TCG (-accel tcg -cpu max), emulated timing" \
	--fact "vm_qemu=$(qemu-system-x86_64 --version | head -n 1)" \
	--fact "vm_smp=$QEMU_SMP" --fact "vm_mem=$QEMU_MEM" \
	--fact "vm_kernel=$kernel" \
	--fact "host_cpu=$host_cpu" --fact "host_cpus=$(nproc)" \
	--fact "host_kernel=$(uname -r)" \
	--fact "host_load=$(cut -d' ' -f1-3 /proc/loadavg)" \
	--fact "bench_opts=${SKV_BENCH_OPTS:-}" \
	"${files[@]}"

gnuplot -e "datafile='$out/bench.dat'; outfile='$out/bench.png'; \
subtitle='kernel $(sed -n 's/.*"kernel_release": *"\([^"]*\)".*/\1/p' "$out/raw-skv.json" 2>/dev/null | head -n 1) in QEMU TCG, 2 vCPUs: times are emulated, only ratios carry over'" \
	"$top/tools/bench/bench.gp"
# The Python table, as py_bench.py printed it, at the end of bench.txt.
sed -n '/^Python [0-9]/,/target >=\|no ratio/p' "$out/console.clean" >"$out/python.txt"
sed -n 's/^SKVB:py://p' "$out/console.clean" >"$out/python.json"
if [ -s "$out/python.txt" ]; then
	{ echo; cat "$out/python.txt"; } >>"$out/bench.txt"
	cat "$out/python.txt"
else
	echo "bench: no Python figures from the VM" >&2
fi
if [ -s "$out/curve.dat" ]; then
	gnuplot -e "datafile='$out/curve.dat'; outfile='$out/bench-curve.png'; \
subtitle='in QEMU TCG, 2 vCPUs: times are emulated, only ratios carry over'" \
		"$top/tools/bench/bench_curve.gp"
fi

# The cost curve's largest point needs more memory than the other figures:
# its own boot, with QEMU_MEM raised for this run only, and its own null
# ioctl for the ratios (SKV_BENCH_CURVE_BIG= skips it).
big=${SKV_BENCH_CURVE_BIG-10000000}
if [ -n "$big" ] && [ "$rc" = 0 ]; then
	echo "bench: the cost curve at $big entries, in a second boot with ${SKV_BENCH_CURVE_MEM:-6G}"
	QEMU_MEM=${SKV_BENCH_CURVE_MEM:-6G} "$top/tools/vm/run" --kernel "$kernel" \
		--timeout "${SKV_BENCH_TIMEOUT:-840}" --no-tests \
		--log "$out/console-curve.log" -- skv-bench -q -r 5 -C "$big" floor curve \
		>"$out/curve-big.txt" 2>&1 || rc=$?
	{
		echo
		echo "## Cost curve at $big entries (a second boot, QEMU_MEM=${SKV_BENCH_CURVE_MEM:-6G}; ratios against its own null ioctl)"
		awk '/^## Cost curve/ { c = 1; next } /^## / { c = 0 } c && /^\|/' "$out/curve-big.txt"
	} | tee -a "$out/bench.txt"
fi
echo "bench: wrote $out/bench.txt, $out/bench.json, $out/bench.png"
exit "$rc"
