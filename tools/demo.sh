#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The scripted skv session that `make demo` runs inside the test VM.
#
# Every command is printed as a line that bash reads back as the same
# words (quoted where needed), so a transcript copied into README.md runs
# as shown; make check runs the README's copies (tools/doc-check). Each
# step works on its own table, or on the first one, and deletes it at the
# end, so that no step sees what an earlier one left behind. The last step
# needs etcd, etcdctl and veth.ko in the guest (tools/demo-vm.sh adds
# them); without them it says why in one line. The exit status is that
# step's: 0 when it skipped or the value reached both hosts.

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
# (skvtool indents JSON only there). cmd prints and runs one command, run
# adds a blank line after it.
cmd() {
	echo "\$ $(quote "$@")"
	"$@"
	rc=$?
	[ $rc -eq 0 ] || echo "(exit status $rc)"
	return $rc
}
run() {
	cmd "$@"
	rc=$?
	echo
	return $rc
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

# The last step: etcd, one member, in the guest's own network namespace,
# and two "hosts", network namespaces h1 and h2 joined to it by veth pairs,
# each with its own skv tables (a table belongs to a network namespace) and
# its own skv-sync replica link, as skv-sync's test has them
# (tools/skv-sync/tests/skv_sync.sh, with three members). etcd's heartbeat
# and election timeouts are ten times its defaults, as in the test: the
# emulator is too slow for the defaults. SKV_DEMO_NO_SYNC, set by
# tools/demo-vm.sh, says why etcd or veth.ko could not be fetched.

sync_skip() {
	echo "-- two hosts following etcd through skv-sync: skipped, $1 --"
}

until_ok() { # SECONDS CMD...: quietly, until CMD succeeds; bounded by the clock
	end=$(($(date +%s) + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.2
	done
}

following() { # CONF
	skv-sync -c "$1" status 2>/dev/null | grep -q ' following '
}

host_make() { # HOST NET: the namespace, a veth pair, 10.99.NET.2 -> .1
	cmd touch "/run/netns/$1" &&
		cmd unshare --net="/run/netns/$1" true &&
		cmd nsenter --net="/run/netns/$1" ip link add eth0 type veth &&
		cmd nsenter --net="/run/netns/$1" ip link set veth0 netns 1 &&
		cmd ip link set veth0 name "$1" &&
		cmd ip addr add "10.99.$2.1/24" dev "$1" &&
		cmd ip link set "$1" up &&
		cmd nsenter --net="/run/netns/$1" ip addr add "10.99.$2.2/24" dev eth0 &&
		cmd nsenter --net="/run/netns/$1" ip link set eth0 up
}

host_sync() { # HOST NET: its config, and its skv-sync in the background
	conf="[skv-sync]
state_dir = /tmp/sync/$1
[replica config]
table = config
endpoints = http://10.99.$2.1:2379
prefix = /config/"
	cmd mkdir "$1" || return 1
	echo "\$ cat >$1.conf <<EOF"
	printf '%s\nEOF\n' "$conf"
	printf '%s\n' "$conf" >"$1.conf"
	echo "\$ nsenter --net=/run/netns/$1 skv-sync -c $1.conf >$1.log 2>&1 &"
	nsenter --net="/run/netns/$1" skv-sync -c "$1.conf" >"$1.log" 2>&1 &
	eval "${1}_sync=\$!"
	echo
}

sync_stop() { # quietly: the daemons, etcd, the namespaces
	for p in ${h1_sync:-} ${h2_sync:-} ${etcd_pid:-}; do
		kill -TERM "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	for h in h1 h2; do umount "/run/netns/$h" 2>/dev/null; done
	cd /
	rm -rf /tmp/sync
}

sync_demo() {
	veth=/opt/skv/add/veth-$(uname -r).ko
	if [ -n "${SKV_DEMO_NO_SYNC:-}" ]; then
		sync_skip "$SKV_DEMO_NO_SYNC"
		return 0
	fi
	for b in etcd etcdctl skv-sync; do
		command -v $b >/dev/null 2>&1 || { sync_skip "no $b in the VM"; return 0; }
	done
	if [ ! -e /proc/net/tcp ]; then
		sync_skip "this kernel has no TCP/IP"
		return 0
	fi
	if ! grep -q '^veth ' /proc/modules && [ ! -f "$veth" ]; then
		sync_skip "no $veth in the VM"
		return 0
	fi

	echo "-- two hosts following etcd through skv-sync --"
	echo "(etcd, one member, in the VM's own network namespace, its heartbeat and"
	echo " election timeouts ten times etcd's defaults for the emulator)"
	run mkdir /tmp/sync && run cd /tmp/sync || return 1
	echo "\$ echo '127.0.0.1 localhost' >/etc/hosts"
	echo '127.0.0.1 localhost' >/etc/hosts
	echo
	set -- etcd --data-dir etcd --listen-client-urls http://0.0.0.0:2379 \
		--advertise-client-urls http://127.0.0.1:2379 \
		--heartbeat-interval 500 --election-timeout 5000 --log-level error
	echo "\$ $(quote "$@") >etcd.log 2>&1 &"
	"$@" >etcd.log 2>&1 &
	etcd_pid=$!
	echo

	echo "(two \"hosts\": network namespaces h1 and h2, each joined to the VM's"
	echo " by a veth pair, each with skv tables of its own)"
	if ! grep -q '^veth ' /proc/modules; then
		run insmod "$veth" || { sync_stop; sync_skip "veth.ko did not load"; return 0; }
	fi
	cmd mkdir -p /run/netns
	if ! host_make h1 1 || ! host_make h2 2; then
		sync_stop
		return 1
	fi
	echo

	echo "(waiting for etcd to elect itself leader: one election timeout)"
	if ! until_ok 120 etcdctl --dial-timeout=1s --command-timeout=2s endpoint health; then
		tail -n 3 etcd.log
		sync_stop
		return 1
	fi
	run etcdctl endpoint health

	echo "(each host's skv-sync: a replica link, etcd's /config/ into table config)"
	host_sync h1 1 && host_sync h2 2
	if ! until_ok 60 following h1.conf || ! until_ok 60 following h2.conf; then
		cat h1.log h2.log
		sync_stop
		return 1
	fi
	run skv-sync -c h1.conf status
	run skv-sync -c h2.conf status
	echo "(the VM's own network namespace has no table config)"
	run skvtool table info config

	echo "-- a value put into etcd, read on both hosts --"
	run etcdctl put /config/greeting 'hello from etcd'
	if until_ok 60 nsenter --net=/run/netns/h1 skvtool get config /config/greeting &&
		until_ok 60 nsenter --net=/run/netns/h2 skvtool get config /config/greeting; then
		echo "(each daemon's watch got the put; it applied the revision in one BATCH)"
	else
		echo "(not on both hosts after 60 s; the daemons' logs:)"
		cat h1.log h2.log
	fi
	run nsenter --net=/run/netns/h1 skvtool get config /config/greeting
	ok1=$?
	run nsenter --net=/run/netns/h2 skvtool get config /config/greeting
	ok2=$?
	sync_stop
	[ "$ok1" = 0 ] && [ "$ok2" = 0 ]
}

sync_demo
