// SPDX-License-Identifier: GPL-2.0
/*
 * Entry ops on a table fd: GET, PUT (NX, XX, CAS, TTL, user flags),
 * DELETE, GETDEL, INCR, FLUSH and STATS, and their validation paths.
 */
#include <stdint.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "skv_test.h"

#define KEY_MAX		32
#define VALUE_MAX	256

FIXTURE(ops) {
	int ctl, fd;
	char name[SKV_NAME_MAX];
};

FIXTURE_SETUP(ops)
{
	struct skv_table_attr attr = {
		.max_key_len = KEY_MAX,
		.max_value_len = VALUE_MAX,
	};

	SKV_SETUP_TABLE(self->ctl, self->fd, self->name, "ops", &attr);
}

FIXTURE_TEARDOWN(ops)
{
	SKV_TEARDOWN_TABLE(self->ctl, self->fd, self->name);
}

static int put_full(int fd, const char *key, const char *val, __u32 flags,
		    __u64 cas, __u64 ttl, __u32 uflags, __u64 *ver)
{
	struct skv_put p;
	long ret;

	skv_put_init(&p, key, strlen(key), val, strlen(val));
	p.flags = flags;
	p.cas_version = cas;
	p.ttl_ms = ttl;
	p.user_flags = uflags;
	ret = skv_ioctl(fd, SKV_IOC_PUT, &p);
	if (!ret && ver)
		*ver = p.version;
	return ret;
}

static int del_full(int fd, const char *key, __u32 flags, __u64 cas,
		    __u64 *ver)
{
	struct skv_delete d;
	long ret;

	memset(&d, 0, sizeof(d));
	d.size = sizeof(d);
	d.flags = flags;
	d.key_len = strlen(key);
	d.key_ptr = U64P(key);
	d.cas_version = cas;
	ret = skv_ioctl(fd, SKV_IOC_DELETE, &d);
	if (!ret && ver)
		*ver = d.version;
	return ret;
}

static __u64 version_of(int fd, const char *key)
{
	struct skv_get g;
	char buf[VALUE_MAX];

	if (skv_get(fd, key, strlen(key), buf, sizeof(buf), &g) < 0)
		return 0;
	return g.version;
}

/* GET */

TEST_F(ops, get_absent_is_enoent)
{
	struct skv_get g;
	char buf[8];

	skv_get_init(&g, "nope", 4, buf, sizeof(buf));
	ASSERT_EQ(-1, ioctl(self->fd, SKV_IOC_GET, &g));
	ASSERT_EQ(ENOENT, errno);
}

TEST_F(ops, put_then_get_returns_value_version_and_flags)
{
	struct skv_get g;
	char buf[64];
	__u64 ver;

	ASSERT_EQ(0, put_full(self->fd, "key", "hello", 0, 0, 0, 0xdeadbeef,
			      &ver));
	EXPECT_NE(0, ver);
	ASSERT_EQ(5, skv_get(self->fd, "key", 3, buf, sizeof(buf), &g));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	EXPECT_EQ(5, g.value_len);
	EXPECT_EQ(ver, g.version);
	EXPECT_EQ(0, g.ttl_ms);
	EXPECT_EQ(0xdeadbeef, g.user_flags);
	EXPECT_EQ(0, g.__reserved0);
}

TEST_F(ops, keys_and_values_are_binary_safe)
{
	static const char k1[] = { 'a', 0, 'b' }, k2[] = { 'a', 0, 'c' };
	static const char k3[] = { (char)0xff, 0, 0 };
	static const char v1[] = { 0, 1, 0, (char)0xff }, v2[] = { 0 };
	char buf[16];

	ASSERT_EQ(0, skv_put(self->fd, k1, 3, v1, 4, 0, NULL));
	ASSERT_EQ(0, skv_put(self->fd, k2, 3, v2, 1, 0, NULL));
	ASSERT_EQ(0, skv_put(self->fd, k3, 3, v2, 0, 0, NULL));
	ASSERT_EQ(4, skv_get(self->fd, k1, 3, buf, sizeof(buf), NULL));
	EXPECT_EQ(0, memcmp(buf, v1, 4));
	ASSERT_EQ(1, skv_get(self->fd, k2, 3, buf, sizeof(buf), NULL));
	EXPECT_EQ(0, buf[0]);
	ASSERT_EQ(0, skv_get(self->fd, k3, 3, buf, sizeof(buf), NULL));
	/* A prefix of a key is another key. */
	EXPECT_EQ(-ENOENT, skv_get(self->fd, k1, 2, buf, sizeof(buf), NULL));
	EXPECT_EQ(-ENOENT, skv_get(self->fd, k1, 1, buf, sizeof(buf), NULL));
}

TEST_F(ops, empty_value_is_stored)
{
	struct skv_get g;
	char buf[4];

	ASSERT_EQ(0, skv_put(self->fd, "e", 1, "", 0, 0, NULL));
	skv_get_init(&g, "e", 1, buf, 0);
	ASSERT_EQ(0, ioctl(self->fd, SKV_IOC_GET, &g));
	EXPECT_EQ(0, g.value_len);
}

TEST_F(ops, get_small_buffer_is_erange_with_needed_length)
{
	char val[100], buf[100];
	struct skv_get g;

	memset(val, 'v', sizeof(val));
	ASSERT_EQ(0, skv_put(self->fd, "k", 1, val, sizeof(val), 0, NULL));

	memset(buf, 0xaa, sizeof(buf));
	skv_get_init(&g, "k", 1, buf, 10);
	ASSERT_EQ(-1, ioctl(self->fd, SKV_IOC_GET, &g));
	ASSERT_EQ(ERANGE, errno);
	EXPECT_EQ(100, g.value_len);
	/* Nothing else changed: not the buffer, not the other outputs. */
	EXPECT_EQ((char)0xaa, buf[0]);
	EXPECT_EQ((char)0xaa, buf[9]);
	EXPECT_EQ(0, g.version);
	EXPECT_EQ(0, g.ttl_ms);
	EXPECT_EQ(0, g.user_flags);
	EXPECT_EQ(1, g.key_len);
	EXPECT_EQ(U64P(buf), g.value_ptr);

	/* One byte short is still too small; the needed length works. */
	g.value_len = 99;
	ASSERT_EQ(-1, ioctl(self->fd, SKV_IOC_GET, &g));
	ASSERT_EQ(ERANGE, errno);
	EXPECT_EQ(100, g.value_len);
	ASSERT_EQ(0, ioctl(self->fd, SKV_IOC_GET, &g));
	EXPECT_EQ(100, g.value_len);
	EXPECT_EQ(0, memcmp(buf, val, sizeof(val)));
}

TEST_F(ops, get_zero_length_buffer_is_erange)
{
	struct skv_get g;

	ASSERT_EQ(0, skv_put_str(self->fd, "k", "abc"));
	skv_get_init(&g, "k", 1, NULL, 0);
	ASSERT_EQ(-1, ioctl(self->fd, SKV_IOC_GET, &g));
	ASSERT_EQ(ERANGE, errno);
	EXPECT_EQ(3, g.value_len);
}

TEST_F(ops, get_flags_and_reserved_are_einval)
{
	struct skv_get g;
	char buf[8];

	ASSERT_EQ(0, skv_put_str(self->fd, "k", "v"));
	skv_get_init(&g, "k", 1, buf, sizeof(buf));
	g.flags = 1;
	ASSERT_EQ(-1, ioctl(self->fd, SKV_IOC_GET, &g));
	ASSERT_EQ(EINVAL, errno);
	skv_get_init(&g, "k", 1, buf, sizeof(buf));
	g.__reserved0 = 1;
	ASSERT_EQ(-1, ioctl(self->fd, SKV_IOC_GET, &g));
	ASSERT_EQ(EINVAL, errno);
}

TEST_F(ops, get_bad_key_pointer_is_efault)
{
	struct skv_get g;
	char buf[8];

	skv_get_init(&g, (void *)8, 4, buf, sizeof(buf));
	ASSERT_EQ(-1, ioctl(self->fd, SKV_IOC_GET, &g));
	ASSERT_EQ(EFAULT, errno);
}

TEST_F(ops, get_into_read_only_buffer_is_efault)
{
	long page = sysconf(_SC_PAGESIZE);
	struct skv_get g;
	void *buf;

	ASSERT_EQ(0, skv_put_str(self->fd, "k", "value"));
	buf = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	skv_get_init(&g, "k", 1, buf, 16);
	ASSERT_EQ(-1, ioctl(self->fd, SKV_IOC_GET, &g));
	EXPECT_EQ(EFAULT, errno);
	munmap(buf, page);
	/* The entry is intact. */
	EXPECT_EQ(5, skv_get_str(self->fd, "k", (char[8]){}, 8));
}

/* The value lands in pages never touched before (a fault in the copy). */
TEST_F(ops, get_into_unfaulted_buffer_works)
{
	long page = sysconf(_SC_PAGESIZE);
	char val[VALUE_MAX];
	struct skv_get g;
	char *buf;

	memset(val, 'x', sizeof(val));
	ASSERT_EQ(0, skv_put(self->fd, "k", 1, val, sizeof(val), 0, NULL));
	buf = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	/* Straddle the page boundary. */
	skv_get_init(&g, "k", 1, buf + page - 100, sizeof(val));
	ASSERT_EQ(0, ioctl(self->fd, SKV_IOC_GET, &g));
	EXPECT_EQ(sizeof(val), g.value_len);
	EXPECT_EQ(0, memcmp(buf + page - 100, val, sizeof(val)));
	munmap(buf, 2 * page);
}

/* Key and value length limits, for every op that takes a key */

TEST_F(ops, key_of_zero_bytes_is_einval_for_every_op)
{
	struct skv_get g;
	struct skv_put p;
	struct skv_delete d;
	struct skv_incr in;
	char buf[8];

	skv_get_init(&g, "k", 0, buf, sizeof(buf));
	EXPECT_EQ(-1, ioctl(self->fd, SKV_IOC_GET, &g));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, SKV_IOC_GETDEL, &g));
	EXPECT_EQ(EINVAL, errno);
	skv_put_init(&p, "k", 0, "v", 1);
	EXPECT_EQ(-1, ioctl(self->fd, SKV_IOC_PUT, &p));
	EXPECT_EQ(EINVAL, errno);
	memset(&d, 0, sizeof(d));
	d.size = sizeof(d);
	d.key_ptr = U64P("k");
	EXPECT_EQ(-1, ioctl(self->fd, SKV_IOC_DELETE, &d));
	EXPECT_EQ(EINVAL, errno);
	memset(&in, 0, sizeof(in));
	in.size = sizeof(in);
	in.key_ptr = U64P("k");
	in.delta = 1;
	EXPECT_EQ(-1, ioctl(self->fd, SKV_IOC_INCR, &in));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(ops, key_above_max_key_len_is_einval_for_every_op)
{
	char key[KEY_MAX + 1], buf[8];
	struct skv_get g;
	struct skv_put p;
	struct skv_delete d;
	struct skv_incr in;
	struct skv_stats st;

	memset(key, 'k', sizeof(key));
	skv_get_init(&g, key, sizeof(key), buf, sizeof(buf));
	EXPECT_EQ(-1, ioctl(self->fd, SKV_IOC_GET, &g));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, SKV_IOC_GETDEL, &g));
	EXPECT_EQ(EINVAL, errno);
	skv_put_init(&p, key, sizeof(key), "v", 1);
	EXPECT_EQ(-1, ioctl(self->fd, SKV_IOC_PUT, &p));
	EXPECT_EQ(EINVAL, errno);
	/* A huge length must not make the kernel try to allocate it. */
	p.key_len = ~0U;
	EXPECT_EQ(-1, ioctl(self->fd, SKV_IOC_PUT, &p));
	EXPECT_EQ(EINVAL, errno);
	memset(&d, 0, sizeof(d));
	d.size = sizeof(d);
	d.key_ptr = U64P(key);
	d.key_len = sizeof(key);
	EXPECT_EQ(-1, ioctl(self->fd, SKV_IOC_DELETE, &d));
	EXPECT_EQ(EINVAL, errno);
	memset(&in, 0, sizeof(in));
	in.size = sizeof(in);
	in.key_ptr = U64P(key);
	in.key_len = sizeof(key);
	in.delta = 1;
	EXPECT_EQ(-1, ioctl(self->fd, SKV_IOC_INCR, &in));
	EXPECT_EQ(EINVAL, errno);

	ASSERT_EQ(0, skv_stats(self->fd, &st));
	EXPECT_EQ(0, st.entries);
}

TEST_F(ops, key_of_max_key_len_is_accepted)
{
	char key[KEY_MAX], buf[8];

	memset(key, 'k', sizeof(key));
	ASSERT_EQ(0, skv_put(self->fd, key, sizeof(key), "v", 1, 0, NULL));
	ASSERT_EQ(1, skv_get(self->fd, key, sizeof(key), buf, sizeof(buf),
			     NULL));
}

TEST_F(ops, value_above_max_value_len_is_e2big)
{
	char val[VALUE_MAX + 1], buf[VALUE_MAX + 1];
	struct skv_put p;

	memset(val, 'v', sizeof(val));
	ASSERT_EQ(0, skv_put_str(self->fd, "k", "old"));
	skv_put_init(&p, "k", 1, val, sizeof(val));
	ASSERT_EQ(-1, ioctl(self->fd, SKV_IOC_PUT, &p));
	ASSERT_EQ(E2BIG, errno);
	p.value_len = ~0U;
	ASSERT_EQ(-1, ioctl(self->fd, SKV_IOC_PUT, &p));
	ASSERT_EQ(E2BIG, errno);
	/* Unchanged; the maximum itself is fine. */
	ASSERT_EQ(3, skv_get_str(self->fd, "k", buf, sizeof(buf)));
	EXPECT_STREQ("old", buf);
	ASSERT_EQ(0, skv_put(self->fd, "k", 1, val, VALUE_MAX, 0, NULL));
	ASSERT_EQ(VALUE_MAX, skv_get_str(self->fd, "k", buf, sizeof(buf)));
}

TEST_F(ops, value_of_one_mib_round_trips)
{
	size_t len = SKV_DEFAULT_VALUE_LEN;
	char name[SKV_NAME_MAX];
	unsigned char *val, *buf;
	size_t i;
	int fd;

	skv_name(name, "big");
	fd = skv_create(self->ctl, name, NULL);
	ASSERT_LE(0, fd);
	val = malloc(len);
	buf = malloc(len);
	ASSERT_NE(NULL, val);
	ASSERT_NE(NULL, buf);
	for (i = 0; i < len; i++)
		val[i] = i * 7 + (i >> 12);
	ASSERT_EQ(0, skv_put(fd, "big", 3, val, len, 0, NULL));
	ASSERT_EQ((int)len, skv_get(fd, "big", 3, buf, len, NULL));
	EXPECT_EQ(0, memcmp(val, buf, len));
	/* One byte more than the default max_value_len is -E2BIG. */
	free(val);
	val = calloc(1, len + 1);
	ASSERT_NE(NULL, val);
	EXPECT_EQ(-E2BIG, skv_put(fd, "big2", 4, val, len + 1, 0, NULL));
	free(val);
	free(buf);
	close(fd);
	skv_table_delete(self->ctl, name);
}

/* PUT */

TEST_F(ops, put_overwrites_value_and_user_flags)
{
	struct skv_get g;
	char buf[16];

	ASSERT_EQ(0, put_full(self->fd, "k", "one", 0, 0, 0, 7, NULL));
	ASSERT_EQ(0, put_full(self->fd, "k", "second", 0, 0, 0, 0, NULL));
	ASSERT_EQ(6, skv_get(self->fd, "k", 1, buf, sizeof(buf), &g));
	EXPECT_EQ(0, memcmp(buf, "second", 6));
	EXPECT_EQ(0, g.user_flags);
}

TEST_F(ops, put_nx_only_when_absent)
{
	char buf[16];

	ASSERT_EQ(0, put_full(self->fd, "k", "first", SKV_PUT_NX, 0, 0, 0,
			      NULL));
	ASSERT_EQ(-EEXIST, put_full(self->fd, "k", "second", SKV_PUT_NX, 0,
				    0, 0, NULL));
	ASSERT_EQ(5, skv_get_str(self->fd, "k", buf, sizeof(buf)));
	EXPECT_STREQ("first", buf);
}

TEST_F(ops, put_xx_only_when_present)
{
	char buf[16];

	ASSERT_EQ(-ENOENT, put_full(self->fd, "k", "v", SKV_PUT_XX, 0, 0, 0,
				    NULL));
	EXPECT_EQ(-ENOENT, skv_get_str(self->fd, "k", buf, sizeof(buf)));
	ASSERT_EQ(0, skv_put_str(self->fd, "k", "a"));
	ASSERT_EQ(0, put_full(self->fd, "k", "b", SKV_PUT_XX, 0, 0, 0, NULL));
	ASSERT_EQ(1, skv_get_str(self->fd, "k", buf, sizeof(buf)));
	EXPECT_STREQ("b", buf);
}

TEST_F(ops, put_cas_matches_version)
{
	__u64 v1, v2;
	char buf[16];

	ASSERT_EQ(-ENOENT, put_full(self->fd, "k", "x", SKV_PUT_CAS, 1, 0, 0,
				    NULL));
	EXPECT_EQ(-ENOENT, skv_get_str(self->fd, "k", buf, sizeof(buf)));
	ASSERT_EQ(0, put_full(self->fd, "k", "a", 0, 0, 0, 0, &v1));
	ASSERT_EQ(-ESTALE, put_full(self->fd, "k", "x", SKV_PUT_CAS, v1 + 1,
				    0, 0, NULL));
	ASSERT_EQ(-ESTALE, put_full(self->fd, "k", "x", SKV_PUT_CAS, v1 - 1,
				    0, 0, NULL));
	ASSERT_EQ(1, skv_get_str(self->fd, "k", buf, sizeof(buf)));
	EXPECT_STREQ("a", buf);
	EXPECT_EQ(v1, version_of(self->fd, "k"));
	ASSERT_EQ(0, put_full(self->fd, "k", "b", SKV_PUT_CAS, v1, 0, 0,
			      &v2));
	EXPECT_LT(v1, v2);
	/* The old version no longer matches. */
	ASSERT_EQ(-ESTALE, put_full(self->fd, "k", "c", SKV_PUT_CAS, v1, 0, 0,
				    NULL));
	ASSERT_EQ(1, skv_get_str(self->fd, "k", buf, sizeof(buf)));
	EXPECT_STREQ("b", buf);
}

TEST_F(ops, put_nx_with_xx_or_cas_is_einval)
{
	__u64 v;

	ASSERT_EQ(0, put_full(self->fd, "k", "a", 0, 0, 0, 0, &v));
	EXPECT_EQ(-EINVAL, put_full(self->fd, "k", "b",
				    SKV_PUT_NX | SKV_PUT_XX, 0, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, put_full(self->fd, "n", "b",
				    SKV_PUT_NX | SKV_PUT_XX, 0, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, put_full(self->fd, "k", "b",
				    SKV_PUT_NX | SKV_PUT_CAS, v, 0, 0, NULL));
	EXPECT_EQ(v, version_of(self->fd, "k"));
	EXPECT_EQ(-ENOENT, skv_get_str(self->fd, "n", (char[4]){}, 4));
}

TEST_F(ops, put_unknown_flags_are_einval)
{
	static const __u32 bad[] = { 1U << 4, 1U << 31, ~SKV_PUT_ALL };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		EXPECT_EQ(-EINVAL, put_full(self->fd, "k", "v", bad[i], 0, 0, 0,
					    NULL)) TH_LOG("flags %#x", bad[i]);
	EXPECT_EQ(-ENOENT, skv_get_str(self->fd, "k", (char[4]){}, 4));
}

TEST_F(ops, put_cas_version_without_cas_flag_is_einval)
{
	EXPECT_EQ(-EINVAL, put_full(self->fd, "k", "v", 0, 1, 0, 0, NULL));
	EXPECT_EQ(-ENOENT, skv_get_str(self->fd, "k", (char[4]){}, 4));
}

TEST_F(ops, put_ttl_without_ttl_flag_is_einval)
{
	EXPECT_EQ(-EINVAL, put_full(self->fd, "k", "v", 0, 0, 1000, 0, NULL));
	EXPECT_EQ(-ENOENT, skv_get_str(self->fd, "k", (char[4]){}, 4));
}

TEST_F(ops, put_ttl_flag_with_zero_ttl_is_einval)
{
	EXPECT_EQ(-EINVAL, put_full(self->fd, "k", "v", SKV_PUT_TTL, 0, 0, 0,
				    NULL));
	EXPECT_EQ(-ENOENT, skv_get_str(self->fd, "k", (char[4]){}, 4));
}

TEST_F(ops, put_reserved_is_einval)
{
	struct skv_put p;

	skv_put_init(&p, "k", 1, "v", 1);
	p.__reserved0 = 1;
	ASSERT_EQ(-1, ioctl(self->fd, SKV_IOC_PUT, &p));
	ASSERT_EQ(EINVAL, errno);
}

TEST_F(ops, put_ttl_reports_remaining_ttl)
{
	struct skv_get g;
	char buf[8];

	ASSERT_EQ(0, put_full(self->fd, "k", "v", SKV_PUT_TTL, 0, 600000, 0,
			      NULL));
	ASSERT_EQ(1, skv_get(self->fd, "k", 1, buf, sizeof(buf), &g));
	EXPECT_LT(0, g.ttl_ms);
	EXPECT_GE(600000, g.ttl_ms);
	EXPECT_LT(500000, g.ttl_ms);
	/* A PUT without TTL on a table without default TTL clears it. */
	ASSERT_EQ(0, skv_put_str(self->fd, "k", "w"));
	ASSERT_EQ(1, skv_get(self->fd, "k", 1, buf, sizeof(buf), &g));
	EXPECT_EQ(0, g.ttl_ms);
}

TEST_F(ops, put_bad_value_pointer_is_efault_and_changes_nothing)
{
	struct skv_put p;
	char buf[8];

	ASSERT_EQ(0, skv_put_str(self->fd, "k", "old"));
	skv_put_init(&p, "k", 1, (void *)8, 10);
	ASSERT_EQ(-1, ioctl(self->fd, SKV_IOC_PUT, &p));
	ASSERT_EQ(EFAULT, errno);
	skv_put_init(&p, (void *)8, 1, "v", 1);
	ASSERT_EQ(-1, ioctl(self->fd, SKV_IOC_PUT, &p));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_EQ(3, skv_get_str(self->fd, "k", buf, sizeof(buf)));
	EXPECT_STREQ("old", buf);
}

TEST_F(ops, versions_strictly_increase_and_are_never_reused)
{
	__u64 last = 0, v = 0;
	char key[16];
	unsigned int i;
	__s64 n;

	for (i = 0; i < 50; i++) {
		snprintf(key, sizeof(key), "k%u", i % 7);
		switch (i % 5) {
		case 0:
		case 1:
			ASSERT_EQ(0, skv_put_str(self->fd, key, "v"));
			v = version_of(self->fd, key);
			break;
		case 2:
			ASSERT_EQ(0, skv_incr_str(self->fd, "ctr", 1, &n));
			v = version_of(self->fd, "ctr");
			break;
		case 3:
			ASSERT_EQ(0, put_full(self->fd, key, "x", 0, 0, 0, 0,
					      &v));
			break;
		case 4:
			/* Delete and re-create: a new, higher version. */
			ASSERT_EQ(0, skv_put_str(self->fd, key, "d"));
			ASSERT_EQ(0, del_full(self->fd, key, 0, 0, NULL));
			ASSERT_EQ(0, put_full(self->fd, key, "x", 0, 0, 0, 0,
					      &v));
			break;
		}
		ASSERT_LT(last, v) TH_LOG("write %u", i);
		last = v;
	}
}

/* DELETE */

TEST_F(ops, delete_returns_version_and_removes)
{
	__u64 v, dv = 0;

	ASSERT_EQ(0, put_full(self->fd, "k", "v", 0, 0, 0, 0, &v));
	ASSERT_EQ(0, del_full(self->fd, "k", 0, 0, &dv));
	EXPECT_EQ(v, dv);
	EXPECT_EQ(-ENOENT, skv_get_str(self->fd, "k", (char[4]){}, 4));
	EXPECT_EQ(-ENOENT, del_full(self->fd, "k", 0, 0, NULL));
}

TEST_F(ops, delete_cas_matches_version)
{
	__u64 v, dv = 0;

	ASSERT_EQ(-ENOENT, del_full(self->fd, "k", SKV_DEL_CAS, 1, NULL));
	ASSERT_EQ(0, put_full(self->fd, "k", "v", 0, 0, 0, 0, &v));
	ASSERT_EQ(-ESTALE, del_full(self->fd, "k", SKV_DEL_CAS, v + 1, NULL));
	ASSERT_EQ(-ESTALE, del_full(self->fd, "k", SKV_DEL_CAS, 0, NULL));
	EXPECT_EQ(v, version_of(self->fd, "k"));
	ASSERT_EQ(0, del_full(self->fd, "k", SKV_DEL_CAS, v, &dv));
	EXPECT_EQ(v, dv);
	EXPECT_EQ(-ENOENT, skv_get_str(self->fd, "k", (char[4]){}, 4));
}

TEST_F(ops, delete_bad_flags_and_fields_are_einval)
{
	struct skv_delete d;

	ASSERT_EQ(0, skv_put_str(self->fd, "k", "v"));
	EXPECT_EQ(-EINVAL, del_full(self->fd, "k", 1U << 1, 0, NULL));
	EXPECT_EQ(-EINVAL, del_full(self->fd, "k", 1U << 31, 0, NULL));
	EXPECT_EQ(-EINVAL, del_full(self->fd, "k", 0, 5, NULL));
	memset(&d, 0, sizeof(d));
	d.size = sizeof(d);
	d.key_len = 1;
	d.key_ptr = U64P("k");
	d.__reserved0 = 1;
	EXPECT_EQ(-1, ioctl(self->fd, SKV_IOC_DELETE, &d));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(1, skv_get_str(self->fd, "k", (char[4]){}, 4));
}

/* GETDEL */

TEST_F(ops, getdel_returns_entry_and_deletes_it)
{
	struct skv_get g;
	char buf[16];
	__u64 v;

	ASSERT_EQ(0, put_full(self->fd, "k", "value", 0, 0, 0, 42, &v));
	skv_get_init(&g, "k", 1, buf, sizeof(buf));
	ASSERT_EQ(0, ioctl(self->fd, SKV_IOC_GETDEL, &g));
	EXPECT_EQ(5, g.value_len);
	EXPECT_EQ(0, memcmp(buf, "value", 5));
	EXPECT_EQ(v, g.version);
	EXPECT_EQ(42, g.user_flags);
	EXPECT_EQ(-ENOENT, skv_get_str(self->fd, "k", buf, sizeof(buf)));
	ASSERT_EQ(-1, ioctl(self->fd, SKV_IOC_GETDEL, &g));
	ASSERT_EQ(ENOENT, errno);
}

TEST_F(ops, getdel_erange_keeps_entry)
{
	struct skv_get g;
	char buf[16];

	ASSERT_EQ(0, skv_put_str(self->fd, "k", "value"));
	skv_get_init(&g, "k", 1, buf, 2);
	ASSERT_EQ(-1, ioctl(self->fd, SKV_IOC_GETDEL, &g));
	ASSERT_EQ(ERANGE, errno);
	EXPECT_EQ(5, g.value_len);
	ASSERT_EQ(5, skv_get_str(self->fd, "k", buf, sizeof(buf)));
}

/* INCR */

static int incr_full(int fd, const char *key, __s64 delta, __s64 *value,
		     __u64 *ver)
{
	struct skv_incr in;
	long ret;

	memset(&in, 0, sizeof(in));
	in.size = sizeof(in);
	in.key_len = strlen(key);
	in.key_ptr = U64P(key);
	in.delta = delta;
	ret = skv_ioctl(fd, SKV_IOC_INCR, &in);
	if (!ret) {
		*value = in.value;
		if (ver)
			*ver = in.version;
	}
	return ret;
}

TEST_F(ops, incr_absent_key_creates_it_from_zero)
{
	char buf[32];
	__s64 n = 0;
	__u64 v;

	ASSERT_EQ(0, incr_full(self->fd, "c", 5, &n, &v));
	EXPECT_EQ(5, n);
	EXPECT_EQ(v, version_of(self->fd, "c"));
	ASSERT_EQ(1, skv_get_str(self->fd, "c", buf, sizeof(buf)));
	EXPECT_STREQ("5", buf);
}

TEST_F(ops, incr_stores_ascii_decimal)
{
	char buf[32];
	__s64 n = 0;

	ASSERT_EQ(0, skv_put_str(self->fd, "c", "10"));
	ASSERT_EQ(0, incr_full(self->fd, "c", 5, &n, NULL));
	EXPECT_EQ(15, n);
	ASSERT_EQ(2, skv_get_str(self->fd, "c", buf, sizeof(buf)));
	EXPECT_STREQ("15", buf);
	ASSERT_EQ(0, incr_full(self->fd, "c", -20, &n, NULL));
	EXPECT_EQ(-5, n);
	ASSERT_EQ(2, skv_get_str(self->fd, "c", buf, sizeof(buf)));
	EXPECT_STREQ("-5", buf);
	ASSERT_EQ(0, incr_full(self->fd, "c", 5, &n, NULL));
	EXPECT_EQ(0, n);
	ASSERT_EQ(1, skv_get_str(self->fd, "c", buf, sizeof(buf)));
	EXPECT_STREQ("0", buf);
	ASSERT_EQ(0, incr_full(self->fd, "c", 0, &n, NULL));
	EXPECT_EQ(0, n);
}

TEST_F(ops, incr_accepts_negative_and_limit_values)
{
	char buf[32];
	__s64 n = 0;

	ASSERT_EQ(0, skv_put_str(self->fd, "c", "-7"));
	ASSERT_EQ(0, incr_full(self->fd, "c", -3, &n, NULL));
	EXPECT_EQ(-10, n);
	ASSERT_EQ(0, skv_put_str(self->fd, "c", "9223372036854775806"));
	ASSERT_EQ(0, incr_full(self->fd, "c", 1, &n, NULL));
	EXPECT_EQ(INT64_MAX, n);
	ASSERT_EQ(19, skv_get_str(self->fd, "c", buf, sizeof(buf)));
	EXPECT_STREQ("9223372036854775807", buf);
	ASSERT_EQ(0, skv_put_str(self->fd, "c", "-9223372036854775807"));
	ASSERT_EQ(0, incr_full(self->fd, "c", -1, &n, NULL));
	EXPECT_EQ(INT64_MIN, n);
	ASSERT_EQ(20, skv_get_str(self->fd, "c", buf, sizeof(buf)));
	EXPECT_STREQ("-9223372036854775808", buf);
	ASSERT_EQ(0, incr_full(self->fd, "d", INT64_MIN, &n, NULL));
	EXPECT_EQ(INT64_MIN, n);
}

TEST_F(ops, incr_of_non_integer_is_edom)
{
	static const char *const bad[] = {
		"", "abc", "+1", " 1", "1 ", "01", "-01", "00", "1.0", "1e3",
		"0x10", "-", "--1", "12345678901234567890", "1\n",
	};
	char buf[32];
	unsigned int i;
	__s64 n;
	__u64 v;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ASSERT_EQ(0, skv_put_str(self->fd, "c", bad[i]));
		v = version_of(self->fd, "c");
		EXPECT_EQ(-EDOM, incr_full(self->fd, "c", 1, &n, NULL))
			TH_LOG("value \"%s\"", bad[i]);
		/* Unchanged. */
		EXPECT_EQ(v, version_of(self->fd, "c"));
		EXPECT_EQ((int)strlen(bad[i]),
			  skv_get_str(self->fd, "c", buf, sizeof(buf)));
	}
	/* Binary: a NUL inside. */
	ASSERT_EQ(0, skv_put(self->fd, "c", 1, "1\0002", 3, 0, NULL));
	EXPECT_EQ(-EDOM, incr_full(self->fd, "c", 1, &n, NULL));
}

TEST_F(ops, incr_past_int64_limits_is_eoverflow)
{
	char buf[32];
	__s64 n;

	ASSERT_EQ(0, skv_put_str(self->fd, "c", "9223372036854775807"));
	EXPECT_EQ(-EOVERFLOW, incr_full(self->fd, "c", 1, &n, NULL));
	EXPECT_EQ(-EOVERFLOW, incr_full(self->fd, "c", INT64_MAX, &n, NULL));
	ASSERT_EQ(19, skv_get_str(self->fd, "c", buf, sizeof(buf)));
	EXPECT_STREQ("9223372036854775807", buf);

	ASSERT_EQ(0, skv_put_str(self->fd, "c", "-9223372036854775808"));
	EXPECT_EQ(-EOVERFLOW, incr_full(self->fd, "c", -1, &n, NULL));
	EXPECT_EQ(-EOVERFLOW, incr_full(self->fd, "c", INT64_MIN, &n, NULL));
	ASSERT_EQ(20, skv_get_str(self->fd, "c", buf, sizeof(buf)));
	EXPECT_STREQ("-9223372036854775808", buf);

	ASSERT_EQ(0, incr_full(self->fd, "d", INT64_MIN, &n, NULL));
	EXPECT_EQ(-EOVERFLOW, incr_full(self->fd, "d", -1, &n, NULL));
}

TEST_F(ops, incr_result_longer_than_max_value_len_is_e2big)
{
	struct skv_table_attr attr = { .max_value_len = 2 };
	char name[SKV_NAME_MAX], buf[8];
	__s64 n;
	int fd;

	skv_name(name, "incr2");
	fd = skv_create(self->ctl, name, &attr);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, skv_put_str(fd, "c", "98"));
	ASSERT_EQ(0, skv_incr_str(fd, "c", 1, &n));
	EXPECT_EQ(99, n);
	EXPECT_EQ(-E2BIG, skv_incr_str(fd, "c", 1, &n));
	EXPECT_EQ(-E2BIG, skv_incr_str(fd, "d", -10, &n));
	ASSERT_EQ(2, skv_get_str(fd, "c", buf, sizeof(buf)));
	EXPECT_STREQ("99", buf);
	EXPECT_EQ(-ENOENT, skv_get_str(fd, "d", buf, sizeof(buf)));
	close(fd);
	skv_table_delete(self->ctl, name);
}

TEST_F(ops, incr_keeps_ttl_and_user_flags)
{
	struct skv_get g;
	char buf[32];
	__s64 n;

	ASSERT_EQ(0, put_full(self->fd, "c", "1", SKV_PUT_TTL, 0, 600000,
			      0x1234, NULL));
	ASSERT_EQ(0, incr_full(self->fd, "c", 1, &n, NULL));
	EXPECT_EQ(2, n);
	ASSERT_EQ(1, skv_get(self->fd, "c", 1, buf, sizeof(buf), &g));
	EXPECT_LT(0, g.ttl_ms);
	EXPECT_GE(600000, g.ttl_ms);
	EXPECT_EQ(0x1234, g.user_flags);
}

TEST_F(ops, incr_flags_and_reserved_are_einval)
{
	struct skv_incr in;

	memset(&in, 0, sizeof(in));
	in.size = sizeof(in);
	in.key_len = 1;
	in.key_ptr = U64P("c");
	in.delta = 1;
	in.flags = 1;
	EXPECT_EQ(-1, ioctl(self->fd, SKV_IOC_INCR, &in));
	EXPECT_EQ(EINVAL, errno);
	in.flags = 0;
	in.__reserved0 = 1;
	EXPECT_EQ(-1, ioctl(self->fd, SKV_IOC_INCR, &in));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-ENOENT, skv_get_str(self->fd, "c", (char[4]){}, 4));
}

/* FLUSH */

TEST_F(ops, flush_deletes_everything_and_counts)
{
	struct skv_stats st;
	char key[16];
	__u64 count = 99;
	unsigned int i;

	for (i = 0; i < 37; i++) {
		snprintf(key, sizeof(key), "k%u", i);
		ASSERT_EQ(0, skv_put_str(self->fd, key, "v"));
	}
	ASSERT_EQ(0, skv_flush(self->fd, &count));
	EXPECT_EQ(37, count);
	for (i = 0; i < 37; i++) {
		snprintf(key, sizeof(key), "k%u", i);
		EXPECT_EQ(-ENOENT, skv_get_str(self->fd, key, (char[4]){}, 4));
	}
	ASSERT_EQ(0, skv_stats(self->fd, &st));
	EXPECT_EQ(0, st.entries);
	EXPECT_EQ(0, st.bytes);
	ASSERT_EQ(0, skv_flush(self->fd, &count));
	EXPECT_EQ(0, count);
	/* The table is usable afterwards. */
	ASSERT_EQ(0, skv_put_str(self->fd, "k", "v"));
}

TEST_F(ops, flush_flags_are_einval)
{
	struct skv_flush f = { .size = sizeof(f), .flags = 1 };

	ASSERT_EQ(0, skv_put_str(self->fd, "k", "v"));
	ASSERT_EQ(-1, ioctl(self->fd, SKV_IOC_FLUSH, &f));
	ASSERT_EQ(EINVAL, errno);
	EXPECT_EQ(1, skv_get_str(self->fd, "k", (char[4]){}, 4));
}

/* STATS */

TEST_F(ops, stats_of_new_table_are_zero)
{
	struct skv_stats st;

	ASSERT_EQ(0, skv_stats(self->fd, &st));
	EXPECT_EQ(sizeof(st), st.size);
	EXPECT_EQ(0, st.entries);
	EXPECT_EQ(0, st.bytes);
	EXPECT_EQ(0, st.hits);
	EXPECT_EQ(0, st.misses);
	EXPECT_EQ(0, st.writes);
	EXPECT_EQ(0, st.deletes);
	EXPECT_EQ(0, st.evictions);
	EXPECT_EQ(0, st.expirations);
}

TEST_F(ops, stats_count_hits_misses_writes_deletes)
{
	struct skv_stats st;
	char buf[16];

	ASSERT_EQ(0, skv_put_str(self->fd, "a", "12345"));	/* 1 + 5 */
	ASSERT_EQ(0, skv_put_str(self->fd, "bb", "xyz"));	/* 2 + 3 */
	ASSERT_EQ(0, skv_put_str(self->fd, "a", "1"));		/* 1 + 1 */
	ASSERT_EQ(0, skv_stats(self->fd, &st));
	EXPECT_EQ(2, st.entries);
	EXPECT_EQ(7, st.bytes);
	EXPECT_EQ(3, st.writes);

	ASSERT_EQ(1, skv_get_str(self->fd, "a", buf, sizeof(buf)));
	ASSERT_EQ(3, skv_get_str(self->fd, "bb", buf, sizeof(buf)));
	ASSERT_EQ(3, skv_get_str(self->fd, "bb", buf, sizeof(buf)));
	ASSERT_EQ(-ENOENT, skv_get_str(self->fd, "zz", buf, sizeof(buf)));
	ASSERT_EQ(0, skv_stats(self->fd, &st));
	EXPECT_EQ(3, st.hits);
	EXPECT_EQ(1, st.misses);

	ASSERT_EQ(0, skv_del_str(self->fd, "bb"));
	ASSERT_EQ(-ENOENT, skv_del_str(self->fd, "bb"));
	ASSERT_EQ(0, skv_stats(self->fd, &st));
	EXPECT_EQ(1, st.deletes);
	EXPECT_EQ(1, st.entries);
	EXPECT_EQ(2, st.bytes);
	EXPECT_EQ(3, st.writes);
	EXPECT_EQ(0, st.evictions);
	EXPECT_EQ(0, st.expirations);
}

TEST_F(ops, stats_flags_are_einval)
{
	struct skv_stats st = { .size = sizeof(st), .flags = 1 };

	ASSERT_EQ(-1, ioctl(self->fd, SKV_IOC_STATS, &st));
	ASSERT_EQ(EINVAL, errno);
}

TEST_HARNESS_MAIN
