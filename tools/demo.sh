#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The scripted skv session that `make demo` runs inside the test VM.
run() {
	echo "\$ $*"
	"$@"
	rc=$?
	[ $rc -eq 0 ] || echo "(exit status $rc)"
	echo
}

echo "== skv demo on Linux $(uname -r) =="
echo
run ls -l /dev/skv
run skvtool features

echo "-- a table, values put and read back --"
run skvtool table create cache --mode 0660 --max-entries 100000 --policy lru
run skvtool put cache user:42 '{"name":"ada","cart":3}'
run skvtool get cache user:42
run skvtool get cache user:42 --json

echo "-- a TTL expiring --"
run skvtool put cache otp:42 913377 --ttl 1500
run skvtool get cache otp:42 --json
echo "(sleeping 2 s)"
sleep 2
run skvtool get cache otp:42

echo "-- a compare-and-swap conflict --"
v=$(skvtool put cache stock 10 --json | sed -n 's/.*"version": *\([0-9]*\).*/\1/p')
echo "stock was written at version $v"
run skvtool put cache stock 9 --cas "$v"
echo "(a second writer still holds version $v)"
run skvtool put cache stock 8 --cas "$v"
run skvtool get cache stock

echo "-- counters --"
run skvtool incr cache hits
run skvtool incr cache hits 41
run skvtool incr cache hits -- -2

echo "-- two processes sharing session state through libskvdev --"
run skv-session

echo "-- a watcher sees another process's writes and a TTL expiry --"
skvtool table create sessions --exist-ok
W=$(mktemp -d)
skvtool watch sessions --count 5 --timeout 60000 >"$W/out" 2>"$W/err" &
watcher=$!
i=0
until grep -q watching "$W/err" 2>/dev/null || [ $i -ge 300 ]; do sleep 0.1; i=$((i + 1)); done
echo "\$ skvtool watch sessions --count 5 &    (in the background)"
echo
seen=0
watched() { # N: wait for the watcher's Nth line, print what is new
	i=0
	while [ "$(wc -l <"$W/out")" -lt "$1" ] && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	sed -n "$((seen + 1)),${1}p" "$W/out" | sed 's/^/    watcher | /'
	seen=$1
	echo
}
run skvtool put sessions user:7 '{"name":"grace"}'
watched 1
run skvtool put sessions user:7 '{"name":"grace","cart":1}'
watched 2
run skvtool del sessions user:7
watched 3
run skvtool put sessions otp:7 424242 --ttl 1000
watched 4
echo "(no one touches otp:7; its TTL runs out)"
watched 5
wait $watcher
rm -rf "$W"

echo "-- the table they shared, inspected --"
run skvtool scan sessions --json
run skvtool table stats sessions --json
run skvtool table info sessions --json
run skvtool table delete sessions
