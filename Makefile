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
# Kernels, headers, the debug kernel and the bench servers, outside the clone.
SKV_CACHE ?= /var/cache/skv
export SKV_CACHE
CHECKPATCH := $(BUILD)/ksrc/scripts/checkpatch.pl

.PHONY: all deps deps-demo modules userspace demo-build selftests checkpatch \
	sparse layers layers-test check check-build demo vm clean distclean help

all: deps modules userspace selftests

# README.md, "Make targets", shows this output; make check compares them.
help:
	@echo "make demo      build the 6.12 module and userspace, boot the 6.12 VM, show skv working"
	@echo "make check     the whole test suite on $(KERNELS), and every README command"
	@echo "make vm        interactive shell in the test VM (KERNEL=6.1|6.12|debug)"
	@echo "make modules   skv.ko for every supported kernel (W=1)"
	@echo "make layers    check kmod/'s layer rule (tools/check-layers)"
	@echo "make deps      install the Debian packages the build needs, fetch the VM kernels"
	@echo "make python    the Python binding (bindings/python) into build/python"
	@echo "make bench     skv against the null ioctl, BPF maps, Redis, memcached, LMDB"
	@echo "make fuzz      the ioctl/netlink fuzzer alone on the debug kernel (SEED=, ITERS=)"
	@echo "make install   module (DKMS), library, skvtool, udev rule (DESTDIR=, PREFIX=)"
	@echo "make uninstall remove what make install installed (same variables)"
	@echo "make deb       skv-dkms, libskvdev1, libskvdev-dev, skvtool, skv-sync, python3-skv .debs"
	@echo "make clean     remove build/"
	@echo "make distclean remove build/ and the cache ($(SKV_CACHE))"

deps:
	@$(TOP)/tools/install-deps.sh

# Only what make demo needs: no kernel source, no checkers, only 6.12.
deps-demo:
	@$(TOP)/tools/install-deps.sh --demo

# skv.ko for each kernel, each in its own copy of the sources.
modules: deps
	@set -e; . $(TOP)/tools/vm/kernels.sh; for k in $(KERNELS); do \
		skv_kernel_paths $$k; \
		mkdir -p $(BUILD)/kmod-$$k; \
		cp -a $(TOP)/Kbuild $(TOP)/kmod $(TOP)/uapi $(BUILD)/kmod-$$k/; \
		echo "  KMOD    skv.ko for $$k"; \
		$(MAKE) -s -C $$KDIR M=$(BUILD)/kmod-$$k W=1 \
			$$([ $$k = debug ] && echo SKV_DEBUG=y) modules; \
	done

userspace: deps
	@mkdir -p $(BUILD)/bin $(BUILD)/lib $(BUILD)/tests
	@echo "  BUILD   libskvdev, its tests, skvtool"
	@if [ -f libskvdev/Makefile ]; then $(MAKE) -s -C libskvdev O=$(BUILD); fi
	@if [ -f tools/Makefile ]; then $(MAKE) -s -C tools O=$(BUILD); fi
	@install -m 0755 tools/demo.sh $(BUILD)/bin/skv-demo

# What the demo runs, and no test: the library, the session example,
# skvtool, skv-sync and the demo script.
demo-build: deps-demo
	@mkdir -p $(BUILD)/bin $(BUILD)/lib
	@echo "  BUILD   libskvdev, skv-session, skvtool, skv-sync"
	@$(MAKE) -s -C libskvdev O=$(BUILD) lib $(BUILD)/bin/skv-session
	@$(MAKE) -s -C tools O=$(BUILD) $(BUILD)/bin/skvtool $(BUILD)/bin/skv-sync
	@install -m 0755 tools/demo.sh $(BUILD)/bin/skv-demo

# With them, the command blocks of README.md and the man pages, as a test
# for the VM (tools/doc-check; the host's blocks run from tools/check.sh).
selftests: deps userspace
	@mkdir -p $(BUILD)/tests
	@$(MAKE) -s -C selftests O=$(BUILD)/tests
	@echo "  GEN     $(BUILD)/tests/doc_commands.sh"
	@$(TOP)/tools/doc-check vm-test $(BUILD)/tests/doc_commands.sh

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

# The layer rule of kmod/ (DESIGN.md, "Layers of the module"): each file
# calls only files below it, and only ioctl.c touches user memory.
# layers-test runs tools/check-layers on its fixtures, layers on kmod/;
# make check runs both.
layers-test:
	@echo "  LAYERS  tools/tests/layers/"
	@mkdir -p $(BUILD)
	@python3 $(TOP)/tools/tests/layers/run >$(BUILD)/layers-test.log 2>&1 || \
		{ cat $(BUILD)/layers-test.log; exit 1; }

layers: layers-test
	@echo "  LAYERS  kmod/"
	@cd $(TOP) && python3 tools/check-layers kmod

# The host's boot and kernel packages are listed first and compared at the
# end (tools/host-state). Then static checks (seconds), the suite on every
# kernel, every README and man-page command (tools/doc-check), the smoke
# test of the Debian packages; one summary line at the very end.
check:
	@mkdir -p $(BUILD)
	@$(TOP)/tools/host-state >$(BUILD)/host-state.before
	@$(MAKE) --no-print-directory check-build
	@$(TOP)/tools/check.sh $(KERNELS)

check-build: all checkpatch sparse netlink-check dkms-check layers

# The module for the demo kernel is built by tools/vm/run, which boots it;
# tools/demo-vm.sh adds etcd and veth.ko for the demo's skv-sync step.
demo: demo-build
	@$(TOP)/tools/demo-vm.sh $(DEMO_KERNEL)

vm: all
	@$(TOP)/tools/vm/run --kernel $(or $(KERNEL),$(DEMO_KERNEL)) --interactive

clean:
	rm -rf $(BUILD)

# Everything the build made or cached; the Debian packages that
# install-deps installed stay (README.md, "Removing skv", lists them).
distclean: clean
	@case "$(SKV_CACHE)" in ""|/) echo "distclean: SKV_CACHE='$(SKV_CACHE)'?" >&2; exit 1;; esac
	rm -rf $(SKV_CACHE)

# Further targets (bench, install, deb, fuzz, ...) live in mk/, one file
# per concern.
-include $(wildcard mk/*.mk)
