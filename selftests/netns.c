// SPDX-License-Identifier: GPL-2.0
/*
 * Tables are scoped to the network namespace: invisible from another one,
 * freed when theirs dies (kmemleak, checked by the VM runner after the
 * suite, catches a leak), and an fd keeps its table alive past that.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "skv_test.h"

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "# %s:%d: check failed: %s (errno %d)\n",\
			__FILE__, __LINE__, #cond, errno);		\
		return 1;						\
	}								\
} while (0)

FIXTURE(netns) {
	int ctl, fd;
	char name[SKV_NAME_MAX];
};

FIXTURE_SETUP(netns)
{
	if (geteuid() != 0)
		SKIP(return, "needs root for unshare(CLONE_NEWNET)");
	SKV_SETUP_TABLE(self->ctl, self->fd, self->name, "netns", NULL);
	ASSERT_EQ(0, skv_put_str(self->fd, "k", "parent"));
}

FIXTURE_TEARDOWN(netns)
{
	SKV_TEARDOWN_TABLE(self->ctl, self->fd, self->name);
}

static int wait_child(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int child_other_netns(const char *name)
{
	__u32 created = 0;
	char buf[16];
	int ctl, fd;

	CHECK(unshare(CLONE_NEWNET) == 0);
	ctl = skv_ctl_open();
	CHECK(ctl >= 0);
	CHECK(skv_open(ctl, name, 0, NULL, NULL) == -ENOENT);
	CHECK(skv_table_delete(ctl, name) == -ENOENT);
	/* The same name here is another table. */
	fd = skv_open(ctl, name, SKV_OPEN_CREATE, NULL, &created);
	CHECK(fd >= 0);
	CHECK(created == 1);
	CHECK(skv_get_str(fd, "k", buf, sizeof(buf)) == -ENOENT);
	CHECK(skv_put_str(fd, "k", "child") == 0);
	return 0;
}

TEST_F(netns, table_is_invisible_from_another_netns)
{
	char buf[16];
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(child_other_netns(self->name));
	ASSERT_EQ(0, wait_child(pid));
	ASSERT_EQ(6, skv_get_str(self->fd, "k", buf, sizeof(buf)));
	EXPECT_STREQ("parent", buf);
}

/* An fd opened before unshare() still reaches its table. */
static int child_fd_crosses_unshare(int fd)
{
	char buf[16];

	CHECK(unshare(CLONE_NEWNET) == 0);
	CHECK(skv_get_str(fd, "k", buf, sizeof(buf)) == 6);
	CHECK(skv_put_str(fd, "k2", "from-child") == 0);
	return 0;
}

TEST_F(netns, fd_keeps_working_after_unshare)
{
	char buf[16];
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(child_fd_crosses_unshare(self->fd));
	ASSERT_EQ(0, wait_child(pid));
	ASSERT_EQ(10, skv_get_str(self->fd, "k2", buf, sizeof(buf)));
}

static int child_many_tables(unsigned int n)
{
	char name[SKV_NAME_MAX], key[16];
	unsigned int i, j;
	int ctl, fd;

	CHECK(unshare(CLONE_NEWNET) == 0);
	ctl = skv_ctl_open();
	CHECK(ctl >= 0);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "dies-%u", i);
		fd = skv_create(ctl, name, NULL);
		CHECK(fd >= 0);
		for (j = 0; j < 20; j++) {
			snprintf(key, sizeof(key), "k%u", j);
			CHECK(skv_put_str(fd, key, "value") == 0);
		}
		/* Half with an expiring entry, to exercise the worker. */
		if (i % 2) {
			struct skv_put p;

			skv_put_init(&p, "ttl", 3, "v", 1);
			p.flags = SKV_PUT_TTL;
			p.ttl_ms = 50;
			CHECK(ioctl(fd, SKV_IOC_PUT, &p) == 0);
		}
		close(fd);
	}
	/* Exit without deleting: the namespace's death frees them. */
	return 0;
}

TEST_F_TIMEOUT(netns, tables_of_dead_netns_are_freed, 120)
{
	unsigned int round;
	pid_t pid;

	/* The same names each round: each namespace starts empty. */
	for (round = 0; round < 3; round++) {
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid)
			_exit(child_many_tables(skv_budget(50)));
		ASSERT_EQ(0, wait_child(pid)) TH_LOG("round %u", round);
	}
	/* None of them leaked into this namespace. */
	ASSERT_EQ(-ENOENT, skv_open(self->ctl, "dies-0", 0, NULL, NULL));
}

/*
 * A child creates a table in its own namespace and passes the fd to the
 * parent over a unix socket, then exits: the namespace dies, the table
 * lives on as long as the fd.
 */
static int child_send_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	int ctl, fd;

	CHECK(unshare(CLONE_NEWNET) == 0);
	ctl = skv_ctl_open();
	CHECK(ctl >= 0);
	fd = skv_create(ctl, "orphan", NULL);
	CHECK(fd >= 0);
	CHECK(skv_put_str(fd, "k", "survives") == 0);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	CHECK(sendmsg(sock, &msg, 0) == 1);
	return 0;
}

TEST_F(netns, fd_outlives_its_netns)
{
	char cbuf[CMSG_SPACE(sizeof(int))], c, buf[16];
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	int sv[2], fd, i;
	pid_t pid;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(child_send_fd(sv[1]));
	ASSERT_EQ(1, recvmsg(sv[0], &msg, 0));
	ASSERT_EQ(0, wait_child(pid));
	cm = CMSG_FIRSTHDR(&msg);
	ASSERT_NE(NULL, cm);
	ASSERT_EQ(SCM_RIGHTS, cm->cmsg_type);
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	close(sv[0]);
	close(sv[1]);
	/* The namespace is torn down asynchronously; use the fd meanwhile. */
	for (i = 0; i < 20; i++) {
		ASSERT_EQ(8, skv_get_str(fd, "k", buf, sizeof(buf)));
		ASSERT_EQ(0, skv_put_str(fd, "k2", "v"));
		usleep(50000);
	}
	EXPECT_STREQ("survives", buf);
	EXPECT_EQ(-ENOENT, skv_open(self->ctl, "orphan", 0, NULL, NULL));
	close(fd);
}

TEST_HARNESS_MAIN
