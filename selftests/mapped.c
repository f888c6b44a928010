// SPDX-License-Identifier: GPL-2.0
/*
 * Mapped tables (issue 13): the create attribute and its refusals, the
 * mmap and mprotect rules, the shared layout, every op's semantics on the
 * mapped engine, and readers in shared memory racing writers, deletes,
 * flushes, expiry, table deletion and fork. Readers use libskvdev's
 * skv_map_get() (the reader protocol of uapi/linux/skv_map.h) and
 * skv_get(), which uses the mapping by itself.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/wait.h>

/* skv_test.h's raw wrappers share three names with libskvdev. */
#define skv_get raw_get
#define skv_put raw_put
#define skv_table_delete raw_table_delete
#include "skv_test.h"
#undef skv_get
#undef skv_put
#undef skv_table_delete

#include <skvdev.h>

#include "kselftest_harness.h"

static int map_open(int ctl, const char *name, __u32 flags,
		    const struct skv_table_attr *attr, __u32 table_flags,
		    __u32 reserved)
{
	return skv_open_tf(ctl, name, flags, attr, table_flags, reserved, NULL);
}

static int map_create(int ctl, const char *name,
		      const struct skv_table_attr *attr)
{
	return map_open(ctl, name, SKV_OPEN_CREATE | SKV_OPEN_EXCL, attr,
			SKV_TABLE_MAPPED, 0);
}

static int info_of(int fd, struct skv_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	return skv_ioctl(fd, SKV_IOC_INFO, info);
}

/* Run @fn in a child with uid/gid 1000 (alice); its exit status. */
static int as_alice(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (setresgid(1000, 1000, 1000) || setresuid(1000, 1000, 1000))
			_exit(100);
		_exit(fn(arg));
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

TEST(features_report_mapped_tables)
{
	struct skv_features f = { .size = sizeof(f) };
	int ctl = skv_ctl_open();

	ASSERT_LE(0, ctl);
	ASSERT_EQ(0, skv_ioctl(ctl, SKV_IOC_FEATURES, &f));
	EXPECT_TRUE(f.table_flags & SKV_TABLE_MAPPED);
	EXPECT_EQ(SKV_MAP_LAYOUT_VERSION, f.map_layout_version);
	EXPECT_EQ(SKV_MAP_SIZE_CAP, f.map_size_cap);
	EXPECT_EQ(SKV_MAP_SLOT_SIZE_CAP, f.map_slot_size_cap);
	EXPECT_EQ(sizeof(struct skv_table_open), f.sizeof_table_open);
	close(ctl);
}

TEST(create_takes_the_mapped_defaults_and_info_reports_them)
{
	char name[SKV_NAME_MAX];
	struct skv_info info;
	int ctl = skv_ctl_open(), fd;

	ASSERT_LE(0, ctl);
	skv_name(name, "map-def");
	fd = map_create(ctl, name, NULL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, info_of(fd, &info));
	EXPECT_EQ(SKV_TABLE_MAPPED, info.table_flags);
	EXPECT_EQ(SKV_MAP_DEFAULT_MAX_ENTRIES, info.attr.max_entries);
	EXPECT_EQ(SKV_MAP_DEFAULT_KEY_LEN, info.attr.max_key_len);
	EXPECT_EQ(SKV_MAP_DEFAULT_VALUE_LEN, info.attr.max_value_len);
	EXPECT_EQ(SKV_POLICY_NONE, info.attr.policy);
	EXPECT_LT(0, info.map_size);
	EXPECT_EQ(0, info.map_size % getpagesize());
	close(fd);
	EXPECT_EQ(0, raw_table_delete(ctl, name));

	/* An ordinary table says it is not mapped. */
	fd = skv_create(ctl, name, NULL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, info_of(fd, &info));
	EXPECT_EQ(0, info.table_flags);
	EXPECT_EQ(0, info.map_size);
	close(fd);
	EXPECT_EQ(0, raw_table_delete(ctl, name));
	close(ctl);
}

static int create_big_mapped(void *arg)
{
	const char *name = arg;
	/* 100000 slots of 1 KiB: ~100 MiB, below the cap. */
	struct skv_table_attr a = {
		.max_entries = 100000, .max_key_len = 64, .max_value_len = 900,
	};
	int ctl = skv_ctl_open(), fd;

	if (ctl < 0)
		return 1;
	fd = map_create(ctl, name, &a);
	return fd == -EDQUOT ? 0 : 2;
}

TEST(create_refusals)
{
	struct skv_table_attr a = {};
	char name[SKV_NAME_MAX];
	int ctl = skv_ctl_open();

	ASSERT_LE(0, ctl);
	skv_name(name, "map-bad");
	a.policy = SKV_POLICY_LRU;
	EXPECT_EQ(-EINVAL, map_create(ctl, name, &a));
	a.policy = SKV_POLICY_NONE;
	a.max_value_len = SKV_MAP_SLOT_SIZE_CAP;	/* + key + header */
	EXPECT_EQ(-EINVAL, map_create(ctl, name, &a));
	a.max_value_len = 0;
	a.max_entries = 1ULL << 24;			/* 16M slots > 1 GiB */
	EXPECT_EQ(-EINVAL, map_create(ctl, name, &a));
	a.max_entries = 0;
	EXPECT_EQ(-EINVAL, map_open(ctl, name, SKV_OPEN_CREATE, NULL, 0x2, 0));
	EXPECT_EQ(-EINVAL, map_open(ctl, name, SKV_OPEN_CREATE, NULL,
				    SKV_TABLE_MAPPED, 1));
	EXPECT_EQ(-EINVAL, map_open(ctl, name, 0, NULL, SKV_TABLE_MAPPED, 0));
	/* None of these made a table. */
	EXPECT_EQ(-ENOENT, skv_open(ctl, name, 0, NULL, NULL));

	/* 100000 slots of 1 KiB: above alice's 64 MiB byte quota. */
	EXPECT_EQ(0, as_alice(create_big_mapped, name));
	EXPECT_EQ(-ENOENT, skv_open(ctl, name, 0, NULL, NULL));
	close(ctl);
}

TEST(set_cannot_make_a_mapped_table_lru)
{
	struct skv_set set = { .size = sizeof(set), .mask = SKV_SET_POLICY,
			       .policy = SKV_POLICY_LRU };
	char name[SKV_NAME_MAX];
	int ctl = skv_ctl_open(), fd;

	ASSERT_LE(0, ctl);
	skv_name(name, "map-set");
	fd = map_create(ctl, name, NULL);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, skv_ioctl(fd, SKV_IOC_SET, &set));
	set.policy = SKV_POLICY_NONE;
	EXPECT_EQ(0, skv_ioctl(fd, SKV_IOC_SET, &set));
	close(fd);
	raw_table_delete(ctl, name);
	close(ctl);
}

static int errno_of_mmap(int fd, size_t len, int prot, int flags, off_t off)
{
	void *p = mmap(NULL, len, prot, flags, fd, off);

	if (p == MAP_FAILED)
		return -errno;
	munmap(p, len);
	return 0;
}

TEST(mmap_and_mprotect_refusals)
{
	char name[SKV_NAME_MAX];
	struct skv_info info;
	int ctl = skv_ctl_open(), fd, ro, plain;
	size_t pg = getpagesize();
	void *p;

	ASSERT_LE(0, ctl);
	skv_name(name, "map-mm");
	fd = map_create(ctl, name, NULL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, info_of(fd, &info));
	ro = skv_open(ctl, name, SKV_OPEN_RDONLY, NULL, NULL);
	ASSERT_LE(0, ro);

	EXPECT_EQ(0, errno_of_mmap(fd, info.map_size, PROT_READ, MAP_SHARED, 0));
	EXPECT_EQ(0, errno_of_mmap(ro, info.map_size, PROT_READ, MAP_SHARED, 0));
	EXPECT_EQ(0, errno_of_mmap(ro, pg, PROT_READ, MAP_SHARED, 0));
	EXPECT_EQ(-EINVAL, errno_of_mmap(fd, pg, PROT_READ, MAP_PRIVATE, 0));
	EXPECT_EQ(-EPERM, errno_of_mmap(fd, pg, PROT_READ | PROT_WRITE,
					MAP_SHARED, 0));
	EXPECT_EQ(-EPERM, errno_of_mmap(fd, pg, PROT_READ | PROT_EXEC,
					MAP_SHARED, 0));
	/* A read-only fd: the VFS refuses a writable shared mapping first. */
	EXPECT_EQ(-EACCES, errno_of_mmap(ro, pg, PROT_READ | PROT_WRITE,
					 MAP_SHARED, 0));
	EXPECT_EQ(-EINVAL, errno_of_mmap(fd, pg, PROT_READ, MAP_SHARED, pg));
	EXPECT_EQ(-EINVAL, errno_of_mmap(fd, info.map_size + pg, PROT_READ,
					 MAP_SHARED, 0));

	p = mmap(NULL, info.map_size, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, mprotect(p, pg, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, mprotect(p, pg, PROT_READ | PROT_EXEC));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(MAP_FAILED, mremap(p, info.map_size, info.map_size + pg, 0));
	EXPECT_EQ(0, munmap(p, info.map_size));

	plain = skv_create(ctl, "map-mm-plain", NULL);
	ASSERT_LE(0, plain);
	EXPECT_EQ(-ENODEV, errno_of_mmap(plain, pg, PROT_READ, MAP_SHARED, 0));
	close(plain);
	raw_table_delete(ctl, "map-mm-plain");
	close(ro);
	close(fd);
	raw_table_delete(ctl, name);
	close(ctl);
}

TEST(header_describes_the_region)
{
	struct skv_table_attr a = { .max_entries = 1000, .max_key_len = 16,
				    .max_value_len = 64 };
	const struct skv_map_header *h;
	char name[SKV_NAME_MAX];
	struct skv_info info;
	int ctl = skv_ctl_open(), fd;

	ASSERT_LE(0, ctl);
	skv_name(name, "map-hdr");
	fd = map_create(ctl, name, &a);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, info_of(fd, &info));
	h = mmap(NULL, info.map_size, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, h);
	EXPECT_EQ(SKV_MAP_MAGIC, h->magic);
	EXPECT_EQ(SKV_MAP_LAYOUT_VERSION, h->layout_version);
	EXPECT_EQ(SKV_MAP_LIVE, h->state);
	EXPECT_EQ(info.map_size, h->map_size);
	EXPECT_EQ(SKV_MAP_BUCKET_SIZE, h->bucket_size);
	EXPECT_EQ(0, h->nr_buckets & (h->nr_buckets - 1));
	EXPECT_LE(1000 / 3, h->nr_buckets);
	EXPECT_EQ(1001, h->nr_slots);
	EXPECT_EQ(128, h->slot_size);		/* 32 + 16 + 64, to 64 */
	EXPECT_EQ(16, h->max_key_len);
	EXPECT_EQ(64, h->max_value_len);
	EXPECT_LE(h->header_size, h->index_offset);
	EXPECT_LE(h->index_offset + (__u64)h->nr_buckets * 64, h->slots_offset);
	EXPECT_LE(h->slots_offset + (__u64)h->nr_slots * h->slot_size,
		  h->map_size);
	EXPECT_TRUE(h->hash_key[0] || h->hash_key[1]);
	munmap((void *)h, info.map_size);
	close(fd);
	raw_table_delete(ctl, name);
	close(ctl);
}

FIXTURE(m) {
	struct skv_dev *dev;
	struct skv_table *t;
	char name[SKV_NAME_MAX];
};

FIXTURE_SETUP(m)
{
	struct skv_table_attr a = { .max_entries = 64, .max_key_len = 32,
				    .max_value_len = 200, .max_bytes = 4000 };

	ASSERT_EQ(0, skv_dev_open(NULL, &self->dev));
	skv_name(self->name, "map-ops");
	ASSERT_EQ(0, skv_table_open2(self->dev, self->name,
				     SKV_OPEN_CREATE | SKV_OPEN_EXCL, &a,
				     SKV_TABLE_MAPPED, &self->t));
	ASSERT_TRUE(skv_table_mapped(self->t));
}

FIXTURE_TEARDOWN(m)
{
	skv_table_close(self->t);
	skv_table_delete(self->dev, self->name);
	skv_dev_close(self->dev);
}

static int mget(struct skv_table *t, const char *key, char *buf, size_t cap,
		size_t *len, struct skv_meta *meta)
{
	*len = cap;
	return skv_map_get(t, key, strlen(key), buf, len, meta);
}

TEST_F(m, put_flags_cas_and_the_reader_agree_with_the_ioctl)
{
	struct skv_put_opts o = {};
	struct skv_meta m1, m2;
	char buf[256];
	size_t len;
	uint64_t v1, v2;

	EXPECT_EQ(-ENOENT, mget(self->t, "a", buf, sizeof(buf), &len, NULL));
	ASSERT_EQ(0, skv_put(self->t, "a", 1, "one", 3, NULL, &v1));
	ASSERT_EQ(0, mget(self->t, "a", buf, sizeof(buf), &len, &m1));
	EXPECT_EQ(3, len);
	EXPECT_EQ(0, memcmp(buf, "one", 3));
	EXPECT_EQ(v1, m1.version);
	EXPECT_EQ(0, m1.ttl_ms);

	o.flags = SKV_PUT_NX;
	EXPECT_EQ(-EEXIST, skv_put(self->t, "a", 1, "x", 1, &o, NULL));
	o.flags = SKV_PUT_XX;
	EXPECT_EQ(-ENOENT, skv_put(self->t, "b", 1, "x", 1, &o, NULL));
	o.flags = SKV_PUT_CAS;
	o.cas_version = v1 + 100;
	EXPECT_EQ(-ESTALE, skv_put(self->t, "a", 1, "x", 1, &o, NULL));
	o.cas_version = v1;
	o.user_flags = 0xabc;
	ASSERT_EQ(0, skv_put(self->t, "a", 1, "three", 5, &o, &v2));
	EXPECT_LT(v1, v2);
	ASSERT_EQ(0, mget(self->t, "a", buf, sizeof(buf), &len, &m1));
	EXPECT_EQ(5, len);
	EXPECT_EQ(0, memcmp(buf, "three", 5));
	EXPECT_EQ(v2, m1.version);
	EXPECT_EQ(0xabc, m1.user_flags);

	/* skv_get answers the same from the mapping. */
	len = sizeof(buf);
	ASSERT_EQ(0, skv_get(self->t, "a", 1, buf, &len, &m2));
	EXPECT_EQ(5, len);
	EXPECT_EQ(m1.version, m2.version);
	EXPECT_EQ(m1.user_flags, m2.user_flags);

	/* -ERANGE: the length needed, nothing else. */
	len = 2;
	EXPECT_EQ(-ERANGE, skv_map_get(self->t, "a", 1, buf, &len, NULL));
	EXPECT_EQ(5, len);
	len = 2;
	EXPECT_EQ(-ERANGE, skv_get(self->t, "a", 1, buf, &len, NULL));
	EXPECT_EQ(5, len);

	/* Sizes: a key above max_key_len, a value above max_value_len. */
	char big[300] = {};
	len = sizeof(buf);
	EXPECT_EQ(-EINVAL, skv_map_get(self->t, big, 33, buf, &len, NULL));
	EXPECT_EQ(-EINVAL, skv_put(self->t, big, 33, "x", 1, NULL, NULL));
	EXPECT_EQ(-E2BIG, skv_put(self->t, "a", 1, big, 201, NULL, NULL));
	/* Both failures left "a" as it was. */
	ASSERT_EQ(0, mget(self->t, "a", buf, sizeof(buf), &len, &m1));
	EXPECT_EQ(v2, m1.version);
}

TEST_F(m, delete_getdel_incr_and_ttl)
{
	struct skv_put_opts o = { .flags = SKV_PUT_TTL, .ttl_ms = 60000 };
	struct skv_meta meta;
	char buf[64];
	size_t len;
	uint64_t v, dv;
	int64_t n;

	ASSERT_EQ(0, skv_put(self->t, "d", 1, "x", 1, NULL, &v));
	EXPECT_EQ(-ESTALE, skv_delete(self->t, "d", 1, SKV_DEL_CAS, v + 1, NULL));
	ASSERT_EQ(0, skv_delete(self->t, "d", 1, SKV_DEL_CAS, v, &dv));
	EXPECT_EQ(v, dv);
	EXPECT_EQ(-ENOENT, mget(self->t, "d", buf, sizeof(buf), &len, NULL));
	EXPECT_EQ(-ENOENT, skv_delete(self->t, "d", 1, 0, 0, NULL));

	ASSERT_EQ(0, skv_put(self->t, "g", 1, "gone", 4, NULL, NULL));
	len = sizeof(buf);
	ASSERT_EQ(0, skv_getdel(self->t, "g", 1, buf, &len, NULL));
	EXPECT_EQ(4, len);
	EXPECT_EQ(-ENOENT, mget(self->t, "g", buf, sizeof(buf), &len, NULL));

	ASSERT_EQ(0, skv_incr(self->t, "n", 1, 5, &n, NULL));
	EXPECT_EQ(5, n);
	ASSERT_EQ(0, skv_incr(self->t, "n", 1, -7, &n, NULL));
	EXPECT_EQ(-2, n);
	ASSERT_EQ(0, mget(self->t, "n", buf, sizeof(buf), &len, NULL));
	EXPECT_EQ(2, len);
	EXPECT_EQ(0, memcmp(buf, "-2", 2));
	ASSERT_EQ(0, skv_put(self->t, "s", 1, "abc", 3, NULL, NULL));
	EXPECT_EQ(-EDOM, skv_incr(self->t, "s", 1, 1, &n, NULL));
	ASSERT_EQ(0, skv_put(self->t, "m", 1, "9223372036854775807", 19,
			     NULL, NULL));
	EXPECT_EQ(-EOVERFLOW, skv_incr(self->t, "m", 1, 1, &n, NULL));

	ASSERT_EQ(0, skv_put(self->t, "t", 1, "ttl", 3, &o, NULL));
	ASSERT_EQ(0, mget(self->t, "t", buf, sizeof(buf), &len, &meta));
	EXPECT_LT(50000, meta.ttl_ms);
	EXPECT_GE(60000, meta.ttl_ms);
	/* INCR keeps the TTL. */
	ASSERT_EQ(0, skv_put(self->t, "c", 1, "1", 1, &o, NULL));
	ASSERT_EQ(0, skv_incr(self->t, "c", 1, 1, &n, NULL));
	ASSERT_EQ(0, mget(self->t, "c", buf, sizeof(buf), &len, &meta));
	EXPECT_LT(50000, meta.ttl_ms);

	/* Expired: gone for the reader at once, before any reaping. */
	o.ttl_ms = 30;
	ASSERT_EQ(0, skv_put(self->t, "e", 1, "soon", 4, &o, NULL));
	ASSERT_EQ(0, mget(self->t, "e", buf, sizeof(buf), &len, NULL));
	usleep(60 * 1000);
	EXPECT_EQ(-ENOENT, mget(self->t, "e", buf, sizeof(buf), &len, NULL));
	len = sizeof(buf);
	EXPECT_EQ(-ENOENT, skv_get(self->t, "e", 1, buf, &len, NULL));
}

TEST_F(m, full_table_and_byte_limit_fail_cleanly)
{
	struct skv_stats st;
	char key[16], val[200];
	uint64_t v;
	int i, ret = 0;

	memset(val, 'v', sizeof(val));
	/* 4000 bytes: 19 entries of 2+200 fit, the 20th does not. */
	for (i = 0; i < 64 && !ret; i++) {
		snprintf(key, sizeof(key), "%02d", i);
		ret = skv_put(self->t, key, 2, val, 200, NULL, &v);
	}
	EXPECT_EQ(-EFBIG, ret);
	EXPECT_EQ(0, skv_table_flush(self->t, NULL));
	for (i = 0, ret = 0; i < 100 && !ret; i++) {
		snprintf(key, sizeof(key), "%02d", i);
		ret = skv_put(self->t, key, 2, "x", 1, NULL, &v);
	}
	EXPECT_EQ(-ENOSPC, ret);
	EXPECT_EQ(65, i);
	ASSERT_EQ(0, skv_table_stats(self->t, &st));
	EXPECT_EQ(64, st.entries);
	EXPECT_EQ(64 * 3, st.bytes);
	/* A replace in a full table works; a new key does not. */
	EXPECT_EQ(0, skv_put(self->t, "00", 2, "yy", 2, NULL, NULL));
	EXPECT_EQ(-ENOSPC, skv_put(self->t, "zz", 2, "y", 1, NULL, NULL));
	EXPECT_EQ(0, skv_delete(self->t, "01", 2, 0, 0, NULL));
	EXPECT_EQ(0, skv_put(self->t, "zz", 2, "y", 1, NULL, NULL));
}

TEST_F(m, scan_batch_flush_and_stats)
{
	struct skv_op_batch *b;
	struct skv_scan_iter *it;
	struct skv_scan_item item;
	struct skv_batch_res res;
	struct skv_stats st;
	bool seen[40] = {};
	char key[16];
	uint64_t count;
	int i, n = 0, ret;

	for (i = 0; i < 40; i++) {
		snprintf(key, sizeof(key), "k%02d", i);
		ASSERT_EQ(0, skv_put(self->t, key, 3, key, 3, NULL, NULL));
	}
	ASSERT_EQ(0, skv_scan_begin(self->t, "k", 1, SKV_SCAN_VALUES, 0, &it));
	while ((ret = skv_scan_next(it, &item)) == 0) {
		ASSERT_EQ(3, item.key_len);
		ASSERT_EQ(3, item.value_len);
		ASSERT_EQ(0, memcmp(item.key, item.value, 3));
		i = atoi((const char *)item.key + 1);
		ASSERT_FALSE(seen[i]);
		seen[i] = true;
		n++;
	}
	EXPECT_EQ(-ENOENT, ret);
	skv_scan_end(it);
	EXPECT_EQ(40, n);

	ASSERT_EQ(0, skv_batch_new(8, &b));
	char gbuf[2][16];

	ASSERT_EQ(0, skv_batch_add_get(b, "k05", 3, gbuf[0], 16));
	ASSERT_EQ(0, skv_batch_add_put(b, "new", 3, "N", 1, NULL));
	ASSERT_EQ(0, skv_batch_add_delete(b, "k06", 3, 0, 0));
	ASSERT_EQ(0, skv_batch_add_incr(b, "ctr", 3, 3));
	ASSERT_EQ(0, skv_batch_add_getdel(b, "k07", 3, gbuf[1], 16));
	ASSERT_EQ(0, skv_batch_submit(self->t, b));
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, skv_batch_result(b, i, &res));
		EXPECT_EQ(0, res.status) TH_LOG("op %d", i);
	}
	skv_batch_free(b);
	ASSERT_EQ(0, skv_table_stats(self->t, &st));
	EXPECT_EQ(40, st.entries);	/* +new +ctr -k06 -k07 */

	ASSERT_EQ(0, skv_table_flush(self->t, &count));
	EXPECT_EQ(40, count);
	ASSERT_EQ(0, skv_table_stats(self->t, &st));
	EXPECT_EQ(0, st.entries);
	EXPECT_EQ(0, st.bytes);
}

TEST_F(m, events_on_a_mapped_table)
{
	struct skv_events *ev;
	struct skv_event e;
	int ret, tries;

	ASSERT_EQ(0, skv_events_open(&ev));
	ASSERT_EQ(0, skv_events_subscribe(ev, self->name));
	ASSERT_EQ(0, skv_put(self->t, "ev", 2, "1", 1, NULL, NULL));
	ASSERT_EQ(0, skv_delete(self->t, "ev", 2, 0, 0, NULL));
	for (tries = 0; tries < 100; tries++) {
		ret = skv_events_next(ev, &e);
		if (ret != -EAGAIN)
			break;
		usleep(10000);
	}
	ASSERT_EQ(0, ret);
	EXPECT_EQ(SKV_EVENT_TYPE_SET, e.type);
	EXPECT_EQ(2, e.key_len);
	for (tries = 0; tries < 100; tries++) {
		ret = skv_events_next(ev, &e);
		if (ret != -EAGAIN)
			break;
		usleep(10000);
	}
	ASSERT_EQ(0, ret);
	EXPECT_EQ(SKV_EVENT_TYPE_DELETE, e.type);
	skv_events_close(ev);
}

TEST_F(m, deleted_table_reads_as_dead_and_the_fd_still_answers)
{
	char buf[16];
	size_t len;

	ASSERT_EQ(0, skv_put(self->t, "k", 1, "v", 1, NULL, NULL));
	ASSERT_EQ(0, mget(self->t, "k", buf, sizeof(buf), &len, NULL));
	ASSERT_EQ(0, skv_table_delete(self->dev, self->name));
	EXPECT_EQ(-EIDRM, mget(self->t, "k", buf, sizeof(buf), &len, NULL));
	/* skv_get falls back to the fd, which works as for any table. */
	len = sizeof(buf);
	EXPECT_EQ(0, skv_get(self->t, "k", 1, buf, &len, NULL));
	EXPECT_EQ(1, len);
}

TEST(reader_without_permission_gets_no_fd)
{
	char name[SKV_NAME_MAX];
	int ctl = skv_ctl_open(), fd, status;
	pid_t pid;

	ASSERT_LE(0, ctl);
	skv_name(name, "map-perm");
	fd = map_create(ctl, name, NULL);		/* mode 0600, root */
	ASSERT_LE(0, fd);
	pid = fork();
	if (pid == 0) {
		int c;

		if (setresuid(1000, 1000, 1000))
			_exit(100);
		c = skv_ctl_open();
		_exit(skv_open(c, name, SKV_OPEN_RDONLY, NULL, NULL) == -EACCES ?
		      0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(fd);
	raw_table_delete(ctl, name);
	close(ctl);
}

TEST(mapping_outlives_its_fd_and_the_table)
{
	struct skv_table_attr a = { .max_entries = 100 };
	const struct skv_map_header *h;
	char name[SKV_NAME_MAX];
	struct skv_info info;
	int ctl = skv_ctl_open(), fd;

	ASSERT_LE(0, ctl);
	skv_name(name, "map-life");
	fd = map_create(ctl, name, &a);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, raw_put(fd, "k", 1, "v", 1, 0, NULL));
	ASSERT_EQ(0, info_of(fd, &info));
	h = mmap(NULL, info.map_size, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, h);
	close(fd);
	EXPECT_EQ(SKV_MAP_LIVE, h->state);
	ASSERT_EQ(0, raw_table_delete(ctl, name));
	EXPECT_EQ(SKV_MAP_DEAD, h->state);
	EXPECT_EQ(SKV_MAP_MAGIC, h->magic);
	/* The region is still there; unmapping frees it (kmemleak checks). */
	EXPECT_EQ(0, munmap((void *)h, info.map_size));
	close(ctl);
}

/*
 * Torn-read hunting. Writers replace the values of a few keys with values
 * of random lengths (1 up to the slot's maximum), each made of one
 * repeated byte, and delete and re-create some keys. Readers, one per
 * vCPU, check every value they see: one byte repeated, its length the
 * one that byte says. A torn read shows as two bytes, or as a length
 * that does not go with its byte.
 */
#define TORN_KEYS	8
#define TORN_VLEN	224

struct torn {
	struct skv_table *t;
	volatile bool stop;
	unsigned long reads, hits, fallbacks, torn;
	pthread_mutex_t lock;
};

static size_t torn_len(unsigned char byte)
{
	return 1 + (byte * 37u) % TORN_VLEN;
}

static void *torn_writer(void *arg)
{
	struct torn *s = arg;
	unsigned int seed = (unsigned int)(uintptr_t)&seed;
	char val[TORN_VLEN];
	char key[8];

	while (!s->stop) {
		unsigned char byte = rand_r(&seed);
		int k = rand_r(&seed) % TORN_KEYS;

		snprintf(key, sizeof(key), "t%d", k);
		if (byte % 16 == 0) {
			skv_delete(s->t, key, 2, 0, 0, NULL);
			continue;
		}
		memset(val, byte, sizeof(val));
		skv_put(s->t, key, 2, val, torn_len(byte), NULL, NULL);
	}
	return NULL;
}

static void *torn_reader(void *arg)
{
	struct torn *s = arg;
	unsigned long reads = 0, hits = 0, fallbacks = 0, torn = 0;
	unsigned char buf[TORN_VLEN];
	char key[8];
	size_t len, i;
	int k = 0, ret;

	while (!s->stop) {
		snprintf(key, sizeof(key), "t%d", k);
		k = (k + 1) % TORN_KEYS;
		len = sizeof(buf);
		ret = skv_map_get(s->t, key, 2, buf, &len, NULL);
		reads++;
		if (ret == -EAGAIN) {
			fallbacks++;
			continue;
		}
		if (ret)
			continue;
		hits++;
		if (!len || len != torn_len(buf[0]))
			torn++;
		for (i = 1; i < len; i++)
			if (buf[i] != buf[0]) {
				torn++;
				break;
			}
	}
	pthread_mutex_lock(&s->lock);
	s->reads += reads;
	s->hits += hits;
	s->fallbacks += fallbacks;
	s->torn += torn;
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

TEST(no_reader_ever_sees_a_torn_value)
{
	struct skv_table_attr a = { .max_entries = 64, .max_key_len = 8,
				    .max_value_len = TORN_VLEN };
	int nr_readers = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned int secs = skv_slow_kernel() ? 3 : 10;
	struct torn s = { .lock = PTHREAD_MUTEX_INITIALIZER };
	pthread_t w[2], r[16];
	char name[SKV_NAME_MAX];
	struct skv_dev *dev;
	int i;

	if (nr_readers > 16)
		nr_readers = 16;
	ASSERT_EQ(0, skv_dev_open(NULL, &dev));
	skv_name(name, "map-torn");
	ASSERT_EQ(0, skv_table_open2(dev, name, SKV_OPEN_CREATE, &a,
				     SKV_TABLE_MAPPED, &s.t));
	ASSERT_TRUE(skv_table_mapped(s.t));
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&w[i], NULL, torn_writer, &s));
	for (i = 0; i < nr_readers; i++)
		ASSERT_EQ(0, pthread_create(&r[i], NULL, torn_reader, &s));
	sleep(secs);
	s.stop = true;
	for (i = 0; i < 2; i++)
		pthread_join(w[i], NULL);
	for (i = 0; i < nr_readers; i++)
		pthread_join(r[i], NULL);
	TH_LOG("%d readers, %u s: %lu reads, %lu values checked, %lu asked the kernel",
	       nr_readers, secs, s.reads, s.hits, s.fallbacks);
	EXPECT_EQ(0, s.torn);
	EXPECT_LT(1000, s.hits);
	skv_table_close(s.t);
	skv_table_delete(dev, name);
	skv_dev_close(dev);
}

/*
 * Readers racing everything that removes entries: DELETE, FLUSH, TTL
 * expiry and, at the end, the table's deletion. Each value is its key's
 * byte repeated; a reader must see that, or absence, or -EIDRM once the
 * table is gone, and never crash.
 */
struct churn {
	struct skv_table *t;
	volatile bool stop;
	volatile bool deleted;
	unsigned long bad, dead_seen, hits;
	pthread_mutex_t lock;
};

static void *churn_reader(void *arg)
{
	struct churn *s = arg;
	unsigned long bad = 0, dead = 0, hits = 0;
	char buf[64], key[8];
	size_t len, i;
	int k = 0, ret;

	while (!s->stop) {
		snprintf(key, sizeof(key), "c%02d", k);
		len = sizeof(buf);
		ret = skv_map_get(s->t, key, 3, buf, &len, NULL);
		if (ret == -EIDRM) {
			dead++;
			if (!s->deleted)
				bad++;
		} else if (!ret) {
			hits++;
			for (i = 0; i < len; i++)
				if (buf[i] != 'a' + k % 26)
					bad++;
			if (len != 40)
				bad++;
		} else if (ret != -ENOENT && ret != -EAGAIN) {
			bad++;
		}
		k = (k + 1) % 50;
	}
	pthread_mutex_lock(&s->lock);
	s->bad += bad;
	s->dead_seen += dead;
	s->hits += hits;
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

TEST(readers_race_delete_flush_expiry_and_table_delete)
{
	struct skv_table_attr a = { .max_entries = 100, .max_key_len = 8,
				    .max_value_len = 64 };
	struct churn s = { .lock = PTHREAD_MUTEX_INITIALIZER };
	unsigned int rounds = skv_budget(300), i, k;
	struct skv_put_opts o = { .flags = SKV_PUT_TTL, .ttl_ms = 1 };
	char name[SKV_NAME_MAX], key[8], val[40];
	struct skv_dev *dev;
	pthread_t r[2];

	ASSERT_EQ(0, skv_dev_open(NULL, &dev));
	skv_name(name, "map-churn");
	ASSERT_EQ(0, skv_table_open2(dev, name, SKV_OPEN_CREATE, &a,
				     SKV_TABLE_MAPPED, &s.t));
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&r[i], NULL, churn_reader, &s));
	for (i = 0; i < rounds; i++) {
		for (k = 0; k < 50; k++) {
			snprintf(key, sizeof(key), "c%02d", k);
			memset(val, 'a' + k % 26, sizeof(val));
			skv_put(s.t, key, 3, val, sizeof(val),
				k % 5 == 0 ? &o : NULL, NULL);
		}
		switch (i % 3) {
		case 0:
			skv_table_flush(s.t, NULL);
			break;
		case 1:
			for (k = 0; k < 50; k += 2) {
				snprintf(key, sizeof(key), "c%02d", k);
				skv_delete(s.t, key, 3, 0, 0, NULL);
			}
			break;
		default:
			usleep(2000);	/* let the TTL ones expire */
			break;
		}
	}
	s.deleted = true;
	ASSERT_EQ(0, skv_table_delete(dev, name));
	usleep(100 * 1000);
	s.stop = true;
	for (i = 0; i < 2; i++)
		pthread_join(r[i], NULL);
	TH_LOG("%u rounds: %lu values read, %lu dead-table answers",
	       rounds, s.hits, s.dead_seen);
	EXPECT_EQ(0, s.bad);
	EXPECT_LT(0, s.dead_seen);
	skv_table_close(s.t);
	skv_dev_close(dev);
}

TEST(fork_inherits_the_mapping)
{
	struct skv_table_attr a = { .max_entries = 10 };
	char name[SKV_NAME_MAX];
	struct skv_table *t;
	struct skv_dev *dev;
	int status, pipefd[2], back[2];
	pid_t pid;
	char c;

	ASSERT_EQ(0, skv_dev_open(NULL, &dev));
	skv_name(name, "map-fork");
	ASSERT_EQ(0, skv_table_open2(dev, name, SKV_OPEN_CREATE, &a,
				     SKV_TABLE_MAPPED, &t));
	ASSERT_EQ(0, skv_put(t, "k", 1, "before", 6, NULL, NULL));
	ASSERT_EQ(0, pipe(pipefd));
	ASSERT_EQ(0, pipe(back));
	pid = fork();
	if (pid == 0) {
		char buf[16];
		size_t len = sizeof(buf);

		if (skv_map_get(t, "k", 1, buf, &len, NULL) || len != 6 ||
		    memcmp(buf, "before", 6))
			_exit(1);
		if (write(back[1], "r", 1) != 1 || read(pipefd[0], &c, 1) != 1)
			_exit(2);
		/* The parent's write shows in the child's mapping. */
		len = sizeof(buf);
		if (skv_map_get(t, "k", 1, buf, &len, NULL) || len != 5 ||
		    memcmp(buf, "after", 5))
			_exit(3);
		_exit(0);
	}
	ASSERT_LT(0, pid);
	ASSERT_EQ(1, read(back[0], &c, 1));	/* the child read "before" */
	ASSERT_EQ(0, skv_put(t, "k", 1, "after", 5, NULL, NULL));
	ASSERT_EQ(1, write(pipefd[1], "x", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(pipefd[0]);
	close(pipefd[1]);
	close(back[0]);
	close(back[1]);
	skv_table_close(t);
	skv_table_delete(dev, name);
	skv_dev_close(dev);
}

/*
 * Fill tables to max_entries at the index's highest load, 3 keys per
 * bucket (max_entries a multiple of 3 and of a power of two): every PUT
 * fits, and the reader finds every key with its value.
 */
TEST(full_tables_at_the_highest_load_fit_and_read_back)
{
	static const unsigned int sizes[] = { 3 * 64, 3 * 1024, 3 * 4096 };
	static char keys[3 * 4096][17];
	unsigned int z, i, found, failed;
	char name[SKV_NAME_MAX], buf[64];
	struct skv_op_batch *b;
	struct skv_table *t;
	struct skv_dev *dev;
	size_t len;

	ASSERT_EQ(0, skv_dev_open(NULL, &dev));
	ASSERT_EQ(0, skv_batch_new(256, &b));
	for (z = 0; z < ARRAY_SIZE(sizes); z++) {
		struct skv_table_attr a = { .max_entries = sizes[z],
					    .max_key_len = 16,
					    .max_value_len = 64 };
		unsigned int n = sizes[z];

		skv_name(name, "map-full");
		ASSERT_EQ(0, skv_table_open2(dev, name, SKV_OPEN_CREATE, &a,
					     SKV_TABLE_MAPPED, &t));
		failed = 0;
		for (i = 0; i < n; i++) {
			/* A batch keeps pointers to its keys and values. */
			snprintf(keys[i], sizeof(keys[i]), "key-%011u", i);
			ASSERT_EQ(0, skv_batch_add_put(b, keys[i], 16, keys[i], 16,
						       NULL));
			if (skv_batch_count(b) < 256 && i < n - 1)
				continue;
			ASSERT_EQ(0, skv_batch_submit(t, b));
			for (unsigned int j = 0; j < skv_batch_count(b); j++) {
				struct skv_batch_res res;

				skv_batch_result(b, j, &res);
				failed += !!res.status;
			}
			skv_batch_reset(b);
		}
		EXPECT_EQ(0, failed) TH_LOG("%u of %u keys did not fit", failed, n);
		/* One more is a full table. */
		EXPECT_EQ(-ENOSPC, skv_put(t, "one-more", 8, "x", 1, NULL, NULL));
		for (i = 0, found = 0; i < n; i++) {
			len = sizeof(buf);
			if (!skv_map_get(t, keys[i], 16, buf, &len, NULL) &&
			    len == 16 && !memcmp(buf, keys[i], 16))
				found++;
		}
		EXPECT_EQ(n, found);
		skv_table_close(t);
		skv_table_delete(dev, name);
	}
	skv_batch_free(b);
	skv_dev_close(dev);
}

TEST_HARNESS_MAIN
