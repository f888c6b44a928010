#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The Python binding's tests (bindings/python/tests/test_skv.py), in the
# VM's python3 with the skv package that tools/vm/run --python installs.
# Skipped only when the VM has no python3 at all; a python3 that cannot
# import skv is a failure.
tests=/opt/skv/python/tests/test_skv.py
if ! command -v python3 >/dev/null 2>&1; then
	echo "TAP version 13"
	echo "1..1"
	echo "ok 1 python binding # SKIP no python3 in this VM (tools/vm/run --python)"
	echo "# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:1 error:0"
	exit 4
fi
if [ ! -f "$tests" ] || ! python3 -c 'import skv' 2>/tmp/python-import.err; then
	echo "TAP version 13"
	echo "1..1"
	sed 's/^/# /' /tmp/python-import.err 2>/dev/null
	echo "not ok 1 python binding: import skv or $tests (make python)"
	echo "# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0"
	exit 1
fi
exec python3 "$tests"
