// SPDX-License-Identifier: GPL-2.0
/*
 * skv-bench-peers: what skv is measured against — Redis and memcached over
 * a unix socket (hiredis, libmemcached), LMDB in-process, and an AF_UNIX
 * round trip — with the same keys, sizes and timing as skv-bench.
 *
 * The servers are started by the caller, pinned to one CPU (taskset); each
 * socket figure is taken twice: with this client pinned to the server's
 * CPU ("same-cpu") and to the other one ("cross-cpu").
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <hiredis/hiredis.h>
#include <libmemcached/memcached.h>
#include <lmdb.h>

#include "bench.h"

static int server_cpu, other_cpu = 1;

struct variant {
	const char *name;
	int cpu;
};

static struct variant variants[2];

static void init_variants(void)
{
	variants[0] = (struct variant){ "same-cpu", server_cpu };
	variants[1] = (struct variant){ "cross-cpu", other_cpu };
}

/* ---------------------------------------------------------------- redis */

struct redis_ctx {
	redisContext *c;
	struct keyset *ks;
	const char **argv;
	size_t *argvlen;
};

static int redis_ok(redisReply *r, int type)
{
	int ret = r && r->type == type ? 0 : -EPROTO;

	if (r)
		freeReplyObject(r);
	return ret;
}

static int f_redis_get(void *arg, uint64_t i, unsigned int n)
{
	struct redis_ctx *c = arg;
	int ret = 0;

	while (n-- && !ret)
		ret = redis_ok(redisCommand(c->c, "GET %b", keyset_key(c->ks, i++),
					    (size_t)c->ks->key_len), REDIS_REPLY_STRING);
	return ret;
}

static int f_redis_set(void *arg, uint64_t i, unsigned int n)
{
	struct redis_ctx *c = arg;
	int ret = 0;

	while (n-- && !ret)
		ret = redis_ok(redisCommand(c->c, "SET %b %b", keyset_key(c->ks, i++),
					    (size_t)c->ks->key_len, c->ks->value,
					    (size_t)c->ks->value_len), REDIS_REPLY_STATUS);
	return ret;
}

static int redis_pipeline(struct redis_ctx *c, uint64_t i, unsigned int batch,
			  bool set)
{
	unsigned int j;
	void *r;
	int ret = 0;

	for (j = 0; j < batch; j++) {
		const char *k = keyset_key(c->ks, i + j);

		if (set)
			redisAppendCommand(c->c, "SET %b %b", k, (size_t)c->ks->key_len,
					   c->ks->value, (size_t)c->ks->value_len);
		else
			redisAppendCommand(c->c, "GET %b", k, (size_t)c->ks->key_len);
	}
	for (j = 0; j < batch; j++) {
		if (redisGetReply(c->c, &r) != REDIS_OK)
			return -EPROTO;
		if (!ret)
			ret = redis_ok(r, set ? REDIS_REPLY_STATUS : REDIS_REPLY_STRING);
		else
			freeReplyObject(r);
	}
	return ret;
}

/* MSET of up to 128 keys: the fastest way in */
static int redis_mset(struct redis_ctx *c, uint64_t i, unsigned int n)
{
	const char *argv[1 + 2 * 128];
	size_t len[1 + 2 * 128];
	unsigned int j;
	redisReply *r;

	argv[0] = "MSET";
	len[0] = 4;
	for (j = 0; j < n; j++) {
		argv[1 + 2 * j] = keyset_key_ord(c->ks, i + j);
		len[1 + 2 * j] = c->ks->key_len;
		argv[2 + 2 * j] = c->ks->value;
		len[2 + 2 * j] = c->ks->value_len;
	}
	r = redisCommandArgv(c->c, 1 + 2 * n, argv, len);
	return redis_ok(r, REDIS_REPLY_STATUS);
}

static int f_redis_pipe64(void *arg, uint64_t i, unsigned int n)
{
	int ret = 0;

	while (n-- && !ret) {
		ret = redis_pipeline(arg, i, 64, false);
		i += 64;
	}
	return ret;
}

static int f_redis_mget64(void *arg, uint64_t i, unsigned int n)
{
	struct redis_ctx *c = arg;
	unsigned int j;
	redisReply *r;
	int ret = 0;

	while (n-- && !ret) {
		for (j = 0; j < 64; j++) {
			c->argv[j + 1] = keyset_key(c->ks, i++);
			c->argvlen[j + 1] = c->ks->key_len;
		}
		r = redisCommandArgv(c->c, 65, c->argv, c->argvlen);
		if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 64 ||
		    r->element[63]->type != REDIS_REPLY_STRING)
			ret = -EPROTO;
		if (r)
			freeReplyObject(r);
	}
	return ret;
}

static void redis_size(redisContext *rc, unsigned int key_len, unsigned int value_len)
{
	struct bench_fig fig = { .suite = "redis", .key_len = key_len,
				 .value_len = value_len };
	const char *argv[65];
	size_t argvlen[65];
	struct redis_ctx c = { .c = rc, .argv = argv, .argvlen = argvlen };
	struct keyset ks;
	unsigned int i, v;
	double t0;
	int ret = 0;

	if (keyset_init(&ks, bench_keys_for(value_len), key_len, value_len))
		return;
	fig.nkeys = ks.n;
	c.ks = &ks;
	argv[0] = "MGET";
	argvlen[0] = 4;
	bench_pin(server_cpu);
	t0 = bench_now_ns();
	for (i = 0; i < ks.n && !ret; i += 128)
		ret = redis_mset(&c, i, ks.n - i < 128 ? ks.n - i : 128);
	bench_log("redis: preloaded %u keys of %u/%u in %.1f s\n", ks.n,
		  key_len, value_len, (bench_now_ns() - t0) / 1e9);
	if (ret) {
		bench_not_measured("redis", "preload", "SET failed");
		goto out;
	}
	for (v = 0; v < 2; v++) {
		bench_pin(variants[v].cpu);
		fig.variant = variants[v].name;
		fig.batch = 1;
		fig.per_call = 1;
		fig.latency = true;
		fig.op = "get";
		bench_measure(&fig, f_redis_get, &c);
		fig.op = "set";
		bench_measure(&fig, f_redis_set, &c);
		fig.latency = false;
		fig.batch = fig.per_call = 64;
		fig.op = "get_pipeline";
		bench_measure(&fig, f_redis_pipe64, &c);
		fig.op = "mget";
		bench_measure(&fig, f_redis_mget64, &c);
	}
out:
	redis_ok(redisCommand(rc, "FLUSHALL"), REDIS_REPLY_STATUS);
	keyset_free(&ks);
}

static void suite_redis(void)
{
	redisContext *rc = redisConnectUnix(cfg.redis_sock);
	unsigned int s;

	if (!rc || rc->err) {
		bench_not_measured("redis", "all", rc ? rc->errstr : "cannot connect");
		if (rc)
			redisFree(rc);
		return;
	}
	{
		redisReply *r = redisCommand(rc, "INFO server");

		if (r && r->type == REDIS_REPLY_STRING) {
			char *p = strstr(r->str, "redis_version:");

			if (p) {
				char ver[32] = "";

				sscanf(p, "redis_version:%31s", ver);
				bench_record_value("redis", "version", ver, 0, 0, "info", 0, NULL);
			}
		}
		if (r)
			freeReplyObject(r);
	}
	for (s = 0; s < bench_nr_sizes; s++)
		if (bench_size_selected(bench_sizes[s].key_len, bench_sizes[s].value_len))
			redis_size(rc, bench_sizes[s].key_len, bench_sizes[s].value_len);
	redisFree(rc);
}

/* ------------------------------------------------------------ memcached */

struct mc_ctx {
	memcached_st *m;
	struct keyset *ks;
	const char *keys[64];
	size_t lens[64];
	memcached_result_st res;
};

static int f_mc_get(void *arg, uint64_t i, unsigned int n)
{
	struct mc_ctx *c = arg;
	memcached_return_t rc;
	uint32_t flags;
	size_t len;
	char *v;

	while (n--) {
		v = memcached_get(c->m, keyset_key(c->ks, i++), c->ks->key_len,
				  &len, &flags, &rc);
		if (!v || len != c->ks->value_len) {
			free(v);
			return -EPROTO;
		}
		free(v);
	}
	return 0;
}

static int f_mc_set(void *arg, uint64_t i, unsigned int n)
{
	struct mc_ctx *c = arg;

	while (n--)
		if (memcached_set(c->m, keyset_key(c->ks, i++), c->ks->key_len,
				  c->ks->value, c->ks->value_len, 0, 0) != MEMCACHED_SUCCESS)
			return -EPROTO;
	return 0;
}

static int f_mc_mget64(void *arg, uint64_t i, unsigned int n)
{
	struct mc_ctx *c = arg;
	memcached_return_t rc;
	unsigned int j, got;

	while (n--) {
		for (j = 0; j < 64; j++) {
			c->keys[j] = keyset_key(c->ks, i++);
			c->lens[j] = c->ks->key_len;
		}
		if (memcached_mget(c->m, c->keys, c->lens, 64) != MEMCACHED_SUCCESS)
			return -EPROTO;
		got = 0;
		while (memcached_fetch_result(c->m, &c->res, &rc))
			got++;
		if (got != 64)
			return -EPROTO;
	}
	return 0;
}

static void mc_size(memcached_st *m, unsigned int key_len, unsigned int value_len)
{
	struct bench_fig fig = { .suite = "memcached", .key_len = key_len,
				 .value_len = value_len };
	struct mc_ctx c = { .m = m };
	memcached_st *loader;
	struct keyset ks;
	unsigned int i, v;
	double t0;
	int ret = 0;

	if (keyset_init(&ks, bench_keys_for(value_len), key_len, value_len))
		return;
	fig.nkeys = ks.n;
	c.ks = &ks;
	memcached_result_create(m, &c.res);
	bench_pin(server_cpu);
	/* preload without waiting for each reply */
	t0 = bench_now_ns();
	loader = memcached_clone(NULL, m);
	memcached_behavior_set(loader, MEMCACHED_BEHAVIOR_NOREPLY, 1);
	memcached_behavior_set(loader, MEMCACHED_BEHAVIOR_BUFFER_REQUESTS, 1);
	for (i = 0; i < ks.n; i++)
		memcached_set(loader, keyset_key_ord(&ks, i), key_len, ks.value,
			      value_len, 0, 0);
	memcached_flush_buffers(loader);
	memcached_free(loader);
	bench_log("memcached: preloaded %u keys of %u/%u in %.1f s\n", ks.n,
		  key_len, value_len, (bench_now_ns() - t0) / 1e9);
	/* every key must be there (memcached evicts silently if -m is small) */
	for (i = 0; i < ks.n && !ret; i += ks.n / 100 + 1) {
		memcached_return_t rc;
		size_t len;
		uint32_t fl;
		char *val = memcached_get(m, keyset_key_ord(&ks, i), key_len, &len, &fl, &rc);

		ret = val ? 0 : -ENOENT;
		free(val);
	}
	if (ret) {
		bench_not_measured("memcached", "preload", "keys missing after preload");
		goto out;
	}
	for (v = 0; v < 2; v++) {
		bench_pin(variants[v].cpu);
		fig.variant = variants[v].name;
		fig.batch = fig.per_call = 1;
		fig.latency = true;
		fig.op = "get";
		bench_measure(&fig, f_mc_get, &c);
		fig.op = "set";
		bench_measure(&fig, f_mc_set, &c);
		fig.latency = false;
		fig.batch = fig.per_call = 64;
		fig.op = "mget";
		bench_measure(&fig, f_mc_mget64, &c);
	}
out:
	memcached_flush(m, 0);
	memcached_result_free(&c.res);
	keyset_free(&ks);
}

static void suite_memcached(void)
{
	memcached_st *m = memcached_create(NULL);
	unsigned int s;

	if (!m || memcached_server_add_unix_socket(m, cfg.mc_sock) != MEMCACHED_SUCCESS) {
		bench_not_measured("memcached", "all", "cannot set up libmemcached");
		return;
	}
	if (memcached_version(m) != MEMCACHED_SUCCESS) {
		bench_not_measured("memcached", "all", "no server on the socket");
		memcached_free(m);
		return;
	}
	{
		const memcached_instance_st *in = memcached_server_instance_by_position(m, 0);
		char ver[32];

		snprintf(ver, sizeof(ver), "%u.%u.%u",
			 memcached_server_major_version(in),
			 memcached_server_minor_version(in),
			 memcached_server_micro_version(in));
		bench_record_value("memcached", "version", ver, 0, 0, "info", 0, NULL);
	}
	for (s = 0; s < bench_nr_sizes; s++)
		if (bench_size_selected(bench_sizes[s].key_len, bench_sizes[s].value_len))
			mc_size(m, bench_sizes[s].key_len, bench_sizes[s].value_len);
	memcached_free(m);
}

/* ----------------------------------------------------------------- lmdb */

struct lmdb_ctx {
	MDB_env *env;
	MDB_dbi dbi;
	MDB_txn *rtxn;
	struct keyset *ks;
};

static int f_lmdb_get_renew(void *arg, uint64_t i, unsigned int n)
{
	struct lmdb_ctx *c = arg;
	MDB_val k, v;
	int ret = 0;

	while (n-- && !ret) {
		k.mv_size = c->ks->key_len;
		k.mv_data = (void *)keyset_key(c->ks, i++);
		ret = -mdb_txn_renew(c->rtxn);
		if (!ret)
			ret = -mdb_get(c->rtxn, c->dbi, &k, &v);
		if (!ret)
			memcpy(c->ks->out, v.mv_data, v.mv_size);
		mdb_txn_reset(c->rtxn);
	}
	return ret ? -EPROTO : 0;
}

static int f_lmdb_get_txn(void *arg, uint64_t i, unsigned int n)
{
	struct lmdb_ctx *c = arg;
	MDB_txn *txn;
	MDB_val k, v;
	int ret = 0;

	while (n-- && !ret) {
		k.mv_size = c->ks->key_len;
		k.mv_data = (void *)keyset_key(c->ks, i++);
		ret = mdb_txn_begin(c->env, NULL, MDB_RDONLY, &txn);
		if (ret)
			break;
		ret = mdb_get(txn, c->dbi, &k, &v);
		if (!ret)
			memcpy(c->ks->out, v.mv_data, v.mv_size);
		mdb_txn_abort(txn);
	}
	return ret ? -EPROTO : 0;
}

static int f_lmdb_put(void *arg, uint64_t i, unsigned int n)
{
	struct lmdb_ctx *c = arg;
	MDB_txn *txn;
	MDB_val k, v;
	int ret = 0;

	while (n-- && !ret) {
		k.mv_size = c->ks->key_len;
		k.mv_data = (void *)keyset_key(c->ks, i++);
		v.mv_size = c->ks->value_len;
		v.mv_data = c->ks->value;
		ret = mdb_txn_begin(c->env, NULL, 0, &txn);
		if (ret)
			break;
		ret = mdb_put(txn, c->dbi, &k, &v, 0);
		if (ret)
			mdb_txn_abort(txn);
		else
			ret = mdb_txn_commit(txn);
	}
	return ret ? -EPROTO : 0;
}

static int lmdb_open(struct lmdb_ctx *c, const char *path, size_t mapsize,
		     unsigned int flags)
{
	MDB_txn *txn;
	int ret;

	ret = mdb_env_create(&c->env);
	if (!ret)
		ret = mdb_env_set_mapsize(c->env, mapsize);
	if (!ret)
		ret = mdb_env_open(c->env, path, MDB_NOSUBDIR | MDB_NOSYNC | MDB_NOTLS | flags, 0600);
	if (!ret)
		ret = mdb_txn_begin(c->env, NULL, 0, &txn);
	if (!ret) {
		ret = mdb_dbi_open(txn, NULL, 0, &c->dbi);
		if (!ret)
			ret = mdb_txn_commit(txn);
		else
			mdb_txn_abort(txn);
	}
	if (!ret) {
		ret = mdb_txn_begin(c->env, NULL, MDB_RDONLY, &c->rtxn);
		if (!ret)
			mdb_txn_reset(c->rtxn);
	}
	return ret;
}

static void lmdb_close(struct lmdb_ctx *c)
{
	if (c->rtxn)
		mdb_txn_abort(c->rtxn);
	if (c->env)
		mdb_env_close(c->env);
	c->rtxn = NULL;
	c->env = NULL;
}

static void lmdb_size(unsigned int key_len, unsigned int value_len)
{
	struct bench_fig fig = { .suite = "lmdb", .key_len = key_len,
				 .value_len = value_len, .batch = 1,
				 .latency = true };
	struct lmdb_ctx c = { 0 };
	struct keyset ks;
	char path[512], lock[600];
	size_t mapsize;
	MDB_txn *txn;
	unsigned int i;
	double t0;
	int ret;

	if (keyset_init(&ks, bench_keys_for(value_len), key_len, value_len))
		return;
	fig.nkeys = ks.n;
	c.ks = &ks;
	snprintf(path, sizeof(path), "%s/skv-bench-%u-%u.mdb", cfg.lmdb_dir, key_len, value_len);
	snprintf(lock, sizeof(lock), "%s-lock", path);
	unlink(path);
	unlink(lock);
	mapsize = ((size_t)ks.n * (value_len + key_len + 4096) * 3 / 2 + (64 << 20)) & ~(size_t)0xfffff;
	t0 = bench_now_ns();
	ret = lmdb_open(&c, path, mapsize, 0);
	if (!ret)
		ret = mdb_txn_begin(c.env, NULL, 0, &txn);
	for (i = 0; !ret && i < ks.n; i++) {
		MDB_val k = { key_len, (void *)keyset_key_ord(&ks, i) };
		MDB_val v = { value_len, ks.value };

		ret = mdb_put(txn, c.dbi, &k, &v, 0);
		if (ret)
			mdb_txn_abort(txn);
	}
	if (!ret)
		ret = mdb_txn_commit(txn);
	bench_log("lmdb: preloaded %u keys of %u/%u in %.1f s\n", ks.n,
		  key_len, value_len, (bench_now_ns() - t0) / 1e9);
	if (ret) {
		bench_not_measured("lmdb", "preload", mdb_strerror(ret));
		goto out;
	}
	fig.op = "get";
	fig.note = "read txn reused: mdb_txn_renew + mdb_get + copy + mdb_txn_reset per op";
	bench_measure(&fig, f_lmdb_get_renew, &c);
	fig.op = "get_txn";
	fig.note = "mdb_txn_begin(RDONLY) + mdb_get + copy + mdb_txn_abort per op";
	bench_measure(&fig, f_lmdb_get_txn, &c);
	fig.op = "put";
	fig.note = "txn per put, MDB_NOSYNC, file on tmpfs";
	bench_measure(&fig, f_lmdb_put, &c);
	lmdb_close(&c);
	if (lmdb_open(&c, path, mapsize, MDB_WRITEMAP))
		goto out;
	fig.op = "put_writemap";
	fig.note = "txn per put, MDB_NOSYNC | MDB_WRITEMAP, file on tmpfs";
	bench_measure(&fig, f_lmdb_put, &c);
out:
	lmdb_close(&c);
	unlink(path);
	unlink(lock);
	keyset_free(&ks);
}

static void suite_lmdb(void)
{
	unsigned int s;
	int maj, min, pat;

	mdb_version(&maj, &min, &pat);
	{
		char ver[32];

		snprintf(ver, sizeof(ver), "%d.%d.%d", maj, min, pat);
		bench_record_value("lmdb", "version", ver, 0, 0, "info", 0, NULL);
	}
	for (s = 0; s < bench_nr_sizes; s++)
		if (bench_size_selected(bench_sizes[s].key_len, bench_sizes[s].value_len))
			lmdb_size(bench_sizes[s].key_len, bench_sizes[s].value_len);
}

/* ------------------------------------------------------- AF_UNIX rtt */

static int f_unix_rtt(void *arg, uint64_t i, unsigned int n)
{
	int fd = *(int *)arg;
	char b = 'x';

	(void)i;
	while (n--)
		if (write(fd, &b, 1) != 1 || read(fd, &b, 1) != 1)
			return -EPIPE;
	return 0;
}

static void suite_unix(void)
{
	struct bench_fig fig = { .suite = "unix", .op = "rtt_1byte",
				 .latency = true,
				 .note = "AF_UNIX socketpair, 1-byte write+read, echo child pinned to the server CPU" };
	unsigned int v;
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
		bench_not_measured("unix", "rtt_1byte", strerror(errno));
		return;
	}
	pid = fork();
	if (pid == 0) {
		char b;

		close(sv[0]);
		bench_pin(server_cpu);
		while (read(sv[1], &b, 1) == 1)
			if (write(sv[1], &b, 1) != 1)
				break;
		_exit(0);
	}
	close(sv[1]);
	for (v = 0; v < 2; v++) {
		bench_pin(variants[v].cpu);
		fig.variant = variants[v].name;
		bench_measure(&fig, f_unix_rtt, &sv[0]);
	}
	close(sv[0]);
	waitpid(pid, NULL, 0);
}

/* ----------------------------------------------------------------- main */

static const struct {
	const char *name;
	void (*fn)(void);
	const char *help;
} suites[] = {
	{ "unix", suite_unix, "AF_UNIX 1-byte round trip" },
	{ "redis", suite_redis, "Redis over a unix socket: GET, SET, 64 pipelined GETs, MGET 64" },
	{ "memcached", suite_memcached, "memcached over a unix socket: get, set, multi-get 64" },
	{ "lmdb", suite_lmdb, "LMDB in-process: get (txn reused / per op), put (NOSYNC, WRITEMAP)" },
};
#define NR_SUITES (sizeof(suites) / sizeof(suites[0]))

static void usage(FILE *f)
{
	unsigned int s;

	fprintf(f,
"Usage: skv-bench-peers [OPTIONS] SUITE...\n"
"\n"
"The peers skv is measured against, with skv-bench's keys, sizes and timing.\n"
"Start redis-server (--unixsocket) and memcached (-s) first, pinned with\n"
"taskset to --server-cpu; socket figures are taken with this client on the\n"
"server's CPU (same-cpu) and on --other-cpu (cross-cpu).\n"
"\nSuites:\n");
	for (s = 0; s < NR_SUITES; s++)
		fprintf(f, "  %-10s %s\n", suites[s].name, suites[s].help);
	fprintf(f,
"\nOptions:\n"
"  -k, --keys N         preloaded keys per size (default %u)\n"
"  -K, --keys-large N  ... for 16 KiB values (default %u: preloading 100k of\n"
"                      them in every store takes minutes under TCG)\n"
"  -r, --reps N         timed repetitions per figure (default %u)\n"
"  -t, --rep-ms MS      length of one repetition (default %.0f)\n"
"  -l, --lat-ops N      single-op samples for median/p99 (default %u)\n"
"  -s, --sizes LIST     only these KEY/VALUE sizes, e.g. 16/64\n"
"  -S, --server-cpu N   CPU the servers are pinned to (default 0)\n"
"  -O, --other-cpu N    the other CPU (default 1)\n"
"      --redis PATH     Redis unix socket (default /tmp/redis.sock)\n"
"      --memcached PATH memcached unix socket (default /tmp/memcached.sock)\n"
"      --lmdb-dir DIR   where the LMDB file goes (default /tmp)\n"
"  -j, --json FILE      write every raw figure and the machine facts\n"
"  -q, --quiet          no progress lines\n"
"  -h, --help           this text\n",
		cfg.keys, cfg.keys_large, cfg.reps, cfg.rep_ms, cfg.lat_ops);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "keys", required_argument, NULL, 'k' },
		{ "keys-large", required_argument, NULL, 'K' },
		{ "reps", required_argument, NULL, 'r' },
		{ "rep-ms", required_argument, NULL, 't' },
		{ "lat-ops", required_argument, NULL, 'l' },
		{ "mem-entries", required_argument, NULL, 'm' },
		{ "sizes", required_argument, NULL, 's' },
		{ "server-cpu", required_argument, NULL, 'S' },
		{ "other-cpu", required_argument, NULL, 'O' },
		{ "redis", required_argument, NULL, 1 },
		{ "memcached", required_argument, NULL, 2 },
		{ "lmdb-dir", required_argument, NULL, 3 },
		{ "json", required_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *json = NULL;
	unsigned int s;
	int c, i;

	cfg.redis_sock = "/tmp/redis.sock";
	cfg.mc_sock = "/tmp/memcached.sock";
	cfg.lmdb_dir = "/tmp";
	while ((c = getopt_long(argc, argv, "K:k:r:t:l:m:s:S:O:j:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'k': cfg.keys = strtoul(optarg, NULL, 0); break;
		case 'K': cfg.keys_large = strtoul(optarg, NULL, 0); break;
		case 'r': cfg.reps = strtoul(optarg, NULL, 0); break;
		case 't': cfg.rep_ms = strtod(optarg, NULL); break;
		case 'l': cfg.lat_ops = strtoul(optarg, NULL, 0); break;
		case 'm': break;	/* skv-bench's; accepted for a shared option line */
		case 's': cfg.only_sizes = optarg; break;
		case 'S': server_cpu = atoi(optarg); break;
		case 'O': other_cpu = atoi(optarg); break;
		case 1: cfg.redis_sock = optarg; break;
		case 2: cfg.mc_sock = optarg; break;
		case 3: cfg.lmdb_dir = optarg; break;
		case 'j': json = optarg; break;
		case 'q': cfg.quiet = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind == argc || !cfg.keys || !cfg.keys_large || !cfg.reps || cfg.rep_ms <= 0) {
		usage(stderr);
		return 2;
	}
	init_variants();
	signal(SIGPIPE, SIG_IGN);
	for (i = optind; i < argc; i++) {
		for (s = 0; s < NR_SUITES; s++)
			if (!strcmp(argv[i], suites[s].name))
				break;
		if (s == NR_SUITES) {
			fprintf(stderr, "skv-bench-peers: unknown suite '%s'\n", argv[i]);
			return 2;
		}
		bench_log("== %s\n", suites[s].name);
		suites[s].fn();
	}
	if (json && bench_write_json(json, "skv-bench-peers")) {
		fprintf(stderr, "skv-bench-peers: cannot write %s\n", json);
		return 1;
	}
	return 0;
}
