#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The Redis and memcached servers for `make bench`, taken out of their
# Debian packages into the cache without installing them: installing
# redis-server or memcached would enable and start a system daemon on the
# host, and the bench only ever runs them inside the test VM. Their shared
# libraries (libjemalloc2, liblzf1, libevent, libsasl2: plain libraries,
# no service) are installed by `make bench-deps`, so tools/vm/run finds
# them with ldd.
#
# Prints the directory that holds redis-server and memcached.
set -eu

cache=${SKV_CACHE:-/var/cache/skv}/servers
pkgs="redis-tools memcached"
stamp=
for p in $pkgs; do
	v=$(apt-cache policy "$p" 2>/dev/null | sed -n 's/^ *Candidate: //p')
	[ -n "$v" ] && [ "$v" != "(none)" ] || {
		echo "fetch-servers: apt-cache knows no $p (run apt-get update)" >&2
		exit 1
	}
	stamp="$stamp $p=$v"
done
out=$cache/bin
if [ -x "$out/redis-server" ] && [ -x "$out/memcached" ] &&
	[ "$(cat "$cache/.versions" 2>/dev/null)" = "$stamp" ]; then
	echo "$out"
	exit 0
fi

start=$(date +%s)
echo "  FETCH   $pkgs (unpacked into $cache, not installed)" >&2
mkdir -p "$cache"
tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
chown _apt "$tmp" 2>/dev/null || true # apt downloads as _apt where it can
# shellcheck disable=SC2086
if ! (cd "$tmp" && apt-get download -qq $pkgs >&2); then
	rm -rf "$tmp"
	echo "fetch-servers: apt-get download $pkgs failed" >&2
	exit 1
fi
for deb in "$tmp"/*.deb; do
	dpkg-deb -x "$deb" "$tmp/root"
done
rm -rf "$out"
mkdir -p "$out"
# redis-server is redis-check-rdb under another name: Redis picks its role
# from argv[0], so the binary is kept under the server's name.
cp "$tmp/root/usr/bin/redis-check-rdb" "$out/redis-server"
cp "$tmp/root/usr/bin/memcached" "$out/memcached"
rm -rf "$tmp"
echo "$stamp" >"$cache/.versions"
echo "  FETCH   servers done in $(($(date +%s) - start)) s" >&2
echo "$out"
