#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs in the test VM (busybox, as root) for `make deb-check`: installs the
# unpacked skv packages (plus the libraries they depend on) from
# skv-debs.tar into /, then uses only what they installed -- skv.ko as DKMS
# built it from skv-dkms's /usr/src/skv-VERSION, /etc/modprobe.d/skv.conf,
# /usr/bin/skvtool with /usr/lib/*/libskvdev.so.1, and a program built
# against libskvdev-dev through pkg-config. KTAP out, then one summary line.
tarball=${1:-/opt/skv/add/skv-debs.tar}
unset LD_LIBRARY_PATH
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
skvtool=/usr/bin/skvtool
n=0 pass=0 fail=0
out=/tmp/deb-smoke.out

echo "TAP version 13"
check() { # NAME CMD [ARGS]: ok if CMD succeeds
	name=$1
	shift
	n=$((n + 1))
	if "$@" >"$out" 2>&1; then
		pass=$((pass + 1))
		echo "ok $n $name"
	else
		fail=$((fail + 1))
		echo "not ok $n $name"
		sed 's/^/# /' "$out"
	fi
}
fails() { # NAME PATTERN CMD [ARGS]: ok if CMD fails and prints PATTERN
	name=$1 pattern=$2
	shift 2
	n=$((n + 1))
	if ! "$@" >"$out" 2>&1 && grep -q -- "$pattern" "$out"; then
		pass=$((pass + 1))
		echo "ok $n $name"
	else
		fail=$((fail + 1))
		echo "not ok $n $name"
		sed 's/^/# /' "$out"
	fi
}
as_alice() { su -s /bin/sh alice -c "$*"; }

kver=$(uname -r)
check "install the unpacked packages" tar -C / -xf "$tarball"
check "skv.ko from skv-dkms built for $kver" \
	sh -c "ls /lib/modules/$kver/updates/dkms/skv.ko*"
check "modprobe.d example is installed, all commented out" \
	sh -c '! grep -v "^#" /etc/modprobe.d/skv.conf | grep -q .'
# Set a quota the way Documentation/install.md says: an options line.
echo "options skv max_tables_per_user=2" >>/etc/modprobe.d/skv.conf
check "modprobe skv" modprobe skv
check "option from /etc/modprobe.d applied" \
	grep -qx 2 /sys/module/skv/parameters/max_tables_per_user
check "/dev/skv is 0666, as the udev rule says" \
	sh -c '[ "$(stat -c %a /dev/skv)" = 666 ]'
check "skvtool is /usr/bin/skvtool" \
	sh -c '[ "$(command -v skvtool)" = /usr/bin/skvtool ]'
check "skvtool features" $skvtool features
check "alice: table create" as_alice "$skvtool table create deb_a1"
check "alice: put" as_alice "$skvtool put deb_a1 greeting hello"
check "alice: get" sh -c "[ \"\$(su -s /bin/sh alice -c '$skvtool get deb_a1 greeting')\" = hello ]"
fails "bob: alice's 0600 table is not his" "EACCES" \
	su -s /bin/sh bob -c "$skvtool get deb_a1 greeting"
check "alice: second table" as_alice "$skvtool table create deb_a2"
fails "alice: third table is over max_tables_per_user=2" "EDQUOT" \
	as_alice "$skvtool table create deb_a3"
check "raise the quota at run time" \
	sh -c 'echo 3 >/sys/module/skv/parameters/max_tables_per_user'
check "alice: third table now fits" as_alice "$skvtool table create deb_a3"
check "pkg-config program, shared libskvdev.so.1" /opt/skv-deb/skv-deb-smoke deb_smoke
check "pkg-config --static program, libskvdev.a" \
	/opt/skv-deb/skv-deb-smoke-static deb_smoke_static
# python3-skv: the module python3 finds is the package's, and it works for
# an unprivileged user with the installed libskvdev.so.1.
check "python3-skv: import skv from /usr/lib/python3/dist-packages" \
	python3 -c 'import skv; assert skv.__file__ == "/usr/lib/python3/dist-packages/skv/__init__.py", skv.__file__'
check "python3-skv: the extension uses the installed /usr/lib/*/libskvdev.so.1" \
	python3 -c 'import skv, re; assert re.search(r" /usr/lib/[^ ]*/libskvdev\.so\.1", open("/proc/self/maps").read())'
check "python3-skv: alice uses her table from Python" as_alice "python3 -c '
import skv
t = skv.open(\"deb_a1\")
assert t[\"greeting\"] == b\"hello\"
assert t.incr(\"n\", 5) == 5
try:
    t.put(\"greeting\", \"x\", nx=True)
    raise SystemExit(\"nx did not raise\")
except FileExistsError:
    pass
'"
fails "python3-skv: bob gets PermissionError on alice's table" "PermissionError" \
	su -s /bin/sh bob -c "python3 -c 'import skv; skv.open(\"deb_a1\")'"
for t in deb_a1 deb_a2 deb_a3; do
	$skvtool table delete $t >/dev/null 2>&1
done
check "modprobe -r skv" modprobe -r skv

echo "1..$n"
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:0 error:0"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
