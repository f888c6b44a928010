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
	6.1)
		KIMAGE=$(skv_newest '/boot/vmlinuz-6.1.*-cloud-amd64')
		KDIR=$(skv_newest '/usr/src/linux-headers-6.1.*-cloud-amd64')
		;;
	6.12)
		KIMAGE=$(skv_newest '/boot/vmlinuz-6.12.*-cloud-amd64')
		KDIR=$(skv_newest '/usr/src/linux-headers-6.12.*-cloud-amd64')
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
