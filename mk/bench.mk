# SPDX-License-Identifier: GPL-2.0
#
# make bench: skv against the null-ioctl floor, BPF hash maps, Redis,
# memcached and LMDB, all measured in one boot of the 6.12 TCG VM.
# Writes $(BUILD)/bench/bench.txt, bench.json and bench.png.
#
# make bench-build builds only the binaries:
#   $(BUILD)/bin/skv-bench          skv + floor + BPF (also runs natively)
#   $(BUILD)/bench/skv-bench-peers  Redis, memcached, LMDB (VM only; kept
#                                   out of bin/ so other VM runs stay lean)
#   $(BUILD)/bench/skv-bench-sync   the sync suite's timing (VM only):
#                                   skv-sync against etcd and Redis

BENCH_DIR := $(TOP)/tools/bench
BENCH_OUT := $(BUILD)/bench
# Libraries and tools only. The redis-server, memcached and etcd-server
# packages are never installed (they would start daemons on the host):
# their binaries come out of the packages into the cache
# (tools/bench/fetch-servers.sh, tools/skv-sync/tests/fetch-etcd.sh) and
# run only in the VM; their runtime libraries are these. curl reads etcd's
# JSON watch in the sync suite.
BENCH_PKGS := liblmdb-dev libhiredis-dev libmemcached-dev libjson-c-dev \
	libcurl4-openssl-dev curl libnl-genl-3-dev gnuplot-nox libjemalloc2 \
	liblzf1 libevent-2.1-7 libsasl2-2
BENCH_CFLAGS := -O2 -g -Wall -Wextra -Wno-missing-field-initializers \
	$$(pkg-config --cflags libnl-genl-3.0 2>/dev/null) \
	-I$(TOP)/uapi -I$(TOP)/libskvdev -I$(BUILD)/include -pthread
BENCH_COMMON := $(BENCH_DIR)/harness.c $(BENCH_DIR)/bench.h
BENCH_SKV_SRCS := $(BENCH_DIR)/skv_bench.c $(BENCH_DIR)/b_skv.c $(BENCH_DIR)/b_mapped.c \
	$(BENCH_DIR)/report.c $(BENCH_DIR)/harness.c

.PHONY: bench bench-deps bench-build

bench-deps:
	@$(TOP)/tools/install-deps.sh $(BENCH_PKGS)
	@$(BENCH_DIR)/fetch-servers.sh >/dev/null
	@$(TOP)/tools/skv-sync/tests/fetch-etcd.sh >/dev/null

# skv-bench links libskvdev statically when the library is built, so the
# binary runs on any host with skv.ko loaded; without it the skv suites
# report "not measured".
bench-build: bench-deps userspace
	@mkdir -p $(BUILD)/bin $(BENCH_OUT)
	@echo "  CC      skv-bench"
	@if [ -f $(BUILD)/lib/libskvdev.a ]; then \
		skv="-DHAVE_SKVDEV"; lib="$(BUILD)/lib/libskvdev.a"; \
	else \
		skv=; lib=; echo "bench: libskvdev is not built; skv figures will be missing" >&2; \
	fi; \
	$(CC) $(BENCH_CFLAGS) $$skv -o $(BUILD)/bin/skv-bench \
		$(BENCH_SKV_SRCS) $$lib $$(pkg-config --cflags --libs json-c libnl-genl-3.0) -lm
	@echo "  CC      skv-bench-peers"
	@$(CC) $(BENCH_CFLAGS) -o $(BENCH_OUT)/skv-bench-peers \
		$(BENCH_DIR)/peers.c $(BENCH_DIR)/harness.c \
		$$(pkg-config --cflags --libs json-c hiredis libmemcached lmdb 2>/dev/null || \
		   echo -ljson-c -lhiredis -lmemcached -llmdb) -lm
	@echo "  CC      skv-bench-sync"
	@if [ -f $(BUILD)/lib/libskvdev.a ]; then \
		$(CC) $(BENCH_CFLAGS) -o $(BENCH_OUT)/skv-bench-sync \
			$(BENCH_DIR)/sync_bench.c $(BENCH_DIR)/harness.c \
			$(TOP)/tools/skv-sync/base64.c $(BUILD)/lib/libskvdev.a \
			$$(pkg-config --cflags --libs json-c libcurl hiredis) -lm; \
	else \
		echo "bench: libskvdev is not built; no sync figures" >&2; \
	fi

bench: bench-build
	@$(BENCH_DIR)/bench.sh
