// SPDX-License-Identifier: GPL-2.0
/*
 * libskvdev: one test per library function and per error it returns.
 * Needs /dev/skv (skips without it) and root, to act as other users.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "skvdev.h"

#define TNAME	"libskvdev_test"
#define ERRNO_CANARY	4242

static const char *str(const char *s) { return s; }
#define K(s)	str(s), strlen(s)

/* Run @fn as uid/gid @id in a child; returns what it returned. */
static int as_user(uid_t id, int (*fn)(void))
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		if (setgroups(0, NULL) || setgid(id) || setuid(id))
			_exit(255);
		_exit(-fn() & 0xff);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -ECHILD;
	return -WEXITSTATUS(status);
}

FIXTURE(tbl) {
	struct skv_dev *dev;
	struct skv_table *t;
};

FIXTURE_SETUP(tbl)
{
	struct skv_table_attr attr = { .max_key_len = 64, .max_value_len = 1 << 20 };

	if (access(SKV_DEV_PATH, F_OK))
		SKIP(return, "no " SKV_DEV_PATH);
	ASSERT_EQ(0, skv_dev_open(NULL, &self->dev));
	skv_table_delete(self->dev, TNAME);
	ASSERT_EQ(0, skv_table_open(self->dev, TNAME,
				    SKV_OPEN_CREATE | SKV_OPEN_EXCL, &attr,
				    &self->t));
}

FIXTURE_TEARDOWN(tbl)
{
	if (self->t)
		skv_table_close(self->t);
	if (self->dev) {
		skv_table_delete(self->dev, TNAME);
		skv_dev_close(self->dev);
	}
}

TEST(dev_open)
{
	struct skv_dev *dev;

	if (access(SKV_DEV_PATH, F_OK))
		SKIP(return, "no " SKV_DEV_PATH);
	errno = ERRNO_CANARY;
	ASSERT_EQ(-ENOENT, skv_dev_open("/nonexistent/skv", &dev));
	ASSERT_EQ(ERRNO_CANARY, errno);
	ASSERT_EQ(-EINVAL, skv_dev_open(NULL, NULL));
	ASSERT_EQ(0, skv_dev_open(NULL, &dev));
	ASSERT_GE(skv_dev_fd(dev), 0);
	ASSERT_EQ(FD_CLOEXEC, fcntl(skv_dev_fd(dev), F_GETFD) & FD_CLOEXEC);
	ASSERT_EQ(-EINVAL, skv_dev_fd(NULL));
	skv_dev_close(dev);
	skv_dev_close(NULL);
	ASSERT_EQ(ERRNO_CANARY, errno);
}

TEST(features)
{
	struct skv_features f;
	struct skv_dev *dev;

	if (access(SKV_DEV_PATH, F_OK))
		SKIP(return, "no " SKV_DEV_PATH);
	ASSERT_EQ(0, skv_dev_open(NULL, &dev));
	ASSERT_EQ(-EINVAL, skv_features(dev, NULL));
	ASSERT_EQ(-EINVAL, skv_features(NULL, &f));
	ASSERT_EQ(0, skv_features(dev, &f));
	EXPECT_EQ(SKV_ABI_VERSION, f.abi_version);
	EXPECT_EQ(SKV_BATCH_MAX, f.batch_max);
	EXPECT_EQ(sizeof(struct skv_get), f.sizeof_get);
	EXPECT_EQ(SKV_KEY_LEN_CAP, f.key_len_cap);
	EXPECT_TRUE(skv_features_has_op(&f, SKV_OP_GET));
	EXPECT_TRUE(skv_features_has_op(&f, SKV_OP_TABLE_OPEN));
	skv_dev_close(dev);
}

TEST_F(tbl, table_open)
{
	struct skv_table_attr big = { .max_key_len = SKV_KEY_LEN_CAP + 1 };
	char long_name[SKV_NAME_MAX + 1];
	struct skv_table *t;

	EXPECT_TRUE(skv_table_created(self->t));
	ASSERT_EQ(0, skv_table_open(self->dev, TNAME, SKV_OPEN_CREATE, NULL, &t));
	EXPECT_FALSE(skv_table_created(t));
	EXPECT_EQ(FD_CLOEXEC, fcntl(skv_table_fd(t), F_GETFD) & FD_CLOEXEC);
	skv_table_close(t);
	EXPECT_EQ(-EEXIST, skv_table_open(self->dev, TNAME,
					  SKV_OPEN_CREATE | SKV_OPEN_EXCL, NULL, &t));
	EXPECT_EQ(-ENOENT, skv_table_open(self->dev, "libskvdev_absent", 0, NULL, &t));
	memset(long_name, 'a', SKV_NAME_MAX);
	long_name[SKV_NAME_MAX] = '\0';
	EXPECT_EQ(-EINVAL, skv_table_open(self->dev, long_name, 0, NULL, &t));
	EXPECT_EQ(-EINVAL, skv_table_open(self->dev, "", 0, NULL, &t));
	EXPECT_EQ(-EINVAL, skv_table_open(self->dev, NULL, 0, NULL, &t));
	EXPECT_EQ(-EINVAL, skv_table_open(self->dev, "a/b", SKV_OPEN_CREATE, NULL, &t));
	EXPECT_EQ(-EINVAL, skv_table_open(self->dev, "libskvdev_big",
					  SKV_OPEN_CREATE, &big, &t));
	EXPECT_EQ(-EINVAL, skv_table_open(self->dev, TNAME, 1U << 31, NULL, &t));
	EXPECT_EQ(-EINVAL, skv_table_open(NULL, TNAME, 0, NULL, &t));
	EXPECT_EQ(-EINVAL, skv_table_fd(NULL));
	EXPECT_FALSE(skv_table_created(NULL));
	skv_table_close(NULL);
}

static int open_as_other(void)
{
	struct skv_table *t;
	struct skv_dev *dev;
	int ret;

	ret = skv_dev_open(NULL, &dev);
	if (ret)
		return ret;
	ret = skv_table_open(dev, TNAME, 0, NULL, &t);
	if (!ret)
		skv_table_close(t);
	skv_dev_close(dev);
	return ret;
}

static int delete_as_other(void)
{
	struct skv_dev *dev;
	int ret;

	ret = skv_dev_open(NULL, &dev);
	if (ret)
		return ret;
	ret = skv_table_delete(dev, TNAME);
	skv_dev_close(dev);
	return ret;
}

TEST_F(tbl, permissions)
{
	EXPECT_EQ(-EACCES, as_user(1001, open_as_other));
	EXPECT_EQ(-EPERM, as_user(1001, delete_as_other));
}

TEST_F(tbl, table_from_fd)
{
	struct skv_table *t;
	int fd;

	fd = dup(skv_table_fd(self->t));
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, skv_table_from_fd(fd, &t));
	EXPECT_EQ(0, skv_put(t, K("k"), "v", 1, NULL, NULL));
	skv_table_close(t);
	EXPECT_EQ(-EBADF, skv_table_from_fd(-1, &t));
	fd = open("/dev/null", O_RDWR);
	EXPECT_EQ(-ENOTTY, skv_table_from_fd(fd, &t));
	close(fd);
}

TEST_F(tbl, table_delete)
{
	struct skv_table *t;

	EXPECT_EQ(-EINVAL, skv_table_delete(self->dev, ""));
	EXPECT_EQ(-EINVAL, skv_table_delete(NULL, TNAME));
	ASSERT_EQ(0, skv_table_delete(self->dev, TNAME));
	EXPECT_EQ(-ENOENT, skv_table_delete(self->dev, TNAME));
	EXPECT_EQ(-ENOENT, skv_table_open(self->dev, TNAME, 0, NULL, &t));
	/* The open handle keeps working. */
	EXPECT_EQ(0, skv_put(self->t, K("k"), "v", 1, NULL, NULL));
}

TEST_F(tbl, table_info)
{
	struct skv_info info;

	EXPECT_EQ(-EINVAL, skv_table_info(self->t, NULL));
	EXPECT_EQ(-EINVAL, skv_table_info(NULL, &info));
	ASSERT_EQ(0, skv_table_info(self->t, &info));
	EXPECT_STREQ(TNAME, info.name);
	EXPECT_EQ(64, info.attr.max_key_len);
	EXPECT_EQ(SKV_DEFAULT_MAX_ENTRIES, info.attr.max_entries);
	EXPECT_EQ(SKV_DEFAULT_MODE, info.attr.mode);
	EXPECT_EQ(getuid(), info.uid);
	EXPECT_EQ(0, info.fd_flags);
}

TEST_F(tbl, table_stats)
{
	struct skv_stats st;
	size_t len = 0;

	EXPECT_EQ(-EINVAL, skv_table_stats(self->t, NULL));
	ASSERT_EQ(0, skv_put(self->t, K("a"), "12", 2, NULL, NULL));
	ASSERT_EQ(-ENOENT, skv_get(self->t, K("b"), NULL, &len, NULL));
	ASSERT_EQ(0, skv_table_stats(self->t, &st));
	EXPECT_EQ(1, st.entries);
	EXPECT_EQ(3, st.bytes);
	EXPECT_EQ(1, st.writes);
	EXPECT_EQ(1, st.misses);
}

TEST_F(tbl, table_set)
{
	struct skv_set set = { .mask = SKV_SET_DEFAULT_TTL | SKV_SET_MODE,
			       .default_ttl_ms = 5000, .mode = 0640 };
	struct skv_set bad = { .mask = SKV_SET_POLICY, .policy = 7 };
	struct skv_info info;

	ASSERT_EQ(0, skv_table_set(self->t, &set));
	ASSERT_EQ(0, skv_table_info(self->t, &info));
	EXPECT_EQ(5000, info.attr.default_ttl_ms);
	EXPECT_EQ(0640, info.attr.mode);
	EXPECT_EQ(-EINVAL, skv_table_set(self->t, &bad));
	bad.mask = 1U << 31;
	EXPECT_EQ(-EINVAL, skv_table_set(self->t, &bad));
	EXPECT_EQ(-EINVAL, skv_table_set(self->t, NULL));
}

TEST_F(tbl, table_flush)
{
	uint64_t count;
	size_t len = 0;

	ASSERT_EQ(0, skv_put(self->t, K("a"), "1", 1, NULL, NULL));
	ASSERT_EQ(0, skv_put(self->t, K("b"), "2", 1, NULL, NULL));
	ASSERT_EQ(0, skv_table_flush(self->t, &count));
	EXPECT_EQ(2, count);
	EXPECT_EQ(-ENOENT, skv_get(self->t, K("a"), NULL, &len, NULL));
	EXPECT_EQ(0, skv_table_flush(self->t, NULL));
	EXPECT_EQ(-EINVAL, skv_table_flush(NULL, NULL));
}

TEST_F(tbl, get)
{
	struct skv_put_opts opts = { .user_flags = 0xabcd };
	struct skv_meta meta;
	uint64_t version;
	char buf[16];
	size_t len;
	char key[65];

	ASSERT_EQ(0, skv_put(self->t, K("k"), "hello", 5, &opts, &version));
	len = sizeof(buf);
	errno = ERRNO_CANARY;
	ASSERT_EQ(0, skv_get(self->t, K("k"), buf, &len, &meta));
	EXPECT_EQ(ERRNO_CANARY, errno);
	EXPECT_EQ(5, len);
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	EXPECT_EQ(version, meta.version);
	EXPECT_EQ(0xabcd, meta.user_flags);
	EXPECT_EQ(0, meta.ttl_ms);
	len = 2;
	EXPECT_EQ(-ERANGE, skv_get(self->t, K("k"), buf, &len, &meta));
	EXPECT_EQ(5, len);
	len = sizeof(buf);
	EXPECT_EQ(-ENOENT, skv_get(self->t, K("absent"), buf, &len, NULL));
	EXPECT_EQ(ERRNO_CANARY, errno);
	EXPECT_EQ(-EINVAL, skv_get(self->t, "", 0, buf, &len, NULL));
	memset(key, 'k', sizeof(key));
	EXPECT_EQ(-EINVAL, skv_get(self->t, key, sizeof(key), buf, &len, NULL));
	EXPECT_EQ(-EINVAL, skv_get(self->t, K("k"), buf, NULL, NULL));
	EXPECT_EQ(-EINVAL, skv_get(NULL, K("k"), buf, &len, NULL));
}

TEST_F(tbl, getdel)
{
	char buf[16];
	size_t len = 2;

	ASSERT_EQ(0, skv_put(self->t, K("k"), "hello", 5, NULL, NULL));
	EXPECT_EQ(-ERANGE, skv_getdel(self->t, K("k"), buf, &len, NULL));
	EXPECT_EQ(5, len);
	len = sizeof(buf);
	ASSERT_EQ(0, skv_getdel(self->t, K("k"), buf, &len, NULL));
	EXPECT_EQ(5, len);
	EXPECT_EQ(-ENOENT, skv_getdel(self->t, K("k"), buf, &len, NULL));
}

TEST_F(tbl, get_alloc)
{
	size_t big_len = 100000, len;
	struct skv_meta meta;
	char *big, *val;

	big = malloc(big_len);
	ASSERT_NE(NULL, big);
	memset(big, 'x', big_len);
	ASSERT_EQ(0, skv_put(self->t, K("big"), big, big_len, NULL, NULL));
	ASSERT_EQ(0, skv_put(self->t, K("small"), "abc", 3, NULL, NULL));
	ASSERT_EQ(0, skv_put(self->t, K("empty"), NULL, 0, NULL, NULL));
	ASSERT_EQ(0, skv_get_alloc(self->t, K("big"), (void **)&val, &len, &meta));
	EXPECT_EQ(big_len, len);
	EXPECT_EQ(0, memcmp(big, val, len));
	EXPECT_EQ(0, val[len]);
	free(val);
	ASSERT_EQ(0, skv_get_alloc(self->t, K("small"), (void **)&val, &len, NULL));
	EXPECT_STREQ("abc", val);
	free(val);
	ASSERT_EQ(0, skv_get_alloc(self->t, K("empty"), (void **)&val, &len, NULL));
	EXPECT_EQ(0, len);
	free(val);
	EXPECT_EQ(-ENOENT, skv_get_alloc(self->t, K("none"), (void **)&val, &len, NULL));
	EXPECT_EQ(-EINVAL, skv_get_alloc(self->t, K("big"), NULL, &len, NULL));
	ASSERT_EQ(0, skv_getdel_alloc(self->t, K("big"), (void **)&val, &len, NULL));
	EXPECT_EQ(big_len, len);
	free(val);
	EXPECT_EQ(-ENOENT, skv_getdel_alloc(self->t, K("big"), (void **)&val, &len, NULL));
	free(big);
}

TEST_F(tbl, put)
{
	struct skv_put_opts nx = { .flags = SKV_PUT_NX };
	struct skv_put_opts xx = { .flags = SKV_PUT_XX };
	struct skv_put_opts cas = { .flags = SKV_PUT_CAS };
	struct skv_put_opts ttl = { .flags = SKV_PUT_TTL, .ttl_ms = 200 };
	struct skv_put_opts bad = { .flags = SKV_PUT_NX | SKV_PUT_XX };
	struct skv_put_opts unknown = { .flags = 1U << 31 };
	struct skv_meta meta;
	uint64_t v1, v2;
	struct skv_table *ro;
	char buf[8];
	size_t len;
	char *huge;

	EXPECT_EQ(-ENOENT, skv_put(self->t, K("k"), "1", 1, &xx, NULL));
	ASSERT_EQ(0, skv_put(self->t, K("k"), "1", 1, &nx, &v1));
	EXPECT_EQ(-EEXIST, skv_put(self->t, K("k"), "2", 1, &nx, NULL));
	ASSERT_EQ(0, skv_put(self->t, K("k"), "2", 1, &xx, &v2));
	EXPECT_GT(v2, v1);
	cas.cas_version = v1;
	EXPECT_EQ(-ESTALE, skv_put(self->t, K("k"), "3", 1, &cas, NULL));
	cas.cas_version = v2;
	EXPECT_EQ(0, skv_put(self->t, K("k"), "3", 1, &cas, NULL));
	EXPECT_EQ(-ENOENT, skv_put(self->t, K("absent"), "3", 1, &cas, NULL));
	EXPECT_EQ(-EINVAL, skv_put(self->t, K("k"), "3", 1, &bad, NULL));
	EXPECT_EQ(-EINVAL, skv_put(self->t, K("k"), "3", 1, &unknown, NULL));
	EXPECT_EQ(-EINVAL, skv_put(self->t, K("k"), NULL, 1, NULL, NULL));
	EXPECT_EQ(-EINVAL, skv_put(self->t, NULL, 0, "v", 1, NULL, NULL));
	huge = calloc(1, (1 << 20) + 1);
	ASSERT_NE(NULL, huge);
	EXPECT_EQ(-E2BIG, skv_put(self->t, K("k"), huge, (1 << 20) + 1, NULL, NULL));
	free(huge);

	ASSERT_EQ(0, skv_put(self->t, K("t"), "x", 1, &ttl, NULL));
	len = sizeof(buf);
	ASSERT_EQ(0, skv_get(self->t, K("t"), buf, &len, &meta));
	EXPECT_GT(meta.ttl_ms, 0);
	EXPECT_LE(meta.ttl_ms, 200);
	usleep(300 * 1000);
	EXPECT_EQ(-ENOENT, skv_get(self->t, K("t"), buf, &len, &meta));

	ASSERT_EQ(0, skv_table_open(self->dev, TNAME, SKV_OPEN_RDONLY, NULL, &ro));
	EXPECT_EQ(-EBADF, skv_put(ro, K("k"), "1", 1, NULL, NULL));
	len = sizeof(buf);
	EXPECT_EQ(0, skv_get(ro, K("k"), buf, &len, NULL));
	skv_table_close(ro);
}

TEST_F(tbl, delete)
{
	uint64_t v, dv;

	ASSERT_EQ(0, skv_put(self->t, K("k"), "1", 1, NULL, &v));
	EXPECT_EQ(-ESTALE, skv_delete(self->t, K("k"), SKV_DEL_CAS, v + 1000, NULL));
	EXPECT_EQ(-EINVAL, skv_delete(self->t, K("k"), 1U << 31, 0, NULL));
	ASSERT_EQ(0, skv_delete(self->t, K("k"), SKV_DEL_CAS, v, &dv));
	EXPECT_EQ(v, dv);
	EXPECT_EQ(-ENOENT, skv_delete(self->t, K("k"), 0, 0, NULL));
	EXPECT_EQ(-EINVAL, skv_delete(self->t, NULL, 0, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, skv_delete(NULL, K("k"), 0, 0, NULL));
}

TEST_F(tbl, incr)
{
	int64_t value;
	uint64_t version;

	ASSERT_EQ(0, skv_incr(self->t, K("n"), 5, &value, &version));
	EXPECT_EQ(5, value);
	ASSERT_EQ(0, skv_incr(self->t, K("n"), -7, &value, NULL));
	EXPECT_EQ(-2, value);
	ASSERT_EQ(0, skv_put(self->t, K("s"), "abc", 3, NULL, NULL));
	EXPECT_EQ(-EDOM, skv_incr(self->t, K("s"), 1, &value, NULL));
	ASSERT_EQ(0, skv_put(self->t, K("m"), "9223372036854775807", 19, NULL, NULL));
	EXPECT_EQ(-EOVERFLOW, skv_incr(self->t, K("m"), 1, &value, NULL));
	EXPECT_EQ(-EINVAL, skv_incr(self->t, NULL, 0, 1, &value, NULL));
}

TEST_F(tbl, batch)
{
	struct skv_put_opts nx = { .flags = SKV_PUT_NX };
	struct skv_op_batch *b;
	struct skv_batch_res res;
	char buf[16], small[1];

	EXPECT_EQ(-EINVAL, skv_batch_new(0, &b));
	EXPECT_EQ(-EINVAL, skv_batch_new(4, NULL));
	ASSERT_EQ(0, skv_batch_new(7, &b));
	EXPECT_EQ(-EINVAL, skv_batch_submit(self->t, b));
	ASSERT_EQ(0, skv_batch_add_put(b, K("a"), "hello", 5, NULL));
	ASSERT_EQ(0, skv_batch_add_put(b, K("a"), "again", 5, &nx));
	ASSERT_EQ(0, skv_batch_add_get(b, K("a"), buf, sizeof(buf)));
	ASSERT_EQ(0, skv_batch_add_get(b, K("a"), small, sizeof(small)));
	ASSERT_EQ(0, skv_batch_add_incr(b, K("n"), 3));
	ASSERT_EQ(0, skv_batch_add_delete(b, K("none"), 0, 0));
	ASSERT_EQ(0, skv_batch_add_getdel(b, K("a"), buf, sizeof(buf)));
	EXPECT_EQ(-ENOSPC, skv_batch_add_get(b, K("a"), buf, sizeof(buf)));
	EXPECT_EQ(-EINVAL, skv_batch_add_get(b, NULL, 0, buf, sizeof(buf)));
	EXPECT_EQ(7, skv_batch_count(b));
	ASSERT_EQ(0, skv_batch_submit(self->t, b));
	ASSERT_EQ(0, skv_batch_result(b, 0, &res));
	EXPECT_EQ(0, res.status);
	ASSERT_EQ(0, skv_batch_result(b, 1, &res));
	EXPECT_EQ(-EEXIST, res.status);
	ASSERT_EQ(0, skv_batch_result(b, 2, &res));
	EXPECT_EQ(0, res.status);
	EXPECT_EQ(5, res.value_len);
	ASSERT_EQ(0, skv_batch_result(b, 3, &res));
	EXPECT_EQ(-ERANGE, res.status);
	EXPECT_EQ(5, res.value_len);
	ASSERT_EQ(0, skv_batch_result(b, 4, &res));
	EXPECT_EQ(0, res.status);
	EXPECT_EQ(3, res.value);
	ASSERT_EQ(0, skv_batch_result(b, 5, &res));
	EXPECT_EQ(-ENOENT, res.status);
	ASSERT_EQ(0, skv_batch_result(b, 6, &res));
	EXPECT_EQ(0, res.status);
	EXPECT_EQ(-EINVAL, skv_batch_result(b, 7, &res));
	skv_batch_reset(b);
	EXPECT_EQ(0, skv_batch_count(b));
	skv_batch_free(b);
	skv_batch_free(NULL);
}

TEST_F(tbl, batch_over_max)
{
	unsigned int i, n = SKV_BATCH_MAX + 300;
	struct skv_op_batch *b;
	struct skv_batch_res res;
	struct skv_stats st;
	char (*keys)[16];

	keys = calloc(n, sizeof(*keys));
	ASSERT_NE(NULL, keys);
	ASSERT_EQ(0, skv_batch_new(n, &b));
	for (i = 0; i < n; i++) {
		snprintf(keys[i], sizeof(keys[i]), "key%u", i);
		ASSERT_EQ(0, skv_batch_add_put(b, keys[i], strlen(keys[i]), "v", 1, NULL));
	}
	ASSERT_EQ(0, skv_batch_submit(self->t, b));
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, skv_batch_result(b, i, &res));
		ASSERT_EQ(0, res.status);
	}
	ASSERT_EQ(0, skv_table_stats(self->t, &st));
	EXPECT_EQ(n, st.entries);
	skv_batch_free(b);
	free(keys);
}

TEST_F(tbl, scan)
{
	unsigned int i, n = 500, seen = 0, pseen = 0;
	struct skv_scan_item item;
	struct skv_scan_iter *it;
	unsigned char *hit;
	char key[16];
	int ret;

	ASSERT_EQ(0, skv_scan_begin(self->t, NULL, 0, 0, 0, &it));
	EXPECT_EQ(-ENOENT, skv_scan_next(it, &item));
	skv_scan_end(it);
	for (i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "%s%u", i % 5 ? "k" : "p", i);
		ASSERT_EQ(0, skv_put(self->t, key, strlen(key), key, strlen(key), NULL, NULL));
	}
	hit = calloc(n, 1);
	ASSERT_NE(NULL, hit);
	ASSERT_EQ(0, skv_scan_begin(self->t, NULL, 0, SKV_SCAN_VALUES, 7, &it));
	while (!(ret = skv_scan_next(it, &item))) {
		ASSERT_LT(item.key_len, sizeof(key));
		memcpy(key, item.key, item.key_len);
		key[item.key_len] = '\0';
		ASSERT_EQ(item.key_len, item.value_len);
		ASSERT_EQ(0, memcmp(item.key, item.value, item.key_len));
		i = strtoul(key + 1, NULL, 10);
		ASSERT_LT(i, n);
		if (!hit[i]++)
			seen++;
	}
	EXPECT_EQ(-ENOENT, ret);
	EXPECT_EQ(n, seen);
	skv_scan_end(it);

	ASSERT_EQ(0, skv_scan_begin(self->t, "p", 1, 0, 0, &it));
	while (!(ret = skv_scan_next(it, &item))) {
		ASSERT_EQ('p', *(const char *)item.key);
		EXPECT_EQ(NULL, item.value);
		pseen++;
	}
	EXPECT_EQ(-ENOENT, ret);
	EXPECT_GE(pseen, n / 5);
	skv_scan_end(it);
	free(hit);

	EXPECT_EQ(-EINVAL, skv_scan_begin(self->t, NULL, 1, 0, 0, &it));
	EXPECT_EQ(-EINVAL, skv_scan_begin(NULL, NULL, 0, 0, 0, &it));
	EXPECT_EQ(-EINVAL, skv_scan_next(NULL, &item));
	ASSERT_EQ(0, skv_scan_begin(self->t, NULL, 0, 1U << 31, 0, &it));
	EXPECT_EQ(-EINVAL, skv_scan_next(it, &item));
	skv_scan_end(it);
	skv_scan_end(NULL);
}

/* One table handle, many threads: the handle holds no data-path state. */
struct thread_arg {
	struct skv_table *t;
	int id;
	int err;
};

static void *hammer(void *p)
{
	struct thread_arg *a = p;
	char key[16], buf[16];
	size_t len;
	int i;

	for (i = 0; i < 2000 && !a->err; i++) {
		snprintf(key, sizeof(key), "t%d-%d", a->id, i % 50);
		a->err = skv_put(a->t, key, strlen(key), key, strlen(key), NULL, NULL);
		len = sizeof(buf);
		if (!a->err)
			a->err = skv_get(a->t, key, strlen(key), buf, &len, NULL);
		if (!a->err)
			a->err = skv_incr(a->t, "shared", 6, 1, NULL, NULL);
	}
	return NULL;
}

TEST_F(tbl, threads)
{
	struct thread_arg args[4];
	pthread_t th[4];
	int64_t value;
	int i;

	for (i = 0; i < 4; i++) {
		args[i] = (struct thread_arg){ .t = self->t, .id = i };
		ASSERT_EQ(0, pthread_create(&th[i], NULL, hammer, &args[i]));
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		EXPECT_EQ(0, args[i].err);
	}
	ASSERT_EQ(0, skv_incr(self->t, "shared", 6, 0, &value, NULL));
	EXPECT_EQ(4 * 2000, value);
}

/* Events: the next one within @ms, or -EAGAIN. */
static int next_event(struct skv_events *ev, struct skv_event *e, int ms)
{
	struct pollfd p = { .fd = skv_events_fd(ev), .events = POLLIN };
	int ret;

	for (;;) {
		ret = skv_events_next(ev, e);
		if (ret != -EAGAIN || ms <= 0)
			return ret;
		if (poll(&p, 1, 100) < 0)
			return -errno;
		ms -= 100;
	}
}

/* Another process writes; the watcher sees it all, in order. */
TEST_F(tbl, events_in_order)
{
	struct skv_events *ev;
	struct skv_event e;
	int status;
	pid_t pid;

	errno = ERRNO_CANARY;
	ASSERT_EQ(-EINVAL, skv_events_open(NULL));
	ASSERT_EQ(0, skv_events_open(&ev));
	ASSERT_LE(0, skv_events_fd(ev));
	ASSERT_EQ(-EINVAL, skv_events_subscribe(ev, ""));
	ASSERT_EQ(-ENOENT, skv_events_subscribe(ev, "libskvdev_nosuch"));
	ASSERT_EQ(0, skv_events_subscribe(ev, TNAME));
	ASSERT_EQ(-EEXIST, skv_events_subscribe(ev, TNAME));
	ASSERT_EQ(-EAGAIN, skv_events_next(ev, &e));
	ASSERT_EQ(ERRNO_CANARY, errno);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct skv_dev *dev;
		struct skv_table *t;

		if (skv_dev_open(NULL, &dev) ||
		    skv_table_open(dev, TNAME, 0, NULL, &t) ||
		    skv_put(t, K("a"), K("1"), NULL, NULL) ||
		    skv_put(t, K("b\x01"), K("2"), NULL, NULL) ||
		    skv_delete(t, K("a"), 0, 0, NULL))
			_exit(1);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, status);

	ASSERT_EQ(0, next_event(ev, &e, 3000));
	EXPECT_EQ(SKV_EVENT_TYPE_SET, e.type);
	EXPECT_STREQ(TNAME, e.table);
	ASSERT_EQ(1, e.key_len);
	EXPECT_EQ(0, memcmp(e.key, "a", 1));
	EXPECT_EQ(1, e.seq);
	EXPECT_EQ(0, e.lost);
	EXPECT_EQ(0, e.missed);
	ASSERT_EQ(0, next_event(ev, &e, 3000));
	EXPECT_EQ(SKV_EVENT_TYPE_SET, e.type);
	ASSERT_EQ(2, e.key_len);
	EXPECT_EQ(0, memcmp(e.key, "b\x01", 2));
	EXPECT_EQ(2, e.seq);
	ASSERT_EQ(0, next_event(ev, &e, 3000));
	EXPECT_EQ(SKV_EVENT_TYPE_DELETE, e.type);
	EXPECT_EQ(3, e.seq);
	EXPECT_EQ(-EAGAIN, skv_events_next(ev, &e));

	ASSERT_EQ(0, skv_events_unsubscribe(ev, TNAME));
	ASSERT_EQ(-ENOENT, skv_events_unsubscribe(ev, TNAME));
	ASSERT_EQ(0, skv_put(self->t, K("c"), K("3"), NULL, NULL));
	EXPECT_EQ(-EAGAIN, next_event(ev, &e, 300));
	EXPECT_EQ(ERRNO_CANARY, errno);
	skv_events_close(ev);
}

/* Values in events: up to value_max, bigger than a page, with the TTL. */
TEST_F(tbl, events_values)
{
	struct skv_put_opts o = { .flags = SKV_PUT_TTL, .ttl_ms = 30000 };
	size_t big_len = 40000, len;
	struct skv_events *ev;
	struct skv_event e;
	const void *val;
	uint64_t ttl;
	char *big;

	big = malloc(big_len + 1);
	ASSERT_NE(NULL, big);
	memset(big, 'z', big_len + 1);
	errno = ERRNO_CANARY;
	ASSERT_EQ(0, skv_events_open(&ev));
	ASSERT_EQ(-EINVAL, skv_events_value(ev, NULL, &len, NULL));
	EXPECT_EQ(-ENODATA, skv_events_value(ev, &val, &len, &ttl));
	ASSERT_EQ(-ERANGE, skv_events_subscribe_values(ev, TNAME,
						       SKV_NL_VALUE_MAX + 1));
	ASSERT_EQ(0, skv_events_subscribe_values(ev, TNAME, big_len));
	ASSERT_EQ(-EEXIST, skv_events_subscribe_values(ev, TNAME, 10));

	ASSERT_EQ(0, skv_put(self->t, K("s"), K("v1"), &o, NULL));
	ASSERT_EQ(0, skv_put(self->t, K("big"), big, big_len, NULL, NULL));
	ASSERT_EQ(0, skv_put(self->t, K("over"), big, big_len + 1, NULL, NULL));
	ASSERT_EQ(0, skv_delete(self->t, K("s"), 0, 0, NULL));

	ASSERT_EQ(0, next_event(ev, &e, 3000));
	ASSERT_EQ(0, skv_events_value(ev, &val, &len, &ttl));
	ASSERT_EQ(2, len);
	EXPECT_EQ(0, memcmp(val, "v1", 2));
	EXPECT_LT(20000, ttl);
	EXPECT_GE(30000, ttl);
	ASSERT_EQ(0, next_event(ev, &e, 3000));
	EXPECT_EQ(3, e.key_len);
	ASSERT_EQ(0, skv_events_value(ev, &val, &len, NULL));
	ASSERT_EQ(big_len, len);
	EXPECT_EQ(0, memcmp(val, big, big_len));
	ASSERT_EQ(0, next_event(ev, &e, 3000));
	EXPECT_EQ(SKV_EVENT_TYPE_SET, e.type);
	EXPECT_EQ(4, e.key_len);
	EXPECT_EQ(-ENODATA, skv_events_value(ev, &val, &len, &ttl));
	ASSERT_EQ(0, next_event(ev, &e, 3000));
	EXPECT_EQ(SKV_EVENT_TYPE_DELETE, e.type);
	EXPECT_EQ(-ENODATA, skv_events_value(ev, &val, &len, &ttl));
	EXPECT_EQ(4, e.seq);
	EXPECT_EQ(0, e.missed);
	EXPECT_EQ(ERRNO_CANARY, errno);
	skv_events_close(ev);
	free(big);
}

TEST_F(tbl, events_ttl_expiry_and_table_deleted)
{
	struct skv_put_opts o = { .flags = SKV_PUT_TTL, .ttl_ms = 100 };
	struct skv_events *ev;
	struct skv_event e;
	uint64_t v;

	ASSERT_EQ(0, skv_events_open(&ev));
	ASSERT_EQ(0, skv_events_subscribe(ev, TNAME));
	ASSERT_EQ(0, skv_put(self->t, K("otp"), K("913377"), &o, &v));
	ASSERT_EQ(0, next_event(ev, &e, 3000));
	EXPECT_EQ(SKV_EVENT_TYPE_SET, e.type);
	EXPECT_EQ(v, e.version);
	ASSERT_EQ(0, next_event(ev, &e, 10000));
	EXPECT_EQ(SKV_EVENT_TYPE_EXPIRED, e.type);
	ASSERT_EQ(3, e.key_len);
	EXPECT_EQ(0, memcmp(e.key, "otp", 3));
	EXPECT_EQ(v, e.version);
	EXPECT_EQ(2, e.seq);

	ASSERT_EQ(0, skv_table_delete(self->dev, TNAME));
	ASSERT_EQ(0, next_event(ev, &e, 3000));
	EXPECT_EQ(SKV_EVENT_TYPE_TABLE_DELETED, e.type);
	EXPECT_EQ(0, e.key_len);
	EXPECT_EQ(3, e.seq);
	/* the subscription ended with the table */
	EXPECT_EQ(-ENOENT, skv_events_unsubscribe(ev, TNAME));
	skv_events_close(ev);
}

/* A reader that does not keep up sees the gap and the lost count. */
TEST_F(tbl, events_gap)
{
	int small = 1, i, n = 0, gaps = 0;
	struct skv_events *ev;
	struct skv_event e;
	uint64_t last = 0;

	ASSERT_EQ(0, skv_events_open(&ev));
	ASSERT_EQ(0, setsockopt(skv_events_fd(ev), SOL_SOCKET, SO_RCVBUF,
				&small, sizeof(small)));
	ASSERT_EQ(0, skv_events_subscribe(ev, TNAME));
	for (i = 0; i < 200; i++)
		ASSERT_EQ(0, skv_put(self->t, K("k"), K("v"), NULL, NULL));
	while (next_event(ev, &e, 0) == 0) {
		n++;
		gaps += e.missed > 0;
		ASSERT_EQ(last + 1 + e.missed, e.seq);
		last = e.seq;
	}
	ASSERT_LT(n, 200);
	/* the next event that gets through carries the count */
	ASSERT_EQ(0, skv_put(self->t, K("k"), K("v"), NULL, NULL));
	ASSERT_EQ(0, next_event(ev, &e, 3000));
	EXPECT_EQ(201, e.seq);
	EXPECT_EQ(200 - n, e.lost);
	EXPECT_EQ(200 - last, e.missed);
	skv_events_close(ev);
}

/* A writer floods the events socket: a second subscribe still returns. */
struct flood {
	struct skv_table *t;
	volatile int stop;
};

static void *flood_write(void *arg)
{
	struct flood *f = arg;

	while (!f->stop)
		skv_put(f->t, K("k"), K("v"), NULL, NULL);
	return NULL;
}

TEST_F(tbl, events_subscribe_in_a_flood_returns)
{
	struct skv_table_attr attr = { .mode = 0600 };
	struct flood f = { .t = self->t };
	struct skv_table *other;
	struct skv_events *ev;
	int small = 1, ret;
	pthread_t th;
	time_t t0;

	ASSERT_EQ(0, skv_table_open(self->dev, "libskvdev_flood2",
				    SKV_OPEN_CREATE, &attr, &other));
	ASSERT_EQ(0, skv_events_open(&ev));
	ASSERT_EQ(0, setsockopt(skv_events_fd(ev), SOL_SOCKET, SO_RCVBUF,
				&small, sizeof(small)));
	ASSERT_EQ(0, skv_events_subscribe(ev, TNAME));
	ASSERT_EQ(0, pthread_create(&th, NULL, flood_write, &f));
	/* the acks may be dropped with the events: bounded, never a hang */
	t0 = time(NULL);
	ret = skv_events_subscribe(ev, "libskvdev_flood2");
	EXPECT_TRUE(ret == 0 || ret == -ENOBUFS) TH_LOG("subscribe: %d", ret);
	ret = skv_events_unsubscribe(ev, TNAME);
	EXPECT_TRUE(ret == 0 || ret == -ENOBUFS) TH_LOG("unsubscribe: %d", ret);
	EXPECT_GE(25, time(NULL) - t0);
	f.stop = 1;
	pthread_join(th, NULL);
	skv_events_close(ev);
	skv_table_close(other);
	EXPECT_EQ(0, skv_table_delete(self->dev, "libskvdev_flood2"));
}

#define SECRET	"libskvdev_secret"
#define PUBLIC	"libskvdev_public"

static int subscribe_secret(void)
{
	struct skv_events *ev;
	int ret;

	ret = skv_events_open(&ev);
	if (ret)
		return ret == -EACCES ? -EIO : ret;
	ret = skv_events_subscribe(ev, SECRET);
	skv_events_close(ev);
	return ret;
}

/* How many of SECRET and PUBLIC skv_table_list() shows: bit 0, bit 1. */
static int list_mask(void)
{
	struct skv_table_list_item *it;
	size_t n, i;
	int ret, mask = 0;

	ret = skv_table_list(&it, &n);
	if (ret)
		return ret;
	for (i = 0; i < n; i++) {
		if (!strcmp(it[i].info.name, SECRET))
			mask |= 1;
		if (!strcmp(it[i].info.name, PUBLIC) &&
		    it[i].info.attr.mode == 0644)
			mask |= 2;
	}
	skv_table_list_free(it);
	return -mask;
}

TEST_F(tbl, events_refused_and_list_readable_only)
{
	struct skv_table_attr secret = { .mode = 0600 };
	struct skv_table_attr public = { .mode = 0644 };
	struct skv_table *s, *p;

	skv_table_delete(self->dev, SECRET);
	skv_table_delete(self->dev, PUBLIC);
	ASSERT_EQ(0, skv_table_open(self->dev, SECRET, SKV_OPEN_CREATE,
				    &secret, &s));
	ASSERT_EQ(0, skv_table_open(self->dev, PUBLIC, SKV_OPEN_CREATE,
				    &public, &p));
	EXPECT_EQ(-EACCES, as_user(1000, subscribe_secret));
	EXPECT_EQ(0, subscribe_secret());
	EXPECT_EQ(-2, as_user(1000, list_mask));
	EXPECT_EQ(-3, list_mask());
	skv_table_close(s);
	skv_table_close(p);
	skv_table_delete(self->dev, SECRET);
	skv_table_delete(self->dev, PUBLIC);
}

TEST_HARNESS_MAIN
