#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The skv netlink family driven by an independent client: the kernel's own
# ynl CLI (tools/net/ynl/cli.py from linux-source) reading
# Documentation/netlink/specs/skv.yaml. Every op, results and the exact
# errno and extack of errors. Needs `tools/vm/run --python` (the suite
# implies it); skips without python3 in the guest. KTAP out, busybox sh.

YNL_DIR=${YNL_DIR:-/opt/skv/ynl}
PY=$(command -v python3 || echo /usr/bin/python3)
T=ynl-$$
D=$(mktemp -d /tmp/netlink_ynl.XXXXXX)
n=0 pass=0 fail=0 skip=0

echo "TAP version 13"
ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n $1"; }
not_ok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n $1"; }
totals() {
	echo "1..$n"
	echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
	rm -rf "$D"
	[ "$fail" = 0 ]
	exit $?
}

if [ ! -x "$PY" ] || [ ! -f "$YNL_DIR/cli.py" ] || [ ! -e /dev/skv ]; then
	echo "1..0 # SKIP needs python3, $YNL_DIR/cli.py (tools/vm/run --python) and skv.ko"
	echo "# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:1 error:0"
	exit 0
fi

# ynl OP-ARGS...: cli.py with the skv spec (validated on the host already)
ynl() {
	"$PY" "$YNL_DIR/cli.py" --spec "$YNL_DIR/skv.yaml" --no-schema \
		--output-json "$@"
}

# yok NAME PATTERN ARGS...: succeeds and PATTERN (grep -E) is in stdout
yok() {
	name=$1 pattern=$2
	shift 2
	if ynl "$@" >"$D/out" 2>&1 && grep -Eq -- "$pattern" "$D/out"; then
		ok "$name"
	else
		not_ok "$name"
		sed 's/^/# /' "$D/out"
	fi
}

# yerr NAME STRERROR EXTACK ARGS...: fails with that errno text and extack
# message (EXTACK empty: not checked)
yerr() {
	name=$1 strerr=$2 ext=$3
	shift 3
	if ynl "$@" >"$D/out" 2>&1; then
		not_ok "$name (succeeded)"
		sed 's/^/# /' "$D/out"
		return
	fi
	if grep -q "^Netlink error: $strerr\$" "$D/out" &&
		{ [ -z "$ext" ] || grep -q -- "$ext" "$D/out"; }; then
		ok "$name"
	else
		not_ok "$name"
		echo "# want: $strerr / $ext"
		sed 's/^/# /' "$D/out"
	fi
}

hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
K1=$(hex k1)
V1=$(hex v1)
V2=$(hex v2)

# --- tables ---------------------------------------------------------------
yok "table-new" "\"name\": \"$T\".*\"mode\": 420" \
	--do table-new --json "{\"name\": \"$T\", \"mode\": 420, \"max-key-len\": 32}"
yerr "table-new: exists" "File exists" "'msg': 'table exists'" \
	--do table-new --json "{\"name\": \"$T\"}"
yerr "table-new: mode above 0777" "Numerical result out of range" "" \
	--do table-new --json "{\"name\": \"$T-m\", \"mode\": 512}"
yerr "table-new: name too long" "Invalid argument" "" \
	--do table-new --json "{\"name\": \"$(printf '%065d' 0)\"}"
yerr "table-new: bad name" "Invalid argument" "invalid table name" \
	--do table-new --json '{"name": "a/b"}'
yerr "table-get: missing name" "Invalid argument" "'miss-type'" \
	--do table-get --json '{}'
yok "table-get" "\"max-key-len\": 32.*\"entries\": 0" \
	--do table-get --json "{\"name\": \"$T\"}"
yerr "table-get: no such table" "No such file or directory" "'msg': 'no such table'" \
	--do table-get --json '{"name": "ynl-nosuch"}'
yok "table-get dump lists it" "\"name\": \"$T\"" --dump table-get
yok "table-set" "^(null|\[\]|\{\})$" \
	--do table-set --json "{\"name\": \"$T\", \"mode\": 416, \"default-ttl-ms\": 0}"
yok "table-set took effect" "\"mode\": 416" \
	--do table-get --json "{\"name\": \"$T\"}"

# --- keys -----------------------------------------------------------------
yok "key-put" "\"version\": [1-9]" \
	--do key-put --json "{\"table\": \"$T\", \"key\": \"$K1\", \"value\": \"$V1\"}"
v1=$(sed -n 's/.*"version": \([0-9]*\).*/\1/p' "$D/out")
yok "key-put: overwrite" "\"version\": [1-9]" \
	--do key-put --json "{\"table\": \"$T\", \"key\": \"$K1\", \"value\": \"$V2\", \"user-flags\": 7}"
v2=$(sed -n 's/.*"version": \([0-9]*\).*/\1/p' "$D/out")
[ -n "$v1" ] && [ -n "$v2" ] && [ "$v2" -gt "$v1" ] && ok "key-put: version grows" ||
	not_ok "key-put: version grows ($v1, $v2)"
yok "key-get" "\"value\": \"$V2\".*\"version\": $v2.*\"user-flags\": 7" \
	--do key-get --json "{\"table\": \"$T\", \"key\": \"$K1\"}"
yerr "key-get: no such key" "No such file or directory" "'msg': 'no such key'" \
	--do key-get --json "{\"table\": \"$T\", \"key\": \"$(hex nokey)\"}"
yerr "key-get: missing key" "Invalid argument" "'miss-type'" \
	--do key-get --json "{\"table\": \"$T\"}"
yerr "key-get: key over max-key-len" "Invalid argument" "key must be 1..max_key_len bytes" \
	--do key-get --json "{\"table\": \"$T\", \"key\": \"$(hex 0123456789012345678901234567890123)\"}"
yerr "key-put: nx on a present key" "File exists" "key exists (nx)" \
	--do key-put --json "{\"table\": \"$T\", \"key\": \"$K1\", \"value\": \"$V1\", \"put-flags\": 1}"
yerr "key-put: cas, stale version" "Stale file handle" "version mismatch (cas)" \
	--do key-put --json "{\"table\": \"$T\", \"key\": \"$K1\", \"value\": \"$V1\", \"put-flags\": 4, \"cas-version\": $v1}"
yerr "key-put: ttl flag without ttl-ms" "Invalid argument" "'miss-type'" \
	--do key-put --json "{\"table\": \"$T\", \"key\": \"$K1\", \"put-flags\": 8}"
yerr "key-put: ttl-ms without the flag" "Invalid argument" "attribute needs its put flag" \
	--do key-put --json "{\"table\": \"$T\", \"key\": \"$K1\", \"ttl-ms\": 1000}"
yerr "key-put: unknown put flag" "Invalid argument" "" \
	--do key-put --json "{\"table\": \"$T\", \"key\": \"$K1\", \"put-flags\": 16}"
yok "key-put: ttl" "\"version\": [1-9]" \
	--do key-put --json "{\"table\": \"$T\", \"key\": \"$(hex ttl)\", \"value\": \"$V1\", \"put-flags\": 8, \"ttl-ms\": 600000}"
yok "key-get: ttl left" "\"ttl-ms\": [1-9]" \
	--do key-get --json "{\"table\": \"$T\", \"key\": \"$(hex ttl)\"}"
yok "key-get dump" "\"key\": \"$K1\"" --dump key-get --json "{\"table\": \"$T\"}"
ynl --dump key-get --json "{\"table\": \"$T\"}" >"$D/out" 2>&1
[ "$(grep -o '"key":' "$D/out" | wc -l)" = 2 ] && ok "key-get dump: both keys" ||
	{ not_ok "key-get dump: both keys"; sed 's/^/# /' "$D/out"; }
yerr "key-get dump: missing table" "Invalid argument" "" --dump key-get --json '{}'
yerr "key-del: cas, stale version" "Stale file handle" "version mismatch (cas)" \
	--do key-del --json "{\"table\": \"$T\", \"key\": \"$K1\", \"del-flags\": 1, \"cas-version\": $v1}"
yok "key-del: cas" "\"version\": $v2" \
	--do key-del --json "{\"table\": \"$T\", \"key\": \"$K1\", \"del-flags\": 1, \"cas-version\": $v2}"
yerr "key-del: gone" "No such file or directory" "'msg': 'no such key'" \
	--do key-del --json "{\"table\": \"$T\", \"key\": \"$K1\"}"

# --- subscriptions --------------------------------------------------------
yok "subscribe" "^(null|\[\]|\{\})$" --do subscribe --json "{\"table\": \"$T\"}"
yerr "subscribe: no such table" "No such file or directory" "'msg': 'no such table'" \
	--do subscribe --json '{"table": "ynl-nosuch"}'
yok "subscribe: with value-max" "^(null|\[\]|\{\})$" \
	--do subscribe --json "{\"table\": \"$T\", \"value-max\": 65531}"
yerr "subscribe: value-max above 65531" "Numerical result out of range" "" \
	--do subscribe --json "{\"table\": \"$T\", \"value-max\": 65532}"
# each cli.py run is a new socket: the earlier subscription died with its
yerr "unsubscribe: not subscribed" "No such file or directory" "'msg': 'not subscribed'" \
	--do unsubscribe --json "{\"table\": \"$T\"}"

# --- permissions: bob (1001) against a 0640 root table ---------------------
as_bob() {
	su -s /bin/sh bob -c "'$PY' '$YNL_DIR/cli.py' --spec '$YNL_DIR/skv.yaml' --no-schema --output-json $*"
}
if as_bob "--do key-get --json '{\"table\": \"$T\", \"key\": \"$(hex ttl)\"}'" >"$D/out" 2>&1; then
	not_ok "bob: key-get refused"
elif grep -q "^Netlink error: Permission denied" "$D/out" &&
	grep -q "permission denied by the table's mode" "$D/out"; then
	ok "bob: key-get refused"
else
	not_ok "bob: key-get refused"
	sed 's/^/# /' "$D/out"
fi
as_bob "--do subscribe --json '{\"table\": \"$T\"}'" >"$D/out" 2>&1
grep -q "^Netlink error: Permission denied" "$D/out" && ok "bob: subscribe refused" ||
	{ not_ok "bob: subscribe refused"; sed 's/^/# /' "$D/out"; }
as_bob "--dump table-get" >"$D/out" 2>&1
if grep -q "\"name\": \"$T\"" "$D/out" || grep -q "^Netlink error" "$D/out"; then
	not_ok "bob: table dump hides the table"
	sed 's/^/# /' "$D/out"
else
	ok "bob: table dump hides the table"
fi
as_bob "--do table-del --json '{\"name\": \"$T\"}'" >"$D/out" 2>&1
grep -q "^Netlink error: Operation not permitted" "$D/out" &&
	grep -q "only the table's owner may do this" "$D/out" &&
	ok "bob: table-del refused" ||
	{ not_ok "bob: table-del refused"; sed 's/^/# /' "$D/out"; }

# --- a mapped table (created with skvtool: netlink has no table flags) -----
M=$T-map
if skvtool table create "$M" --mapped --max-entries 100 --max-key-len 16 \
	--max-value-len 32 >"$D/out" 2>&1; then
	yok "mapped: key-put" "\"version\": [1-9]" \
		--do key-put --json "{\"table\": \"$M\", \"key\": \"$K1\", \"value\": \"$V1\"}"
	yok "mapped: key-get" "\"value\": \"$V1\"" \
		--do key-get --json "{\"table\": \"$M\", \"key\": \"$K1\"}"
	yok "mapped: key-get dump" "\"value\": \"$V1\"" \
		--dump key-get --json "{\"table\": \"$M\"}"
	# skvtool reads the mapping: it sees what netlink wrote
	[ "$(skvtool get "$M" k1)" = v1 ] && ok "mapped: the mapping shows it" ||
		not_ok "mapped: the mapping shows it"
	yok "mapped: key-del" "\"version\": [1-9]|^(null|\{\})$" \
		--do key-del --json "{\"table\": \"$M\", \"key\": \"$K1\"}"
	yerr "mapped: key-get after key-del" "No such file or directory" "'msg': 'no such key'" \
		--do key-get --json "{\"table\": \"$M\", \"key\": \"$K1\"}"
	skvtool table delete "$M"
else
	not_ok "mapped: skvtool table create --mapped"
	sed 's/^/# /' "$D/out"
fi

# --- teardown -------------------------------------------------------------
yok "table-del" "^(null|\[\]|\{\})$" --do table-del --json "{\"name\": \"$T\"}"
yerr "table-del: gone" "No such file or directory" "'msg': 'no such table'" \
	--do table-del --json "{\"name\": \"$T\"}"
totals
