# SPDX-License-Identifier: GPL-2.0
#
# Installing skv like any out-of-tree kernel software (Documentation/install.md):
#
#   make install [DESTDIR=] [PREFIX=/usr/local] [KVER=$(uname -r)] [SKV_DKMS=auto|yes|no]
#                [SKV_AUTOLOAD=1]
#   make uninstall            the same variables; removes what install put there
#   make dkms-check           dkms add/build/remove for the 6.1 and 6.12 headers
#   make deb                  skv-dkms, libskvdev1, libskvdev-dev, skvtool, skv-sync,
#                             python3-skv
#                             in $(BUILD)/deb
#   make deb-check            make deb, lintian, then the installed files in the VM
#                             on the 6.1 and 6.12 cloud kernels
#
# The module goes through DKMS when dkms is installed (SKV_DKMS=auto): the
# sources to /usr/src/skv-VERSION, then `dkms add/build/install`, so that it
# is rebuilt for every new kernel. With DESTDIR set, only the sources are
# installed (a package's postinst runs dkms). Without dkms (SKV_DKMS=no), it
# is built with kbuild for KVER and installed under
# /lib/modules/KVER/updates. The kernel paths (/usr/src, /lib/modules,
# /etc/udev, /etc/modprobe.d) do not move with PREFIX.

SKV_VERSION := $(shell $(TOP)/packaging/skv-version $(TOP))
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/skv
SYSCONFDIR ?= /etc
UDEVRULESDIR ?= $(SYSCONFDIR)/udev/rules.d
MODPROBEDIR ?= $(SYSCONFDIR)/modprobe.d
MODULESLOADDIR ?= $(SYSCONFDIR)/modules-load.d
DKMS_SRCDIR ?= /usr/src/skv-$(SKV_VERSION)
KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
SKV_DKMS ?= auto
SKV_AUTOLOAD ?=

skv_use_dkms = $(strip $(if $(filter yes,$(SKV_DKMS)),yes,$(if $(filter no,$(SKV_DKMS)),no,\
	$(if $(shell command -v dkms 2>/dev/null),yes,no))))
# Options of the userspace sub-makes (libskvdev/Makefile, tools/Makefile).
skv_dirs = O=$(BUILD) DESTDIR=$(DESTDIR) PREFIX=$(PREFIX) BINDIR=$(BINDIR) \
	LIBDIR=$(LIBDIR) INCLUDEDIR=$(INCLUDEDIR) MANDIR=$(MANDIR)

.PHONY: install uninstall install-module uninstall-module install-userspace \
	uninstall-userspace install-config uninstall-config dkms-check deb \
	deb-check

install: install-module install-userspace install-config
	@if [ -z "$(DESTDIR)" ]; then \
		ldconfig 2>/dev/null || true; \
		if command -v udevadm >/dev/null 2>&1 && [ -e /dev/skv ]; then \
			udevadm trigger --name-match=skv 2>/dev/null || true; fi; \
	fi
	@echo "skv $(SKV_VERSION) installed$(if $(DESTDIR), into $(DESTDIR)); load it with: modprobe skv"

uninstall: uninstall-module uninstall-userspace uninstall-config
	@[ -n "$(DESTDIR)" ] || ldconfig 2>/dev/null || true

# The module -------------------------------------------------------------

install-module:
ifeq ($(skv_use_dkms),yes)
	@echo "  INSTALL $(DESTDIR)$(DKMS_SRCDIR)"
	@rm -rf $(DESTDIR)$(DKMS_SRCDIR)
	@$(TOP)/packaging/install-kmod-src $(TOP) $(DESTDIR)$(DKMS_SRCDIR)
ifeq ($(DESTDIR),)
	@set -e; if ! dkms status -m skv -v $(SKV_VERSION) | grep -q .; then \
		dkms add -m skv -v $(SKV_VERSION); fi
	dkms build -m skv -v $(SKV_VERSION) -k $(KVER)
	dkms install -m skv -v $(SKV_VERSION) -k $(KVER) --force
else
	@echo "  NOTE    DESTDIR set: on the target, run dkms install -m skv -v $(SKV_VERSION)"
endif
else
	@test -d $(KDIR) || { echo "install: no kernel build tree at $(KDIR)" \
		"(install linux-headers-$(KVER), or set KVER= or KDIR=)" >&2; exit 1; }
	@rm -rf $(BUILD)/kmod-install && mkdir -p $(BUILD)/kmod-install
	@$(TOP)/packaging/install-kmod-src $(TOP) $(BUILD)/kmod-install
	$(MAKE) -C $(KDIR) M=$(BUILD)/kmod-install modules
	$(MAKE) -C $(KDIR) M=$(BUILD)/kmod-install INSTALL_MOD_DIR=updates \
		$(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR)) DEPMOD=true modules_install
	@[ -n "$(DESTDIR)" ] || depmod -a $(KVER)
endif

# Undoes both ways of installing, whichever was used.
uninstall-module:
ifeq ($(DESTDIR),)
	@if command -v dkms >/dev/null 2>&1 && dkms status -m skv -v $(SKV_VERSION) | grep -q .; then \
		echo "dkms remove -m skv -v $(SKV_VERSION) --all"; \
		dkms remove -m skv -v $(SKV_VERSION) --all; fi
endif
	rm -rf $(DESTDIR)$(DKMS_SRCDIR)
	rm -f $(DESTDIR)/lib/modules/$(KVER)/updates/kmod/skv.ko \
		$(DESTDIR)/lib/modules/$(KVER)/updates/skv.ko
	-rmdir $(DESTDIR)/lib/modules/$(KVER)/updates/kmod 2>/dev/null
	@[ -n "$(DESTDIR)" ] || [ ! -d /lib/modules/$(KVER) ] || depmod -a $(KVER)

# libskvdev and skvtool ----------------------------------------------------

install-userspace:
	$(MAKE) -C $(TOP)/libskvdev $(skv_dirs) install
	@if [ -f $(TOP)/tools/Makefile ]; then \
		$(MAKE) -C $(TOP)/tools $(skv_dirs) install; fi

# Removes exactly what install-userspace installs: the same install run
# into a scratch directory gives the list of files.
uninstall-userspace:
	@rm -rf $(BUILD)/uninstall-stage
	@$(MAKE) -s --no-print-directory install-userspace DESTDIR=$(BUILD)/uninstall-stage >/dev/null
	@cd $(BUILD)/uninstall-stage && find . ! -type d | sed 's|^\.||' | LC_ALL=C sort | \
		while read -r f; do echo "rm -f $(DESTDIR)$$f"; rm -f "$(DESTDIR)$$f"; done
	@rm -rf $(BUILD)/uninstall-stage
	@# The uapi headers' directory is libskvdev's own.
	@rmdir $(DESTDIR)$(INCLUDEDIR)/skvdev 2>/dev/null || true

# udev rule, modprobe.d options, modules-load.d ------------------------------
# An existing /etc/modprobe.d/skv.conf is the administrator's and is kept;
# uninstall removes it only when it is still the unchanged example.

install-config:
	install -D -m 0644 $(TOP)/packaging/60-skv.rules $(DESTDIR)$(UDEVRULESDIR)/60-skv.rules
	@if [ -e $(DESTDIR)$(MODPROBEDIR)/skv.conf ]; then \
		echo "  KEEP    $(DESTDIR)$(MODPROBEDIR)/skv.conf"; \
	else \
		echo "install -D -m 0644 packaging/skv.modprobe.conf $(DESTDIR)$(MODPROBEDIR)/skv.conf"; \
		install -D -m 0644 $(TOP)/packaging/skv.modprobe.conf $(DESTDIR)$(MODPROBEDIR)/skv.conf; \
	fi
	install -D -m 0644 $(TOP)/packaging/skv.modprobe.conf $(DESTDIR)$(DOCDIR)/examples/modprobe.d-skv.conf
	install -D -m 0644 $(TOP)/packaging/skv.modules-load.conf $(DESTDIR)$(DOCDIR)/examples/modules-load.d-skv.conf
	install -D -m 0644 $(TOP)/Documentation/install.md $(DESTDIR)$(DOCDIR)/install.md
ifneq ($(SKV_AUTOLOAD),)
	install -D -m 0644 $(TOP)/packaging/skv.modules-load.conf $(DESTDIR)$(MODULESLOADDIR)/skv.conf
endif

uninstall-config:
	rm -f $(DESTDIR)$(UDEVRULESDIR)/60-skv.rules $(DESTDIR)$(MODULESLOADDIR)/skv.conf
	@if [ -e $(DESTDIR)$(MODPROBEDIR)/skv.conf ]; then \
		if cmp -s $(TOP)/packaging/skv.modprobe.conf $(DESTDIR)$(MODPROBEDIR)/skv.conf; then \
			echo "rm -f $(DESTDIR)$(MODPROBEDIR)/skv.conf"; \
			rm -f $(DESTDIR)$(MODPROBEDIR)/skv.conf; \
		else echo "  KEEP    $(DESTDIR)$(MODPROBEDIR)/skv.conf (changed locally)"; fi; \
	fi
	rm -rf $(DESTDIR)$(DOCDIR)

# Checks -------------------------------------------------------------------

dkms-check:
	@$(TOP)/tools/install-deps.sh dkms
	@$(TOP)/packaging/dkms-check

deb:
	@$(TOP)/tools/install-deps.sh $(SKV_DEB_DEPS)
	@$(TOP)/packaging/build-deb

deb-check:
	@$(TOP)/tools/install-deps.sh $(SKV_DEB_DEPS)
	@$(TOP)/packaging/build-deb
	@$(TOP)/packaging/deb-check

# What dpkg-buildpackage and lintian need, and debian/control's
# Build-Depends (keep the two in step; dpkg-buildpackage names what is
# missing).
SKV_DEB_DEPS := dpkg-dev fakeroot lintian dkms debhelper dh-dkms gcc make \
	pkg-config libjson-c-dev zlib1g-dev libnl-genl-3-dev \
	libcurl4-openssl-dev libhiredis-dev libinih-dev \
	dh-python python3-dev python3-setuptools
