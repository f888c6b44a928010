#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# veth.ko of each cloud kernel in the cache, for the skv-sync tests: their
# two "hosts" are network namespaces joined to the etcd cluster by veth
# pairs, and the cloud kernels build veth as a module, while the test VM's
# initramfs holds no module but skv.ko. The module comes out of the
# kernel's linux-image package (apt-get download, dpkg-deb), never
# installed. Prints the directory holding veth-KVER.ko, one per kernel.
set -eu

cache=${SKV_CACHE:-/var/cache/skv}
out=$cache/modules
mkdir -p "$out"
for img in "$cache"/kernels/vmlinuz-*-cloud-amd64; do
	[ -e "$img" ] || continue
	kver=${img##*/vmlinuz-}
	[ -s "$out/veth-$kver.ko" ] && continue
	tmp=$(mktemp -d "$out/.fetch.XXXXXX")
	chown _apt "$tmp" 2>/dev/null || true
	echo "  FETCH   veth.ko of linux-image-$kver (unpacked, not installed)" >&2
	if ! (cd "$tmp" && apt-get download -qq "linux-image-$kver" >&2); then
		rm -rf "$tmp"
		echo "fetch-veth: apt-get download linux-image-$kver failed" >&2
		exit 1
	fi
	dpkg-deb --fsys-tarfile "$tmp"/linux-image-*.deb |
		tar -x -C "$tmp" --wildcards "./lib/modules/$kver/kernel/drivers/net/veth.ko*"
	ko=$(find "$tmp/lib" -name 'veth.ko*' | head -n 1)
	case "$ko" in
	*.xz) xz -dc "$ko" >"$out/veth-$kver.ko" ;;
	*.zst) zstd -dqc "$ko" >"$out/veth-$kver.ko" ;;
	*) cp "$ko" "$out/veth-$kver.ko" ;;
	esac
	rm -rf "$tmp"
done
echo "$out"
