// SPDX-License-Identifier: GPL-2.0
/*
 * SKV_IOC_SCAN: every key once a full scan is done (a bitmap of what was
 * seen), prefixes, the count hint, values, -ERANGE, and Redis SCAN's
 * guarantee while another thread grows the table through resizes.
 */
#include <pthread.h>

#include "kselftest_harness.h"
#include "skv_test.h"

#define SCAN_BUF	65536

FIXTURE(scan) {
	int ctl, fd;
	char name[SKV_NAME_MAX];
};

FIXTURE_SETUP(scan)
{
	SKV_SETUP_TABLE(self->ctl, self->fd, self->name, "scan", NULL);
}

FIXTURE_TEARDOWN(scan)
{
	SKV_TEARDOWN_TABLE(self->ctl, self->fd, self->name);
}

static __u32 rec_size(const struct skv_scan_rec *r)
{
	return (sizeof(*r) + r->key_len + r->value_len + 7) & ~7U;
}

struct scan_result {
	unsigned char *seen;	/* per key index: times seen */
	unsigned int n;		/* key indexes 0..n-1 */
	const char *fmt;	/* "tag%u": key of index i */
	unsigned int records;
	unsigned int calls;
	unsigned int max_per_call;
	unsigned int foreign;	/* keys not of this fmt */
	unsigned int bad_values;
	int err;
};

static int key_index(const struct scan_result *res, const char *key,
		     __u32 len)
{
	char buf[64];
	unsigned int i;
	int tag_len = strchr(res->fmt, '%') - res->fmt;
	char *end;

	if (len >= sizeof(buf) || len <= (__u32)tag_len ||
	    memcmp(key, res->fmt, tag_len))
		return -1;
	memcpy(buf, key, len);
	buf[len] = 0;
	i = strtoul(buf + tag_len, &end, 10);
	if (*end || i >= res->n)
		return -1;
	return i;
}

/*
 * A full scan from cursor 0; @values: check each value is the key's own
 * "v<key>" string.
 */
static void scan_all(int fd, struct scan_result *res, __u32 flags,
		     const char *prefix, __u32 count)
{
	static char buf[SCAN_BUF];
	struct skv_scan sc;
	__u64 cursor = 0;

	do {
		__u32 off = 0, i;

		memset(&sc, 0, sizeof(sc));
		sc.size = sizeof(sc);
		sc.flags = flags;
		sc.cursor = cursor;
		sc.count = count;
		sc.buf_ptr = U64P(buf);
		sc.buf_len = sizeof(buf);
		if (prefix) {
			sc.prefix_ptr = U64P(prefix);
			sc.prefix_len = strlen(prefix);
		}
		if (ioctl(fd, SKV_IOC_SCAN, &sc)) {
			res->err = errno;
			return;
		}
		res->calls++;
		if (sc.nr_keys > res->max_per_call)
			res->max_per_call = sc.nr_keys;
		for (i = 0; i < sc.nr_keys; i++) {
			struct skv_scan_rec *r = (void *)(buf + off);
			const char *key = buf + off + sizeof(*r);
			int idx;

			if (off + sizeof(*r) > sc.buf_len ||
			    off + rec_size(r) > sc.buf_len) {
				res->err = EMSGSIZE;
				return;
			}
			idx = key_index(res, key, r->key_len);
			if (idx < 0)
				res->foreign++;
			else if (res->seen[idx] < 255)
				res->seen[idx]++;
			if (flags & SKV_SCAN_VALUES) {
				if (r->value_len != r->key_len + 1 ||
				    key[r->key_len] != 'v' ||
				    memcmp(key + r->key_len + 1, key,
					   r->key_len))
					res->bad_values++;
			} else if (r->value_len) {
				res->bad_values++;
			}
			off += rec_size(r);
			res->records++;
		}
		if (off != sc.buf_len) {
			res->err = EBADMSG;
			return;
		}
		cursor = sc.cursor;
	} while (cursor && res->calls < 1000000);
}

static void fill(struct __test_metadata *_metadata, int fd, const char *fmt,
		 unsigned int n)
{
	char key[32], val[40];
	unsigned int i;

	for (i = 0; i < n; i++) {
		snprintf(key, sizeof(key), fmt, i);
		snprintf(val, sizeof(val), "v%s", key);
		ASSERT_EQ(0, skv_put_str(fd, key, val));
	}
}

static unsigned int missing(const struct scan_result *res)
{
	unsigned int i, miss = 0;

	for (i = 0; i < res->n; i++)
		miss += !res->seen[i];
	return miss;
}

TEST_F(scan, empty_table_ends_at_once)
{
	struct scan_result res = { .fmt = "k%u" };
	unsigned char seen[1];

	res.seen = seen;
	scan_all(self->fd, &res, 0, NULL, 0);
	EXPECT_EQ(0, res.err);
	EXPECT_EQ(0, res.records);
}

TEST_F(scan, full_scan_returns_every_key)
{
	const unsigned int n = skv_budget(3000);
	struct scan_result res = { .n = n, .fmt = "key-%u" };

	fill(_metadata, self->fd, "key-%u", n);
	res.seen = calloc(n, 1);
	ASSERT_NE(NULL, res.seen);
	scan_all(self->fd, &res, 0, NULL, 0);
	ASSERT_EQ(0, res.err) TH_LOG("%s", strerror(res.err));
	EXPECT_EQ(0, missing(&res));
	EXPECT_EQ(0, res.foreign);
	EXPECT_EQ(0, res.bad_values);
	/* Without concurrent changes no key comes twice. */
	EXPECT_EQ(n, res.records);
	free(res.seen);
}

TEST_F(scan, values_flag_returns_values)
{
	const unsigned int n = 200;
	struct scan_result res = { .n = n, .fmt = "key-%u" };

	fill(_metadata, self->fd, "key-%u", n);
	res.seen = calloc(n, 1);
	ASSERT_NE(NULL, res.seen);
	scan_all(self->fd, &res, SKV_SCAN_VALUES, NULL, 50);
	ASSERT_EQ(0, res.err) TH_LOG("%s", strerror(res.err));
	EXPECT_EQ(0, missing(&res));
	EXPECT_EQ(0, res.bad_values);
	free(res.seen);
}

TEST_F(scan, prefix_filters_keys)
{
	const unsigned int n = 300;
	struct scan_result res = { .n = n, .fmt = "a:%u" };

	fill(_metadata, self->fd, "a:%u", n);
	fill(_metadata, self->fd, "b:%u", n);
	fill(_metadata, self->fd, "aa%u", n);
	res.seen = calloc(n, 1);
	ASSERT_NE(NULL, res.seen);
	scan_all(self->fd, &res, 0, "a:", 0);
	ASSERT_EQ(0, res.err) TH_LOG("%s", strerror(res.err));
	EXPECT_EQ(0, missing(&res));
	EXPECT_EQ(0, res.foreign);
	EXPECT_EQ(n, res.records);
	free(res.seen);
}

TEST_F(scan, prefix_equal_to_a_whole_key_matches_it)
{
	struct scan_result res = { .n = 10, .fmt = "x%u" };
	unsigned char seen[10] = { 0 };

	fill(_metadata, self->fd, "x%u", 10);
	res.seen = seen;
	scan_all(self->fd, &res, 0, "x7", 0);
	ASSERT_EQ(0, res.err);
	EXPECT_EQ(1, res.records);
	EXPECT_EQ(1, seen[7]);
}

TEST_F(scan, count_hint_bounds_keys_per_call)
{
	const unsigned int n = 1000;
	struct scan_result res = { .n = n, .fmt = "key-%u" };

	fill(_metadata, self->fd, "key-%u", n);
	res.seen = calloc(n, 1);
	ASSERT_NE(NULL, res.seen);
	scan_all(self->fd, &res, 0, NULL, 5);
	ASSERT_EQ(0, res.err);
	EXPECT_EQ(0, missing(&res));
	/* A hint, not a limit: allow a few hash buckets' worth more. */
	EXPECT_GE(5 * 4 + 16, res.max_per_call);
	EXPECT_LE(n / (5 * 4 + 16), res.calls);

	/* The default hint is 16. */
	memset(res.seen, 0, n);
	res.calls = res.max_per_call = res.records = 0;
	scan_all(self->fd, &res, 0, NULL, 0);
	EXPECT_EQ(0, missing(&res));
	EXPECT_GE(16 * 4 + 16, res.max_per_call);
	free(res.seen);
}

TEST_F(scan, tiny_buffer_is_erange_with_needed_size)
{
	struct skv_scan sc;
	char buf[64];

	ASSERT_EQ(0, skv_put_str(self->fd, "k", "vv"));
	memset(&sc, 0, sizeof(sc));
	sc.size = sizeof(sc);
	sc.flags = SKV_SCAN_VALUES;
	sc.buf_ptr = U64P(buf);
	sc.buf_len = 8;
	ASSERT_EQ(-1, ioctl(self->fd, SKV_IOC_SCAN, &sc));
	ASSERT_EQ(ERANGE, errno);
	/* One record: 32 bytes of header, "k", "vv", padded to 40. */
	EXPECT_EQ(40, sc.buf_len);
	EXPECT_EQ(0, sc.nr_keys);

	sc.buf_len = 39;
	ASSERT_EQ(-1, ioctl(self->fd, SKV_IOC_SCAN, &sc));
	ASSERT_EQ(ERANGE, errno);
	EXPECT_EQ(40, sc.buf_len);

	ASSERT_EQ(0, ioctl(self->fd, SKV_IOC_SCAN, &sc));
	EXPECT_EQ(1, sc.nr_keys);
	EXPECT_EQ(40, sc.buf_len);
	EXPECT_EQ(0, memcmp(buf + sizeof(struct skv_scan_rec), "kvv", 3));
	EXPECT_EQ(sizeof(struct skv_scan_rec), ((struct skv_scan_rec *)buf)->rec_size);
}

/*
 * A small buffer: each call returns whole groups that fit, or -ERANGE with
 * the size the next group needs; with that size the scan goes on.
 */
TEST_F(scan, small_buffer_returns_fewer_keys_and_continues)
{
	const unsigned int n = 100;
	unsigned char seen[100] = { 0 };
	struct scan_result res = { .n = n, .fmt = "key-%u", .seen = seen };
	unsigned int calls = 0, ranges = 0, i;
	__u32 len = 48, off;	/* one record of "key-NN" */
	struct skv_scan sc;
	char buf[4096];
	__u64 cursor = 0;

	fill(_metadata, self->fd, "key-%u", n);
	for (;;) {
		memset(&sc, 0, sizeof(sc));
		sc.size = sizeof(sc);
		sc.cursor = cursor;
		sc.count = 50;
		sc.buf_ptr = U64P(buf);
		sc.buf_len = len;
		ASSERT_GT(1000, ++calls);
		if (ioctl(self->fd, SKV_IOC_SCAN, &sc)) {
			ASSERT_EQ(ERANGE, errno);
			/* Needs more than it had; a multiple of records. */
			ASSERT_LT(len, sc.buf_len);
			ASSERT_EQ(0, sc.buf_len % 8);
			ASSERT_GE(sizeof(buf), sc.buf_len);
			EXPECT_EQ(cursor, sc.cursor);
			len = sc.buf_len;
			ranges++;
			continue;
		}
		ASSERT_GE(len, sc.buf_len);
		for (off = 0, i = 0; i < sc.nr_keys; i++) {
			struct skv_scan_rec *r = (void *)(buf + off);
			int idx = key_index(&res, buf + off + sizeof(*r),
					    r->key_len);

			ASSERT_LE(0, idx);
			seen[idx]++;
			off += rec_size(r);
		}
		ASSERT_EQ(off, sc.buf_len);
		cursor = sc.cursor;
		if (!cursor)
			break;
		len = 48;
	}
	for (i = 0; i < n; i++)
		EXPECT_LE(1, seen[i]) TH_LOG("key-%u missing", i);
	TH_LOG("%u calls, %u of them -ERANGE", calls, ranges);
}

TEST_F(scan, prefix_longer_than_max_key_len_is_einval)
{
	char prefix[SKV_DEFAULT_KEY_LEN + 1], buf[256];
	struct skv_scan sc;

	memset(prefix, 'p', sizeof(prefix));
	memset(&sc, 0, sizeof(sc));
	sc.size = sizeof(sc);
	sc.buf_ptr = U64P(buf);
	sc.buf_len = sizeof(buf);
	sc.prefix_ptr = U64P(prefix);
	sc.prefix_len = sizeof(prefix);
	ASSERT_EQ(-1, ioctl(self->fd, SKV_IOC_SCAN, &sc));
	ASSERT_EQ(EINVAL, errno);
	sc.prefix_len = SKV_DEFAULT_KEY_LEN;
	ASSERT_EQ(0, ioctl(self->fd, SKV_IOC_SCAN, &sc));
}

TEST_F(scan, prefix_pointer_without_length_is_einval)
{
	struct skv_scan sc;
	char buf[256];

	memset(&sc, 0, sizeof(sc));
	sc.size = sizeof(sc);
	sc.buf_ptr = U64P(buf);
	sc.buf_len = sizeof(buf);
	sc.prefix_ptr = U64P("a");
	ASSERT_EQ(-1, ioctl(self->fd, SKV_IOC_SCAN, &sc));
	ASSERT_EQ(EINVAL, errno);
}

TEST_F(scan, unknown_flags_are_einval)
{
	struct skv_scan sc;
	char buf[256];

	memset(&sc, 0, sizeof(sc));
	sc.size = sizeof(sc);
	sc.flags = 1U << 1;
	sc.buf_ptr = U64P(buf);
	sc.buf_len = sizeof(buf);
	ASSERT_EQ(-1, ioctl(self->fd, SKV_IOC_SCAN, &sc));
	ASSERT_EQ(EINVAL, errno);
	sc.flags = 0;
	sc.size = SKV_SCAN_SIZE_VER0 - 1;
	ASSERT_EQ(-1, ioctl(self->fd, SKV_IOC_SCAN, &sc));
	ASSERT_EQ(EINVAL, errno);
}

TEST_F(scan, bad_buffer_is_efault)
{
	struct skv_scan sc;

	ASSERT_EQ(0, skv_put_str(self->fd, "k", "v"));
	memset(&sc, 0, sizeof(sc));
	sc.size = sizeof(sc);
	sc.buf_ptr = 8;
	sc.buf_len = 4096;
	ASSERT_EQ(-1, ioctl(self->fd, SKV_IOC_SCAN, &sc));
	ASSERT_EQ(EFAULT, errno);
}

TEST_F(scan, works_on_rdonly_fd)
{
	struct scan_result res = { .n = 10, .fmt = "k%u" };
	unsigned char seen[10] = { 0 };
	int ro;

	fill(_metadata, self->fd, "k%u", 10);
	ro = skv_open(self->ctl, self->name, SKV_OPEN_RDONLY, NULL, NULL);
	ASSERT_LE(0, ro);
	res.seen = seen;
	scan_all(ro, &res, SKV_SCAN_VALUES, NULL, 0);
	EXPECT_EQ(0, res.err);
	EXPECT_EQ(0, missing(&res));
	close(ro);
}

struct inserter {
	int fd;
	unsigned int n;
	volatile int stop;
	int err;
	unsigned int done;
};

static void *insert_thread(void *p)
{
	struct inserter *in = p;
	char key[32], val[40];
	unsigned int i;

	for (i = 0; i < in->n && !in->stop; i++) {
		snprintf(key, sizeof(key), "new-%u", i);
		snprintf(val, sizeof(val), "v%s", key);
		if (skv_put_str(in->fd, key, val)) {
			in->err = errno;
			break;
		}
		/* Churn: delete some of what was added, too. */
		if (i % 5 == 4) {
			snprintf(key, sizeof(key), "new-%u", i - 2);
			skv_del_str(in->fd, key);
		}
	}
	in->done = i;
	return NULL;
}

/*
 * Keys present before the scan starts and never deleted are all seen,
 * while another thread adds many times as many keys (the table resizes
 * several times under the scan) and deletes some of its own.
 */
TEST_F_TIMEOUT(scan, scan_during_inserts_sees_every_old_key, 300)
{
	const unsigned int n = skv_budget(2000);
	struct inserter in = { .fd = self->fd, .n = skv_budget(40000) };
	struct scan_result res = { .n = n, .fmt = "old-%u" };
	unsigned int round, miss;
	pthread_t th;

	fill(_metadata, self->fd, "old-%u", n);
	res.seen = calloc(n, 1);
	ASSERT_NE(NULL, res.seen);
	ASSERT_EQ(0, pthread_create(&th, NULL, insert_thread, &in));
	for (round = 0; round < 5; round++) {
		memset(res.seen, 0, n);
		res.err = 0;
		scan_all(self->fd, &res, SKV_SCAN_VALUES, NULL, 8);
		if (res.err)
			break;
		miss = missing(&res);
		if (miss)
			break;
	}
	in.stop = 1;
	pthread_join(th, NULL);
	ASSERT_EQ(0, res.err) TH_LOG("%s", strerror(res.err));
	EXPECT_EQ(0, in.err);
	EXPECT_EQ(0, miss) TH_LOG("round %u: %u of %u old keys missing",
				  round, miss, n);
	EXPECT_EQ(0, res.bad_values);
	TH_LOG("%u scans, %u keys inserted meanwhile", round, in.done);
	free(res.seen);
}

TEST_HARNESS_MAIN
