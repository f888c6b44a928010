# SPDX-License-Identifier: GPL-2.0
# Sourced by the VM scripts: where each supported kernel's image and build
# tree are. Sets KIMAGE (bzImage to boot) and KDIR (tree for M= builds).
SKV_KERNELS="6.1 6.12 debug"

skv_newest() { # newest existing path matching a glob, or nothing
	# shellcheck disable=SC2086
	ls -d $1 2>/dev/null | sort -V | tail -n 1
}

skv_kernel_paths() {
	local dir
	case "$1" in
	6.1 | 6.12)
		# Unpacked from their packages into the cache, never
		# installed (fetch-kernels.sh).
		dir=${SKV_CACHE:-/var/cache/skv}/kernels
		KDIR=$(skv_newest "$dir/root/usr/src/linux-headers-$1.*-cloud-amd64")
		KIMAGE=
		if [ -n "$KDIR" ]; then
			KIMAGE=$dir/vmlinuz-${KDIR##*/linux-headers-}
			[ -s "$KIMAGE" ] || KIMAGE=
		fi
		;;
	debug)
		dir=$("$(dirname "${BASH_SOURCE[0]}")/build-debug-kernel.sh") || return 1
		KIMAGE=$dir/arch/x86/boot/bzImage
		KDIR=$dir
		;;
	*)
		echo "unknown kernel '$1' (one of: $SKV_KERNELS)" >&2
		return 2
		;;
	esac
	if [ -z "$KIMAGE" ] || [ -z "$KDIR" ]; then
		echo "kernel $1 is not installed (make deps installs it)" >&2
		return 1
	fi
}
