// SPDX-License-Identifier: GPL-2.0
/*
 * Expiry: per-entry TTL, the table's default TTL, remaining ttl_ms, and
 * expired entries never returned, reclaimed lazily and by the worker.
 */
#include <time.h>

#include "kselftest_harness.h"
#include "skv_test.h"

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static __u64 now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

static int put_ttl(int fd, const char *key, const char *val, __u64 ttl)
{
	struct skv_put p;

	skv_put_init(&p, key, strlen(key), val, strlen(val));
	p.flags = SKV_PUT_TTL;
	p.ttl_ms = ttl;
	return skv_ioctl(fd, SKV_IOC_PUT, &p);
}

static __u64 ttl_of(int fd, const char *key)
{
	struct skv_get g;
	char buf[64];

	if (skv_get(fd, key, strlen(key), buf, sizeof(buf), &g) < 0)
		return ~0ULL;
	return g.ttl_ms;
}

FIXTURE(ttl) {
	int ctl, fd;
	char name[SKV_NAME_MAX];
};

FIXTURE_VARIANT(ttl) {
	__u64 default_ttl_ms;
};

FIXTURE_VARIANT_ADD(ttl, no_default) {
	.default_ttl_ms = 0,
};

FIXTURE_VARIANT_ADD(ttl, default_300ms) {
	.default_ttl_ms = 300,
};

FIXTURE_SETUP(ttl)
{
	struct skv_table_attr attr = {
		.default_ttl_ms = variant->default_ttl_ms,
	};

	SKV_SETUP_TABLE(self->ctl, self->fd, self->name, "ttl", &attr);
}

FIXTURE_TEARDOWN(ttl)
{
	SKV_TEARDOWN_TABLE(self->ctl, self->fd, self->name);
}

TEST_F(ttl, entry_expires_and_is_never_returned)
{
	struct skv_get g;
	char buf[16];
	__u64 start = now_ms();

	ASSERT_EQ(0, put_ttl(self->fd, "k", "v", 300));
	/* Before expiry it is there (unless this machine stalled 300 ms). */
	if (skv_get_str(self->fd, "k", buf, sizeof(buf)) != 1)
		ASSERT_LT(300, now_ms() - start);
	sleep_ms(400);
	EXPECT_EQ(-ENOENT, skv_get_str(self->fd, "k", buf, sizeof(buf)));
	skv_get_init(&g, "k", 1, buf, sizeof(buf));
	EXPECT_EQ(-1, ioctl(self->fd, SKV_IOC_GETDEL, &g));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-ENOENT, skv_del_str(self->fd, "k"));
}

TEST_F(ttl, expired_entry_counts_as_absent_for_writes)
{
	struct skv_put p;
	char buf[16];
	__s64 n = 0;

	ASSERT_EQ(0, put_ttl(self->fd, "xx", "v", 100));
	ASSERT_EQ(0, put_ttl(self->fd, "nx", "v", 100));
	ASSERT_EQ(0, put_ttl(self->fd, "ctr", "41", 100));
	sleep_ms(250);

	skv_put_init(&p, "xx", 2, "w", 1);
	p.flags = SKV_PUT_XX;
	EXPECT_EQ(-1, ioctl(self->fd, SKV_IOC_PUT, &p));
	EXPECT_EQ(ENOENT, errno);
	skv_put_init(&p, "nx", 2, "w", 1);
	p.flags = SKV_PUT_NX;
	EXPECT_EQ(0, ioctl(self->fd, SKV_IOC_PUT, &p));
	EXPECT_EQ(0, skv_incr_str(self->fd, "ctr", 1, &n));
	EXPECT_EQ(1, n);
	EXPECT_EQ(-ENOENT, skv_get_str(self->fd, "xx", buf, sizeof(buf)));
}

TEST_F(ttl, cas_on_expired_entry_is_enoent)
{
	struct skv_put p;
	__u64 ver;

	skv_put_init(&p, "k", 1, "v", 1);
	p.flags = SKV_PUT_TTL;
	p.ttl_ms = 100;
	ASSERT_EQ(0, ioctl(self->fd, SKV_IOC_PUT, &p));
	ver = p.version;
	sleep_ms(250);
	skv_put_init(&p, "k", 1, "w", 1);
	p.flags = SKV_PUT_CAS;
	p.cas_version = ver;
	EXPECT_EQ(-1, ioctl(self->fd, SKV_IOC_PUT, &p));
	EXPECT_EQ(ENOENT, errno);
}

TEST_F(ttl, remaining_ttl_decreases)
{
	__u64 t1, t2;

	ASSERT_EQ(0, put_ttl(self->fd, "k", "v", 60000));
	t1 = ttl_of(self->fd, "k");
	ASSERT_GE(60000, t1);
	ASSERT_LT(50000, t1);
	sleep_ms(500);
	t2 = ttl_of(self->fd, "k");
	EXPECT_GE(t1 - 400, t2) TH_LOG("t1 %llu t2 %llu", t1, t2);
	EXPECT_LT(0, t2);
}

TEST_F(ttl, explicit_ttl_overrides_table_default)
{
	__u64 t;

	ASSERT_EQ(0, put_ttl(self->fd, "k", "v", 600000));
	t = ttl_of(self->fd, "k");
	EXPECT_LT(500000, t);
	EXPECT_GE(600000, t);
	sleep_ms(variant->default_ttl_ms + 200);
	EXPECT_EQ(1, skv_get_str(self->fd, "k", (char[4]){}, 4));
}

TEST_F(ttl, put_without_ttl_takes_table_default)
{
	__u64 t;

	ASSERT_EQ(0, skv_put_str(self->fd, "k", "v"));
	t = ttl_of(self->fd, "k");
	if (!variant->default_ttl_ms) {
		EXPECT_EQ(0, t);
		return;
	}
	EXPECT_LT(0, t);
	EXPECT_GE(variant->default_ttl_ms, t);
	sleep_ms(variant->default_ttl_ms + 200);
	EXPECT_EQ(-ENOENT, skv_get_str(self->fd, "k", (char[4]){}, 4));
}

TEST_F(ttl, incr_creates_with_table_default)
{
	__s64 n;
	__u64 t;

	ASSERT_EQ(0, skv_incr_str(self->fd, "c", 3, &n));
	t = ttl_of(self->fd, "c");
	if (!variant->default_ttl_ms) {
		EXPECT_EQ(0, t);
		return;
	}
	EXPECT_LT(0, t);
	EXPECT_GE(variant->default_ttl_ms, t);
	/* A later INCR keeps the entry's TTL: it still expires. */
	ASSERT_EQ(0, skv_incr_str(self->fd, "c", 1, &n));
	EXPECT_EQ(4, n);
	sleep_ms(variant->default_ttl_ms + 200);
	EXPECT_EQ(-ENOENT, skv_get_str(self->fd, "c", (char[4]){}, 4));
}

TEST_F(ttl, set_default_ttl_applies_to_later_writes)
{
	struct skv_set s = {
		.size = sizeof(s), .mask = SKV_SET_DEFAULT_TTL,
		.default_ttl_ms = 900000,
	};
	__u64 t;

	ASSERT_EQ(0, ioctl(self->fd, SKV_IOC_SET, &s));
	ASSERT_EQ(0, skv_put_str(self->fd, "k", "v"));
	t = ttl_of(self->fd, "k");
	EXPECT_LT(800000, t);
	EXPECT_GE(900000, t);
}

TEST_F(ttl, lazy_access_counts_expiration)
{
	struct skv_stats st;

	ASSERT_EQ(0, put_ttl(self->fd, "k", "v", 100));
	sleep_ms(250);
	EXPECT_EQ(-ENOENT, skv_get_str(self->fd, "k", (char[4]){}, 4));
	ASSERT_EQ(0, skv_stats(self->fd, &st));
	EXPECT_EQ(1, st.expirations);
	EXPECT_EQ(0, st.entries);
	EXPECT_EQ(0, st.bytes);
	EXPECT_EQ(1, st.misses);
}

/* Nobody touches the entries: the background worker reclaims them. */
TEST_F_TIMEOUT(ttl, worker_reclaims_untouched_expired_entries, 120)
{
	const unsigned int n = 50;
	struct skv_stats st;
	unsigned int i, waited = 0;
	char key[16];

	for (i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "k%u", i);
		ASSERT_EQ(0, put_ttl(self->fd, key, "value", 100));
	}
	ASSERT_EQ(0, put_ttl(self->fd, "keep", "v", 3600000));
	do {
		sleep_ms(200);
		waited += 200;
		ASSERT_EQ(0, skv_stats(self->fd, &st));
	} while (st.expirations < n && waited < 90000);
	EXPECT_EQ(n, st.expirations) TH_LOG("after %u ms", waited);
	EXPECT_EQ(1, st.entries);
	EXPECT_EQ(5, st.bytes);
	EXPECT_EQ(0, st.misses);
	EXPECT_EQ(1, skv_get_str(self->fd, "keep", (char[4]){}, 4));
}

TEST_F(ttl, scan_skips_expired_entries)
{
	struct skv_scan sc;
	char buf[4096];
	__u64 cursor = 0;
	unsigned int seen = 0;

	ASSERT_EQ(0, put_ttl(self->fd, "gone", "v", 100));
	ASSERT_EQ(0, put_ttl(self->fd, "kept", "v", 3600000));
	sleep_ms(250);
	do {
		memset(&sc, 0, sizeof(sc));
		sc.size = sizeof(sc);
		sc.cursor = cursor;
		sc.buf_ptr = U64P(buf);
		sc.buf_len = sizeof(buf);
		ASSERT_EQ(0, ioctl(self->fd, SKV_IOC_SCAN, &sc));
		for (__u32 off = 0, i = 0; i < sc.nr_keys; i++) {
			struct skv_scan_rec *r = (void *)(buf + off);

			EXPECT_EQ(0, memcmp(buf + off + r->rec_size, "kept", 4));
			seen++;
			off += (r->rec_size + r->key_len + r->value_len + 7) & ~7U;
		}
		cursor = sc.cursor;
	} while (cursor);
	EXPECT_EQ(1, seen);
}

TEST_HARNESS_MAIN
