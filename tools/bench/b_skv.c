// SPDX-License-Identifier: GPL-2.0
/*
 * skv-bench: skv through libskvdev — single ops, batches, scan, read
 * scaling and memory per entry.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "suites.h"

#ifdef HAVE_SKVDEV
#include <poll.h>
#include <pthread.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <skvdev.h>

struct skv_ctx {
	struct skv_table *t;
	struct keyset *ks;
	struct skv_op_batch *b;
	struct skv_scan_iter *it;
	unsigned int batch;
	unsigned int scan_flags;
	uint64_t keys_done;
};

static struct skv_dev *dev;

static int skv_open_table(const char *name, unsigned int entries,
			  unsigned int key_len, unsigned int value_len,
			  struct skv_table **tp)
{
	struct skv_table_attr attr = {
		.max_entries = entries,
		.max_bytes = (uint64_t)entries * (key_len + value_len) * 2,
		.max_key_len = key_len > 512 ? key_len : 512,
		.max_value_len = value_len > 1024 * 1024 ? value_len : 1024 * 1024,
		.mode = 0600,
	};

	skv_table_delete(dev, name);
	return skv_table_open(dev, name, SKV_OPEN_CREATE | SKV_OPEN_EXCL,
			      &attr, tp);
}

/* Load @ks into @t, 64 keys per BATCH. */
static int skv_preload(struct skv_table *t, const struct keyset *ks)
{
	struct skv_op_batch *b;
	unsigned int i, j;
	int ret;

	ret = skv_batch_new(64, &b);
	if (ret)
		return ret;
	for (i = 0; i < ks->n && !ret; i += 64) {
		skv_batch_reset(b);
		for (j = i; j < ks->n && j < i + 64 && !ret; j++)
			ret = skv_batch_add_put(b, keyset_key_ord(ks, j),
						ks->key_len, ks->value,
						ks->value_len, NULL);
		if (!ret)
			ret = skv_batch_submit(t, b);
		for (j = 0; !ret && j < skv_batch_count(b); j++) {
			struct skv_batch_res res;

			ret = skv_batch_result(b, j, &res);
			if (!ret)
				ret = res.status;
		}
	}
	skv_batch_free(b);
	return ret;
}

static int f_get(void *arg, uint64_t i, unsigned int n);

/*
 * After a preload the rhashtable grows in a deferred worker: lookups during
 * the rehash walk two tables and share the vCPU with the worker (GETs ran
 * 2x slower than a moment later). Let it finish before timing anything.
 */
static void skv_settle(struct skv_table *t, struct keyset *ks)
{
	struct skv_ctx c = { .t = t, .ks = ks };

	usleep(1000 * 1000);
	f_get(&c, 0, ks->n < 20000 ? ks->n : 20000);
	usleep(200 * 1000);
}

static int f_get(void *arg, uint64_t i, unsigned int n)
{
	struct skv_ctx *c = arg;
	struct skv_meta meta;
	int ret = 0;

	while (n-- && !ret) {
		size_t len = c->ks->value_len;

		ret = skv_get(c->t, keyset_key(c->ks, i++), c->ks->key_len,
			      c->ks->out, &len, &meta);
	}
	return ret;
}

static int f_put(void *arg, uint64_t i, unsigned int n)
{
	struct skv_ctx *c = arg;
	int ret = 0;

	while (n-- && !ret)
		ret = skv_put(c->t, keyset_key(c->ks, i++), c->ks->key_len,
			      c->ks->value, c->ks->value_len, NULL, NULL);
	return ret;
}

/* An absent key beside each data key: same length, last byte '+'. */
static const char *insert_key(const struct keyset *ks, uint64_t i, char *key)
{
	memcpy(key, keyset_key(ks, i), ks->key_len);
	key[ks->key_len - 1] = '+';
	return key;
}

/* PUT of keys that are absent (f_delete_inserted takes them out again). */
static int f_put_insert(void *arg, uint64_t i, unsigned int n)
{
	struct skv_ctx *c = arg;
	char key[64];
	int ret = 0;

	while (n-- && !ret)
		ret = skv_put(c->t, insert_key(c->ks, i++, key), c->ks->key_len,
			      c->ks->value, c->ks->value_len, NULL, NULL);
	return ret;
}

static int f_delete_inserted(void *arg, uint64_t i, unsigned int n)
{
	struct skv_ctx *c = arg;
	char key[64];
	int ret = 0;

	while (n-- && !ret)
		ret = skv_delete(c->t, insert_key(c->ks, i++, key),
				 c->ks->key_len, 0, 0, NULL);
	return ret;
}

static int f_delete(void *arg, uint64_t i, unsigned int n)
{
	struct skv_ctx *c = arg;
	int ret = 0;

	while (n-- && !ret)
		ret = skv_delete(c->t, keyset_key(c->ks, i++), c->ks->key_len,
				 0, 0, NULL);
	return ret;
}

static int f_incr(void *arg, uint64_t i, unsigned int n)
{
	struct skv_ctx *c = arg;
	char key[64];
	int64_t v;
	int ret = 0;

	while (n-- && !ret) {
		/* counters live beside the data keys: same length, own name */
		memcpy(key, keyset_key(c->ks, i++), c->ks->key_len);
		key[c->ks->key_len - 1] = '#';
		ret = skv_incr(c->t, key, c->ks->key_len, 1, &v, NULL);
	}
	return ret;
}

static int batch_check(struct skv_op_batch *b)
{
	unsigned int j;
	int ret = 0;

	for (j = 0; !ret && j < skv_batch_count(b); j++) {
		struct skv_batch_res res;

		ret = skv_batch_result(b, j, &res);
		if (!ret)
			ret = res.status;
	}
	return ret;
}

static int f_get_batch(void *arg, uint64_t i, unsigned int n)
{
	struct skv_ctx *c = arg;
	unsigned int j;
	int ret = 0;

	while (n-- && !ret) {
		skv_batch_reset(c->b);
		for (j = 0; j < c->batch && !ret; j++)
			ret = skv_batch_add_get(c->b, keyset_key(c->ks, i++),
						c->ks->key_len,
						c->ks->out + (size_t)j * c->ks->value_len,
						c->ks->value_len);
		if (!ret)
			ret = skv_batch_submit(c->t, c->b);
		if (!ret)
			ret = batch_check(c->b);
	}
	return ret;
}

static int f_put_batch(void *arg, uint64_t i, unsigned int n)
{
	struct skv_ctx *c = arg;
	unsigned int j;
	int ret = 0;

	while (n-- && !ret) {
		skv_batch_reset(c->b);
		for (j = 0; j < c->batch && !ret; j++)
			ret = skv_batch_add_put(c->b, keyset_key(c->ks, i++),
						c->ks->key_len, c->ks->value,
						c->ks->value_len, NULL);
		if (!ret)
			ret = skv_batch_submit(c->t, c->b);
		if (!ret)
			ret = batch_check(c->b);
	}
	return ret;
}

/* One call = one key from the iterator; a finished scan starts again. */
static int f_scan(void *arg, uint64_t i, unsigned int n)
{
	struct skv_ctx *c = arg;
	struct skv_scan_item item;
	int ret = 0;

	(void)i;
	while (n--) {
		if (!c->it) {
			ret = skv_scan_begin(c->t, NULL, 0, c->scan_flags, 256,
					     &c->it);
			if (ret)
				return ret;
		}
		ret = skv_scan_next(c->it, &item);
		if (!ret) {
			c->keys_done++;
		} else if (ret == -ENOENT) {	/* end of the scan */
			skv_scan_end(c->it);
			c->it = NULL;
		} else {
			return ret;
		}
	}
	return 0;
}

static void skv_size(unsigned int key_len, unsigned int value_len)
{
	struct bench_fig fig = { .suite = "skv", .key_len = key_len,
				 .value_len = value_len, .batch = 1,
				 .latency = true };
	struct skv_ctx c = { 0 };
	struct keyset ks;
	char name[64];
	static const unsigned int batches[] = { 16, 64 };
	unsigned int b;
	double t0;
	int ret;

	if (keyset_init(&ks, bench_keys_for(value_len), key_len, value_len))
		return;
	fig.nkeys = ks.n;
	snprintf(name, sizeof(name), "bench-%u-%u", key_len, value_len);
	t0 = bench_now_ns();
	ret = skv_open_table(name, ks.n * 2 + 1024, key_len, value_len, &c.t);
	if (!ret)
		ret = skv_preload(c.t, &ks);
	bench_log("skv: preloaded %u keys of %u/%u in %.1f s\n", ks.n,
		  key_len, value_len, (bench_now_ns() - t0) / 1e9);
	if (!ret)
		skv_settle(c.t, &ks);
	if (ret) {
		bench_log("skv: table %s: %s\n", name, strerror(-ret));
		bench_not_measured("skv", name, strerror(-ret));
		goto out;
	}
	c.ks = &ks;
	fig.op = "get";
	bench_measure(&fig, f_get, &c);
	fig.op = "put";
	fig.note = "PUT replacing an existing key's value by one of the same size";
	bench_measure(&fig, f_put, &c);
	fig.op = "put_insert";
	fig.note = "PUT of an absent key (deleted again, untimed, after each run)";
	fig.refill = f_delete_inserted;
	if (key_len < 64)
		bench_measure(&fig, f_put_insert, &c);
	fig.note = NULL;
	fig.op = "delete";
	fig.refill = f_put;	/* put the deleted keys back, untimed */
	bench_measure(&fig, f_delete, &c);
	fig.refill = NULL;
	fig.op = "incr";
	bench_measure(&fig, f_incr, &c);

	fig.latency = false;
	for (b = 0; b < 2; b++) {
		if (skv_batch_new(batches[b], &c.b))
			continue;
		c.batch = batches[b];
		fig.batch = fig.per_call = batches[b];
		fig.op = "get_batch";
		bench_measure(&fig, f_get_batch, &c);
		fig.op = "put_batch";
		bench_measure(&fig, f_put_batch, &c);
		skv_batch_free(c.b);
		c.b = NULL;
	}
	fig.batch = 1;
	fig.per_call = 1;
	fig.keys_done = &c.keys_done;
	fig.op = "scan";
	fig.note = "per key, SCAN with count hint 256, keys only";
	bench_measure(&fig, f_scan, &c);
	if (c.it)
		skv_scan_end(c.it);
	c.it = NULL;
	c.scan_flags = SKV_SCAN_VALUES;
	fig.op = "scan_values";
	fig.note = "per key, SCAN with count hint 256, keys and values";
	bench_measure(&fig, f_scan, &c);
	if (c.it)
		skv_scan_end(c.it);
out:
	if (c.t)
		skv_table_close(c.t);
	skv_table_delete(dev, name);
	keyset_free(&ks);
}

static int skv_setup(void)
{
	int ret;

	if (dev)
		return 0;
	ret = skv_dev_open(NULL, &dev);
	if (ret)
		bench_log("skv: %s: %s\n", SKV_DEV_PATH, strerror(-ret));
	return ret;
}

void suite_skv(void)
{
	unsigned int s;
	int ret = skv_setup();

	if (ret) {
		bench_not_measured("skv", "all", strerror(-ret));
		return;
	}
	for (s = 0; s < bench_nr_sizes; s++)
		if (bench_size_selected(bench_sizes[s].key_len,
					bench_sizes[s].value_len))
			skv_size(bench_sizes[s].key_len, bench_sizes[s].value_len);
}

/*
 * Read scaling: skv GET from 1 and from 2 threads on one table, each
 * thread with its own table fd (as two processes would have), and again
 * with both threads on one fd: in a multithreaded process every ioctl
 * takes a reference on the shared struct file, one cache line for both.
 */
void suite_scale_skv(void)
{
	struct skv_ctx c[2] = { 0 };
	struct skv_table *t2 = NULL;
	struct keyset ks[2];
	const char *name = "bench-scale";
	int ret = skv_setup();

	if (ret) {
		bench_not_measured("scale", "skv_get", strerror(-ret));
		return;
	}
	if (keyset_init(&ks[0], cfg.keys, 16, 64) ||
	    keyset_init(&ks[1], cfg.keys, 16, 64))
		return;
	ret = skv_open_table(name, cfg.keys * 2, 16, 64, &c[0].t);
	if (!ret)
		ret = skv_preload(c[0].t, &ks[0]);
	if (!ret)
		ret = skv_table_open(dev, name, 0, NULL, &t2);
	if (ret) {
		bench_not_measured("scale", "skv_get", strerror(-ret));
		goto out;
	}
	skv_settle(c[0].t, &ks[0]);
	free(ks[1].perm);	/* each reader its own random order */
	ks[1].perm = bench_perm(cfg.keys);
	c[0].ks = &ks[0];
	c[1].ks = &ks[1];
	c[1].t = t2;
	bench_scale("skv_get", f_get, &c[0], &c[1]);
	c[1].t = c[0].t;
	bench_scale("skv_get_shared_fd", f_get, &c[0], &c[1]);
out:
	if (t2)
		skv_table_close(t2);
	if (c[0].t)
		skv_table_close(c[0].t);
	skv_table_delete(dev, name);
	keyset_free(&ks[0]);
	keyset_free(&ks[1]);
}

/* Memory per entry: cfg.mem_entries entries of 16 B keys, 64 B values. */
void suite_memory_skv(void)
{
	struct mem_snap before, after;
	struct skv_table *t = NULL;
	struct skv_stats st = { 0 };
	struct keyset ks;
	const char *name = "bench-mem";
	int ret = skv_setup();

	if (ret) {
		bench_not_measured("memory", "skv", strerror(-ret));
		return;
	}
	if (keyset_init(&ks, cfg.mem_entries, 16, 64))
		return;
	ret = skv_open_table(name, cfg.mem_entries + 1024, 16, 64, &t);
	if (ret) {
		bench_not_measured("memory", "skv", strerror(-ret));
		goto out;
	}
	mem_settle();
	mem_snapshot(&before);
	ret = skv_preload(t, &ks);
	mem_settle();
	mem_snapshot(&after);
	if (!ret)
		ret = skv_table_stats(t, &st);
	if (ret) {
		bench_not_measured("memory", "skv", strerror(-ret));
		goto out;
	}
	mem_report("skv", &before, &after, st.entries, 16 + 64);
out:
	if (t)
		skv_table_close(t);
	skv_table_delete(dev, name);
	keyset_free(&ks);
}

/* ------------------------------------------------------------- events */

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct drainer {
	pthread_t th;
	struct skv_events *ev;
	volatile int stop;
	uint64_t events, lost;
};

static void *drain_events(void *p)
{
	struct drainer *d = p;
	struct pollfd pfd = { .fd = skv_events_fd(d->ev), .events = POLLIN };
	struct skv_event e;

	bench_pin(cfg.cpu_b);
	while (!d->stop) {
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		while (!skv_events_next(d->ev, &e)) {
			d->events++;
			d->lost = e.lost;
		}
	}
	return NULL;
}

/*
 * PUT with 0 and with 1 subscriber (draining on the other CPU), on three
 * tables measured in turns so that drift of the host hits all alike:
 *   A  never subscribed
 *   B  subscribed once, then unsubscribed: no subscriber
 *   C  one subscriber
 * The module cannot be rebuilt without events inside one boot, so "write
 * cost with no subscriber" is B against A: the same unless the data path
 * pays more than its one nr_subscribers check once events were used.
 */
void suite_events_skv(void)
{
	static const char *const names[4] = { "bench-ev-a", "bench-ev-b", "bench-ev-c",
					      "bench-ev-d" };
	static const char *const what[4] = { "0-subscribers", "0-subscribers-after-unsubscribe",
					     "1-subscriber", "0-subscribers-control" };
	unsigned int rounds = cfg.reps * 2, r, k;
	struct skv_ctx c[4] = { 0 };
	struct drainer d = { 0 };
	struct skv_events *evb = NULL;
	double *v[4] = { 0 }, mn[4], md[4], t0, per;
	uint64_t i = 0, calls;
	struct keyset ks;
	int ret = skv_setup();

	if (ret) {
		bench_not_measured("events", "put_subscriber", strerror(-ret));
		return;
	}
	if (keyset_init(&ks, cfg.keys, 16, 64))
		return;
	for (k = 0; k < 4 && !ret; k++) {
		c[k].ks = &ks;
		v[k] = calloc(rounds, sizeof(double));
		ret = v[k] ? skv_open_table(names[k], cfg.keys * 2, 16, 64, &c[k].t) : -ENOMEM;
		if (!ret)
			ret = skv_preload(c[k].t, &ks);
	}
	if (!ret)
		ret = skv_events_open(&evb);
	if (!ret)
		ret = skv_events_subscribe(evb, names[1]);
	if (!ret)
		ret = skv_events_unsubscribe(evb, names[1]);
	if (!ret)
		ret = skv_events_open(&d.ev);
	if (!ret)
		ret = skv_events_subscribe(d.ev, names[2]);
	if (ret) {
		bench_not_measured("events", "put_subscriber", strerror(-ret));
		goto out;
	}
	for (k = 0; k < 4; k++)
		skv_settle(c[k].t, &ks);
	pthread_create(&d.th, NULL, drain_events, &d);
	f_put(&c[0], i, 64);
	t0 = bench_now_ns();
	f_put(&c[0], i + 64, 64);
	per = (bench_now_ns() - t0) / 64;
	calls = (uint64_t)(cfg.rep_ms * 1e6 / (per > 1 ? per : 1));
	calls = calls < 16 ? 16 : calls;
	for (r = 0; r < rounds && !ret; r++)
		for (k = 0; k < 4 && !ret; k++) {
			/* A, D (a second never-subscribed table: the noise
			 * floor) and B take turns going first; C comes last */
			static const unsigned int order[2][4] = { { 0, 3, 1, 2 }, { 1, 3, 0, 2 } };
			unsigned int t = order[r & 1][k];

			t0 = bench_now_ns();
			ret = f_put(&c[t], i, calls);
			v[t][r] = (bench_now_ns() - t0) / calls;
			i += calls;
			/* let the subscriber catch up: its work on the other
			 * vCPU must not overlap the next table's run */
			if (t == 2)
				usleep(50000);
		}
	d.stop = 1;
	pthread_join(d.th, NULL);
	if (ret) {
		bench_not_measured("events", "put_subscriber", strerror(-ret));
		goto out;
	}
	for (k = 0; k < 4; k++) {
		json_object *x = json_object_new_object(), *a = json_object_new_array();

		qsort(v[k], rounds, sizeof(double), cmp_dbl);
		mn[k] = v[k][0];
		md[k] = (v[k][(rounds - 1) / 2] + v[k][rounds / 2]) / 2;
		for (r = 0; r < rounds; r++)
			json_object_array_add(a, json_object_new_double(v[k][r]));
		json_object_object_add(x, "ns_min", json_object_new_double(mn[k]));
		json_object_object_add(x, "ns_median", json_object_new_double(md[k]));
		json_object_object_add(x, "ns_reps_sorted", a);
		json_object_object_add(x, "calls_per_rep", json_object_new_int64(calls));
		if (k == 2) {
			json_object_object_add(x, "events_received", json_object_new_int64(d.events));
			json_object_object_add(x, "events_lost", json_object_new_int64(d.lost));
		}
		bench_record_value("events", "put", what[k], 16, 64, "ns/key", mn[k], x);
	}
	{
		json_object *x = json_object_new_object();

		json_object_object_add(x, "by_medians_percent", json_object_new_double((md[2] / md[0] - 1) * 100));
		bench_record_value("events", "put_subscriber_cost", NULL, 16, 64, "%",
				   (mn[2] / mn[0] - 1) * 100, x);
		x = json_object_new_object();
		json_object_object_add(x, "by_medians_percent", json_object_new_double((md[1] / md[0] - 1) * 100));
		json_object_object_add(x, "method", json_object_new_string(
			"PUT, min over interleaved repetitions, on a table whose subscriber left vs. one never subscribed; "
			"a proxy: the module cannot be rebuilt without events within one boot"));
		bench_record_value("events", "put_no_subscriber_overhead", NULL, 16, 64, "%",
				   (mn[1] / mn[0] - 1) * 100, x);
		x = json_object_new_object();
		json_object_object_add(x, "method", json_object_new_string(
			"two never-subscribed tables against each other: the resolution of the figure above"));
		bench_record_value("events", "put_control_spread", NULL, 16, 64, "%",
				   (mn[3] / mn[0] - 1) * 100, x);
	}
out:
	if (d.ev)
		skv_events_close(d.ev);
	if (evb)
		skv_events_close(evb);
	for (k = 0; k < 4; k++) {
		if (c[k].t)
			skv_table_close(c[k].t);
		skv_table_delete(dev, names[k]);
		free(v[k]);
	}
	keyset_free(&ks);
}

/* ------------------------------------------------------------ netlink */

struct nl_ctx {
	struct nl_sock *sk;
	int family;
	const char *table;
	struct keyset *ks;
	size_t got;
};

static int nl_value_cb(struct nl_msg *msg, void *arg)
{
	struct nl_ctx *c = arg;
	struct nlattr *tb[SKV_A_ENTRY_MAX + 1];

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, SKV_A_ENTRY_MAX, NULL))
		return NL_SKIP;
	if (tb[SKV_A_ENTRY_VALUE]) {
		c->got = nla_len(tb[SKV_A_ENTRY_VALUE]);
		memcpy(c->ks->out, nla_data(tb[SKV_A_ENTRY_VALUE]),
		       c->got < c->ks->value_len ? c->got : c->ks->value_len);
	}
	return NL_OK;
}

/* key-get through libnl-genl-3, as a netlink client would do it */
static int f_nl_get(void *arg, uint64_t i, unsigned int n)
{
	struct nl_ctx *c = arg;
	struct nl_msg *msg;
	int ret = 0;

	while (n-- && !ret) {
		msg = nlmsg_alloc();
		if (!msg)
			return -ENOMEM;
		if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, c->family, 0, 0,
				 SKV_CMD_KEY_GET, SKV_GENL_VERSION) ||
		    nla_put_string(msg, SKV_A_ENTRY_TABLE, c->table) ||
		    nla_put(msg, SKV_A_ENTRY_KEY, c->ks->key_len, keyset_key(c->ks, i++))) {
			nlmsg_free(msg);
			return -EMSGSIZE;
		}
		c->got = 0;
		ret = nl_send_auto(c->sk, msg);
		nlmsg_free(msg);
		if (ret < 0)
			return -EIO;
		ret = nl_recvmsgs_default(c->sk);
		if (ret < 0)
			return -EIO;
		ret = c->got == c->ks->value_len ? 0 : -EPROTO;
	}
	return ret;
}

void suite_netlink_skv(void)
{
	struct bench_fig fig = { .suite = "netlink", .op = "get", .batch = 1,
				 .latency = true,
				 .note = "generic netlink key-get through libnl-genl-3, one request and reply per key" };
	struct nl_ctx c = { 0 };
	struct skv_table *t = NULL;
	struct keyset ks;
	char name[64];
	unsigned int s;
	int ret = skv_setup();

	if (ret) {
		bench_not_measured("netlink", "get", strerror(-ret));
		return;
	}
	c.sk = nl_socket_alloc();
	if (!c.sk || genl_connect(c.sk)) {
		bench_not_measured("netlink", "get", "cannot open a generic netlink socket");
		goto out_sk;
	}
	c.family = genl_ctrl_resolve(c.sk, SKV_GENL_NAME);
	if (c.family < 0) {
		bench_not_measured("netlink", "get", "the skv generic netlink family is not registered");
		goto out_sk;
	}
	nl_socket_modify_cb(c.sk, NL_CB_VALID, NL_CB_CUSTOM, nl_value_cb, &c);
	nl_socket_disable_auto_ack(c.sk);	/* the reply is the answer */
	/* values above 64 KiB cannot travel in one attribute; 16 KiB can */
	for (s = 0; s < bench_nr_sizes; s++) {
		unsigned int kl = bench_sizes[s].key_len, vl = bench_sizes[s].value_len;

		if (!bench_size_selected(kl, vl))
			continue;
		if (keyset_init(&ks, bench_keys_for(vl), kl, vl))
			break;
		snprintf(name, sizeof(name), "bench-nl-%u-%u", kl, vl);
		ret = skv_open_table(name, ks.n * 2 + 1024, kl, vl, &t);
		if (!ret)
			ret = skv_preload(t, &ks);
		if (!ret) {
			skv_settle(t, &ks);
			c.table = name;
			c.ks = &ks;
			fig.key_len = kl;
			fig.value_len = vl;
			fig.nkeys = ks.n;
			bench_measure(&fig, f_nl_get, &c);
		} else {
			bench_not_measured("netlink", "get", strerror(-ret));
		}
		if (t)
			skv_table_close(t);
		t = NULL;
		skv_table_delete(dev, name);
		keyset_free(&ks);
	}
out_sk:
	if (c.sk)
		nl_socket_free(c.sk);
}


/* ------------------------------------------------------------- curve */

static int cmp_lat(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;

	return x < y ? -1 : x > y;
}

/*
 * One point of the cost curve: @n entries of 16/64. The table is filled
 * from empty by single PUTs (up to 10^6; beyond, by BATCH), each timed
 * alone: the rhashtable doubles its buckets about log2(n) times on the
 * way, so the tail of these latencies is the worst single op while the
 * table resizes. Then memory per entry, GET and PUT (replace).
 */
static void curve_point(unsigned int n)
{
	struct bench_fig fig = { .suite = "curve", .key_len = 16,
				 .value_len = 64, .batch = 1, .nkeys = n };
	struct mem_snap before, after;
	struct skv_ctx c = { 0 };
	struct skv_stats st = { 0 };
	char name[64], variant[32];
	float *lat = NULL;
	struct keyset ks;
	unsigned int i;
	double t0, t1, clk;
	int ret;

	if (keyset_init(&ks, n, 16, 64))
		return;
	snprintf(name, sizeof(name), "bench-curve-%u", n);
	snprintf(variant, sizeof(variant), "n=%u", n);
	fig.variant = variant;
	c.ks = &ks;
	ret = skv_open_table(name, n + 1024, 16, 64, &c.t);
	if (ret)
		goto fail;
	mem_settle();
	mem_snapshot(&before);
	t0 = bench_now_ns();
	if (n <= 1000000) {
		lat = malloc(sizeof(*lat) * n);
		if (!lat) {
			ret = -ENOMEM;
			goto fail;
		}
		clk = bench_now_ns();
		clk = bench_now_ns() - clk;
		for (i = 0; i < n && !ret; i++) {
			t1 = bench_now_ns();
			ret = skv_put(c.t, keyset_key_ord(&ks, i), 16, ks.value, 64,
				      NULL, NULL);
			lat[i] = bench_now_ns() - t1 - clk;
		}
	} else {
		ret = skv_preload(c.t, &ks);
	}
	bench_log("curve: filled %u entries in %.1f s\n", n, (bench_now_ns() - t0) / 1e9);
	if (ret)
		goto fail;
	mem_settle();
	mem_snapshot(&after);
	ret = skv_table_stats(c.t, &st);
	if (ret)
		goto fail;
	{
		char store[48];

		snprintf(store, sizeof(store), "curve_n%u", n);
		mem_report(store, &before, &after, st.entries, 16 + 64);
	}
	if (lat) {
		json_object *x = json_object_new_object();

		qsort(lat, n, sizeof(*lat), cmp_lat);
		json_object_object_add(x, "ops", json_object_new_int64(n));
		json_object_object_add(x, "median_ns", json_object_new_double(lat[n / 2]));
		json_object_object_add(x, "p99_ns", json_object_new_double(lat[(size_t)(n * 0.99)]));
		json_object_object_add(x, "p99_9_ns", json_object_new_double(lat[(size_t)(n * 0.999)]));
		json_object_object_add(x, "max_ns", json_object_new_double(lat[n - 1]));
		json_object_object_add(x, "note", json_object_new_string(
			"every PUT of filling an empty table to n entries, timed alone: "
			"the rhashtable grows (a deferred rehash) about log2(n/64) times meanwhile"));
		bench_record_value("curve", "insert_latency_p99_9", variant, 16, 64, "ns",
				   lat[(size_t)(n * 0.999)], x);
		bench_record_value("curve", "insert_latency_max", variant, 16, 64, "ns",
				   lat[n - 1], NULL);
	}
	skv_settle(c.t, &ks);
	fig.op = "get";
	bench_measure(&fig, f_get, &c);
	fig.op = "put";
	bench_measure(&fig, f_put, &c);
	goto out;
fail:
	bench_log("curve: %u entries: %s\n", n, strerror(-ret));
	bench_not_measured("curve", variant, strerror(-ret));
out:
	free(lat);
	if (c.t)
		skv_table_close(c.t);
	skv_table_delete(dev, name);
	keyset_free(&ks);
}

void suite_curve_skv(void)
{
	const char *p = cfg.curve;
	char *end;
	unsigned long n;

	if (skv_setup()) {
		bench_not_measured("curve", "all", "/dev/skv cannot be opened");
		return;
	}
	while (p && *p) {
		n = strtoul(p, &end, 0);
		if (end == p)
			break;
		if (n)
			curve_point(n);
		p = *end == ',' ? end + 1 : end;
	}
}

#else /* !HAVE_SKVDEV */

void suite_skv(void)
{
	bench_not_measured("skv", "all", "built without libskvdev");
}

void suite_scale_skv(void)
{
	bench_not_measured("scale", "skv_get", "built without libskvdev");
}

void suite_memory_skv(void)
{
	bench_not_measured("memory", "skv", "built without libskvdev");
}

void suite_events_skv(void)
{
	bench_not_measured("events", "put_subscriber", "built without libskvdev");
}

void suite_netlink_skv(void)
{
	bench_not_measured("netlink", "get", "built without libskvdev");
}

void suite_curve_skv(void)
{
	bench_not_measured("curve", "all", "built without libskvdev");
}
#endif
