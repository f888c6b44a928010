#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Binaries out of Debian packages into the cache, without installing the
# packages: installing a server package (redis-server, memcached,
# etcd-server) would enable and start a daemon on the host, and the tests
# and benchmarks only ever run these programs inside the test VM. The
# packages are fetched with `apt-get download` and unpacked with
# `dpkg-deb -x` into a scratch directory; only the named files are kept.
# A second call with the same package versions fetches nothing.
#
# Usage: tools/fetch-debs.sh NAME "PKG..." FILE[:AS]...
#   NAME  the cache directory ($SKV_CACHE/NAME) and the prefix of errors
#   PKG   the Debian packages to download
#   FILE  a path inside the packages (usr/bin/etcd), kept as bin/AS, or
#         under its own base name without :AS
#
# Prints the directory that holds the files ($SKV_CACHE/NAME/bin).
# tools/bench/fetch-servers.sh and tools/skv-sync/tests/fetch-etcd.sh
# are its callers.
set -eu

[ $# -ge 3 ] || { echo "usage: fetch-debs.sh NAME \"PKG...\" FILE[:AS]..." >&2; exit 2; }
name=$1 pkgs=$2
shift 2
cache=${SKV_CACHE:-/var/cache/skv}/$name
out=$cache/bin

stamp=
for p in $pkgs; do
	v=$(apt-cache policy "$p" 2>/dev/null | sed -n 's/^ *Candidate: //p')
	if [ -z "$v" ] || [ "$v" = "(none)" ]; then
		echo "$name: apt-cache knows no $p (run apt-get update)" >&2
		exit 1
	fi
	stamp="$stamp $p=$v"
done

# The base name a FILE[:AS] argument is kept under.
kept_as() {
	case "$1" in
	*:*) echo "${1#*:}" ;;
	*) basename "$1" ;;
	esac
}

fresh=1
for f in "$@"; do
	[ -x "$out/$(kept_as "$f")" ] || fresh=0
done
if [ "$fresh" = 1 ] && [ "$(cat "$cache/.versions" 2>/dev/null)" = "$stamp" ]; then
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
	echo "$name: apt-get download $pkgs failed" >&2
	exit 1
fi
for deb in "$tmp"/*.deb; do
	dpkg-deb -x "$deb" "$tmp/root"
done
mkdir -p "$tmp/bin"
for f in "$@"; do
	src=${f%%:*}
	if ! cp "$tmp/root/$src" "$tmp/bin/$(kept_as "$f")"; then
		rm -rf "$tmp"
		echo "$name: $src is not in $pkgs" >&2
		exit 1
	fi
done
# swapped in whole: a VM being set up meanwhile sees the old set or the new
rm -rf "$cache/.old"
[ -d "$out" ] && mv "$out" "$cache/.old"
mv "$tmp/bin" "$out"
rm -rf "$tmp" "$cache/.old"
echo "$stamp" >"$cache/.versions"
echo "  FETCH   $name done in $(($(date +%s) - start)) s" >&2
echo "$out"
