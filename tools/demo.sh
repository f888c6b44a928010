#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The scripted skv session that `make demo` runs inside the test VM.
run() {
	echo "\$ $*"
	"$@"
	rc=$?
	[ $rc -eq 0 ] || echo "(exit status $rc)"
	echo
}

echo "== skv demo on $(uname -r) =="
run ls -l /dev/skv
run skvtool features
