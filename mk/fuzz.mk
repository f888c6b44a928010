# SPDX-License-Identifier: GPL-2.0
#
# make fuzz [SEED=N] [ITERS=M] [FUZZ_KERNEL=debug|6.1|6.12]: the fuzzer of
# selftests/fuzz.c alone, longer than in make check, in the test VM (the
# debug kernel by default, for KASAN, lockdep and kmemleak). The seed is
# printed; the same seed replays the same calls. SKV_FUZZ_LOG=1 in the
# environment prints every call before it is made.

FUZZ_SEED := $(or $(SEED),$(shell date +%s))
FUZZ_ITERS := $(or $(ITERS),100000)
FUZZ_KERNEL ?= debug
FUZZ_TIMEOUT ?= 7200

.PHONY: fuzz

fuzz: selftests
	@echo "  FUZZ    seed $(FUZZ_SEED), $(FUZZ_ITERS) iterations on $(FUZZ_KERNEL)"
	@$(TOP)/tools/vm/run --kernel $(FUZZ_KERNEL) --timeout $(FUZZ_TIMEOUT) -- \
		env SKV_FUZZ_SEED=$(FUZZ_SEED) SKV_FUZZ_ITERS=$(FUZZ_ITERS) \
		SKV_FUZZ_LOG=$(or $(SKV_FUZZ_LOG),0) /opt/skv/tests/fuzz
