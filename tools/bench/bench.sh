#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: boot the 6.12 cloud kernel in the TCG VM (2 vCPUs) once, run
# skv-bench and skv-bench-peers inside it (tools/bench/guest.sh), collect
# their JSON from the console and write $SKV_BUILD/bench/bench.{txt,json,png}.
# Environment: SKV_BENCH_OPTS (options for both binaries, e.g. "-k 20000
# -r 5"), SKV_BENCH_SUITES (the guest's suites, default all: "skv redis
# memcached local python sync"; the cost curve's second boot runs with
# skv), SKV_BENCH_SYNC (the sync suite's settings, tools/bench/sync_guest.sh:
# "revs=5000 reps=3 lag=300 wb_keys=20000", perf=1 adds a profile), QEMU_MEM (default 4G: 100k 16 KiB values
# per store), SKV_BENCH_TIMEOUT (seconds, default 1200).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${SKV_BUILD:-$top/build}
out=$build/bench
guest=$out/guest
kernel=6.12
export QEMU_MEM=${QEMU_MEM:-4G}
export QEMU_SMP=2
suites=${SKV_BENCH_SUITES:-skv redis memcached local python sync}
suites=$(echo "$suites" | tr ',' ' ')
want() { case " $suites " in *" $1 "*) return 0 ;; esac; return 1; }
# Python's figures (tools/bench/py_bench.py): the guest gets python3, the
# skv package and the host's redis-py.
if want python; then
	export SKV_VM_PYTHON=1 SKV_VM_PYTHON_PKGS="redis packaging"
fi

for f in "$build/bin/skv-bench" "$out/skv-bench-peers" "$out/skv-bench-sync"; do
	[ -x "$f" ] || { echo "bench: $f is missing (make bench-build)" >&2; exit 1; }
done
rm -rf "$guest" "$out"/raw-*.json "$out"/bench.{txt,json,png,dat} "$out"/curve.dat "$out"/bench-curve.png "$out"/sync-perf.txt
mkdir -p "$guest"
# The servers, out of their packages into the cache, never installed on
# the host (tools/bench/fetch-servers.sh).
servers=$("$top/tools/bench/fetch-servers.sh")
cp "$servers/redis-server" "$servers/memcached" "$guest/"
install -m 0755 "$top/tools/bench/guest.sh" "$guest/skv-bench-guest"
install -m 0755 "$top/tools/bench/sync_guest.sh" "$guest/skv-bench-sync-guest"
# Options travel in files: the VM's command line is one word.
printf '%s\n' "${SKV_BENCH_OPTS:-}" >"$guest/skv-bench-opts"
printf '%s\n' "$suites" >"$guest/skv-bench-suites"
printf '%s\n' "${SKV_BENCH_SYNC:-}" >"$guest/skv-bench-sync-opts"
# The sync suite: etcd and etcdctl out of their packages as well
# (tools/skv-sync/tests/fetch-etcd.sh), curl for the gateway's watch,
# redis-cli and redis-benchmark; skv-sync itself is in build/bin.
sync_adds=()
if want sync; then
	etcd=$("$top/tools/skv-sync/tests/fetch-etcd.sh")
	sync_adds+=(--add "$etcd/etcd" --add "$etcd/etcdctl" --add /usr/bin/curl
		--add "$servers/redis-cli" --add "$servers/redis-benchmark"
		--add "$out/skv-bench-sync" --add "$guest/skv-bench-sync-guest")
	case " ${SKV_BENCH_SYNC:-} " in
	*" perf=1 "*) [ -x /usr/bin/perf ] && sync_adds+=(--add /usr/bin/perf) ;;
	esac
fi

echo "bench: booting the $kernel VM (TCG, $QEMU_SMP vCPUs, $QEMU_MEM); every figure is taken in this one boot"
start=$(date +%s)
rc=0
"$top/tools/vm/run" --kernel "$kernel" --timeout "${SKV_BENCH_TIMEOUT:-1200}" \
	--add "$out/skv-bench-peers" --add "$guest/redis-server" \
	--add "$guest/memcached" --add "$guest/skv-bench-guest" \
	--add "$guest/skv-bench-opts" --add "$guest/skv-bench-suites" \
	--add "$guest/skv-bench-sync-opts" "${sync_adds[@]}" \
	--log "$out/console.log" -- skv-bench-guest |
	grep --line-buffered -v '^SKVB:' || rc=$?
echo "bench: the VM ran $(($(date +%s) - start)) s (status $rc)"

tr -d '\r' <"$out/console.log" >"$out/console.clean"
files=()
for n in skv redis memcached local sync; do
	grep "^SKVB:$n.json:" "$out/console.clean" | sed "s/^SKVB:$n.json://" >"$out/raw-$n.json" || true
	if [ -s "$out/raw-$n.json" ]; then
		files+=("$out/raw-$n.json")
	elif want "$n"; then
		echo "bench: no $n.json from the VM" >&2
		rm -f "$out/raw-$n.json"
	else
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

# The chart is of skv against its peers: not drawn without skv's figures.
if [ -s "$out/raw-skv.json" ]; then
	gnuplot -e "datafile='$out/bench.dat'; outfile='$out/bench.png'; \
subtitle='kernel $(sed -n 's/.*"kernel_release": *"\([^"]*\)".*/\1/p' "$out/raw-skv.json" 2>/dev/null | head -n 1) in QEMU TCG, 2 vCPUs: times are emulated, only ratios carry over'" \
		"$top/tools/bench/bench.gp"
fi
# The Python table, as py_bench.py printed it, at the end of bench.txt.
sed -n '/^Python [0-9]/,/target >=\|no ratio/p' "$out/console.clean" >"$out/python.txt"
sed -n 's/^SKVB:py://p' "$out/console.clean" >"$out/python.json"
if [ -s "$out/python.txt" ]; then
	{ echo; cat "$out/python.txt"; } >>"$out/bench.txt"
	cat "$out/python.txt"
elif want python; then
	echo "bench: no Python figures from the VM" >&2
fi
# The sync suite's profile (SKV_BENCH_SYNC="perf=1"), as perf printed it.
sed -n 's/^sync-perf: //p' "$out/console.clean" >"$out/sync-perf.txt"
if [ -s "$out/sync-perf.txt" ]; then
	{ echo; echo "## skv-sync replica catching up, perf record -a -e cpu-clock (one more repetition)"; echo; cat "$out/sync-perf.txt"; } >>"$out/bench.txt"
else
	rm -f "$out/sync-perf.txt"
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
if [ -n "$big" ] && [ "$rc" = 0 ] && want skv; then
	echo "bench: the cost curve at $big entries, in a second boot with ${SKV_BENCH_CURVE_MEM:-6G}"
	QEMU_MEM=${SKV_BENCH_CURVE_MEM:-6G} "$top/tools/vm/run" --kernel "$kernel" \
		--timeout "${SKV_BENCH_TIMEOUT:-1200}" --no-tests \
		--log "$out/console-curve.log" -- skv-bench -q -r 5 -C "$big" floor curve \
		>"$out/curve-big.txt" 2>&1 || rc=$?
	{
		echo
		echo "## Cost curve at $big entries (a second boot, QEMU_MEM=${SKV_BENCH_CURVE_MEM:-6G}; ratios against its own null ioctl)"
		awk '/^## Cost curve/ { c = 1; next } /^## / { c = 0 } c && /^\|/' "$out/curve-big.txt"
	} | tee -a "$out/bench.txt"
fi
echo "bench: wrote $out/bench.txt, $out/bench.json$([ -s "$out/bench.png" ] && echo ", $out/bench.png")"
exit "$rc"
