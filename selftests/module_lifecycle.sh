#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Module lifecycle: load and unload repeatedly, and an open fd pins the
# module. Runs in the test VM as root with skv.ko at $SKV_KO. kmemleak and
# the splat scan are checked by tools/vm/run after the suite.
ko=${SKV_KO:-/opt/skv/skv.ko}
n=0 pass=0 fail=0 skip=0

ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n $1"; }
not_ok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n $1"; }
skip() { n=$((n + 1)); skip=$((skip + 1)); echo "ok $n $1 # SKIP $2"; }
loaded() { grep -q '^skv ' /proc/modules; }

echo "TAP version 13"
echo "1..2"

if [ "$(id -u)" != 0 ] || [ ! -r "$ko" ]; then
	skip load_unload_20_times "needs root and $ko"
	skip open_fd_pins_module "needs root and $ko"
else
	loaded || insmod "$ko"

	good=1
	i=0
	while [ $i -lt 20 ]; do
		rmmod skv || { good=0; break; }
		loaded && { good=0; break; }
		insmod "$ko" || { good=0; break; }
		[ -c /dev/skv ] || { good=0; break; }
		i=$((i + 1))
	done
	[ $good = 1 ] && ok load_unload_20_times || not_ok "load_unload_20_times # failed at round $i"

	# While /dev/skv is open, rmmod must fail; once closed it must work.
	exec 3</dev/skv
	if rmmod skv 2>/dev/null; then
		not_ok open_fd_pins_module
		insmod "$ko"
	else
		exec 3<&-
		if rmmod skv && insmod "$ko"; then
			ok open_fd_pins_module
		else
			not_ok "open_fd_pins_module # rmmod after close failed"
		fi
	fi
	exec 3<&- 2>/dev/null

	loaded || insmod "$ko"
fi

echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
[ $fail = 0 ]
