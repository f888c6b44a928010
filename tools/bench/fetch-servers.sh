#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The Redis and memcached servers for `make bench` and the skv-sync
# tests, with redis-cli, and redis-benchmark for the bench's write-behind
# baseline, taken
# out of their Debian packages into the cache without installing them
# (tools/fetch-debs.sh): installing redis-server or memcached would enable
# and start a system daemon on the host, and they only ever run inside the
# test VM. Their shared libraries (libjemalloc2, liblzf1, libevent,
# libsasl2: plain libraries, no service) are installed by `make
# bench-deps`, so tools/vm/run finds them with ldd.
#
# Prints the directory that holds redis-server, redis-cli,
# redis-benchmark and memcached.
set -eu

# redis-server is redis-check-rdb under another name: Redis picks its role
# from argv[0], so the binary is kept under the server's name.
exec "$(dirname "$0")/../fetch-debs.sh" servers "redis-tools memcached" \
	usr/bin/redis-check-rdb:redis-server usr/bin/redis-cli usr/bin/redis-benchmark \
	usr/bin/memcached
