// SPDX-License-Identifier: GPL-2.0
/*
 * skv-bench: mapped tables (issue 13). In one boot, over the same keys,
 * values and random key order (16 B keys / 64 B values by default):
 *
 *   local/get      an in-process open-addressing hash table: hash the key,
 *                  probe, compare, copy the value out. The physical limit
 *                  of any read from memory the process can see.
 *   mapped/get     skv_map_get(): the reader protocol of skv_map.h over the
 *                  table's read-only mapping, no system call.
 *   mapped/get_ioctl  the GET ioctl on the same mapped table (the fallback).
 *   mapped/put     PUT (replace) on the mapped table, and mapped/put_normal
 *                  the same PUTs on an ordinary table of the same size.
 *   scale/mapped_get  1 reader thread against 2.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "bench.h"
#include "suites.h"

/* ------------------------------------------------------ in-process table */

struct local_table {
	uint64_t mask;
	uint32_t *slot;		/* 1 + key index; 0 = empty */
	const struct keyset *ks;
	char *values;		/* one value per key */
};

/* A fast 64-bit hash of the key's 8-byte words (murmur3's finaliser). */
static uint64_t local_hash(const void *key, unsigned int len)
{
	const unsigned char *p = key;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ len, w;

	for (; len >= 8; len -= 8, p += 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 33;
	}
	if (len) {
		w = 0;
		memcpy(&w, p, len);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
	}
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 33);
}

static int local_init(struct local_table *lt, const struct keyset *ks)
{
	uint64_t size = 1, i, b;

	while (size < 2ULL * ks->n)
		size <<= 1;
	lt->mask = size - 1;
	lt->ks = ks;
	lt->slot = calloc(size, sizeof(*lt->slot));
	lt->values = malloc((size_t)ks->n * ks->value_len);
	if (!lt->slot || !lt->values)
		return -ENOMEM;
	for (i = 0; i < ks->n; i++) {
		memcpy(lt->values + i * ks->value_len, ks->value, ks->value_len);
		b = local_hash(keyset_key_ord(ks, i), ks->key_len) & lt->mask;
		while (lt->slot[b])
			b = (b + 1) & lt->mask;
		lt->slot[b] = i + 1;
	}
	return 0;
}

static void local_free(struct local_table *lt)
{
	free(lt->slot);
	free(lt->values);
}

static int f_local_get(void *arg, uint64_t i, unsigned int n)
{
	struct local_table *lt = arg;
	const struct keyset *ks = lt->ks;

	while (n--) {
		const char *key = keyset_key(ks, i++);
		uint64_t b = local_hash(key, ks->key_len) & lt->mask;
		uint32_t s;

		for (;; b = (b + 1) & lt->mask) {
			s = lt->slot[b];
			if (!s)
				return -ENOENT;
			if (!memcmp(keyset_key_ord(ks, s - 1), key, ks->key_len))
				break;
		}
		memcpy(ks->out, lt->values + (size_t)(s - 1) * ks->value_len,
		       ks->value_len);
	}
	return 0;
}

#ifdef HAVE_SKVDEV
#include <skvdev.h>

struct mapped_ctx {
	struct skv_table *t;
	struct keyset *ks;
	char *out;
};

static int f_mapped_get(void *arg, uint64_t i, unsigned int n)
{
	struct mapped_ctx *c = arg;
	int ret = 0;

	while (n-- && !ret) {
		size_t len = c->ks->value_len;

		ret = skv_map_get(c->t, keyset_key(c->ks, i++), c->ks->key_len,
				  c->out, &len, NULL);
	}
	return ret;
}

static int f_ioctl_get(void *arg, uint64_t i, unsigned int n)
{
	struct mapped_ctx *c = arg;
	int ret = 0;

	while (n-- && !ret) {
		struct skv_get g = {
			.size = sizeof(g),
			.key_len = c->ks->key_len,
			.key_ptr = (uintptr_t)keyset_key(c->ks, i++),
			.value_len = c->ks->value_len,
			.value_ptr = (uintptr_t)c->out,
		};

		ret = ioctl(skv_table_fd(c->t), SKV_IOC_GET, &g) ? -errno : 0;
	}
	return ret;
}

static int f_put(void *arg, uint64_t i, unsigned int n)
{
	struct mapped_ctx *c = arg;
	int ret = 0;

	while (n-- && !ret)
		ret = skv_put(c->t, keyset_key(c->ks, i++), c->ks->key_len,
			      c->ks->value, c->ks->value_len, NULL, NULL);
	return ret;
}

/* A table of @ks's geometry, mapped or not, loaded with every key. */
static int mapped_table(struct skv_dev *dev, const char *name, bool mapped,
			struct keyset *ks, struct skv_table **tp)
{
	struct skv_table_attr attr = {
		.max_entries = ks->n + 1024,
		.max_key_len = ks->key_len,
		.max_value_len = ks->value_len,
		.max_bytes = (uint64_t)(ks->n + 1024) * (ks->key_len + ks->value_len),
	};
	struct mapped_ctx c = { .ks = ks };
	int ret;

	skv_table_delete(dev, name);
	ret = skv_table_open2(dev, name, SKV_OPEN_CREATE | SKV_OPEN_EXCL, &attr,
			      mapped ? SKV_TABLE_MAPPED : 0, tp);
	if (ret)
		return ret;
	if (mapped && !skv_table_mapped(*tp))
		return -ENODEV;
	c.t = *tp;
	/* In key order, as the other suites preload. */
	for (uint64_t i = 0; i < ks->n && !ret; i++)
		ret = skv_put(c.t, keyset_key_ord(ks, i), ks->key_len,
			      ks->value, ks->value_len, NULL, NULL);
	return ret;
}

static void mapped_size(struct skv_dev *dev, unsigned int key_len,
			unsigned int value_len)
{
	struct bench_fig fig = { .suite = "mapped", .key_len = key_len,
				 .value_len = value_len, .batch = 1,
				 .per_call = 1, .latency = true };
	struct skv_table *t = NULL, *normal = NULL, *t2 = NULL;
	struct mapped_ctx c = { 0 }, c2 = { 0 };
	struct local_table lt = { 0 };
	struct keyset ks, ks2;
	int ret;

	if (keyset_init(&ks, bench_keys_for(value_len), key_len, value_len))
		return;
	if (keyset_init(&ks2, ks.n, key_len, value_len)) {
		keyset_free(&ks);
		return;
	}
	fig.nkeys = ks.n;
	ret = local_init(&lt, &ks);
	if (!ret) {
		fig.suite = "local";
		fig.op = "get";
		fig.note = "in-process open-addressing hash table, same keys and order";
		bench_measure(&fig, f_local_get, &lt);
		fig.note = NULL;
		fig.suite = "mapped";
	}
	ret = mapped_table(dev, "bench-mapped", true, &ks, &t);
	if (ret) {
		bench_not_measured("mapped", "get", strerror(-ret));
		goto out;
	}
	c.t = t;
	c.ks = &ks;
	c.out = ks.out;
	fig.op = "get";
	bench_measure(&fig, f_mapped_get, &c);
	fig.op = "get_ioctl";
	bench_measure(&fig, f_ioctl_get, &c);
	fig.op = "put";
	bench_measure(&fig, f_put, &c);
	ret = mapped_table(dev, "bench-mapped-normal", false, &ks, &normal);
	if (!ret) {
		struct mapped_ctx n = { .t = normal, .ks = &ks, .out = ks.out };

		/* The rhashtable grows in a worker after the preload: let it. */
		usleep(1000 * 1000);

		fig.op = "put_normal";
		fig.note = "PUT on an ordinary table of the same size";
		bench_measure(&fig, f_put, &n);
		fig.note = NULL;
		skv_table_close(normal);
		skv_table_delete(dev, "bench-mapped-normal");
	} else {
		bench_not_measured("mapped", "put_normal", strerror(-ret));
	}

	/* Two readers, each with its own handle (as two processes), own order. */
	if (key_len == 16 && value_len == 64 &&
	    !skv_table_open(dev, "bench-mapped", SKV_OPEN_RDONLY, NULL, &t2)) {
		c2.t = t2;
		c2.ks = &ks2;
		c2.out = ks2.out;
		bench_scale("mapped_get", f_mapped_get, &c, &c2);
		skv_table_close(t2);
	}
out:
	if (t)
		skv_table_close(t);
	skv_table_delete(dev, "bench-mapped");
	local_free(&lt);
	keyset_free(&ks);
	keyset_free(&ks2);
}

void suite_mapped(void)
{
	struct skv_dev *dev;
	unsigned int s;
	int ret = skv_dev_open(NULL, &dev);

	if (ret) {
		bench_not_measured("mapped", "all", strerror(-ret));
		return;
	}
	for (s = 0; s < bench_nr_sizes; s++) {
		unsigned int k = bench_sizes[s].key_len, v = bench_sizes[s].value_len;

		if (!bench_size_selected(k, v))
			continue;
		if (32 + k + v > SKV_MAP_SLOT_SIZE_CAP) {
			bench_not_measured("mapped", "get", "value above the mapped slot cap");
			continue;
		}
		mapped_size(dev, k, v);
	}
	skv_dev_close(dev);
}
#else
void suite_mapped(void)
{
	bench_not_measured("mapped", "all", "built without libskvdev");
}
#endif
