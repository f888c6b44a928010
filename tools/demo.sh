#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The scripted skv session that `make demo` runs inside the test VM.
#
# Every command is printed as a line that bash reads back as the same
# words (quoted where needed), so a transcript copied into README.md runs
# as shown; make check runs the README's copies (tools/doc-check). Each
# step works on its own table, or on the first one, and deletes it at the
# end, so that no step sees what an earlier one left behind.

# Print the arguments as one line of shell words, each quoted if bash
# would otherwise split, expand or glob it (busybox printf has no %q).
quote() {
	line= sep=
	for a in "$@"; do
		case "$a" in
		'') a="''" ;;
		*[!A-Za-z0-9_./:=@%+,-]*) a="'$(printf '%s' "$a" | sed "s/'/'\\\\''/g")'" ;;
		esac
		line="$line$sep$a"
		sep=' '
	done
	printf '%s\n' "$line"
}

# Output goes straight to the console, a terminal, as a person would see it
# (skvtool indents JSON only there).
run() {
	echo "\$ $(quote "$@")"
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
run sleep 2
run skvtool get cache otp:42

echo "-- a compare-and-swap conflict --"
run skvtool put cache stock 10 --json
v=$(skvtool get cache stock --json | sed -n 's/.*"version": *\([0-9]*\).*/\1/p')
echo "(stock is at version $v; two writers both read it there)"
run skvtool put cache stock 9 --cas "$v"
run skvtool put cache stock 8 --cas "$v"
run skvtool get cache stock

echo "-- counters --"
run skvtool incr cache hits
run skvtool incr cache hits 41
run skvtool incr cache hits -- -2
run skvtool table delete cache

echo "-- a mapped table: readers look keys up in shared memory, no system call --"
run skvtool table create prices --mapped --max-entries 1000 --max-key-len 32 --max-value-len 64 --mode 0644
run skvtool put prices sku:1 19.99
run skvtool get prices sku:1
run skvtool table info prices --json
echo "(skvtool get read sku:1 from its read-only mapping of the table, without"
echo " a system call; a process without read permission never gets the fd)"
run skvtool table delete prices

echo "-- two processes sharing session state through libskvdev --"
run skv-session
echo "(the table they shared, inspected, then deleted)"
run skvtool scan sessions --json
run skvtool table stats sessions --json
run skvtool table info sessions --json
run skvtool table delete sessions

echo "-- a watcher sees another process's writes and a TTL expiry --"
run skvtool table create feed
W=$(mktemp -d)
echo "\$ $(quote skvtool watch feed --count 5 --timeout 60000) &"
skvtool watch feed --count 5 --timeout 60000 >"$W/out" 2>"$W/err" &
watcher=$!
i=0
until grep -q watching "$W/err" 2>/dev/null || [ $i -ge 300 ]; do sleep 0.1; i=$((i + 1)); done
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
run skvtool put feed user:7 '{"name":"grace"}'
watched 1
run skvtool put feed user:7 '{"name":"grace","cart":1}'
watched 2
run skvtool del feed user:7
watched 3
run skvtool put feed otp:7 424242 --ttl 1000
watched 4
echo "(no one touches otp:7; its TTL runs out)"
echo "\$ wait"
wait $watcher
watched 5
rm -rf "$W"
run skvtool table delete feed
