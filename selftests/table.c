// SPDX-License-Identifier: GPL-2.0
/*
 * Tables: SKV_IOC_TABLE_OPEN (create, EXCL, RDONLY, CLOEXEC, names,
 * attributes), SKV_IOC_TABLE_DELETE (unlink semantics), SKV_IOC_INFO and
 * SKV_IOC_SET.
 */
#include "kselftest_harness.h"
#include "skv_test.h"

FIXTURE(table) {
	int ctl;
	char name[SKV_NAME_MAX];
};

FIXTURE_SETUP(table)
{
	if (access(SKV_DEV, F_OK))
		SKIP(return, SKV_DEV " is missing: skv.ko not loaded");
	self->ctl = skv_ctl_open();
	ASSERT_LE(0, self->ctl) TH_LOG("open " SKV_DEV ": %s",
				       strerror(-self->ctl));
	skv_name(self->name, "table");
}

FIXTURE_TEARDOWN(table)
{
	if (self->ctl > 0) {
		skv_table_delete(self->ctl, self->name);
		close(self->ctl);
	}
}

static void open_init(struct skv_table_open *o, const char *name,
		      __u32 flags)
{
	memset(o, 0, sizeof(*o));
	o->size = sizeof(*o);
	o->flags = flags;
	memcpy(o->name, name, strnlen(name, sizeof(o->name)));
	o->fd = -1;
}

static void delete_init(struct skv_table_delete *d, const char *name)
{
	memset(d, 0, sizeof(*d));
	d->size = sizeof(*d);
	memcpy(d->name, name, strnlen(name, sizeof(d->name)));
}

TEST_F(table, open_absent_without_create_is_enoent)
{
	struct skv_table_open o;

	open_init(&o, self->name, 0);
	ASSERT_EQ(-1, ioctl(self->ctl, SKV_IOC_TABLE_OPEN, &o));
	ASSERT_EQ(ENOENT, errno);
	open_init(&o, self->name, SKV_OPEN_RDONLY);
	ASSERT_EQ(-1, ioctl(self->ctl, SKV_IOC_TABLE_OPEN, &o));
	ASSERT_EQ(ENOENT, errno);
}

TEST_F(table, create_reports_created_once)
{
	struct skv_table_open o;
	int fd1, fd2, fd3;

	open_init(&o, self->name, SKV_OPEN_CREATE);
	ASSERT_EQ(0, ioctl(self->ctl, SKV_IOC_TABLE_OPEN, &o));
	fd1 = o.fd;
	ASSERT_LE(0, fd1);
	EXPECT_EQ(1, o.created);

	open_init(&o, self->name, SKV_OPEN_CREATE);
	o.created = 7;
	ASSERT_EQ(0, ioctl(self->ctl, SKV_IOC_TABLE_OPEN, &o));
	fd2 = o.fd;
	EXPECT_EQ(0, o.created);

	open_init(&o, self->name, 0);
	o.created = 7;
	ASSERT_EQ(0, ioctl(self->ctl, SKV_IOC_TABLE_OPEN, &o));
	fd3 = o.fd;
	EXPECT_EQ(0, o.created);

	EXPECT_NE(fd1, fd2);
	EXPECT_NE(fd2, fd3);
	close(fd1);
	close(fd2);
	close(fd3);
}

TEST_F(table, fds_of_one_table_share_entries)
{
	char buf[16];
	int fd1, fd2;

	fd1 = skv_create(self->ctl, self->name, NULL);
	ASSERT_LE(0, fd1);
	fd2 = skv_open(self->ctl, self->name, 0, NULL, NULL);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, skv_put_str(fd1, "k", "shared"));
	ASSERT_EQ(6, skv_get_str(fd2, "k", buf, sizeof(buf)));
	EXPECT_STREQ("shared", buf);
	close(fd1);
	close(fd2);
}

TEST_F(table, create_excl_of_existing_is_eexist)
{
	struct skv_table_open o;
	int fd;

	fd = skv_create(self->ctl, self->name, NULL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, skv_put_str(fd, "k", "v"));
	open_init(&o, self->name, SKV_OPEN_CREATE | SKV_OPEN_EXCL);
	ASSERT_EQ(-1, ioctl(self->ctl, SKV_IOC_TABLE_OPEN, &o));
	ASSERT_EQ(EEXIST, errno);
	EXPECT_EQ(-1, o.fd);
	/* The existing table is untouched. */
	EXPECT_EQ(1, skv_get_str(fd, "k", (char[4]){}, 4));
	close(fd);
}

TEST_F(table, excl_without_create_is_einval)
{
	struct skv_table_open o;
	int fd;

	open_init(&o, self->name, SKV_OPEN_EXCL);
	ASSERT_EQ(-1, ioctl(self->ctl, SKV_IOC_TABLE_OPEN, &o));
	ASSERT_EQ(EINVAL, errno);
	fd = skv_create(self->ctl, self->name, NULL);
	ASSERT_LE(0, fd);
	close(fd);
	open_init(&o, self->name, SKV_OPEN_EXCL);
	ASSERT_EQ(-1, ioctl(self->ctl, SKV_IOC_TABLE_OPEN, &o));
	ASSERT_EQ(EINVAL, errno);
}

TEST_F(table, unknown_open_flags_are_einval)
{
	static const __u32 bad[] = { 1U << 4, 1U << 31, ~SKV_OPEN_ALL };
	struct skv_table_open o;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		open_init(&o, self->name, SKV_OPEN_CREATE | bad[i]);
		ASSERT_EQ(-1, ioctl(self->ctl, SKV_IOC_TABLE_OPEN, &o));
		ASSERT_EQ(EINVAL, errno);
	}
	/* Nothing was created. */
	open_init(&o, self->name, 0);
	ASSERT_EQ(-1, ioctl(self->ctl, SKV_IOC_TABLE_OPEN, &o));
	ASSERT_EQ(ENOENT, errno);
}

TEST_F(table, open_size_below_ver0_is_einval)
{
	struct skv_table_open o;

	open_init(&o, self->name, SKV_OPEN_CREATE);
	o.size = SKV_TABLE_OPEN_SIZE_VER0 - 1;
	ASSERT_EQ(-1, ioctl(self->ctl, SKV_IOC_TABLE_OPEN, &o));
	ASSERT_EQ(EINVAL, errno);
}

TEST_F(table, open_larger_size_with_nonzero_tail_is_e2big)
{
	struct {
		struct skv_table_open o;
		__u64 tail;
	} big;

	memset(&big, 0, sizeof(big));
	open_init(&big.o, self->name, SKV_OPEN_CREATE);
	big.o.size = sizeof(big);
	big.tail = 1;
	ASSERT_EQ(-1, ioctl(self->ctl, SKV_IOC_TABLE_OPEN, &big));
	ASSERT_EQ(E2BIG, errno);
	big.tail = 0;
	ASSERT_EQ(0, ioctl(self->ctl, SKV_IOC_TABLE_OPEN, &big));
	EXPECT_LE(0, big.o.fd);
	EXPECT_EQ(1, big.o.created);
	EXPECT_EQ(0, big.tail);
	close(big.o.fd);
}

/* Names that must be refused by both TABLE_OPEN and TABLE_DELETE. */
static void expect_bad_name(struct __test_metadata *_metadata, int ctl,
			    const char name[SKV_NAME_MAX], const char *what)
{
	struct skv_table_open o;
	struct skv_table_delete d;

	open_init(&o, "", SKV_OPEN_CREATE);
	memcpy(o.name, name, SKV_NAME_MAX);
	EXPECT_EQ(-1, ioctl(ctl, SKV_IOC_TABLE_OPEN, &o)) TH_LOG("%s", what);
	EXPECT_EQ(EINVAL, errno) TH_LOG("open: %s", what);
	if (o.fd >= 0 && o.created)
		close(o.fd);

	delete_init(&d, "");
	memcpy(d.name, name, SKV_NAME_MAX);
	EXPECT_EQ(-1, ioctl(ctl, SKV_IOC_TABLE_DELETE, &d)) TH_LOG("%s", what);
	EXPECT_EQ(EINVAL, errno) TH_LOG("delete: %s", what);
}

TEST_F(table, empty_name_is_einval)
{
	char name[SKV_NAME_MAX] = "";

	expect_bad_name(_metadata, self->ctl, name, "empty");
}

TEST_F(table, name_of_64_bytes_without_nul_is_einval)
{
	char name[SKV_NAME_MAX];

	memset(name, 'a', sizeof(name));
	expect_bad_name(_metadata, self->ctl, name, "64 x 'a'");
}

TEST_F(table, name_of_63_bytes_is_accepted)
{
	char name[SKV_NAME_MAX] = { 0 };
	int fd;

	snprintf(name, sizeof(name), "n%d-", (int)getpid());
	memset(name + strlen(name), 'x', SKV_NAME_MAX - 1 - strlen(name));
	ASSERT_EQ(SKV_NAME_MAX - 1, strlen(name));
	fd = skv_create(self->ctl, name, NULL);
	ASSERT_LE(0, fd) TH_LOG("%s", strerror(-fd));
	close(fd);
	ASSERT_EQ(0, skv_table_delete(self->ctl, name));
}

TEST_F(table, name_with_every_allowed_character_is_accepted)
{
	char name[SKV_NAME_MAX] = { 0 };
	int fd;

	snprintf(name, sizeof(name), "AZaz09._-%d", (int)getpid());
	fd = skv_create(self->ctl, name, NULL);
	ASSERT_LE(0, fd) TH_LOG("%s", strerror(-fd));
	close(fd);
	ASSERT_EQ(0, skv_table_delete(self->ctl, name));
}

TEST_F(table, name_with_bad_characters_is_einval)
{
	static const char *const bad[] = {
		"a/b", "a b", "a\tb", "a:b", "a*", "caf\xc3\xa9", "a\x7f",
		"a\x01", "a+b", "~a", "a\\b", "a@b",
	};
	char name[SKV_NAME_MAX];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(name, 0, sizeof(name));
		strcpy(name, bad[i]);
		expect_bad_name(_metadata, self->ctl, name, bad[i]);
	}
}

/*
 * Review finding 10: the kernel's isalnum() takes Latin-1 letters
 * (0xc0-0xff) for alphanumerics; the ABI's [A-Za-z0-9._-] is ASCII.
 */
TEST_F(table, name_with_latin1_letters_is_einval)
{
	static const char *const bad[] = {
		"\xe9t\xe9", "\xff\xfe", "caf\xe9", "\xc0", "a\xdf", "\xf8z",
	};
	char name[SKV_NAME_MAX];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(name, 0, sizeof(name));
		strcpy(name, bad[i]);
		expect_bad_name(_metadata, self->ctl, name, "latin-1");
	}
}

TEST_F(table, name_with_junk_after_nul_is_einval)
{
	char name[SKV_NAME_MAX] = "good";

	name[SKV_NAME_MAX - 1] = 'x';
	expect_bad_name(_metadata, self->ctl, name, "junk at byte 63");
	name[SKV_NAME_MAX - 1] = 0;
	name[5] = 'x';
	expect_bad_name(_metadata, self->ctl, name, "junk at byte 5");
}

static int create_with(int ctl, const char *name,
		       const struct skv_table_attr *attr)
{
	struct skv_table_open o;

	open_init(&o, name, SKV_OPEN_CREATE | SKV_OPEN_EXCL);
	o.attr = *attr;
	if (ioctl(ctl, SKV_IOC_TABLE_OPEN, &o))
		return -errno;
	return o.fd;
}

struct attr_case {
	const char *what;
	struct skv_table_attr attr;
};

TEST_F(table, attributes_above_caps_are_einval)
{
	static const struct attr_case bad[] = {
		{ "max_entries", { .max_entries = SKV_MAX_ENTRIES_CAP + 1 } },
		{ "max_entries ~0", { .max_entries = ~0ULL } },
		{ "max_key_len", { .max_key_len = SKV_KEY_LEN_CAP + 1 } },
		{ "max_key_len ~0", { .max_key_len = ~0U } },
		{ "max_value_len", { .max_value_len = SKV_VALUE_LEN_CAP + 1 } },
		{ "max_value_len ~0", { .max_value_len = ~0U } },
		{ "policy 2", { .policy = 2 } },
		{ "policy ~0", { .policy = ~0U } },
		{ "mode 01000", { .mode = 01000 } },
		{ "mode 04755", { .mode = 04755 } },
		{ "mode ~0", { .mode = ~0U } },
	};
	struct skv_table_open o;
	unsigned int i;
	int fd;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		fd = create_with(self->ctl, self->name, &bad[i].attr);
		EXPECT_EQ(-EINVAL, fd) TH_LOG("%s", bad[i].what);
		if (fd >= 0) {
			close(fd);
			skv_table_delete(self->ctl, self->name);
		}
	}
	open_init(&o, self->name, 0);
	ASSERT_EQ(-1, ioctl(self->ctl, SKV_IOC_TABLE_OPEN, &o));
	ASSERT_EQ(ENOENT, errno);
}

TEST_F(table, attributes_at_caps_are_accepted)
{
	struct skv_table_attr attr = {
		.max_entries = SKV_MAX_ENTRIES_CAP,
		.max_key_len = SKV_KEY_LEN_CAP,
		.max_value_len = SKV_VALUE_LEN_CAP,
		.policy = SKV_POLICY_LRU,
		.mode = 0777,
		.default_ttl_ms = 1000ULL * 3600 * 24 * 365,
	};
	struct skv_info info;
	int fd;

	fd = create_with(self->ctl, self->name, &attr);
	ASSERT_LE(0, fd) TH_LOG("%s", strerror(-fd));
	ASSERT_EQ(0, skv_info(fd, &info));
	EXPECT_EQ(attr.max_entries, info.attr.max_entries);
	EXPECT_EQ(attr.max_key_len, info.attr.max_key_len);
	EXPECT_EQ(attr.max_value_len, info.attr.max_value_len);
	EXPECT_EQ(attr.policy, info.attr.policy);
	EXPECT_EQ(attr.mode, info.attr.mode);
	EXPECT_EQ(attr.default_ttl_ms, info.attr.default_ttl_ms);
	close(fd);
}

TEST_F(table, attributes_without_create_are_einval)
{
	struct skv_table_open o;
	int fd;

	fd = skv_create(self->ctl, self->name, NULL);
	ASSERT_LE(0, fd);
	close(fd);
	open_init(&o, self->name, 0);
	o.attr.max_entries = 10;
	ASSERT_EQ(-1, ioctl(self->ctl, SKV_IOC_TABLE_OPEN, &o));
	ASSERT_EQ(EINVAL, errno);
	open_init(&o, self->name, SKV_OPEN_RDONLY);
	o.attr.mode = 0644;
	ASSERT_EQ(-1, ioctl(self->ctl, SKV_IOC_TABLE_OPEN, &o));
	ASSERT_EQ(EINVAL, errno);
}

TEST_F(table, info_reports_defaults_for_zero_attributes)
{
	struct skv_info info;
	int fd;

	fd = skv_create(self->ctl, self->name, NULL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, skv_info(fd, &info));
	EXPECT_EQ(sizeof(info), info.size);
	EXPECT_STREQ(self->name, info.name);
	EXPECT_EQ(SKV_DEFAULT_MAX_ENTRIES, info.attr.max_entries);
	EXPECT_EQ(SKV_DEFAULT_MAX_BYTES, info.attr.max_bytes);
	EXPECT_EQ(SKV_DEFAULT_KEY_LEN, info.attr.max_key_len);
	EXPECT_EQ(SKV_DEFAULT_VALUE_LEN, info.attr.max_value_len);
	EXPECT_EQ(0, info.attr.default_ttl_ms);
	EXPECT_EQ(SKV_POLICY_NONE, info.attr.policy);
	EXPECT_EQ(SKV_DEFAULT_MODE, info.attr.mode);
	EXPECT_EQ(geteuid(), info.uid);
	EXPECT_EQ(getegid(), info.gid);
	EXPECT_EQ(0, info.fd_flags);
	EXPECT_EQ(0, info.__reserved0);
	close(fd);
}

TEST_F(table, info_reports_given_attributes)
{
	struct skv_table_attr attr = {
		.max_entries = 100, .max_bytes = 12345,
		.max_key_len = 16, .max_value_len = 200,
		.default_ttl_ms = 60000, .policy = SKV_POLICY_LRU,
		.mode = 0640,
	};
	struct skv_info info;
	int fd;

	fd = create_with(self->ctl, self->name, &attr);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, skv_info(fd, &info));
	EXPECT_EQ(100, info.attr.max_entries);
	EXPECT_EQ(12345, info.attr.max_bytes);
	EXPECT_EQ(16, info.attr.max_key_len);
	EXPECT_EQ(200, info.attr.max_value_len);
	EXPECT_EQ(60000, info.attr.default_ttl_ms);
	EXPECT_EQ(SKV_POLICY_LRU, info.attr.policy);
	EXPECT_EQ(0640, info.attr.mode);
	close(fd);
}

TEST_F(table, info_flags_and_reserved_are_einval)
{
	struct skv_info info;
	int fd;

	fd = skv_create(self->ctl, self->name, NULL);
	ASSERT_LE(0, fd);
	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	info.flags = 1;
	ASSERT_EQ(-1, ioctl(fd, SKV_IOC_INFO, &info));
	ASSERT_EQ(EINVAL, errno);
	close(fd);
}

TEST_F(table, rdonly_fd_refuses_every_write_with_ebadf)
{
	struct skv_get g;
	char buf[16];
	__s64 n;
	int rw, ro;

	rw = skv_create(self->ctl, self->name, NULL);
	ASSERT_LE(0, rw);
	ASSERT_EQ(0, skv_put_str(rw, "k", "v"));
	ro = skv_open(self->ctl, self->name, SKV_OPEN_RDONLY, NULL, NULL);
	ASSERT_LE(0, ro);

	EXPECT_EQ(-EBADF, skv_put_str(ro, "k", "w"));
	EXPECT_EQ(-EBADF, skv_put_str(ro, "new", "w"));
	EXPECT_EQ(-EBADF, skv_del_str(ro, "k"));
	EXPECT_EQ(-EBADF, skv_incr_str(ro, "n", 1, &n));
	EXPECT_EQ(-EBADF, skv_flush(ro, NULL));
	skv_get_init(&g, "k", 1, buf, sizeof(buf));
	EXPECT_EQ(-1, ioctl(ro, SKV_IOC_GETDEL, &g));
	EXPECT_EQ(EBADF, errno);
	/* Reads work, and nothing changed. */
	EXPECT_EQ(1, skv_get_str(ro, "k", buf, sizeof(buf)));
	EXPECT_STREQ("v", buf);
	EXPECT_EQ(-ENOENT, skv_get_str(ro, "new", buf, sizeof(buf)));
	EXPECT_EQ(-ENOENT, skv_get_str(ro, "n", buf, sizeof(buf)));
	close(ro);
	close(rw);
}

TEST_F(table, info_reports_rdonly_fd)
{
	struct skv_info info;
	int rw, ro;

	rw = skv_create(self->ctl, self->name, NULL);
	ASSERT_LE(0, rw);
	ro = skv_open(self->ctl, self->name, SKV_OPEN_RDONLY, NULL, NULL);
	ASSERT_LE(0, ro);
	ASSERT_EQ(0, skv_info(ro, &info));
	EXPECT_EQ(SKV_OPEN_RDONLY, info.fd_flags);
	ASSERT_EQ(0, skv_info(rw, &info));
	EXPECT_EQ(0, info.fd_flags);
	close(ro);
	close(rw);
}

TEST_F(table, table_fd_is_cloexec_by_default)
{
	int fd;

	fd = skv_open(self->ctl, self->name, SKV_OPEN_CREATE, NULL, NULL);
	ASSERT_LE(0, fd);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
}

TEST_F(table, nocloexec_gives_inheritable_fd)
{
	int fd;

	fd = skv_open(self->ctl, self->name,
		      SKV_OPEN_CREATE | SKV_OPEN_NOCLOEXEC, NULL, NULL);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
}

TEST_F(table, delete_absent_is_enoent)
{
	ASSERT_EQ(-ENOENT, skv_table_delete(self->ctl, self->name));
}

TEST_F(table, delete_flags_are_einval)
{
	struct skv_table_delete d;
	int fd;

	fd = skv_create(self->ctl, self->name, NULL);
	ASSERT_LE(0, fd);
	delete_init(&d, self->name);
	d.flags = 1;
	ASSERT_EQ(-1, ioctl(self->ctl, SKV_IOC_TABLE_DELETE, &d));
	ASSERT_EQ(EINVAL, errno);
	d.size = SKV_TABLE_DELETE_SIZE_VER0 - 1;
	d.flags = 0;
	ASSERT_EQ(-1, ioctl(self->ctl, SKV_IOC_TABLE_DELETE, &d));
	ASSERT_EQ(EINVAL, errno);
	/* Still there. */
	close(fd);
	fd = skv_open(self->ctl, self->name, 0, NULL, NULL);
	ASSERT_LE(0, fd);
	close(fd);
}

TEST_F(table, delete_unlinks_name_but_open_fd_keeps_working)
{
	struct skv_table_open o;
	struct skv_info info;
	char buf[16];
	__u32 created = 0;
	int old, new;

	old = skv_create(self->ctl, self->name, NULL);
	ASSERT_LE(0, old);
	ASSERT_EQ(0, skv_put_str(old, "k", "old"));
	ASSERT_EQ(0, skv_table_delete(self->ctl, self->name));

	/* The name is gone at once. */
	open_init(&o, self->name, 0);
	ASSERT_EQ(-1, ioctl(self->ctl, SKV_IOC_TABLE_OPEN, &o));
	ASSERT_EQ(ENOENT, errno);
	ASSERT_EQ(-ENOENT, skv_table_delete(self->ctl, self->name));

	/* The open fd still reads and writes its table. */
	EXPECT_EQ(3, skv_get_str(old, "k", buf, sizeof(buf)));
	EXPECT_STREQ("old", buf);
	EXPECT_EQ(0, skv_put_str(old, "k2", "more"));
	EXPECT_EQ(0, skv_info(old, &info));

	/* The name can be created again, as a new, empty table. */
	new = skv_open(self->ctl, self->name, SKV_OPEN_CREATE, NULL,
		       &created);
	ASSERT_LE(0, new);
	EXPECT_EQ(1, created);
	EXPECT_EQ(-ENOENT, skv_get_str(new, "k", buf, sizeof(buf)));
	ASSERT_EQ(0, skv_put_str(new, "k", "new"));
	EXPECT_EQ(3, skv_get_str(old, "k", buf, sizeof(buf)));
	EXPECT_STREQ("old", buf);
	EXPECT_EQ(3, skv_get_str(new, "k", buf, sizeof(buf)));
	EXPECT_STREQ("new", buf);
	close(old);
	close(new);
}

static int set_table(int fd, __u32 mask, const struct skv_set *val)
{
	struct skv_set s = *val;

	s.size = sizeof(s);
	s.mask = mask;
	return skv_ioctl(fd, SKV_IOC_SET, &s);
}

TEST_F(table, set_changes_only_selected_attributes)
{
	struct skv_info info;
	int fd;

	fd = skv_create(self->ctl, self->name, NULL);
	ASSERT_LE(0, fd);

	ASSERT_EQ(0, set_table(fd, SKV_SET_DEFAULT_TTL,
			       &(struct skv_set){ .default_ttl_ms = 5000 }));
	ASSERT_EQ(0, skv_info(fd, &info));
	EXPECT_EQ(5000, info.attr.default_ttl_ms);
	EXPECT_EQ(SKV_POLICY_NONE, info.attr.policy);
	EXPECT_EQ(SKV_DEFAULT_MODE, info.attr.mode);
	EXPECT_EQ(geteuid(), info.uid);

	ASSERT_EQ(0, set_table(fd, SKV_SET_POLICY,
			       &(struct skv_set){ .policy = SKV_POLICY_LRU }));
	ASSERT_EQ(0, skv_info(fd, &info));
	EXPECT_EQ(SKV_POLICY_LRU, info.attr.policy);
	EXPECT_EQ(SKV_DEFAULT_MODE, info.attr.mode);

	ASSERT_EQ(0, set_table(fd, SKV_SET_MODE,
			       &(struct skv_set){ .mode = 0604 }));
	ASSERT_EQ(0, skv_info(fd, &info));
	EXPECT_EQ(0604, info.attr.mode);
	EXPECT_EQ(5000, info.attr.default_ttl_ms);
	EXPECT_EQ(SKV_POLICY_LRU, info.attr.policy);

	if (geteuid() == 0) {
		ASSERT_EQ(0, set_table(fd, SKV_SET_UID | SKV_SET_GID,
				       &(struct skv_set){ .uid = 4321,
							  .gid = 8765 }));
		ASSERT_EQ(0, skv_info(fd, &info));
		EXPECT_EQ(4321, info.uid);
		EXPECT_EQ(8765, info.gid);
		EXPECT_EQ(0604, info.attr.mode);
	}

	/* The default TTL can be removed again. */
	ASSERT_EQ(0, set_table(fd, SKV_SET_DEFAULT_TTL,
			       &(struct skv_set){ .default_ttl_ms = 0 }));
	ASSERT_EQ(0, skv_info(fd, &info));
	EXPECT_EQ(0, info.attr.default_ttl_ms);
	EXPECT_EQ(0604, info.attr.mode);
	close(fd);
}

TEST_F(table, set_unknown_mask_bits_are_einval)
{
	struct skv_set s = { .mode = 0644 };
	struct skv_info info;
	int fd;

	fd = skv_create(self->ctl, self->name, NULL);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, set_table(fd, SKV_SET_MODE | 1U << 5, &s));
	EXPECT_EQ(-EINVAL, set_table(fd, SKV_SET_MODE | 1U << 31, &s));
	ASSERT_EQ(0, skv_info(fd, &info));
	EXPECT_EQ(SKV_DEFAULT_MODE, info.attr.mode);
	close(fd);
}

TEST_F(table, set_bad_values_are_einval)
{
	struct skv_info info;
	int fd;

	fd = skv_create(self->ctl, self->name, NULL);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, set_table(fd, SKV_SET_POLICY,
				     &(struct skv_set){ .policy = 2 }));
	EXPECT_EQ(-EINVAL, set_table(fd, SKV_SET_POLICY,
				     &(struct skv_set){ .policy = ~0U }));
	EXPECT_EQ(-EINVAL, set_table(fd, SKV_SET_MODE,
				     &(struct skv_set){ .mode = 01000 }));
	EXPECT_EQ(-EINVAL, set_table(fd, SKV_SET_MODE,
				     &(struct skv_set){ .mode = 02600 }));
	if (geteuid() == 0) {
		/* (uid_t)-1 and (gid_t)-1 are no ids. */
		EXPECT_EQ(-EINVAL, set_table(fd, SKV_SET_UID,
					     &(struct skv_set){ .uid = ~0U }));
		EXPECT_EQ(-EINVAL, set_table(fd, SKV_SET_GID,
					     &(struct skv_set){ .gid = ~0U }));
	}
	/* A failing SET changes nothing, not even its valid parts. */
	EXPECT_EQ(-EINVAL, set_table(fd, SKV_SET_MODE | SKV_SET_POLICY,
				     &(struct skv_set){ .mode = 0644,
							.policy = 9 }));
	ASSERT_EQ(0, skv_info(fd, &info));
	EXPECT_EQ(SKV_DEFAULT_MODE, info.attr.mode);
	EXPECT_EQ(SKV_POLICY_NONE, info.attr.policy);
	EXPECT_EQ(geteuid(), info.uid);
	EXPECT_EQ(getegid(), info.gid);
	close(fd);
}

TEST_F(table, set_unselected_nonzero_field_is_einval)
{
	struct skv_info info;
	int fd;

	fd = skv_create(self->ctl, self->name, NULL);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, set_table(fd, SKV_SET_MODE,
				     &(struct skv_set){ .mode = 0644,
							.default_ttl_ms = 1 }));
	EXPECT_EQ(-EINVAL, set_table(fd, SKV_SET_DEFAULT_TTL,
				     &(struct skv_set){ .policy = 1 }));
	EXPECT_EQ(-EINVAL, set_table(fd, 0, &(struct skv_set){ .gid = 5 }));
	ASSERT_EQ(0, skv_info(fd, &info));
	EXPECT_EQ(SKV_DEFAULT_MODE, info.attr.mode);
	EXPECT_EQ(0, info.attr.default_ttl_ms);
	close(fd);
}

TEST_F(table, set_size_below_ver0_is_einval)
{
	struct skv_set s = { .mode = 0644 };
	int fd;

	fd = skv_create(self->ctl, self->name, NULL);
	ASSERT_LE(0, fd);
	s.size = SKV_SET_SIZE_VER0 - 1;
	s.mask = SKV_SET_MODE;
	ASSERT_EQ(-1, ioctl(fd, SKV_IOC_SET, &s));
	ASSERT_EQ(EINVAL, errno);
	close(fd);
}

TEST_HARNESS_MAIN
