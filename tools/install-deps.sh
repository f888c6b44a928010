#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Install the Debian 12 packages that building and testing skv need, if any
# is missing, then fetch the test VM's kernels into the cache. Needs root
# (or sudo) only when something must be installed.
#
# Usage: install-deps.sh [--demo] [PACKAGE...]
#   --demo    only what `make demo` needs: no kernel source, no static
#             checkers, and only the 6.12 kernel
#
# Nothing installed here is a kernel, a bootloader entry or a service:
# kernel images and header trees are taken out of their packages into the
# cache (tools/vm/fetch-kernels.sh), and so are the Redis and memcached
# servers for `make bench` (tools/bench/fetch-servers.sh), so that /boot,
# the bootloader, the host's kernel packages and its daemons stay as they
# are. README.md, "Removing skv", lists these packages.
set -eu

# What the demo builds and boots: userspace, skv.ko against the 6.12
# headers, a busybox initramfs in QEMU; and skv-sync (tools/skv-sync),
# etcd's JSON gateway through libcurl and json-c, Redis through hiredis,
# its config file through inih. etcd itself is never installed: its
# package would start a service (tools/skv-sync/tests/fetch-etcd.sh).
demo_pkgs="gcc make libc6-dev pkg-config file kmod cpio gzip xz-utils perl
bc bison flex libelf-dev libssl-dev
qemu-system-x86 busybox-static
libjson-c-dev libnl-genl-3-dev zlib1g-dev
libcurl4-openssl-dev libhiredis-dev libinih-dev"
# What make check adds: the kernel source (debug kernel, kselftest
# harness, checkpatch, ynl), the netlink spec checks, sparse.
check_pkgs="linux-source-6.12 python3 python3-yaml python3-jsonschema sparse"
# liblzf1, libjemalloc2: the runtime libraries of the redis-server that
# skv-sync's tests run in the VM (tools/bench/fetch-servers.sh).
sync_pkgs="liblzf1 libjemalloc2"

kernels="6.1 6.12"
pkgs="$demo_pkgs $check_pkgs $sync_pkgs"
if [ "${1:-}" = --demo ]; then
	shift
	kernels=6.12
	pkgs=$demo_pkgs
fi
[ $# -gt 0 ] && pkgs="$pkgs $*"

missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing="$missing $p"
done

if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		if command -v sudo >/dev/null 2>&1; then
			sudo=sudo
		else
			echo "install-deps: missing packages:$missing; run as root: apt-get install$missing" >&2
			exit 1
		fi
	else
		sudo=
	fi
	start=$(date +%s)
	echo "  APT     installing$missing (a minute or more)" >&2
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq >&2
	# shellcheck disable=SC2086
	$sudo apt-get install -y -qq --no-install-recommends $missing >&2
	# What this machine did not have before: README.md, "Removing
	# everything", removes exactly these.
	record=${SKV_CACHE:-/var/cache/skv}/installed-packages
	$sudo mkdir -p "$(dirname "$record")"
	# shellcheck disable=SC2086
	printf '%s\n' $missing | $sudo tee -a "$record" >/dev/null
	echo "  APT     done in $(($(date +%s) - start)) s (list: $record)" >&2
fi
exec "$(dirname "$0")/vm/fetch-kernels.sh" $kernels
