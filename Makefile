# SPDX-License-Identifier: GPL-2.0
#
# skv: top-level build. The module itself is built by kbuild through the
# Kbuild file beside this one; everything here drives the userspace build
# and the test VM. `make help` lists the targets.

# kbuild (make -C KDIR M=$PWD) reads ./Kbuild, never this file.
SHELL := /bin/bash
TOP := $(CURDIR)
BUILD ?= $(TOP)/build
export SKV_BUILD := $(BUILD)
KERNELS ?= 6.1 6.12 debug
DEMO_KERNEL ?= 6.12
KSRC_TAR := /usr/src/linux-source-6.12.tar.xz
CHECKPATCH := $(BUILD)/ksrc/scripts/checkpatch.pl

.PHONY: all deps modules userspace selftests checkpatch sparse check demo vm \
	clean help

all: deps modules userspace selftests

help:
	@echo "make demo      build everything, boot the $(DEMO_KERNEL) VM, show skv working"
	@echo "make check     the whole test suite on $(KERNELS)"
	@echo "make vm        interactive shell in the test VM (KERNEL=6.1|6.12|debug)"
	@echo "make modules   skv.ko for every supported kernel (W=1)"
	@echo "make deps      install the Debian packages the build needs"
	@echo "make python    the Python binding (bindings/python) into build/python"
	@echo "make bench     skv against the null ioctl, BPF maps, Redis, memcached, LMDB"
	@echo "make fuzz      the ioctl/netlink fuzzer alone on the debug kernel (SEED=, ITERS=)"
	@echo "make install   module (DKMS), library, skvtool, udev rule (DESTDIR=, PREFIX=)"
	@echo "make deb       skv-dkms, libskvdev1, libskvdev-dev, skvtool and python3-skv .debs"

deps:
	@$(TOP)/tools/install-deps.sh

# skv.ko for each kernel, each in its own copy of the sources.
modules: deps
	@set -e; . $(TOP)/tools/vm/kernels.sh; for k in $(KERNELS); do \
		skv_kernel_paths $$k; \
		mkdir -p $(BUILD)/kmod-$$k; \
		cp -a $(TOP)/Kbuild $(TOP)/kmod $(TOP)/uapi $(BUILD)/kmod-$$k/; \
		echo "  KMOD    skv.ko for $$k"; \
		$(MAKE) -s -C $$KDIR M=$(BUILD)/kmod-$$k W=1 modules; \
	done

userspace: deps
	@mkdir -p $(BUILD)/bin $(BUILD)/lib $(BUILD)/tests
	@if [ -f libskvdev/Makefile ]; then $(MAKE) -s -C libskvdev O=$(BUILD); fi
	@if [ -f tools/Makefile ]; then $(MAKE) -s -C tools O=$(BUILD); fi
	@install -m 0755 tools/demo.sh $(BUILD)/bin/skv-demo

selftests: deps
	@mkdir -p $(BUILD)/tests
	@$(MAKE) -s -C selftests O=$(BUILD)/tests

$(CHECKPATCH):
	@mkdir -p $(BUILD)/ksrc
	@tar -C $(BUILD)/ksrc -xf $(KSRC_TAR) --strip-components=1 --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'

checkpatch: deps $(CHECKPATCH)
	@echo "  CHECKPATCH kmod/ uapi/"
	@$(CHECKPATCH) --strict --no-tree --quiet -f \
		$$(git ls-files 'kmod/*.[ch]' 'uapi/*.h' 2>/dev/null || ls kmod/*.[ch] uapi/linux/*.h)

# sparse over the module, against the 6.12 cloud headers.
sparse: deps
	@set -e; . $(TOP)/tools/vm/kernels.sh; skv_kernel_paths 6.12; \
	rm -rf $(BUILD)/sparse; mkdir -p $(BUILD)/sparse; \
	cp -a $(TOP)/Kbuild $(TOP)/kmod $(TOP)/uapi $(BUILD)/sparse/; \
	echo "  SPARSE  kmod/"; \
	$(MAKE) -s -C $$KDIR M=$(BUILD)/sparse C=2 modules >$(BUILD)/sparse.log 2>&1 || \
		{ cat $(BUILD)/sparse.log; exit 1; }; \
	if grep -E 'warning|error' $(BUILD)/sparse.log; then exit 1; fi

# Static checks first (seconds), then the suite on every kernel and the
# smoke test of the Debian packages; one summary line at the very end.
check: all checkpatch sparse netlink-check dkms-check
	@$(TOP)/tools/check.sh $(KERNELS)

demo: all
	@$(TOP)/tools/vm/run --kernel $(DEMO_KERNEL) -- skv-demo

vm: all
	@$(TOP)/tools/vm/run --kernel $(or $(KERNEL),$(DEMO_KERNEL)) --interactive

clean:
	rm -rf $(BUILD)

# Further targets (bench, install, deb, fuzz, ...) live in mk/, one file
# per concern.
-include $(wildcard mk/*.mk)
