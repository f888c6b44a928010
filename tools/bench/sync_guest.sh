#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The `sync` suite of `make bench`, inside the VM (called by guest.sh):
# skv-sync against the servers it sits between, all in this one boot.
# Writes its figures to OUT/sync.json (skv-bench-sync does the timing).
#
#   1. etcd's own watch delivery: etcdctl watch (gRPC) replays REVS
#      revisions of one 16 B/64 B put each; and the same through etcd's
#      v3 JSON gateway, the one skv-sync must use, read by curl.
#   2. The replica's apply rate: skv-sync resumes from the revision before
#      those REVS and applies them into an empty local table (a BATCH per
#      revision), from the first key visible to the last.
#   3. The lag from an etcd put to the value being visible in the table,
#      one put at a time (p50, p99).
#   4. Write-behind: WB_KEYS new keys written into a table (BATCH of 64
#      PUTs, as fast as the writer goes: its bursts overflow the event
#      socket, and the daemon resyncs, which is counted), until Redis holds
#      them all; against redis-benchmark SET, pipelined like the daemon
#      (-P 512, one connection, 64 B values).
#
# Repetitions of 1, 2 and 4 interleave, so host noise falls on each side
# alike. etcd is one member on the guest's loopback (a cluster would only
# add raft round trips inside the same two vCPUs), with the heartbeat and
# election timeouts raised ten times for the emulator (500 ms, 5 s), as in
# tools/skv-sync/tests/skv_sync.sh. Redis listens on a unix socket. No
# process is pinned: etcd, the daemon, Redis and the clients share the
# two vCPUs as the scheduler places them. Nothing leaves the VM.
#
# With perf=1 (and perf in the VM: bench.sh adds it), one more replica
# repetition runs under `perf record -a`, its figure thrown away, and the
# profile is printed as "sync-perf:" lines.
#
# Usage: sync_guest.sh OUT [revs=N] [reps=N] [lag=N] [wb_keys=N] [perf=1]
# (the helpers below run through wait_for and trap)
# shellcheck disable=SC2317
set -u
out=$1
shift
revs=5000 reps=3 lag_n=300 wb_keys=20000 perf=0
for kv in "$@"; do
	case "$kv" in
	revs=*) revs=${kv#revs=} ;;
	reps=*) reps=${kv#reps=} ;;
	lag=*) lag_n=${kv#lag=} ;;
	wb_keys=*) wb_keys=${kv#wb_keys=} ;;
	perf=*) perf=${kv#perf=} ;;
	*) echo "sync: unknown setting '$kv'" ;;
	esac
done
J=$out/sync.json
D=/tmp/sync-bench
mkdir -p "$D"
URL=http://127.0.0.1:2379
PIDS=

sb() { skv-bench-sync --json "$J" "$@"; }
have() { command -v "$1" >/dev/null 2>&1; }
b64() { printf %s "$1" | base64 | tr -d '\n'; }
cleanup() {
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
}
trap cleanup EXIT

# wait_for SECONDS CMD...: until CMD succeeds
wait_for() {
	end=$(($(date +%s) + $1))
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.2
	done
}

sync_start() { # CONF LOG: skv-sync in the background, its pid in $sync_pid
	skv-sync -c "$1" >>"$2" 2>&1 &
	sync_pid=$!
	PIDS="$PIDS $sync_pid"
}
sync_stop() {
	kill -TERM "$sync_pid" 2>/dev/null
	wait "$sync_pid" 2>/dev/null
}
# link_state STATE_DIR: the first link's state in the status file
link_state() {
	tr -d ' \n' <"$1/status.json" 2>/dev/null | sed -n 's/.*"state":"\([a-z]*\)".*/\1/p'
}
following() { [ "$(link_state "$1")" = following ]; }

missing=
for b in etcd etcdctl curl skv-sync skvtool skv-bench-sync; do
	have "$b" || missing="$missing $b"
done
if [ ! -e /proc/net/tcp ]; then
	sb not-measured replica "this kernel has no TCP/IP"
elif [ -n "$missing" ]; then
	sb not-measured replica "not in the VM:$missing (tools/skv-sync/tests/fetch-etcd.sh)"
else
	[ -s /etc/hosts ] || echo "127.0.0.1 localhost" >/etc/hosts
	(cd "$D" && exec etcd --name bench --data-dir "$D/etcd" \
		--listen-client-urls "$URL" --advertise-client-urls "$URL" \
		--listen-peer-urls http://127.0.0.1:2380 \
		--initial-advertise-peer-urls http://127.0.0.1:2380 \
		--initial-cluster bench=http://127.0.0.1:2380 \
		--heartbeat-interval 500 --election-timeout 5000 \
		--log-level error >"$D/etcd.log" 2>&1) &
	etcd_pid=$!
	PIDS="$PIDS $etcd_pid"
	if ! wait_for 120 etcdctl --endpoints="$URL" --command-timeout=3s endpoint health; then
		tail -n 5 "$D/etcd.log"
		sb not-measured replica "etcd did not become healthy in 120 s"
		etcd_pid=
	fi
fi

if [ -n "${etcd_pid:-}" ]; then
	# REVS revisions of one put each, and the order of their keys
	# (64 puts in flight: a put takes some 50 ms under TCG)
	range=$(skv-bench-sync etcd-load "$URL" /b/a "$revs" "$D/order" 64) || range=
	first=${range%% *}
	echo "sync: $revs revisions $range in etcd"
	mkfifo "$D/watch"
	cat >"$D/replica.conf" <<EOF
[skv-sync]
state_dir = $D/state
[replica bench]
table = bench
endpoints = $URL
prefix = /b/
EOF
	mkdir -p "$D/state"
	etcdctl_watch() { # FROM
		etcdctl --endpoints="$URL" watch --prefix /b/a --rev="$1" >"$D/watch" &
		w=$!
		sb --cpu etcd="$etcd_pid" --cpu etcdctl="$w" \
			--note "etcdctl watch --prefix --rev (gRPC), replaying the revisions; its output read from a pipe" \
			watch-count etcdctl_watch "$revs" <"$D/watch"
		kill "$w" 2>/dev/null
		wait "$w" 2>/dev/null
	}
	gateway_watch() { # FROM
		req="{\"create_request\":{\"key\":\"$(b64 /b/a)\",\"range_end\":\"$(b64 /b/b)\",\"start_revision\":\"$1\"}}"
		curl -sN "$URL/v3/watch" -d "$req" >"$D/watch" &
		w=$!
		sb --json-stream --cpu etcd="$etcd_pid" --cpu curl="$w" \
			--note "POST /v3/watch on etcd's JSON gateway (what skv-sync reads), by curl -N into a pipe" \
			watch-count gateway_watch "$revs" <"$D/watch"
		kill "$w" 2>/dev/null
		wait "$w" 2>/dev/null
	}
	replica_apply() { # FROM ORDER-FILE
		# an empty table, and a saved revision just before FROM:
		# skv-sync resumes there and replays every revision after it
		skvtool table delete bench >/dev/null 2>&1
		skvtool table create bench >/dev/null
		echo $(($1 - 1)) >"$D/state/bench.rev"
		sync_start "$D/replica.conf" "$D/replica.log"
		sb --cpu etcd="$etcd_pid" --cpu skv-sync="$sync_pid" \
			--note "skv-sync replica: watch (JSON gateway) from the saved revision, one BATCH per revision into the table, until the last revision's key is visible" \
			apply-wait apply bench /b/a "$2"
	}
	r=0
	while [ -n "$first" ] && [ "$r" -lt "$reps" ]; do
		r=$((r + 1))
		etcdctl_watch "$first"
		gateway_watch "$first"
		replica_apply "$first" "$D/order"
		[ "$r" -lt "$reps" ] && sync_stop
	done
	if [ -n "$first" ] && [ "$perf" = 1 ] && have perf; then
		# where the time goes while the replica catches up
		sync_stop
		skvtool table delete bench >/dev/null 2>&1
		skvtool table create bench >/dev/null
		echo $((first - 1)) >"$D/state/bench.rev"
		perf record -q -e cpu-clock -F 499 -a -g -o "$D/perf.data" >/dev/null 2>&1 &
		pp=$!
		sleep 1
		sync_start "$D/replica.conf" "$D/replica.log"
		skv-bench-sync --json "$D/perf.json" apply-wait apply bench /b/a "$D/order" >/dev/null
		kill -INT "$pp"
		wait "$pp"
		{
			perf report -q -i "$D/perf.data" --stdio --no-children --sort comm,dso -g none 2>/dev/null |
				grep -v '^$' | head -n 25
			echo "skv-sync alone, by symbol:"
			perf report -q -i "$D/perf.data" --stdio --no-children --comm skv-sync \
				--sort dso,sym -g none 2>/dev/null | grep -v '^$' | head -n 40
		} | sed 's/^/sync-perf: /'
	fi
	if [ -n "$first" ]; then
		# the daemon of the last repetition follows live
		sb lag "$URL" /b/l bench "$lag_n" 20
		sync_stop
		grep -c "warning\|error" "$D/replica.log" | sed 's/^/sync: warnings and errors in the replica log: /'
		grep "warning\|error" "$D/replica.log" | head -n 5
	fi
fi

# ---- write-behind ------------------------------------------------------

RS=$D/redis.sock
missing=
for b in redis-server redis-cli redis-benchmark skv-sync skvtool skv-bench-sync; do
	have "$b" || missing="$missing $b"
done
if [ -n "$missing" ]; then
	sb not-measured writebehind "not in the VM:$missing (tools/bench/fetch-servers.sh)"
else
	redis-server --port 0 --unixsocket "$RS" --unixsocketperm 700 --save '' \
		--appendonly no --protected-mode no --daemonize no \
		--loglevel warning >"$D/redis.log" 2>&1 &
	redis_pid=$!
	PIDS="$PIDS $redis_pid"
	wait_for 30 redis-cli -s "$RS" ping
	cat >"$D/wb.conf" <<EOF
[skv-sync]
state_dir = $D/wbstate
[write-behind wb]
table = wb
redis = $RS
prefix = skv:wb:
EOF
	mkdir -p "$D/wbstate"
	r=0
	while [ "$r" -lt "$reps" ]; do
		r=$((r + 1))
		# The writer as fast as it goes. (skv-bench-sync wb-load also
		# takes a window of writes outstanding; with 128 the event socket
		# still overflowed here, over a hundred resyncs in 20,000 keys, so
		# that variant measured the resync path too, only slower.)
		v=writebehind
		# each repetition from the same start: an empty table and Redis
		redis-cli -s "$RS" flushall >/dev/null
		skvtool table delete wb >/dev/null 2>&1
		rm -f "$D/wbstate/status.json"
		sync_start "$D/wb.conf" "$D/wb.log"
		if ! wait_for 60 following "$D/wbstate"; then
			tail -n 5 "$D/wb.log"
			sb not-measured "$v" "skv-sync's write-behind link did not start"
			break
		fi
		before=$(grep -c "resynchronising" "$D/wb.log")
		sb --cpu skv-sync="$sync_pid" --cpu redis="$redis_pid" \
			--note "skv-sync write-behind: new keys written to the table in BATCHes of 64 PUTs as fast as the writer goes, until Redis holds every one" \
			wb-load "$v" wb "$RS" skv:wb: w "$wb_keys"
		sleep 1.5 # the log line of a resync that ended just now
		sb value "${v}_resyncs_rep$r" \
			$(($(grep -c "resynchronising" "$D/wb.log") - before)) resyncs
		sync_stop

		redis-cli -s "$RS" flushall >/dev/null
		rate=$(redis-benchmark -s "$RS" -c 1 -P 512 -t set -d 64 -r 1000000 \
			-n 200000 --csv 2>/dev/null | sed -n 's/^"SET","\([0-9.]*\)".*/\1/p')
		if [ -n "$rate" ]; then
			sb --note "redis-benchmark -c 1 -P 512 -t set -d 64 -r 1000000 -n 200000 (16 B keys), same Redis" \
				record redis_benchmark_set "$rate" keys/s
		fi
	done
	grep "resynchronising\|overflowed\|warning\|error" "$D/wb.log" | head -n 5
fi
exit 0
