#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# skvtool: every bad-input path (exact message and exit status), the
# commands' output, and dump -> flush -> restore. busybox sh; run as root
# in the test VM, with users bob (1001) for permission checks. KTAP out.

SKVTOOL=${SKVTOOL:-$(command -v skvtool)}
T=skvtool_test
D=$(mktemp -d /tmp/skvtool_test.XXXXXX)
n=0 pass=0 fail=0 skip=0

echo "TAP version 13"
ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n $1"; }
not_ok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n $1"; }
skip() { n=$((n + 1)); skip=$((skip + 1)); echo "ok $n $1 # SKIP $2"; }
totals() {
	echo "1..$n"
	echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
	rm -rf "$D"
	[ "$fail" = 0 ]
	exit $?
}

skvtool() { "$SKVTOOL" "$@"; }

# expect NAME STATUS STDERR CMD [ARGS]: exit status and stderr exactly.
expect() {
	name=$1 want_rc=$2 want_err=$3
	shift 3
	"$@" >"$D/out" 2>"$D/err"
	rc=$?
	err=$(cat "$D/err")
	if [ "$rc" = "$want_rc" ] && [ "$err" = "$want_err" ]; then
		ok "$name"
	else
		not_ok "$name"
		echo "# status $rc, want $want_rc"
		echo "# stderr: $err"
		echo "# want:   $want_err"
	fi
}

# expect_out NAME STDOUT CMD [ARGS]: success and stdout exactly.
expect_out() {
	name=$1 want_out=$2
	shift 2
	"$@" >"$D/out" 2>"$D/err"
	rc=$?
	out=$(cat "$D/out")
	if [ "$rc" = 0 ] && [ "$out" = "$want_out" ]; then
		ok "$name"
	else
		not_ok "$name"
		echo "# status $rc, stdout: $out, want: $want_out"
		sed 's/^/# stderr: /' "$D/err"
	fi
}

# expect_grep NAME PATTERN CMD [ARGS]: success and PATTERN in stdout.
expect_grep() {
	name=$1 pattern=$2
	shift 2
	if "$@" >"$D/out" 2>"$D/err" && grep -q -- "$pattern" "$D/out"; then
		ok "$name"
	else
		not_ok "$name"
		sed 's/^/# stdout: /' "$D/out"
		sed 's/^/# stderr: /' "$D/err"
	fi
}

check() { # NAME COMMAND-STRING: ok if it succeeds
	if eval "$2" >"$D/out" 2>&1; then ok "$1"; else not_ok "$1"; sed 's/^/# /' "$D/out"; fi
}

as_bob() {
	su -s /bin/sh bob -c "LD_LIBRARY_PATH='$LD_LIBRARY_PATH' $SKVTOOL $*"
}

if [ -z "$SKVTOOL" ] || [ ! -e /dev/skv ]; then
	skip skvtool "no skvtool or no /dev/skv"
	totals
fi

skvtool table delete $T 2>/dev/null
usage_hint() { echo " (see 'skvtool $1 --help')"; }

# --- usage errors: status 2 -------------------------------------------
skvtool >/dev/null 2>&1
[ $? = 2 ] && ok "no command is a usage error" || not_ok "no command is a usage error"
expect "unknown command" 2 "skvtool: unknown command 'frob' (see 'skvtool --help')" skvtool frob
expect "unknown global option" 2 "skvtool: unknown option '--frob' (see 'skvtool --help')" skvtool --frob get
expect "table without command" 2 "skvtool: table: missing command (create, delete, info, stats, set, list) (see 'skvtool --help')" skvtool table
expect "unknown table command" 2 "skvtool: unknown command 'table frob' (see 'skvtool --help')" skvtool table frob x
for c in features "table create" "table delete" "table info" "table stats" \
	"table set" "table list" put get del incr scan flush dump restore bench \
	watch; do
	# shellcheck disable=SC2086
	expect_grep "$c --help" "^Usage: skvtool \[--dev PATH\] $c" skvtool $c --help
done
expect "get: missing TABLE" 2 "skvtool: missing TABLE$(usage_hint get)" skvtool get
expect "get: missing KEY" 2 "skvtool: missing KEY$(usage_hint get)" skvtool get $T
expect "put: missing KEY" 2 "skvtool: missing KEY$(usage_hint put)" skvtool put $T
expect "del: missing KEY" 2 "skvtool: missing KEY$(usage_hint del)" skvtool del $T
expect "incr: missing TABLE" 2 "skvtool: missing TABLE$(usage_hint incr)" skvtool incr
expect "scan: missing TABLE" 2 "skvtool: missing TABLE$(usage_hint scan)" skvtool scan
expect "flush: missing TABLE" 2 "skvtool: missing TABLE$(usage_hint flush)" skvtool flush
expect "dump: missing TABLE" 2 "skvtool: missing TABLE$(usage_hint dump)" skvtool dump
expect "restore: missing TABLE" 2 "skvtool: missing TABLE$(usage_hint restore)" skvtool restore
expect "bench: missing TABLE" 2 "skvtool: missing TABLE$(usage_hint bench)" skvtool bench
expect "table create: missing NAME" 2 "skvtool: missing NAME$(usage_hint "table create")" skvtool table create
expect "table info: missing NAME" 2 "skvtool: missing NAME$(usage_hint "table info")" skvtool table info
expect "get: extra argument" 2 "skvtool: unexpected argument 'x'$(usage_hint get)" skvtool get $T k x
expect "get: unknown option" 2 "skvtool: unknown option '--frob'$(usage_hint get)" skvtool get --frob $T k
expect "get: unknown short option" 2 "skvtool: unknown option '-q'$(usage_hint get)" skvtool get -q $T k
expect "put: option without argument" 2 "skvtool: option '--ttl' needs an argument$(usage_hint put)" skvtool put $T k v --ttl
expect "put: bad number" 2 "skvtool: bad --ttl 'abc'$(usage_hint put)" skvtool put --ttl abc $T k v
expect "put: negative number" 2 "skvtool: bad --flags '-1'$(usage_hint put)" skvtool put --flags=-1 $T k v
expect "put: zero ttl" 2 "skvtool: --ttl must be above 0$(usage_hint put)" skvtool put --ttl 0 $T k v
expect "put: nx with xx" 2 "skvtool: --nx excludes --xx and --cas$(usage_hint put)" skvtool put --nx --xx $T k v
expect "get: bad hex" 2 "skvtool: bad hex in key 'zz'$(usage_hint get)" skvtool get --hex $T zz
expect "get: odd hex" 2 "skvtool: bad hex in key 'abc'$(usage_hint get)" skvtool get --hex $T abc
expect "put: bad hex value" 2 "skvtool: bad hex in value '0g'$(usage_hint put)" skvtool put --hex $T 00 0g
expect "get: empty key" 2 "skvtool: empty key$(usage_hint get)" skvtool get $T ""
long=$(head -c 5000 /dev/zero | tr '\0' k)
expect "get: key over the hard cap" 2 "skvtool: key too long: 5000 bytes, at most 4096$(usage_hint get)" skvtool get $T "$long"
expect "incr: bad delta" 2 "skvtool: bad delta '1x'$(usage_hint incr)" skvtool incr $T n 1x
expect "table create: bad policy" 2 "skvtool: bad policy 'fifo' (none or lru)$(usage_hint "table create")" skvtool table create $T --policy fifo
expect "table create: bad mode" 2 "skvtool: bad mode '0999' (octal, at most 0777)$(usage_hint "table create")" skvtool table create $T --mode 0999
expect "table set: nothing to set" 2 "skvtool: nothing to set$(usage_hint "table set")" skvtool table set $T
expect "restore: bad policy" 2 "skvtool: bad --on-conflict 'merge' (skip, replace or fail)$(usage_hint restore)" skvtool restore --on-conflict merge $T

# --- failures: status 1 -----------------------------------------------
expect "no device" 1 "skvtool: /nonexistent: No such file or directory (ENOENT)" skvtool --dev /nonexistent features
expect "watch: missing TABLE" 2 "skvtool: missing TABLE$(usage_hint watch)" skvtool watch
expect "watch: bad count" 2 "skvtool: bad --count 'x'$(usage_hint watch)" skvtool watch --count x $T
expect "table list: extra argument" 2 "skvtool: unexpected argument 'x'$(usage_hint "table list")" skvtool table list x
expect "watch: unknown table" 1 "skvtool: watch 'skvtool_nosuch': No such file or directory (ENOENT)" skvtool watch skvtool_nosuch
expect "unknown table" 1 "skvtool: table 'skvtool_nosuch': No such file or directory (ENOENT)" skvtool get skvtool_nosuch k
expect "bad table name" 1 "skvtool: create table 'a/b': Invalid argument (EINVAL)" skvtool table create a/b
expect "table create" 0 "" skvtool table create $T --max-key-len 64 --max-value-len 4096
expect "table create: exists" 1 "skvtool: create table '$T': File exists (EEXIST)" skvtool table create $T
expect "table create --exist-ok" 0 "" skvtool table create $T --exist-ok
key65=$(head -c 65 /dev/zero | tr '\0' k)
expect "put: key over the table's max" 1 "skvtool: put: key of 65 bytes exceeds max_key_len 64: Invalid argument (EINVAL)" skvtool put $T "$key65" v
head -c 4097 /dev/zero >"$D/big"
expect "put: value over the table's max" 1 "skvtool: put: value of 4097 bytes exceeds max_value_len 4096: Argument list too long (E2BIG)" skvtool put $T k --file "$D/big"
expect "put: missing file" 1 "skvtool: $D/nofile: No such file or directory (ENOENT)" skvtool put $T k --file "$D/nofile"
expect "get: absent key" 1 "skvtool: get: No such file or directory (ENOENT)" skvtool get $T absent
expect "del: absent key" 1 "skvtool: del: No such file or directory (ENOENT)" skvtool del $T absent

# --- commands -----------------------------------------------------------
expect "put" 0 "" skvtool put $T k hello
expect_out "get" "hello" skvtool get $T k
expect "put --nx: exists" 1 "skvtool: put: File exists (EEXIST)" skvtool put --nx $T k x
expect "put --xx: absent" 1 "skvtool: put: No such file or directory (ENOENT)" skvtool put --xx $T absent x
expect "put --cas: stale" 1 "skvtool: put: Stale file handle (ESTALE)" skvtool put --cas 999999999 $T k x
ver=$(skvtool get --json $T k | sed -n 's/.*"version":\([0-9]*\).*/\1/p')
expect "put --cas: current version" 0 "" skvtool put --cas "$ver" $T k hello2
expect_grep "get --json" '"key":"k","value":"hello2","version":[0-9]*,"ttl_ms":0,"flags":0' skvtool get --json $T k
expect "put --flags --ttl" 0 "" skvtool put --flags 7 --ttl 60000 $T f v
expect_grep "get --json: flags and ttl" '"flags":7' skvtool get --json $T f
printf '\000\001\377\n' >"$D/bin"
expect "put --file (binary)" 0 "" skvtool put $T bin --file "$D/bin"
expect "get -o (binary)" 0 "" skvtool get $T bin -o "$D/bin.out"
check "binary value round trip" "cmp '$D/bin' '$D/bin.out'"
expect_out "get --hex (binary)" "0001ff0a" skvtool get --hex $T 62696e
expect_grep "get --json: binary as value_hex" '"value_hex":"0001ff0a"' skvtool get --json $T bin
check "put from stdin" "printf 'from stdin' | '$SKVTOOL' put $T in -"
expect_out "get of the stdin value" "from stdin" skvtool get $T in
expect "put --hex" 0 "" skvtool put --hex $T 00ff 0102
expect_out "get --hex" "0102" skvtool get --hex $T 00ff
expect_out "incr: new key" "3" skvtool incr $T n 3
expect_out "incr: negative delta" "-2" skvtool incr $T n -- -5
expect_grep "incr --json" '"value":-1' skvtool incr --json $T n
expect "incr: not an integer" 1 "skvtool: incr: Numerical argument out of domain (EDOM)" skvtool incr $T k
expect_out "get --delete" "v" skvtool get --delete $T f
expect "get --delete: gone" 1 "skvtool: get: No such file or directory (ENOENT)" skvtool get $T f
expect "del" 0 "" skvtool del $T in
expect "del --cas: stale" 1 "skvtool: del: Stale file handle (ESTALE)" skvtool del --cas 999999999 $T k
expect_out "scan" "$(printf '00ff\n62696e\n6b\n6e' )" sh -c "'$SKVTOOL' scan --hex $T | sort"
expect_out "scan --prefix" "bin" skvtool scan --prefix bi $T
expect_grep "scan --json" '^\[{"key' skvtool scan --json --values $T
expect_grep "table info" "^max_key_len     64$" skvtool table info $T
expect_grep "table info --json" '"max_key_len":64' skvtool table info --json $T
expect_grep "table stats --json" '"entries":4' skvtool table stats --json $T
expect_grep "features --json" '"abi_version":1' skvtool features --json
expect_grep "features" "^abi_version      1$" skvtool features
expect "table set --mode" 0 "" skvtool table set $T --mode 0640 --default-ttl 0
expect_grep "table set took" '"mode":"0640"' skvtool table info --json $T

# --- permissions --------------------------------------------------------
expect "table set --mode 0600" 0 "" skvtool table set $T --mode 0600
expect "permission denied: get" 1 "skvtool: table '$T': Permission denied (EACCES)" as_bob get $T k
expect "permission denied: delete table" 1 "skvtool: delete table '$T': Operation not permitted (EPERM)" as_bob table delete $T
expect "permission denied: table set" 1 "skvtool: table '$T': Permission denied (EACCES)" as_bob table set $T --mode 0666

# --- dump and restore -----------------------------------------------------
expect "dump" 0 "" skvtool dump $T -o "$D/d1"
expect_out "flush" "4" skvtool flush $T
expect_out "restore" "restored 4, skipped 0" skvtool restore $T "$D/d1"
expect "dump after restore" 0 "" skvtool dump $T -o "$D/d2"
check "dump -> flush -> restore is byte-identical" "cmp '$D/d1' '$D/d2'"
expect "restore --on-conflict=fail: exists" 1 "skvtool: restore: key exists '00ff': File exists (EEXIST)" skvtool restore $T "$D/d1"
expect_out "restore --on-conflict=skip" "restored 0, skipped 4" skvtool restore --on-conflict=skip $T "$D/d1"
skvtool put $T k changed
expect_out "restore --on-conflict=replace" "restored 4, skipped 0" skvtool restore --on-conflict=replace $T "$D/d1"
expect_out "replace restored the value" "hello2" skvtool get $T k
check "restore from stdin" "'$SKVTOOL' flush $T && '$SKVTOOL' restore $T - <'$D/d1'"
skvtool put --ttl 600000 --flags 9 $T ttlkey v
expect "dump with a TTL" 0 "" skvtool dump $T -o "$D/d3"
skvtool flush $T >/dev/null
expect "restore with a TTL" 0 "" skvtool restore $T "$D/d3"
expect_grep "TTL and flags kept" '"ttl_ms":[1-9][0-9]*,"flags":9' skvtool get --json $T ttlkey
cp "$D/d1" "$D/bad"
printf 'X' | dd of="$D/bad" bs=1 seek=150 conv=notrunc 2>/dev/null
expect "restore: bad checksum" 1 "skvtool: restore $D/bad: bad checksum: Bad message (EBADMSG)" skvtool restore --on-conflict=replace $T "$D/bad"
printf 'hello' >"$D/notdump"
expect "restore: not a dump" 1 "skvtool: restore $D/notdump: not an skv dump: Bad message (EBADMSG)" skvtool restore $T "$D/notdump"
head -c 100 "$D/d1" >"$D/short"
expect "restore: truncated" 1 "skvtool: restore $D/short: not an skv dump: Bad message (EBADMSG)" skvtool restore $T "$D/short"
expect "restore --create" 0 "" skvtool restore --create ${T}_copy "$D/d1"
expect_grep "restore --create keeps attributes" '"max_key_len":64' skvtool table info --json ${T}_copy
skvtool table delete ${T}_copy

# --- watch and table list (netlink) ----------------------------------
W=${T}_watch
skvtool table delete $W 2>/dev/null
skvtool table delete ${T}_pub 2>/dev/null
skvtool table create $W --mode 0600
skvtool table create ${T}_pub --mode 0644
# wait_watching FILE: until the watcher in the background has subscribed
wait_watching() {
	i=0
	while ! grep -q "^skvtool: watching" "$1" 2>/dev/null && [ $i -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
}
"$SKVTOOL" watch $W --count 5 --timeout 30000 >"$D/watch" 2>"$D/watch.err" &
wpid=$!
wait_watching "$D/watch.err"
(skvtool put $W a 1 && skvtool put --hex $W 00ff 02 && skvtool del $W a &&
	skvtool put --ttl 100 $W otp 42) >/dev/null
wait $wpid
rc=$?
got=$(awk '{ print $1, $2, $4 }' "$D/watch" | tr '\n' '|')
want="set a seq=1|set 0x00ff seq=2|delete a seq=3|set otp seq=4|expired otp seq=5|"
if [ "$rc" = 0 ] && [ "$got" = "$want" ]; then
	ok "watch: another process's writes and a TTL expiry, in order"
else
	not_ok "watch: another process's writes and a TTL expiry, in order"
	echo "# status $rc, got: $got"
	sed 's/^/# /' "$D/watch" "$D/watch.err"
fi
v1=$(awk 'NR == 1 { print $3 }' "$D/watch")
v3=$(awk 'NR == 3 { print $3 }' "$D/watch")
[ -n "$v1" ] && [ "$v1" = "$v3" ] && ok "watch: delete carries the deleted version" ||
	not_ok "watch: delete carries the deleted version ($v1, $v3)"
"$SKVTOOL" watch --json --count 1 --timeout 30000 $W >"$D/watch" 2>"$D/watch.err" &
wpid=$!
wait_watching "$D/watch.err"
skvtool put $W j v >/dev/null
wait $wpid
check "watch --json" "grep -q '\"type\":\"set\",\"table\":\"$W\",\"key\":\"j\",\"version\":[0-9]*,\"seq\":1,\"lost\":0,\"missed\":0' '$D/watch'"
expect "watch --timeout alone ends quietly" 0 "skvtool: watching '$W'" skvtool watch --timeout 200 $W
expect "watch --count not reached in --timeout" 1 "skvtool: watching '$W'
skvtool: watch '$W' (0 events seen): Connection timed out (ETIMEDOUT)" skvtool watch --count 1 --timeout 200 $W
expect "watch: bob may not read the table" 1 "skvtool: watch '$W': Permission denied (EACCES)" as_bob watch $W
"$SKVTOOL" watch $W >"$D/watch" 2>"$D/watch.err" &
wpid=$!
wait_watching "$D/watch.err"
skvtool table delete $W
wait $wpid
rc=$?
check "watch ends with the table" "[ $rc = 0 ] && grep -q '^table-deleted *- ' '$D/watch'"
skvtool table create $W --mode 0600
expect_grep "table list: root sees the 0600 table" "^$W  *0600 " skvtool table list
expect_grep "table list: the 0644 table" "^${T}_pub  *0644 " skvtool table list
as_bob table list >"$D/out" 2>&1
if grep -q "^${T}_pub " "$D/out" && ! grep -q "^$W " "$D/out"; then
	ok "table list: bob sees only what he may read"
else
	not_ok "table list: bob sees only what he may read"
	sed 's/^/# /' "$D/out"
fi
expect_grep "table list --json" "{\"name\":\"${T}_pub\",\"mode\":\"0644\"" skvtool table list --json
skvtool table delete $W
skvtool table delete ${T}_pub

# --- bench ----------------------------------------------------------------
expect_grep "bench" "^get .* ns/op$" skvtool bench -n 200 $T
expect_grep "bench --json" '"get_ns_per_op":' skvtool bench --json -n 200 $T

expect "table delete" 0 "" skvtool table delete $T
expect "table delete: gone" 1 "skvtool: delete table '$T': No such file or directory (ENOENT)" skvtool table delete $T
totals
