# SPDX-License-Identifier: GPL-2.0
#
# The Python binding (bindings/python), built for the test VM:
#   $(BUILD)/python/skv/         the package: _skv*.so (libskvdev compiled
#                                in), __init__.py, the .pyi stubs
#   $(BUILD)/python/tests/       its tests (selftests/python.sh runs them)
#   $(BUILD)/python/examples/    the examples (selftests/python_examples.sh)
#   $(BUILD)/python/bench/       tools/bench/py_bench.py, for make bench
# tools/vm/run --python puts the package on the guest's sys.path and the
# rest under /opt/skv/python. `pip install ./bindings/python` is the way to
# install it elsewhere; `make deb` packages it as python3-skv.

PY_SRC := $(TOP)/bindings/python
PY_OUT := $(BUILD)/python
# Debian's interpreter (python3-dev, python3-setuptools), whatever is on PATH
PYTHON ?= /usr/bin/python3

.PHONY: python
all: python

python: deps
	@$(TOP)/tools/install-deps.sh python3-dev python3-setuptools >/dev/null
	@echo "  PY      skv._skv (bindings/python)"
	@rm -rf $(PY_OUT)/skv $(PY_OUT)/tests $(PY_OUT)/examples $(PY_OUT)/bench
	@mkdir -p $(PY_OUT)/skv $(PY_OUT)/tests $(PY_OUT)/examples $(PY_OUT)/bench
	@cd $(PY_SRC) && $(PYTHON) setup.py -q build_ext --build-lib $(PY_OUT) \
		--build-temp $(PY_OUT)/obj >$(PY_OUT)/build.log 2>&1 || \
		{ cat $(PY_OUT)/build.log; exit 1; }
	@if grep -E 'warning:|error:' $(PY_OUT)/build.log; then exit 1; fi
	@install -m 0644 $(PY_SRC)/skv/*.py $(PY_SRC)/skv/*.pyi $(PY_SRC)/skv/py.typed $(PY_OUT)/skv/
	@install -m 0755 $(PY_SRC)/tests/*.py $(PY_OUT)/tests/
	@install -m 0755 $(PY_SRC)/examples/*.py $(PY_OUT)/examples/
	@install -m 0755 $(TOP)/tools/bench/py_bench.py $(PY_OUT)/bench/

# make bench runs tools/bench/py_bench.py in its VM boot: the binding
# against redis-py (python3-redis) and a dict.
.PHONY: python-bench-deps
bench-build: python
bench-deps: python-bench-deps
python-bench-deps:
	@$(TOP)/tools/install-deps.sh python3-redis >/dev/null
