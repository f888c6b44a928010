#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Install the Debian 12 packages that building and testing skv need, if any
# is missing. Needs root (or sudo) only when something must be installed.
# Kernel images are never installed: the test VM's bzImages are taken out of
# their packages into the cache (tools/vm/fetch-kernels.sh), so /boot, the
# bootloader and the host's kernel packages stay as they are.
set -eu

pkgs="gcc make libc6-dev pkg-config file kmod cpio gzip xz-utils perl
bc bison flex libelf-dev libssl-dev
linux-source-6.12
qemu-system-x86 busybox-static
libjson-c-dev libnl-genl-3-dev zlib1g-dev
python3 python3-yaml python3-jsonschema sparse"
[ $# -gt 0 ] && pkgs="$pkgs $*"

missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing="$missing $p"
done
if [ -z "$missing" ]; then
	exec "$(dirname "$0")/vm/fetch-kernels.sh"
fi

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
echo "install-deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >&2
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >&2
exec "$(dirname "$0")/vm/fetch-kernels.sh"
