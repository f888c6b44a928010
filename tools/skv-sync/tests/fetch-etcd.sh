#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# etcd and etcdctl for the skv-sync tests, taken out of Debian's
# etcd-server and etcd-client packages into the cache without installing
# them: installing etcd-server would enable and start a daemon on the
# host, and etcd only ever runs inside the test VM. Both are Go binaries
# that need only libc. A sibling of tools/bench/fetch-servers.sh (Redis),
# with a cache directory of its own.
#
# Prints the directory that holds etcd and etcdctl.
set -eu

cache=${SKV_CACHE:-/var/cache/skv}/etcd
pkgs="etcd-server etcd-client"
stamp=
for p in $pkgs; do
	v=$(apt-cache policy "$p" 2>/dev/null | sed -n 's/^ *Candidate: //p')
	[ -n "$v" ] && [ "$v" != "(none)" ] || {
		echo "fetch-etcd: apt-cache knows no $p (run apt-get update)" >&2
		exit 1
	}
	stamp="$stamp $p=$v"
done
out=$cache/bin
if [ -x "$out/etcd" ] && [ -x "$out/etcdctl" ] &&
	[ "$(cat "$cache/.versions" 2>/dev/null)" = "$stamp" ]; then
	echo "$out"
	exit 0
fi

echo "  FETCH   $pkgs (unpacked into $cache, not installed)" >&2
mkdir -p "$cache"
tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
chown _apt "$tmp" 2>/dev/null || true
# shellcheck disable=SC2086
if ! (cd "$tmp" && apt-get download -qq $pkgs >&2); then
	rm -rf "$tmp"
	echo "fetch-etcd: apt-get download $pkgs failed" >&2
	exit 1
fi
for deb in "$tmp"/*.deb; do
	dpkg-deb -x "$deb" "$tmp/root"
done
rm -rf "$out"
mkdir -p "$out"
cp "$tmp/root/usr/bin/etcd" "$tmp/root/usr/bin/etcdctl" "$out/"
rm -rf "$tmp"
echo "$stamp" >"$cache/.versions"
echo "$out"
