#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the test VM for `make bench` (tools/bench/bench.sh): every
# measurement in one boot, then prints each JSON result file to the console
# as lines "SKVB:<file>:<line>" for the host to collect.
# Usage: guest.sh [SKV-BENCH OPTIONS...]   (passed to both binaries; without
# arguments they are read from /opt/skv/add/skv-bench-opts if present)
# The suites to run are read from /opt/skv/add/skv-bench-suites (default
# all: skv redis memcached local python sync), the sync suite's settings
# from /opt/skv/add/skv-bench-sync-opts (tools/bench/sync_guest.sh).
set -u
out=/tmp/skv-bench
mkdir -p "$out"
add=/opt/skv/add
opts="$*"
[ $# -eq 0 ] && [ -f "$add/skv-bench-opts" ] && opts=$(cat "$add/skv-bench-opts")
suites="skv redis memcached local python sync"
[ -s "$add/skv-bench-suites" ] && suites=$(tr ',' ' ' <"$add/skv-bench-suites")
want() { case " $suites " in *" $1 "*) return 0 ;; esac; return 1; }
export SKV_BENCH_ENV="QEMU TCG VM, emulated timing"
server_cpu=0
other_cpu=1

# LMDB's file and the servers live in RAM: let tmpfs use most of it.
mount -o remount,size=90% /tmp

phase() { echo "SKVB-PHASE: [uptime $(cut -d' ' -f1 /proc/uptime) s] $*"; }

wait_sock() { # PATH: wait up to 20 s for a server's socket
	i=0
	while [ ! -S "$1" ] && [ $i -lt 200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -S "$1" ]
}

if want skv; then
phase "skv-bench (floor, skv, BPF, scaling, events, netlink, memory)"
# shellcheck disable=SC2086
skv-bench $opts --cpus $server_cpu,$other_cpu --json "$out/skv.json" >/dev/null
fi

if want redis; then
phase "Redis over a unix socket, server pinned to CPU $server_cpu"
taskset -c $server_cpu "$add/redis-server" --port 0 --unixsocket /tmp/redis.sock \
	--unixsocketperm 700 --save '' --appendonly no --protected-mode no \
	--daemonize no --loglevel warning >/tmp/redis.log 2>&1 &
redis_pid=$!
if wait_sock /tmp/redis.sock; then
	# shellcheck disable=SC2086
	"$add/skv-bench-peers" $opts -S $server_cpu -O $other_cpu \
		--redis /tmp/redis.sock --json "$out/redis.json" redis
else
	echo "bench: redis-server did not start:"; cat /tmp/redis.log
fi
kill $redis_pid 2>/dev/null; wait $redis_pid 2>/dev/null
fi

if want memcached; then
phase "memcached over a unix socket, server pinned to CPU $server_cpu"
# -m: room for 100k 16 KiB items (memcached would evict silently);
# -t 1: one worker thread, like Redis's one main thread.
taskset -c $server_cpu "$add/memcached" -u root -s /tmp/memcached.sock -a 0700 \
	-m 2600 -t 1 -c 64 >/tmp/memcached.log 2>&1 &
mc_pid=$!
if wait_sock /tmp/memcached.sock; then
	# shellcheck disable=SC2086
	"$add/skv-bench-peers" $opts -S $server_cpu -O $other_cpu \
		--memcached /tmp/memcached.sock --json "$out/memcached.json" memcached
else
	echo "bench: memcached did not start:"; cat /tmp/memcached.log
fi
kill $mc_pid 2>/dev/null; wait $mc_pid 2>/dev/null
fi

if want local; then
phase "LMDB in-process, AF_UNIX round trip"
# shellcheck disable=SC2086
"$add/skv-bench-peers" $opts -S $server_cpu -O $other_cpu --lmdb-dir /tmp \
	--json "$out/local.json" unix lmdb
fi

if want python; then
phase "Python: the skv binding, redis-py over a unix socket, a dict"
if command -v python3 >/dev/null 2>&1 && [ -f /opt/skv/python/bench/py_bench.py ]; then
	redis_bin=$(command -v redis-server || echo "$add/redis-server")
	taskset -c $server_cpu "$redis_bin" --port 0 --unixsocket /tmp/redis-py.sock \
		--unixsocketperm 700 --save '' --appendonly no --protected-mode no \
		--daemonize no --loglevel warning >/tmp/redis-py.log 2>&1 &
	redis_pid=$!
	wait_sock /tmp/redis-py.sock || { echo "bench: redis-server did not start:"; cat /tmp/redis-py.log; }
	python3 /opt/skv/python/bench/py_bench.py --redis /tmp/redis-py.sock --cpu $other_cpu
	kill $redis_pid 2>/dev/null; wait $redis_pid 2>/dev/null
else
	echo "bench: no python3 or py_bench.py in the VM (make python): no Python figures"
fi
fi

if want sync; then
phase "skv-sync: replica apply rate against etcd's watch, lag, write-behind against redis-benchmark"
# shellcheck disable=SC2046
sh "$add/skv-bench-sync-guest" "$out" $(cat "$add/skv-bench-sync-opts" 2>/dev/null)
fi

phase "collect"
for f in "$out"/*.json; do
	n=$(basename "$f")
	{ cat "$f"; echo; } | sed "s|^|SKVB:$n:|"
done
echo "SKVB-DONE"
