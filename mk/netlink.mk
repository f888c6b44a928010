# SPDX-License-Identifier: GPL-2.0
#
# The generic netlink family: Documentation/netlink/specs/skv.yaml is the
# source of truth. The kernel's YNL tools (tools/net/ynl in linux-source)
# validate it against the kernel's schema and generate the netlink part of
# the uapi header, uapi/linux/skv_netlink.h, which is committed.
#
#   make netlink-check   validate the spec; fail if the committed header or
#                        the module's policies differ from what it generates
#   make netlink-gen     regenerate uapi/linux/skv_netlink.h after a spec edit

NL_SPEC := Documentation/netlink/specs/skv.yaml
NL_UAPI := uapi/linux/skv_netlink.h
NL_KSRC := $(BUILD)/ksrc
NL_YNL := $(NL_KSRC)/tools/net/ynl
NL_STAMP := $(NL_KSRC)/.ynl-extracted
NL_OUT := $(BUILD)/netlink

.PHONY: netlink-check netlink-gen

# ynl-gen-c.py finds the schema next to the spec and the kernel root by
# its MAINTAINERS file, so the spec is run from inside the kernel tree.
$(NL_STAMP): $(KSRC_TAR)
	@mkdir -p $(NL_KSRC)
	@echo "  EXTRACT tools/net/ynl Documentation/netlink"
	@tar -C $(NL_KSRC) -xf $(KSRC_TAR) --strip-components=1 --wildcards \
		'*/tools/net/ynl/*' '*/Documentation/netlink/*' '*/MAINTAINERS'
	@touch $@

$(NL_OUT)/skv_netlink.h: $(NL_SPEC) $(NL_STAMP)
	@mkdir -p $(NL_OUT)
	@cp $(NL_SPEC) $(NL_KSRC)/Documentation/netlink/specs/skv.yaml
	@echo "  YNL-GEN $(NL_UAPI)"
	@cd $(NL_KSRC) && timeout 120 python3 tools/net/ynl/ynl-gen-c.py \
		--mode uapi --header \
		--spec $(NL_KSRC)/Documentation/netlink/specs/skv.yaml -o $@
	@echo "  YNL-GEN kernel policies"
	@cd $(NL_KSRC) && timeout 120 python3 tools/net/ynl/ynl-gen-c.py \
		--mode kernel --source \
		--spec $(NL_KSRC)/Documentation/netlink/specs/skv.yaml \
		-o $(NL_OUT)/skv-nl-gen.c

netlink-gen: $(NL_OUT)/skv_netlink.h
	@cp $< $(NL_UAPI)

netlink-check: $(NL_OUT)/skv_netlink.h
	@echo "  SCHEMA  $(NL_SPEC)"
	@python3 mk/netlink-validate.py \
		$(NL_KSRC)/Documentation/netlink $(NL_SPEC)
	@echo "  CMP     $(NL_UAPI)"
	@diff -u $(NL_UAPI) $< || { echo "netlink-check: $(NL_UAPI) is stale: make netlink-gen" >&2; exit 1; }
	@echo "  CMP     kmod/netlink.c policies"
	@python3 mk/netlink-policy-check.py $(NL_OUT)/skv-nl-gen.c kmod/netlink.c
