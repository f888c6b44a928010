#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# etcd and etcdctl for the skv-sync tests and `make bench`, taken out of
# Debian's etcd-server and etcd-client packages into the cache without
# installing them (tools/fetch-debs.sh): installing etcd-server would
# enable and start a daemon on the host, and etcd only ever runs inside
# the test VM. Both are Go binaries that need only libc.
#
# Prints the directory that holds etcd and etcdctl.
set -eu

exec "$(dirname "$0")/../../fetch-debs.sh" etcd "etcd-server etcd-client" \
	usr/bin/etcd usr/bin/etcdctl
