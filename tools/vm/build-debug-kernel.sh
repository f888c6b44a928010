#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (or reuse) the 6.12 debug kernel from Debian's linux-source-6.12.
# The result is cached outside the clone, keyed by the config fragment and
# the source package version, so only the first run pays the ~6 minutes.
#
# Usage: build-debug-kernel.sh        prints the cache directory holding
#                                     bzImage, Module.symvers and the tree
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
fragment=$here/debug.config
src_tar=/usr/src/linux-source-6.12.tar.xz
cache_root=${SKV_CACHE:-/var/cache/skv}

[ -r "$src_tar" ] || { echo "build-debug-kernel: $src_tar missing (apt-get install linux-source-6.12)" >&2; exit 1; }

src_ver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
key=$( (cat "$fragment"; echo "$src_ver") | sha256sum | cut -c1-16)
out=$cache_root/debug-$key

if [ -f "$out/.done" ]; then
	echo "$out"
	exit 0
fi

mkdir -p "$cache_root"
exec 9>"$cache_root/.lock-debug"
flock 9
if [ -f "$out/.done" ]; then
	echo "$out"
	exit 0
fi

rm -rf "$out" "$out.tmp"
mkdir -p "$out.tmp"
echo "build-debug-kernel: cold build of the 6.12 debug kernel into $out (about 6 minutes)" >&2
tar -C "$out.tmp" -xf "$src_tar" --strip-components=1
cd "$out.tmp"
{
	make tinyconfig
	scripts/kconfig/merge_config.sh -m .config "$fragment"
	make olddefconfig
	make -j"$(nproc)" bzImage
	make -j"$(nproc)" modules
} >"$out.tmp/build.log" 2>&1 || {
	tail -40 "$out.tmp/build.log" >&2
	echo "build-debug-kernel: build failed, log in $out.tmp/build.log" >&2
	exit 1
}
# Report options of the fragment that olddefconfig dropped.
while IFS= read -r line; do
	case "$line" in CONFIG_*=n) continue ;; CONFIG_*) ;; *) continue ;; esac
	grep -qx "$line" .config || echo "build-debug-kernel: note: $line did not survive olddefconfig" >&2
done <"$fragment"
touch .done
cd /
mv "$out.tmp" "$out"
echo "$out"
