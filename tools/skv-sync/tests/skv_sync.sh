#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# skv-sync in the test VM, against a real three-member etcd cluster and a
# real redis-server, all inside the guest. KTAP out; busybox sh; root.
#
# Topology: the etcd members run in the guest's root network namespace
# (clients on 0.0.0.0:2379, 12379, 22379; peers on 127.0.0.1). Two
# "hosts" are network namespaces h1 and h2, each with its own skv tables
# and its own skv-sync, reaching etcd over a veth pair that this script
# creates (10.99.1.0/24, 10.99.2.0/24). Redis listens on a unix socket,
# which every namespace reaches. No traffic leaves the VM.
#
# etcd under TCG is slow: the members run with --heartbeat-interval 500
# and --election-timeout 5000 (ten times etcd's defaults) so that
# elections do not flap, and send watch progress notifications every 2 s.
#
# Needs etcd, etcdctl, redis-server and redis-cli on PATH (tools/check.sh
# adds them from tools/skv-sync/tests/fetch-etcd.sh and
# tools/bench/fetch-servers.sh) and veth-$(uname -r).ko in
# /opt/skv/add (tools/skv-sync/tests/fetch-veth.sh); without them the
# scenarios that need them skip. The debug kernel has no TCP/IP
# (CONFIG_INET is off), so there only the etcd-free tests run.
# Every wait is bounded; the whole script takes about 3-5 minutes on the
# cloud kernels under TCG.

T=skv_sync
D=$(mktemp -d /tmp/skv_sync.XXXXXX)
n=0 pass=0 fail=0 skip=0
PIDS=
WAIT=${SKV_SYNC_WAIT:-90}	# seconds any one convergence may take

echo "TAP version 13"
START=$(date +%s)
ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n $1"; echo "# at $(($(date +%s) - START)) s"; }
not_ok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n $1"; echo "# at $(($(date +%s) - START)) s"; }
skip() { n=$((n + 1)); skip=$((skip + 1)); echo "ok $n $1 # SKIP $2"; }
check() { # NAME CONDITION-STATUS
	if [ "$2" = 0 ]; then ok "$1"; else not_ok "$1"; fi
}
diag() { sed 's/^/# /' "$@"; }

cleanup() {
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$D"
}
totals() {
	cleanup
	echo "1..$n"
	echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
	[ "$fail" = 0 ]
	exit $?
}
trap 'cleanup; exit 1' INT TERM

have() { command -v "$1" >/dev/null 2>&1; }
b64() { printf %s "$1" | base64 | tr -d '\n'; }

# ---- the config file and the command line, no server needed ----------

if ! have skv-sync; then
	skip "$T" "skv-sync is not built"
	totals
fi

# expect_fail NAME STATUS PATTERN CMD...: exit status and one stderr line
expect_fail() {
	name=$1 want=$2 pat=$3
	shift 3
	"$@" >"$D/out" 2>"$D/err"
	rc=$?
	if [ "$rc" = "$want" ] && [ "$(wc -l <"$D/err")" = 1 ] &&
		grep -q "$pat" "$D/err"; then
		ok "$name"
	else
		not_ok "$name"
		echo "# status $rc, want $want; stderr:"
		diag "$D/err"
	fi
}

printf '[skv-sync]\nstate_dir = %s/s0\n[replica a]\ntable = a\nendpoints = http://127.0.0.1:1\nprefix = /a/\nbogus = 1\n' "$D" >"$D/bad1.conf"
expect_fail "config: unknown key, one line, exit 2" 2 "bad1.conf:7: \[replica a\] bogus: unknown key" \
	skv-sync -c "$D/bad1.conf" check
printf 'not ini\n' >"$D/bad2.conf"
expect_fail "config: a line that is not INI, exit 2" 2 "bad2.conf:1: not a 'key = value' line" \
	skv-sync -c "$D/bad2.conf" check
printf '[replica a]\ntable = a\nprefix = /a/\n' >"$D/bad3.conf"
expect_fail "config: a replica without endpoints, exit 2" 2 "\[replica a\]: no endpoints" \
	skv-sync -c "$D/bad3.conf" run
printf '[replica a]\ntable = a\nprefix = /a/\nendpoints = 127.0.0.1:2379\n' >"$D/bad4.conf"
expect_fail "config: an endpoint that is not a URL, exit 2" 2 "is not an http:// or https:// URL" \
	skv-sync -c "$D/bad4.conf" check
printf '[replica a]\ntable = a\nprefix = /a/\nendpoints = http://x\npage_size = 0\n' >"$D/bad5.conf"
expect_fail "config: page_size 0, exit 2" 2 "page_size: '0' is not a number in 1..100000" \
	skv-sync -c "$D/bad5.conf" check
printf '[write-behind w]\ntable = t\nredis = /x\nevent_buffer = 4095\n' >"$D/bad7.conf"
expect_fail "config: an event_buffer below 4096, exit 2" 2 "event_buffer: '4095' is not a number of bytes in 4096..1073741824" \
	skv-sync -c "$D/bad7.conf" check
printf '[write-behind w]\ntable = t\nredis = /x\n[write-behind w]\ntable = u\n' >"$D/bad6.conf"
expect_fail "config: a section written twice, exit 2" 2 "bad6.conf:4: \\[write-behind w\\] appears a second time" \
	skv-sync -c "$D/bad6.conf" check
expect_fail "config: a missing file, exit 2" 2 "config $D/none.conf: No such file or directory" \
	skv-sync -c "$D/none.conf" run
expect_fail "command line: an unknown command, exit 2" 2 "unknown command or argument 'frob'" \
	skv-sync frob
printf '[skv-sync]\nstate_dir = %s/s0\n[write-behind w]\ntable = t\nredis = /x\n' "$D" >"$D/ok0.conf"
expect_fail "status: no daemon ran, exit 3" 3 "no status in $D/s0/status.json" \
	skv-sync -c "$D/ok0.conf" status

# ---- helpers for the servers -------------------------------------------

# wait_for SECONDS CMD...: until CMD succeeds; 1 after SECONDS of wall
# time (not of tries: under TCG one try may take seconds)
wait_for() {
	deadline=$(($(date +%s) + $1))
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -ge "$deadline" ] && return 1
		sleep 0.3
	done
	return 0
}

ETCD1=http://127.0.0.1:2379
etcd_post() { # PATH JSON [ENDPOINT]
	wget -q -O - --post-data "$2" "${3:-$ETCD1}$1" 2>/dev/null
}
etcd_put() { # KEY VALUE [LEASE]
	if [ -n "${3:-}" ]; then
		etcd_post /v3/kv/put "{\"key\":\"$(b64 "$1")\",\"value\":\"$(b64 "$2")\",\"lease\":\"$3\"}" >/dev/null
	else
		etcd_post /v3/kv/put "{\"key\":\"$(b64 "$1")\",\"value\":\"$(b64 "$2")\"}" >/dev/null
	fi
}
etcd_del() { etcd_post /v3/kv/deleterange "{\"key\":\"$(b64 "$1")\"}" >/dev/null; }
etcd_rev() {
	etcd_post /v3/kv/range '{"key":"AA=="}' | sed -n 's/.*"revision":"\([0-9]*\)".*/\1/p'
}
etcd_lease() { # TTL -> lease ID
	etcd_post /v3/lease/grant "{\"TTL\":$1}" | sed -n 's/.*"ID":"\([0-9]*\)".*/\1/p'
}
# The prefix as KEY<tab>VALUE lines, sorted.
etcd_dump() { skv-sync-load etcd-dump "$ETCD1" "$1" | sort; }
in_host() { # HOST CMD...
	h=$1
	shift
	eval "hp=\$${h}_pid"
	nsenter -t "$hp" -n "$@"
}
table_dump() { # HOST TABLE
	in_host "$1" skvtool scan "$2" -v 2>/dev/null | sort
}
# status_field CONF LINK FIELD: from the status file skv-sync status reads
# (read directly: on the debug kernel a process linked to libcurl takes
# seconds to start)
status_field() {
	sd=$(sed -n 's/^state_dir = //p' "$1")
	tr -d ' \n' <"$sd/status.json" 2>/dev/null |
		sed -n "s/.*\"name\":\"$2\"[^}]*\"$3\":\"\{0,1\}\([^,\"}]*\).*/\1/p"
}
applied_at_least() { # CONF LINK REV
	a=$(status_field "$1" "$2" applied_revision)
	[ -n "$a" ] && [ "$a" -ge "$3" ]
}
# tables_equal HOST: h's table app equals etcd's /app/ once it has caught up.
caught_up() {
	applied_at_least "$D/$1.conf" app "$(etcd_rev)" &&
		[ "$(table_dump "$1" app)" = "$(etcd_dump /app/)" ]
}
show_diff() { # HOST
	etcd_dump /app/ >"$D/etcd.txt"
	table_dump "$1" app >"$D/table.txt"
	echo "# etcd revision $(etcd_rev), $1 applied $(status_field "$D/$1.conf" app applied_revision)"
	diff "$D/etcd.txt" "$D/table.txt" | head -n 10 | sed 's/^/# /'
	tail -n 5 "$D/$1.log" | sed 's/^/# log: /'
}
expect_equal() { # NAME HOST
	if wait_for "$WAIT" caught_up "$2"; then
		ok "$1"
	else
		not_ok "$1"
		show_diff "$2"
	fi
}

sync_start() { # HOST [ARGS...]: skv-sync in HOST, log appended to D/HOST.log
	h=$1
	shift
	eval "hp=\$${h}_pid"
	nsenter -t "$hp" -n skv-sync -c "$D/$h.conf" "$@" >>"$D/$h.log" 2>&1 &
	eval "${h}_sync=$!"
	PIDS="$PIDS $!"
}
sync_stop() { # HOST: SIGTERM, and the exit status
	eval "sp=\$${1}_sync"
	kill -TERM "$sp" 2>/dev/null
	wait "$sp"
}

# ---- etcd: a three-member cluster, two hosts ---------------------------

etcd_ok=1
for b in etcd etcdctl skv-sync-load; do have "$b" || etcd_ok=0; done
veth=/opt/skv/add/veth-$(uname -r).ko
if [ "${SKV_SYNC_ONLY:-}" = wb ]; then
	etcd_ok=0 why="SKV_SYNC_ONLY=wb"
elif [ ! -e /proc/net/tcp ]; then
	etcd_ok=0 why="this kernel has no TCP/IP (CONFIG_INET)"
elif [ "$etcd_ok" = 0 ]; then
	why="no etcd binaries in the guest (tools/skv-sync/tests/fetch-etcd.sh)"
elif ! grep -q '^veth ' /proc/modules && { [ ! -f "$veth" ] || ! insmod "$veth"; }; then
	etcd_ok=0 why="no veth for this kernel ($veth)"
fi

etcd_start() { # MEMBER (1..3)
	m=$1
	cport=$(( (m - 1) * 10000 + 2379 ))
	pport=$((cport + 1))
	mkdir -p "$D/etcd$m"
	(cd "$D/etcd$m" && exec etcd --name "m$m" --data-dir "$D/etcd$m/data" \
		--listen-client-urls "http://0.0.0.0:$cport" \
		--advertise-client-urls "http://127.0.0.1:$cport" \
		--listen-peer-urls "http://127.0.0.1:$pport" \
		--initial-advertise-peer-urls "http://127.0.0.1:$pport" \
		--initial-cluster "m1=http://127.0.0.1:2380,m2=http://127.0.0.1:12380,m3=http://127.0.0.1:22380" \
		--initial-cluster-state new --initial-cluster-token skv-sync-test \
		--heartbeat-interval 500 --election-timeout 5000 \
		--experimental-watch-progress-notify-interval 2s \
		--log-level error >>"$D/etcd$m.log" 2>&1) &
	eval "etcd${m}_pid=$!"
	PIDS="$PIDS $!"
}
etcd_healthy() {
	etcdctl --endpoints="$ETCD1,http://127.0.0.1:12379,http://127.0.0.1:22379" \
		--command-timeout=3s endpoint health >/dev/null 2>&1 &&
		[ -n "$(etcd_rev)" ]
}

host_make() { # HOST NET: a namespace and a veth pair to the root namespace
	h=$1 net=$2
	unshare -n sleep 100000 &
	eval "${h}_pid=$!"
	PIDS="$PIDS $!"
	sleep 0.2
	# busybox ip names the peer itself (vethN): find it by its link
	ip link add "r$h" type veth || return 1
	peer=$(ip -o link | sed -n "s/^[0-9]*: \([^@:]*\)@r$h:.*/\1/p")
	[ -n "$peer" ] &&
		ip link set "$peer" netns "$(eval echo \$${h}_pid)" &&
		ip addr add "10.99.$net.1/24" dev "r$h" && ip link set "r$h" up &&
		in_host "$h" ip link set "$peer" name "e$h" &&
		in_host "$h" ip addr add "10.99.$net.2/24" dev "e$h" &&
		in_host "$h" ip link set "e$h" up && in_host "$h" ip link set lo up
}

host_conf() { # HOST NET [FIRST-MEMBER]: the replica link, etcd seen from HOST
	h=$1 net=$2 first=${3:-1}
	eps=
	for m in $first 1 2 3; do
		case " $eps " in *":$(( (m - 1) * 10000 + 2379 )) "*) continue ;; esac
		eps="$eps http://10.99.$net.1:$(( (m - 1) * 10000 + 2379 ))"
	done
	mkdir -p "$D/$h"
	cat >"$D/$h.conf" <<EOF
[skv-sync]
state_dir = $D/$h
[replica app]
table = app
endpoints = $eps
prefix = /app/
page_size = 50
idle_timeout = 15
EOF
}

# writer N FROM: N puts under /app/ from key FROM on; after every fifth,
# a delete (skv-sync-load, one kept-alive connection).
writer() { skv-sync-load etcd-put "$ETCD1" /app/ "$2" "$1"; }

if [ "$etcd_ok" = 1 ]; then
	echo "# etcd: starting three members (heartbeat 500 ms, election 5 s)"
	etcd_start 1
	etcd_start 2
	etcd_start 3
	if ! wait_for 120 etcd_healthy; then
		etcd_ok=0 why="the etcd cluster did not become healthy in 120 s"
		for m in 1 2 3; do tail -n 5 "$D/etcd$m.log" | sed "s/^/# etcd$m: /"; done
		not_ok "etcd: a three-member cluster starts"
	elif ! host_make h1 1 || ! host_make h2 2; then
		etcd_ok=0 why="cannot make the namespaces and veth pairs"
		not_ok "etcd: two hosts (netns + veth) reach the cluster"
	else
		ok "etcd: a three-member cluster starts"
	fi
fi

if [ "$etcd_ok" = 1 ]; then
	# some data before the daemons start, a leased key among it
	writer 20 0
	lease=$(etcd_lease 3600)
	etcd_put /app/leased "with-a-lease" "$lease"
	host_conf h1 1 1
	host_conf h2 2 2
	sync_start h1
	sync_start h2
	writer 40 20 &
	wpid=$!
	wait "$wpid"
	expect_equal "replica: host 1's table equals etcd after a load" h1
	expect_equal "replica: host 2's table equals etcd after a load" h2

	ttl=$(in_host h1 skvtool get app /app/leased -j 2>/dev/null |
		sed -n 's/.*"ttl_ms": *\([0-9]*\).*/\1/p')
	if [ -n "$ttl" ] && [ "$ttl" -gt 3000000 ] && [ "$ttl" -le 3600000 ]; then
		ok "replica: a key of a 1 h lease has a TTL of 50-60 min ($ttl ms)"
	else
		not_ok "replica: a key of a 1 h lease has a TTL of 50-60 min (got '$ttl')"
	fi
	mode=$(in_host h1 skvtool table info app -j 2>/dev/null | sed -n 's/.*"mode": *"\{0,1\}\([0-7]*\).*/\1/p')
	case "$mode" in
	644 | 0644 | 420) ok "replica: the table has mode 0644" ;;
	*) not_ok "replica: the table has mode 0644 (got '$mode')" ;;
	esac
	grep -q "loaded [0-9]* keys at revision" "$D/h1.log"
	check "replica: one log line for the load" $?

	# kill -9 mid-load, restart: resumes from the persisted revision
	writer 50 100 &
	wpid=$!
	sleep 3
	kill -9 "$h1_sync"
	wait "$h1_sync" 2>/dev/null
	before=$(grep -c "loading prefix" "$D/h1.log")
	sync_start h1
	wait "$wpid"
	expect_equal "replica: after kill -9 and a restart, host 1 equals etcd" h1
	if grep -q "resuming from revision" "$D/h1.log" &&
		[ "$(grep -c "loading prefix" "$D/h1.log")" = "$before" ]; then
		ok "replica: the restart resumed from the persisted revision, no reload"
	else
		not_ok "replica: the restart resumed from the persisted revision, no reload"
		tail -n 5 "$D/h1.log" | sed 's/^/# log: /'
	fi

	# kill the member host 2 watches (m2, its first endpoint) mid-load
	writer 40 200 &
	wpid=$!
	sleep 2
	kill -9 "$etcd2_pid"
	wait "$wpid"
	expect_equal "replica: with member 2 killed, host 2 fails over and equals etcd" h2
	grep -q "next: http://10.99.2.1:" "$D/h2.log"
	check "replica: the failover is logged" $?
	expect_equal "replica: host 1 still equals etcd" h1

	# compaction while host 1 is stopped: resync, deleted keys gone
	sync_stop h1
	check "replica: SIGTERM drains and exits 0" $?
	grep -q "stopped at revision" "$D/h1.log"
	check "replica: the stop is logged with its revision" $?
	etcd_del /app/k1
	etcd_del /app/k3
	etcd_put /app/after-stop "x"
	writer 10 300
	rev=$(etcd_rev)
	etcd_post /v3/kv/compaction "{\"revision\":\"$rev\",\"physical\":true}" >/dev/null
	sync_start h1
	expect_equal "replica: compacted past its revision, host 1 resyncs and equals etcd" h1
	if [ -z "$(in_host h1 skvtool get app /app/k1 2>/dev/null)" ] &&
		grep -q "compacted.*resynchronising" "$D/h1.log"; then
		ok "replica: the resync is logged and deleted keys are gone"
	else
		not_ok "replica: the resync is logged and deleted keys are gone"
		tail -n 5 "$D/h1.log" | sed 's/^/# log: /'
	fi
	[ "$(status_field "$D/h1.conf" app resyncs)" -ge 1 ] 2>/dev/null
	check "replica: status counts the resync" $?
	skv-sync -c "$D/h1.conf" status >"$D/status.txt" 2>&1 &&
		grep -q "^app  *replica  *app  *following" "$D/status.txt"
	check "replica: skv-sync status shows the link following" $?
	diag "$D/status.txt"
	head -n 24 "$D/h1.log" | sed 's/^/# h1 log: /'
	grep "next: " "$D/h2.log" | head -n 3 | sed 's/^/# h2 log: /'

	# unreachable peers: every endpoint refused; the daemon retries
	cat >"$D/h3.conf" <<EOF
[skv-sync]
state_dir = $D/h3
[replica app]
table = app3
endpoints = http://10.99.1.1:9 http://10.99.1.1:10
prefix = /app/
EOF
	nsenter -t "$h1_pid" -n skv-sync -c "$D/h3.conf" >"$D/h3.log" 2>&1 &
	h3=$!
	PIDS="$PIDS $h3"
	wait_for 60 grep -q "next: http://10.99.1.1:10" "$D/h3.log"
	if kill -0 "$h3" 2>/dev/null &&
		grep -q "warning replica/app: range: http://10.99.1.1:9/v3/kv/range: .*next: http://10.99.1.1:10" "$D/h3.log"; then
		ok "replica: unreachable peers: one warning per attempt, and it retries"
	else
		not_ok "replica: unreachable peers: one warning per attempt, and it retries"
		diag "$D/h3.log"
	fi
	kill -TERM "$h3"
	wait "$h3"
	check "replica: SIGTERM while retrying exits 0" $?

	# a peer that answers HTTP 200 with something that is not etcd's JSON
	printf '#!/bin/sh\nprintf "HTTP/1.1 200 OK\\r\\nContent-Type: application/json\\r\\nContent-Length: 9\\r\\nConnection: close\\r\\n\\r\\n{\\"header\\""\n' >"$D/fake.sh"
	chmod +x "$D/fake.sh"
	nc -ll -p 2998 -e "$D/fake.sh" >/dev/null 2>&1 &
	PIDS="$PIDS $!"
	sed "s|^endpoints = .*|endpoints = http://10.99.1.1:2998|" "$D/h3.conf" >"$D/h4.conf"
	: >"$D/h3.log"
	nsenter -t "$h1_pid" -n skv-sync -c "$D/h4.conf" >"$D/h3.log" 2>&1 &
	h3=$!
	PIDS="$PIDS $h3"
	wait_for 60 grep -q "the reply is not a JSON object" "$D/h3.log"
	if kill -0 "$h3" 2>/dev/null &&
		grep -q "warning replica/app: range: http://10.99.1.1:2998/v3/kv/range: the reply is not a JSON object" "$D/h3.log"; then
		ok "replica: a malformed reply: one warning, and it retries"
	else
		not_ok "replica: a malformed reply: one warning, and it retries"
		diag "$D/h3.log"
	fi
	kill -TERM "$h3"
	wait "$h3"
	check "replica: SIGTERM after malformed replies exits 0" $?
else
	skip "replica: etcd scenarios" "$why"
fi


# ---- write-behind: the root namespace's table wb -> Redis ---------------

redis_ok=1
for b in redis-server redis-cli skvtool skv-sync-load; do have "$b" || redis_ok=0; done
RS=$D/redis.sock
rcli() { redis-cli -s "$RS" "$@"; }
redis_start() {
	redis-server --port 0 --unixsocket "$RS" --save '' --appendonly no \
		--dir "$D" >>"$D/redis.log" 2>&1 &
	redis_pid=$!
	PIDS="$PIDS $!"
	wait_for 30 rcli ping
}
# Redis's keys under skv:wb: as KEY<tab>VALUE lines, prefix stripped, sorted.
redis_dump() {
	rcli --raw EVAL "local r = {} for _, k in ipairs(redis.call('KEYS', 'skv:wb:*')) do r[#r + 1] = string.sub(k, 8) .. '\t' .. redis.call('GET', k) end return r" 0 2>/dev/null |
		grep -v '^$' | sort
}
wb_dump() { skvtool scan wb -v 2>/dev/null | sort; }
# GETs of the table so far: hits + misses (a scan counts neither)
wb_reads() { skvtool table stats wb 2>/dev/null | awk '$1 == "hits" || $1 == "misses" { n += $2 } END { print n }'; }
wb_equal() {
	[ "$(status_field "$D/wb.conf" wb pending)" = 0 ] &&
		[ "$(wb_dump)" = "$(redis_dump)" ]
}
wb_expect_equal() { # NAME
	if wait_for "$WAIT" wb_equal; then
		ok "$1"
	else
		not_ok "$1"
		wb_dump >"$D/wb.txt"
		redis_dump >"$D/redis.txt"
		diff "$D/wb.txt" "$D/redis.txt" | head -n 10 | sed 's/^/# /'
		tail -n 5 "$D/wb.log" | sed 's/^/# log: /'
	fi
}
wb_start() { # [ARGS]
	skv-sync -c "$D/wb.conf" "$@" >>"$D/wb.log" 2>&1 &
	wb_sync=$!
	PIDS="$PIDS $!"
}
# wb_load N FROM [DELAY_MS]: N puts, every fourth with a TTL of 1 h; after every
# fifth, a delete (skv-sync-load, one process)
wb_load() { skv-sync-load table-put wb "$2" "$1" ${3:-}; }

if [ "$redis_ok" = 1 ] && redis_start; then
	# the etcd hosts' daemons hold tables: stop them for the module reload
	for h in h1 h2; do
		eval "sp=\${${h}_sync:-}"
		[ -n "$sp" ] && kill -TERM "$sp" 2>/dev/null && wait "$sp"
	done
	mkdir -p "$D/wbstate"
	# a 64 KiB event buffer (the default is 8 MiB), so that a stalled
	# daemon's socket overflows below
	printf '[skv-sync]\nstate_dir = %s\n[write-behind wb]\ntable = wb\nredis = %s\nprefix = skv:wb:\nevent_buffer = 65536\n' \
		"$D/wbstate" "$RS" >"$D/wb.conf"
	skvtool table create wb >/dev/null 2>&1
	wb_load 20 0
	wb_start
	wait_for "$WAIT" wb_equal
	reads1=$(wb_reads)
	wb_load 40 20
	wb_expect_equal "write-behind: Redis equals the table (keys written before and after the start)"
	# the events carried the values: the link read no key back
	reads2=$(wb_reads)
	[ -n "$reads1" ] && [ "$reads1" = "$reads2" ]
	check "write-behind: values come with the events, no key is read back ($reads1 then $reads2 GETs)" $?
	pttl=$(rcli PTTL skv:wb:w23 2>/dev/null)
	if [ -n "$pttl" ] && [ "$pttl" -gt 3000000 ] && [ "$pttl" -le 3600000 ]; then
		ok "write-behind: a key with a 1 h TTL has PX 50-60 min in Redis ($pttl ms)"
	else
		not_ok "write-behind: a key with a 1 h TTL has PX 50-60 min in Redis (got '$pttl')"
	fi

	# kill Redis mid-load, start it again (empty): reconnect and resync
	wb_load 150 100 20 &
	lpid=$!
	sleep 1
	kill -9 "$redis_pid"
	wait "$redis_pid" 2>/dev/null
	sleep 1
	redis_start
	wait "$lpid"
	wb_expect_equal "write-behind: Redis killed and restarted empty mid-load, it ends equal"
	grep -q "warning write-behind/wb: redis $RS: .*reconnecting" "$D/wb.log" &&
		grep -q "resynchronised" "$D/wb.log"
	check "write-behind: the loss of Redis and the resync are logged" $?

	# a stalled daemon: its event socket overflows; it resyncs
	kill -STOP "$wb_sync"
	# 1000 puts and 200 deletes: some 1200 event skbs of ~768 bytes of
	# truesize each, far past the socket's 128 KiB receive buffer (the
	# event_buffer of 64 KiB, doubled by the kernel)
	wb_load 1000 1000
	skvtool put wb after-stall yes >/dev/null
	kill -CONT "$wb_sync"
	echo "# stalled load done at $(($(date +%s) - START)) s"
	wb_expect_equal "write-behind: after an event overflow (daemon stalled), it resyncs and ends equal"
	grep -q "(the socket overflowed); resynchronising" "$D/wb.log"
	check "write-behind: the overflow is logged" $?
	grep -E "overflowed|resynchronised|reconnecting" "$D/wb.log" | sed 's/^/# wb log: /'
	# no spurious resync once idle: the count stands still for 3 s. The
	# status file is rewritten every second: let it catch up with the
	# resync just logged before taking the first count.
	sleep 2
	r1=$(status_field "$D/wb.conf" wb resyncs)
	sleep 3
	r2=$(status_field "$D/wb.conf" wb resyncs)
	[ -n "$r1" ] && [ "$r1" = "$r2" ]
	check "write-behind: idle, no further resync ($r1 then $r2)" $?
	[ "$(status_field "$D/wb.conf" wb resyncs)" -ge 3 ] 2>/dev/null
	check "write-behind: status counts the resyncs" $?

	# SIGTERM, reload skv.ko (the table is gone), --warm refills it from Redis
	kill -TERM "$wb_sync"
	wait "$wb_sync"
	check "write-behind: SIGTERM drains and exits 0" $?
	want=$(redis_dump)
	if rmmod skv && insmod "$SKV_KO"; then
		wb_start --warm
		if wait_for "$WAIT" wb_equal && [ "$(wb_dump)" = "$want" ] &&
			[ -n "$want" ]; then
			ok "write-behind: --warm after a module reload loads the table from Redis"
		else
			not_ok "write-behind: --warm after a module reload loads the table from Redis"
			tail -n 5 "$D/wb.log" | sed 's/^/# log: /'
		fi
		ttl=$(skvtool get wb w23 -j 2>/dev/null | sed -n 's/.*"ttl_ms": *\([0-9]*\).*/\1/p')
		[ -n "$ttl" ] && [ "$ttl" -gt 2400000 ] && [ "$ttl" -le 3600000 ]
		check "write-behind: --warm keeps Redis's TTL (got '$ttl' ms)" $?
		skvtool put wb after-warm 1 >/dev/null
		wb_expect_equal "write-behind: after --warm, writes flow to Redis again"
		kill -TERM "$wb_sync"
		wait "$wb_sync"
	else
		not_ok "write-behind: --warm after a module reload (rmmod/insmod failed)"
		grep -q '^skv ' /proc/modules || insmod "$SKV_KO"
	fi

	# Redis unreachable: one warning per attempt, the daemon retries
	sed "s|^redis = .*|redis = $D/nobody.sock|" "$D/wb.conf" >"$D/wb2.conf"
	skv-sync -c "$D/wb2.conf" >"$D/wb2.log" 2>&1 &
	p=$!
	PIDS="$PIDS $p"
	wait_for 60 grep -q "warning write-behind/wb: redis $D/nobody.sock: " "$D/wb2.log"
	if kill -0 "$p" 2>/dev/null &&
		grep -q "warning write-behind/wb: redis $D/nobody.sock: " "$D/wb2.log"; then
		ok "write-behind: unreachable Redis: a warning, and it retries"
	else
		not_ok "write-behind: unreachable Redis: a warning, and it retries"
		diag "$D/wb2.log"
	fi
	kill -TERM "$p"
	wait "$p"
	check "write-behind: SIGTERM while retrying exits 0" $?
else
	skip "write-behind: Redis scenarios" "no redis-server, redis-cli or skvtool in the guest"
fi

totals
