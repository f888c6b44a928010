// SPDX-License-Identifier: GPL-2.0
/*
 * skvtool: dump and restore.
 *
 * Dump file format, version 1. Every integer is little-endian.
 *
 *   header, 128 bytes:
 *     0   8  magic "SKVDUMP\0"
 *     8   4  format version, 1
 *     12  4  header size, 128 (a reader skips what it does not know)
 *     16 64  table name, NUL-padded
 *     80  8  max_entries        88  8  max_bytes
 *     96  4  max_key_len        100 4  max_value_len
 *     104 8  default_ttl_ms     112 4  policy
 *     116 4  mode               120 8  number of records
 *   records, sorted by key (memcmp order, shorter first on a tie):
 *     u32 key_len, u32 value_len, u32 user_flags, u32 zero,
 *     u64 ttl_ms (remaining at dump time, 0 = none), key, value
 *   trailer:
 *     u32 CRC-32 (zlib's crc32()) of every byte before it
 *
 * Sorting makes two dumps of equal tables byte-identical. Versions are
 * not kept: the kernel assigns new ones on restore.
 */
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "skvtool.h"

#define DUMP_MAGIC	"SKVDUMP"	/* with its NUL: 8 bytes */
#define DUMP_VERSION	1
#define DUMP_HDR_SIZE	128
#define DUMP_REC_SIZE	24

struct rec {
	unsigned char *key;
	unsigned char *value;
	uint32_t key_len;
	uint32_t value_len;
	uint32_t user_flags;
	uint64_t ttl_ms;
};

struct recs {
	struct rec *v;
	size_t n, cap;
};

static int recs_push(struct recs *r, const struct rec *rec)
{
	struct rec *v;

	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 1024;
		v = realloc(r->v, r->cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		r->v = v;
	}
	r->v[r->n++] = *rec;
	return 0;
}

static int rec_cmp(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;
	uint32_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
	int c = memcmp(x->key, y->key, n);

	if (c)
		return c;
	return (x->key_len > y->key_len) - (x->key_len < y->key_len);
}

/* A little-endian byte sink that keeps the CRC of what went through it. */
struct sink {
	FILE *f;
	uLong crc;
};

static void put_bytes(struct sink *s, const void *p, size_t len)
{
	fwrite(p, 1, len, s->f);
	while (len) {
		uInt n = len > UINT32_MAX ? UINT32_MAX : len;

		s->crc = crc32(s->crc, p, n);
		p = (const char *)p + n;
		len -= n;
	}
}

static void put_u32(struct sink *s, uint32_t v)
{
	v = htole32(v);
	put_bytes(s, &v, sizeof(v));
}

static void put_u64(struct sink *s, uint64_t v)
{
	v = htole64(v);
	put_bytes(s, &v, sizeof(v));
}

static void free_recs(struct recs *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->v[i].key);
		free(r->v[i].value);
	}
	free(r->v);
}

/* Scan the whole table into @r, sorted, each key once. */
static int collect(struct skv_table *t, struct recs *r)
{
	struct skv_scan_iter *it;
	struct skv_scan_item item;
	struct rec rec;
	size_t i, n;
	int ret;

	ret = skv_scan_begin(t, NULL, 0, SKV_SCAN_VALUES, 0, &it);
	if (ret)
		return ret;
	while (!(ret = skv_scan_next(it, &item))) {
		rec.key = malloc(item.key_len);
		rec.value = malloc(item.value_len ? item.value_len : 1);
		if (!rec.key || !rec.value) {
			free(rec.key);
			free(rec.value);
			ret = -ENOMEM;
			break;
		}
		memcpy(rec.key, item.key, item.key_len);
		memcpy(rec.value, item.value, item.value_len);
		rec.key_len = item.key_len;
		rec.value_len = item.value_len;
		rec.user_flags = item.user_flags;
		rec.ttl_ms = item.ttl_ms;
		ret = recs_push(r, &rec);
		if (ret)
			break;
	}
	skv_scan_end(it);
	if (ret != -ENOENT)
		return ret;
	qsort(r->v, r->n, sizeof(r->v[0]), rec_cmp);
	/* A scan may return a key twice (while the table resizes). */
	for (i = n = 0; i < r->n; i++) {
		if (n && !rec_cmp(&r->v[n - 1], &r->v[i])) {
			free(r->v[n - 1].key);
			free(r->v[n - 1].value);
			r->v[n - 1] = r->v[i];
			continue;
		}
		r->v[n++] = r->v[i];
	}
	r->n = n;
	return 0;
}

int cmd_dump(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_OPTS,
		{ "output", required_argument, NULL, 'o' },
		{}
	};
	unsigned char zero[SKV_NAME_MAX] = {};
	const char *output = NULL;
	struct recs r = {};
	struct skv_info info;
	struct skv_table *t;
	struct sink s;
	uint32_t crc;
	size_t i;
	int c, ret;

	while ((c = getopt_long(argc, argv, ":hxjo:", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		default:
			ret = common_option(c, argv, NULL, NULL);
			if (ret >= 0)
				return ret;
			break;
		}
	}
	ret = positional(argc, argv, 1, 1, "TABLE");
	if (ret)
		return ret;
	ret = open_table(argv[optind], SKV_OPEN_RDONLY, &t);
	if (ret)
		return ret;
	ret = skv_table_info(t, &info);
	if (ret) {
		ret = fail(ret, "dump: info");
		goto out;
	}
	ret = collect(t, &r);
	if (ret) {
		ret = fail(ret, "dump: scan");
		goto out;
	}
	s.crc = crc32(0, NULL, 0);
	s.f = output ? fopen(output, "we") : stdout;
	if (!s.f) {
		ret = fail(errno, "%s", output);
		goto out;
	}
	put_bytes(&s, DUMP_MAGIC, 8);
	put_u32(&s, DUMP_VERSION);
	put_u32(&s, DUMP_HDR_SIZE);
	put_bytes(&s, info.name, strnlen(info.name, SKV_NAME_MAX));
	put_bytes(&s, zero, SKV_NAME_MAX - strnlen(info.name, SKV_NAME_MAX));
	put_u64(&s, info.attr.max_entries);
	put_u64(&s, info.attr.max_bytes);
	put_u32(&s, info.attr.max_key_len);
	put_u32(&s, info.attr.max_value_len);
	put_u64(&s, info.attr.default_ttl_ms);
	put_u32(&s, info.attr.policy);
	put_u32(&s, info.attr.mode);
	put_u64(&s, r.n);
	for (i = 0; i < r.n; i++) {
		put_u32(&s, r.v[i].key_len);
		put_u32(&s, r.v[i].value_len);
		put_u32(&s, r.v[i].user_flags);
		put_u32(&s, 0);
		put_u64(&s, r.v[i].ttl_ms);
		put_bytes(&s, r.v[i].key, r.v[i].key_len);
		put_bytes(&s, r.v[i].value, r.v[i].value_len);
	}
	crc = htole32(s.crc);
	fwrite(&crc, 1, sizeof(crc), s.f);
	if (ferror(s.f) | (output ? fclose(s.f) : fflush(s.f)))
		ret = fail(errno ? errno : EIO, "%s", output ? output : "stdout");
out:
	free_recs(&r);
	skv_table_close(t);
	return ret;
}

/* Bounds-checked little-endian reader over a dump in memory. */
struct src {
	const unsigned char *p;
	size_t left;
};

static bool get_bytes(struct src *s, void *dst, size_t len)
{
	if (s->left < len)
		return false;
	if (dst)
		memcpy(dst, s->p, len);
	s->p += len;
	s->left -= len;
	return true;
}

static bool get_u32(struct src *s, uint32_t *v)
{
	if (!get_bytes(s, v, sizeof(*v)))
		return false;
	*v = le32toh(*v);
	return true;
}

static bool get_u64(struct src *s, uint64_t *v)
{
	if (!get_bytes(s, v, sizeof(*v)))
		return false;
	*v = le64toh(*v);
	return true;
}

struct dump {
	char name[SKV_NAME_MAX];
	struct skv_table_attr attr;
	struct recs r;		/* pointing into the file's buffer */
};

/* Check the whole file before anything is written to the table. */
static int parse_dump(const char *file, const struct buf *in, struct dump *d)
{
	struct src s = { in->data, in->len };
	uint32_t version, hdr_size, crc, zero;
	uint64_t count, i;
	char magic[8];
	struct rec rec;

	if (in->len < DUMP_HDR_SIZE + 4 ||
	    !get_bytes(&s, magic, 8) || memcmp(magic, DUMP_MAGIC, 8))
		return fail(EBADMSG, "restore %s: not an skv dump", file);
	memcpy(&crc, in->data + in->len - 4, 4);
	if (le32toh(crc) != crc32(crc32(0, NULL, 0), in->data, in->len - 4))
		return fail(EBADMSG, "restore %s: bad checksum", file);
	s.left -= 4;	/* the trailer */
	get_u32(&s, &version);
	get_u32(&s, &hdr_size);
	if (version != DUMP_VERSION)
		return fail(EPROTONOSUPPORT, "restore %s: dump format version %u",
			    file, version);
	if (hdr_size < DUMP_HDR_SIZE)
		return fail(EBADMSG, "restore %s: header of %u bytes", file,
			    hdr_size);
	get_bytes(&s, d->name, SKV_NAME_MAX);
	get_u64(&s, (uint64_t *)&d->attr.max_entries);
	get_u64(&s, (uint64_t *)&d->attr.max_bytes);
	get_u32(&s, &d->attr.max_key_len);
	get_u32(&s, &d->attr.max_value_len);
	get_u64(&s, (uint64_t *)&d->attr.default_ttl_ms);
	get_u32(&s, &d->attr.policy);
	get_u32(&s, &d->attr.mode);
	get_u64(&s, &count);
	if (!get_bytes(&s, NULL, hdr_size - DUMP_HDR_SIZE))
		return fail(EBADMSG, "restore %s: truncated header", file);
	for (i = 0; i < count; i++) {
		if (!get_u32(&s, &rec.key_len) || !get_u32(&s, &rec.value_len) ||
		    !get_u32(&s, &rec.user_flags) || !get_u32(&s, &zero) ||
		    !get_u64(&s, &rec.ttl_ms) || !rec.key_len ||
		    s.left < (uint64_t)rec.key_len + rec.value_len)
			return fail(EBADMSG, "restore %s: bad record %" PRIu64,
				    file, i);
		rec.key = (unsigned char *)s.p;
		rec.value = (unsigned char *)s.p + rec.key_len;
		get_bytes(&s, NULL, (size_t)rec.key_len + rec.value_len);
		if (recs_push(&d->r, &rec))
			return fail(ENOMEM, "restore");
	}
	if (s.left)
		return fail(EBADMSG, "restore %s: %zu bytes after the last record",
			    file, s.left);
	return 0;
}

static char *printable_key(const struct rec *rec)
{
	uint32_t i;
	char *s;

	for (i = 0; i < rec->key_len; i++)
		if (rec->key[i] < 0x20 || rec->key[i] > 0x7e)
			return hex_encode(rec->key, rec->key_len);
	s = malloc(rec->key_len + 1);
	if (s) {
		memcpy(s, rec->key, rec->key_len);
		s[rec->key_len] = '\0';
	}
	return s;
}

static int key_fail(int err, const char *what, const struct rec *rec)
{
	char *k = printable_key(rec);
	int ret = fail(err, "restore: %s '%s'", what, k ? k : "?");

	free(k);
	return ret;
}

enum conflict { CONFLICT_FAIL, CONFLICT_SKIP, CONFLICT_REPLACE };

/* --on-conflict=fail: find any key that exists before writing one. */
static int check_absent(struct skv_table *t, struct skv_op_batch *b,
			const struct recs *r)
{
	struct skv_batch_res res;
	size_t i, j, n;
	int ret;

	for (i = 0; i < r->n; i += n) {
		skv_batch_reset(b);
		n = r->n - i < SKV_BATCH_MAX ? r->n - i : SKV_BATCH_MAX;
		for (j = 0; j < n; j++)
			skv_batch_add_get(b, r->v[i + j].key, r->v[i + j].key_len,
					  NULL, 0);
		ret = skv_batch_submit(t, b);
		if (ret)
			return fail(ret, "restore: batch");
		for (j = 0; j < n; j++) {
			skv_batch_result(b, j, &res);
			if (res.status == -ENOENT)
				continue;
			if (!res.status || res.status == -ERANGE)
				return key_fail(EEXIST, "key exists", &r->v[i + j]);
			return key_fail(res.status, "get", &r->v[i + j]);
		}
	}
	return 0;
}

int cmd_restore(int argc, char **argv)
{
	enum { OPT_ON_CONFLICT = 256, OPT_CREATE };
	static const struct option opts[] = {
		COMMON_OPTS,
		{ "on-conflict", required_argument, NULL, OPT_ON_CONFLICT },
		{ "create", no_argument, NULL, OPT_CREATE },
		{}
	};
	enum conflict conflict = CONFLICT_FAIL;
	uint64_t restored = 0, skipped = 0;
	struct skv_op_batch *b = NULL;
	struct skv_batch_res res;
	struct skv_table *t = NULL;
	bool json = false, create = false;
	struct dump d = {};
	struct buf in = {};
	const char *file;
	size_t i, j, n;
	int c, ret;

	while ((c = getopt_long(argc, argv, ":hxj", opts, NULL)) != -1) {
		switch (c) {
		case OPT_ON_CONFLICT:
			if (!strcmp(optarg, "skip"))
				conflict = CONFLICT_SKIP;
			else if (!strcmp(optarg, "replace"))
				conflict = CONFLICT_REPLACE;
			else if (!strcmp(optarg, "fail"))
				conflict = CONFLICT_FAIL;
			else
				return usage_error("bad --on-conflict '%s' (skip, replace or fail)",
						   optarg);
			break;
		case OPT_CREATE:
			create = true;
			break;
		default:
			ret = common_option(c, argv, NULL, &json);
			if (ret >= 0)
				return ret;
			break;
		}
	}
	ret = positional(argc, argv, 1, 2, "TABLE FILE");
	if (ret)
		return ret;
	file = argc - optind == 2 ? argv[optind + 1] : "-";
	ret = read_file(file, &in);
	if (ret)
		return fail(ret, "%s", strcmp(file, "-") ? file : "stdin");
	ret = parse_dump(strcmp(file, "-") ? file : "stdin", &in, &d);
	if (ret)
		goto out;
	if (create) {
		struct skv_dev *dev;

		ret = open_dev(&dev);
		if (ret)
			goto out;
		ret = skv_table_open(dev, argv[optind], SKV_OPEN_CREATE,
				     &d.attr, &t);
		skv_dev_close(dev);
		if (ret) {
			ret = fail(ret, "table '%s'", argv[optind]);
			goto out;
		}
	} else {
		ret = open_table(argv[optind], 0, &t);
		if (ret)
			goto out;
	}
	ret = skv_batch_new(SKV_BATCH_MAX, &b);
	if (ret) {
		ret = fail(ret, "restore");
		goto out;
	}
	if (conflict == CONFLICT_FAIL) {
		ret = check_absent(t, b, &d.r);
		if (ret)
			goto out;
	}
	for (i = 0; i < d.r.n; i += n) {
		struct skv_put_opts po = {
			.flags = conflict == CONFLICT_REPLACE ? 0 : SKV_PUT_NX,
		};

		skv_batch_reset(b);
		n = d.r.n - i < SKV_BATCH_MAX ? d.r.n - i : SKV_BATCH_MAX;
		for (j = 0; j < n; j++) {
			const struct rec *rec = &d.r.v[i + j];

			po.flags &= ~SKV_PUT_TTL;
			po.flags |= rec->ttl_ms ? SKV_PUT_TTL : 0;
			po.ttl_ms = rec->ttl_ms;
			po.user_flags = rec->user_flags;
			skv_batch_add_put(b, rec->key, rec->key_len, rec->value,
					  rec->value_len, &po);
		}
		ret = skv_batch_submit(t, b);
		if (ret) {
			ret = fail(ret, "restore: batch");
			goto out;
		}
		for (j = 0; j < n; j++) {
			skv_batch_result(b, j, &res);
			if (!res.status) {
				restored++;
			} else if (res.status == -EEXIST &&
				   conflict == CONFLICT_SKIP) {
				skipped++;
			} else {
				ret = key_fail(res.status, "put", &d.r.v[i + j]);
				goto out;
			}
		}
	}
	if (json) {
		struct json_object *obj = json_object_new_object();

		json_add_u64(obj, "restored", restored);
		json_add_u64(obj, "skipped", skipped);
		json_print(obj);
	} else {
		printf("restored %" PRIu64 ", skipped %" PRIu64 "\n", restored,
		       skipped);
	}
	ret = EXIT_OK;
out:
	skv_batch_free(b);
	skv_table_close(t);
	free(d.r.v);
	free(in.data);
	return ret;
}
