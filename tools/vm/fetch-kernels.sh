#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Take each supported Debian cloud kernel out of its packages into the cache
# without installing anything: the bzImage the test VM boots, and the header
# tree (with its -common half and linux-kbuild) that the module builds
# against. Nothing under /boot, no bootloader entry, no initramfs, no change
# to the host's kernel packages. (Installing linux-headers-6.12-* would pull
# in linux-image-6.12-* and make it the host's default kernel.)
#
# Usage: fetch-kernels.sh [6.1] [6.12]   (default: both)
#
# Layout: $SKV_CACHE/kernels/vmlinuz-KVER and $SKV_CACHE/kernels/root/usr/
# {src,lib}/..., as the packages would have put them under /.
set -eu

cache=${SKV_CACHE:-/var/cache/skv}/kernels
root=$cache/root
mkdir -p "$root"

# The package a meta package depends on first whose name matches a pattern.
dep_of() { # PACKAGE PATTERN
	apt-cache show "$1" 2>/dev/null | sed -n 's/^Depends: //p' | head -n 1 |
		tr ',|' '\n\n' | sed 's/^ *//; s/ .*//' | grep -E -m 1 "$2"
}

metas=
for k in ${*:-6.1 6.12}; do
	case "$k" in
	6.1) metas="$metas linux-headers-cloud-amd64" ;;
	6.12) metas="$metas linux-headers-6.12-cloud-amd64" ;;
	*) echo "fetch-kernels: no Debian package for kernel '$k' (6.1 or 6.12)" >&2; exit 2 ;;
	esac
done

for meta in $metas; do
	hdr=$(dep_of "$meta" '^linux-headers-.*-cloud-amd64$') || {
		echo "fetch-kernels: apt-cache knows no $meta (run apt-get update)" >&2
		exit 1
	}
	kver=${hdr#linux-headers-}
	[ -s "$cache/vmlinuz-$kver" ] && [ -f "$root/usr/src/$hdr/.skv-done" ] && continue
	common=$(dep_of "$hdr" '^linux-headers-.*-common$')
	kbuild=$(dep_of "$hdr" '^linux-kbuild-')
	start=$(date +%s)
	echo "  FETCH   linux-image-$kver, $hdr, $common, $kbuild (unpacked into $cache)" >&2
	tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
	chown _apt "$tmp" 2>/dev/null || true # apt downloads as _apt where it can
	if ! (cd "$tmp" && apt-get download -qq "linux-image-$kver" "$hdr" "$common" "$kbuild" >&2); then
		rm -rf "$tmp"
		echo "fetch-kernels: apt-get download of kernel $kver failed" >&2
		exit 1
	fi
	dpkg-deb --fsys-tarfile "$tmp"/linux-image-"$kver"_*.deb |
		tar -x -C "$tmp" "./boot/vmlinuz-$kver"
	for deb in "$tmp/$hdr"_*.deb "$tmp/$common"_*.deb "$tmp/$kbuild"_*.deb; do
		dpkg-deb -x "$deb" "$root"
	done
	# The tree's Makefile includes its -common half by absolute path.
	echo "include $root/usr/src/$common/Makefile" >"$root/usr/src/$hdr/Makefile"
	mv "$tmp/boot/vmlinuz-$kver" "$cache/vmlinuz-$kver"
	rm -rf "$tmp"
	touch "$root/usr/src/$hdr/.skv-done"
	echo "  FETCH   kernel $kver done in $(($(date +%s) - start)) s" >&2
done
