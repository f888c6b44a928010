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

echo "-- the table they shared, inspected --"
run skvtool scan sessions --json
run skvtool table stats sessions --json
run skvtool table info sessions --json
run skvtool table delete sessions
