// SPDX-License-Identifier: GPL-2.0
/*
 * Permissions and quotas for unprivileged users: table mode/uid/gid
 * checked at open like an IPC object, owner-only DELETE and SET, and the
 * per-user table and byte quotas (module parameters). Needs root to
 * switch to the VM's users: alice (1000, groups 1000 and 2000) and bob
 * (1001).
 */
#include <grp.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "skv_test.h"

#define ALICE	1000
#define BOB	1001
#define SKVGRP	2000
#define PARAMS	"/sys/module/skv/parameters/"

/*
 * In a child: become @uid (alice or bob, with their groups) and run @fn,
 * whose return value is the child's exit status; a failed check prints
 * its line. The harness's ASSERT_*() cannot be used in the child.
 */
#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "# %s:%d: uid %d: check failed: %s"	\
			" (errno %d)\n", __FILE__, __LINE__,		\
			(int)getuid(), #cond, errno);			\
		return 1;						\
	}								\
} while (0)

struct perm_ctx {
	const char *name;
	const char *name2;
	unsigned int n;
};

typedef int (*child_fn)(struct perm_ctx *ctx);

static int become(uid_t uid)
{
	gid_t groups[2];
	int n = 0;

	if (uid == ALICE) {
		groups[n++] = ALICE;
		groups[n++] = SKVGRP;
	} else {
		groups[n++] = uid;
	}
	if (setgroups(n, groups) || setgid(uid) || setuid(uid))
		return -1;
	return 0;
}

static int run_as(uid_t uid, child_fn fn, struct perm_ctx *ctx)
{
	int status;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		if (become(uid)) {
			fprintf(stderr, "# cannot become uid %d\n", uid);
			_exit(2);
		}
		_exit(fn(ctx));
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int ctl_fd(void)
{
	return open(SKV_DEV, O_RDWR | O_CLOEXEC);
}

FIXTURE(perm) {
	int ctl;
	char name[SKV_NAME_MAX + 16];
};

FIXTURE_SETUP(perm)
{
	if (access(SKV_DEV, F_OK))
		SKIP(return, SKV_DEV " is missing: skv.ko not loaded");
	if (geteuid() != 0)
		SKIP(return, "needs root to switch users");
	self->ctl = skv_ctl_open();
	ASSERT_LE(0, self->ctl);
	skv_name(self->name, "perm");
}

FIXTURE_TEARDOWN(perm)
{
	if (self->ctl > 0) {
		skv_table_delete(self->ctl, self->name);
		close(self->ctl);
	}
}

static int create_mode(int ctl, const char *name, __u32 mode, __u32 gid)
{
	struct skv_table_attr attr = { .mode = mode };
	struct skv_set s = { .size = sizeof(s) };
	int fd;

	fd = skv_create(ctl, name, &attr);
	if (fd < 0)
		return fd;
	if (gid) {
		s.mask = SKV_SET_GID;
		s.gid = gid;
		if (ioctl(fd, SKV_IOC_SET, &s)) {
			close(fd);
			return -errno;
		}
	}
	return fd;
}

static int child_no_access(struct perm_ctx *c)
{
	int ctl = ctl_fd();

	CHECK(ctl >= 0);
	CHECK(skv_open(ctl, c->name, 0, NULL, NULL) == -EACCES);
	CHECK(skv_open(ctl, c->name, SKV_OPEN_RDONLY, NULL, NULL) == -EACCES);
	/* CREATE of an existing table is an open: still refused. */
	CHECK(skv_open(ctl, c->name, SKV_OPEN_CREATE, NULL, NULL) == -EACCES);
	return 0;
}

static int child_read_only(struct perm_ctx *c)
{
	char buf[16];
	int ctl = ctl_fd(), fd;

	CHECK(ctl >= 0);
	CHECK(skv_open(ctl, c->name, 0, NULL, NULL) == -EACCES);
	fd = skv_open(ctl, c->name, SKV_OPEN_RDONLY, NULL, NULL);
	CHECK(fd >= 0);
	CHECK(skv_get_str(fd, "k", buf, sizeof(buf)) == 5);
	CHECK(!strcmp(buf, "hello"));
	CHECK(skv_put_str(fd, "k", "x") == -EBADF);
	return 0;
}

static int child_read_write(struct perm_ctx *c)
{
	char buf[16];
	int ctl = ctl_fd(), fd;

	CHECK(ctl >= 0);
	fd = skv_open(ctl, c->name, 0, NULL, NULL);
	CHECK(fd >= 0);
	CHECK(skv_get_str(fd, "k", buf, sizeof(buf)) == 5);
	CHECK(skv_put_str(fd, "k", "world") == 0);
	return 0;
}

TEST_F(perm, mode_0600_table_of_root_refuses_alice)
{
	int fd;

	fd = create_mode(self->ctl, self->name, 0600, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, run_as(ALICE, child_no_access,
			    &(struct perm_ctx){ .name = self->name }));
	close(fd);
}

TEST_F(perm, mode_0640_with_group_gives_group_read_only)
{
	struct perm_ctx c = { .name = self->name };
	int fd;

	fd = create_mode(self->ctl, self->name, 0640, SKVGRP);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, skv_put_str(fd, "k", "hello"));
	/* alice is in group 2000, bob is not. */
	ASSERT_EQ(0, run_as(ALICE, child_read_only, &c));
	ASSERT_EQ(0, run_as(BOB, child_no_access, &c));
	close(fd);
}

TEST_F(perm, mode_0666_lets_everyone_read_and_write)
{
	struct perm_ctx c = { .name = self->name };
	char buf[16];
	int fd;

	fd = create_mode(self->ctl, self->name, 0666, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, skv_put_str(fd, "k", "hello"));
	ASSERT_EQ(0, run_as(ALICE, child_read_write, &c));
	ASSERT_EQ(5, skv_get_str(fd, "k", buf, sizeof(buf)));
	EXPECT_STREQ("world", buf);
	ASSERT_EQ(0, skv_put_str(fd, "k", "hello"));
	ASSERT_EQ(0, run_as(BOB, child_read_write, &c));
	close(fd);
}

TEST_F(perm, mode_0604_gives_others_read_only)
{
	struct perm_ctx c = { .name = self->name };
	int fd;

	fd = create_mode(self->ctl, self->name, 0604, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, skv_put_str(fd, "k", "hello"));
	ASSERT_EQ(0, run_as(BOB, child_read_only, &c));
	close(fd);
}

static int child_own_table(struct perm_ctx *c)
{
	struct skv_info info;
	int ctl = ctl_fd(), fd;

	CHECK(ctl >= 0);
	fd = skv_create(ctl, c->name, NULL);
	CHECK(fd >= 0);
	CHECK(skv_info(fd, &info) == 0);
	CHECK(info.uid == ALICE);
	CHECK(info.gid == ALICE);
	CHECK(info.attr.mode == SKV_DEFAULT_MODE);
	CHECK(skv_put_str(fd, "k", "hello") == 0);
	return 0;
}

TEST_F(perm, owner_has_access_others_do_not_root_overrides)
{
	struct perm_ctx c = { .name = self->name };
	int fd;

	ASSERT_EQ(0, run_as(ALICE, child_own_table, &c));
	ASSERT_EQ(0, run_as(ALICE, child_read_write, &c));
	ASSERT_EQ(0, run_as(BOB, child_no_access, &c));
	/* CAP_DAC_OVERRIDE. */
	fd = skv_open(self->ctl, self->name, 0, NULL, NULL);
	ASSERT_LE(0, fd);
	close(fd);
}

static int child_delete_eperm(struct perm_ctx *c)
{
	int ctl = ctl_fd();

	CHECK(ctl >= 0);
	CHECK(skv_table_delete(ctl, c->name) == -EPERM);
	return 0;
}

static int child_delete_ok(struct perm_ctx *c)
{
	int ctl = ctl_fd();

	CHECK(ctl >= 0);
	CHECK(skv_table_delete(ctl, c->name) == 0);
	return 0;
}

TEST_F(perm, delete_by_non_owner_is_eperm)
{
	struct perm_ctx c = { .name = self->name };
	int fd;

	/* Even with write access to the table. */
	fd = create_mode(self->ctl, self->name, 0666, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, run_as(ALICE, child_delete_eperm, &c));
	close(fd);
	fd = skv_open(self->ctl, self->name, 0, NULL, NULL);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, skv_table_delete(self->ctl, self->name));

	/* alice's own table: bob may not delete it, alice may. */
	ASSERT_EQ(0, run_as(ALICE, child_own_table, &c));
	ASSERT_EQ(0, run_as(BOB, child_delete_eperm, &c));
	ASSERT_EQ(0, run_as(ALICE, child_delete_ok, &c));
	ASSERT_EQ(-ENOENT, skv_table_delete(self->ctl, self->name));

	/* And root (CAP_SYS_ADMIN) may delete alice's. */
	ASSERT_EQ(0, run_as(ALICE, child_own_table, &c));
	ASSERT_EQ(0, skv_table_delete(self->ctl, self->name));
}

static int child_set_eperm(struct perm_ctx *c)
{
	struct skv_set s = { .size = sizeof(s), .mask = SKV_SET_MODE,
			     .mode = 0777 };
	int ctl = ctl_fd(), fd;

	CHECK(ctl >= 0);
	fd = skv_open(ctl, c->name, 0, NULL, NULL);
	CHECK(fd >= 0);
	CHECK(ioctl(fd, SKV_IOC_SET, &s) == -1 && errno == EPERM);
	s.mask = SKV_SET_DEFAULT_TTL;
	s.mode = 0;
	s.default_ttl_ms = 5;
	CHECK(ioctl(fd, SKV_IOC_SET, &s) == -1 && errno == EPERM);
	return 0;
}

TEST_F(perm, set_by_non_owner_is_eperm)
{
	struct skv_info info;
	int fd;

	fd = create_mode(self->ctl, self->name, 0666, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, run_as(ALICE, child_set_eperm,
			    &(struct perm_ctx){ .name = self->name }));
	ASSERT_EQ(0, skv_info(fd, &info));
	EXPECT_EQ(0666, info.attr.mode);
	EXPECT_EQ(0, info.attr.default_ttl_ms);
	close(fd);
}

static int child_owner_chown_rules(struct perm_ctx *c)
{
	struct skv_set s = { .size = sizeof(s) };
	struct skv_info info;
	int ctl = ctl_fd(), fd;

	CHECK(ctl >= 0);
	fd = skv_create(ctl, c->name, NULL);
	CHECK(fd >= 0);
	/* A group alice is in: fine. */
	s.mask = SKV_SET_GID;
	s.gid = SKVGRP;
	CHECK(ioctl(fd, SKV_IOC_SET, &s) == 0);
	/* bob's group, or giving the table to bob: needs CAP_CHOWN. */
	s.gid = BOB;
	CHECK(ioctl(fd, SKV_IOC_SET, &s) == -1 && errno == EPERM);
	s.mask = SKV_SET_UID;
	s.gid = 0;
	s.uid = BOB;
	CHECK(ioctl(fd, SKV_IOC_SET, &s) == -1 && errno == EPERM);
	/* Setting the uid it already has is no change. */
	s.uid = ALICE;
	CHECK(ioctl(fd, SKV_IOC_SET, &s) == 0);
	s.mask = SKV_SET_MODE;
	s.uid = 0;
	s.mode = 0640;
	CHECK(ioctl(fd, SKV_IOC_SET, &s) == 0);
	CHECK(skv_info(fd, &info) == 0);
	CHECK(info.uid == ALICE);
	CHECK(info.gid == SKVGRP);
	CHECK(info.attr.mode == 0640);
	return 0;
}

TEST_F(perm, owner_may_chgrp_to_own_group_only)
{
	ASSERT_EQ(0, run_as(ALICE, child_owner_chown_rules,
			    &(struct perm_ctx){ .name = self->name }));
}

static int child_open_rw_then_wait(struct perm_ctx *c)
{
	int ctl = ctl_fd(), fd, pipefd = c->n;
	char buf[8];

	CHECK(ctl >= 0);
	fd = skv_open(ctl, c->name, 0, NULL, NULL);
	CHECK(fd >= 0);
	/* Tell the parent, wait for it to chmod the table. */
	CHECK(write(pipefd, "o", 1) == 1);
	CHECK(read(pipefd, buf, 1) == 1);
	CHECK(skv_put_str(fd, "k", "still") == 0);
	CHECK(skv_open(ctl, c->name, 0, NULL, NULL) == -EACCES);
	return 0;
}

TEST_F(perm, access_is_checked_at_open_only)
{
	struct skv_set s = { .size = sizeof(s), .mask = SKV_SET_MODE,
			     .mode = 0600 };
	struct perm_ctx c = { .name = self->name };
	int sv[2], fd, status;
	char buf[8];
	pid_t pid;

	fd = create_mode(self->ctl, self->name, 0666, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	c.n = sv[1];
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(sv[0]);
		if (become(ALICE))
			_exit(2);
		_exit(child_open_rw_then_wait(&c));
	}
	close(sv[1]);
	ASSERT_EQ(1, read(sv[0], buf, 1));
	ASSERT_EQ(0, ioctl(fd, SKV_IOC_SET, &s));
	ASSERT_EQ(1, write(sv[0], "c", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(5, skv_get_str(fd, "k", buf, sizeof(buf)));
	close(sv[0]);
	close(fd);
}

static long read_param(const char *name)
{
	char path[128], buf[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), PARAMS "%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strtol(buf, NULL, 10);
}

static int write_param(const char *name, long val)
{
	char path[128], buf[32];
	int fd, len, ok;

	snprintf(path, sizeof(path), PARAMS "%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	len = snprintf(buf, sizeof(buf), "%ld\n", val);
	ok = write(fd, buf, len) == len;
	close(fd);
	return ok ? 0 : -EIO;
}

static int child_table_quota(struct perm_ctx *c)
{
	char name[SKV_NAME_MAX + 16];
	int ctl = ctl_fd(), fd, ret = 0;
	unsigned int i;

	CHECK(ctl >= 0);
	for (i = 0; i < c->n; i++) {
		snprintf(name, sizeof(name), "%.40s-%u", c->name, i);
		fd = skv_create(ctl, name, NULL);
		CHECK(fd >= 0);
		close(fd);
	}
	snprintf(name, sizeof(name), "%.40s-%u", c->name, i);
	fd = skv_create(ctl, name, NULL);
	if (fd != -EDQUOT) {
		fprintf(stderr, "# table %u over quota %u: %d\n", i, c->n,
			fd);
		ret = 1;
	}
	if (fd >= 0)
		close(fd);
	/* Deleting one makes room again. */
	snprintf(name, sizeof(name), "%.40s-0", c->name);
	CHECK(skv_table_delete(ctl, name) == 0);
	snprintf(name, sizeof(name), "%.40s-%u", c->name, i);
	fd = skv_create(ctl, name, NULL);
	CHECK(fd >= 0);
	close(fd);
	return ret;
}

static void delete_numbered(int ctl, const char *prefix, unsigned int n)
{
	char name[SKV_NAME_MAX + 16];
	unsigned int i;

	for (i = 0; i <= n; i++) {
		snprintf(name, sizeof(name), "%.40s-%u", prefix, i);
		skv_table_delete(ctl, name);
	}
}

TEST_F_TIMEOUT(perm, alice_over_table_quota_is_edquot, 120)
{
	struct perm_ctx c = { .name = self->name };
	long max = read_param("max_tables_per_user");
	int ret;

	if (max < 0)
		SKIP(return, "no " PARAMS "max_tables_per_user");
	if (max > 256)
		SKIP(return, "table quota %ld too large to test", max);
	c.n = max;
	ret = run_as(ALICE, child_table_quota, &c);
	delete_numbered(self->ctl, self->name, c.n);
	ASSERT_EQ(0, ret);
}

TEST_F_TIMEOUT(perm, root_is_exempt_from_table_quota, 120)
{
	long max = read_param("max_tables_per_user");
	char name[SKV_NAME_MAX + 16];
	unsigned int i;
	int fd;

	if (max < 0)
		SKIP(return, "no " PARAMS "max_tables_per_user");
	if (max > 256)
		SKIP(return, "table quota %ld too large to test", max);
	for (i = 0; i <= max; i++) {
		snprintf(name, sizeof(name), "%.40s-%u", self->name, i);
		fd = skv_create(self->ctl, name, NULL);
		EXPECT_LE(0, fd) TH_LOG("table %u: %d", i, fd);
		if (fd < 0)
			break;
		close(fd);
	}
	delete_numbered(self->ctl, self->name, max);
}

/*
 * Two tables of alice, each well within its own max_bytes, together above
 * her byte quota of 8 KiB (entries are charged key + value + a header).
 */
static int child_byte_quota(struct perm_ctx *c)
{
	struct skv_table_attr attr = { .max_bytes = 6000 };
	char val[1024], key[16], name2[SKV_NAME_MAX + 16];
	struct skv_stats st;
	int ctl = ctl_fd(), fd1, fd2, ret = 0;
	unsigned int i;

	memset(val, 'v', sizeof(val));
	snprintf(name2, sizeof(name2), "%.40s-b", c->name);
	CHECK(ctl >= 0);
	fd1 = skv_create(ctl, c->name, &attr);
	CHECK(fd1 >= 0);
	fd2 = skv_create(ctl, name2, &attr);
	CHECK(fd2 >= 0);
	for (i = 0; i < 4; i++) {
		snprintf(key, sizeof(key), "k%u", i);
		CHECK(skv_put(fd1, key, strlen(key), val, sizeof(val), 0,
			      NULL) == 0);
	}
	for (i = 0; i < 5; i++) {
		snprintf(key, sizeof(key), "k%u", i);
		ret = skv_put(fd2, key, strlen(key), val, sizeof(val), 0, NULL);
		if (ret)
			break;
	}
	CHECK(ret == -EDQUOT);
	CHECK(i >= 1 && i <= 4);
	CHECK(skv_get_str(fd2, key, val, sizeof(val)) == -ENOENT);
	CHECK(skv_stats(fd2, &st) == 0);
	CHECK(st.entries == i);
	/* Freeing in one table makes room in the other. */
	CHECK(skv_del_str(fd1, "k0") == 0);
	CHECK(skv_put(fd2, key, strlen(key), val, sizeof(val), 0, NULL) == 0);
	CHECK(skv_table_delete(ctl, name2) == 0);
	CHECK(skv_table_delete(ctl, c->name) == 0);
	return 0;
}

TEST_F(perm, alice_over_byte_quota_is_edquot)
{
	long old = read_param("max_bytes_per_user");
	char name2[SKV_NAME_MAX + 16];
	int ret;

	if (old < 0)
		SKIP(return, "no " PARAMS "max_bytes_per_user");
	ASSERT_EQ(0, write_param("max_bytes_per_user", 8192));
	ret = run_as(ALICE, child_byte_quota,
		     &(struct perm_ctx){ .name = self->name });
	ASSERT_EQ(0, write_param("max_bytes_per_user", old));
	snprintf(name2, sizeof(name2), "%.40s-b", self->name);
	skv_table_delete(self->ctl, name2);
	ASSERT_EQ(0, ret);
}

TEST_HARNESS_MAIN
