// SPDX-License-Identifier: GPL-2.0
/*
 * Module and table lifecycle beyond module_lifecycle.sh (which loads and
 * unloads an empty module and checks that an open /dev/skv pins it):
 *  - a table fd alone (control fd closed) pins the module; once closed,
 *    unload works;
 *  - load/unload with tables full: entries, an lru table at its limit,
 *    entries with TTLs, a deleted table, tables of a dead network
 *    namespace, a genl subscriber (100 rounds; 20 on the debug kernel);
 *  - unload while a subscribed genl socket is still open;
 *  - a table deleted while other threads are in the middle of ops on it;
 *  - a process killed with fds open, in flight over a unix socket, and
 *    subscriptions: the module's references all come back;
 *  - SUBSCRIBE racing TABLE_DELETE, writes to deleted tables, then an
 *    unload with subscribed sockets open.
 * kmemleak (the VM runner's final scan) checks that unload freed it all.
 * Needs root and the module at $SKV_KO; always leaves skv loaded.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <linux/skv_netlink.h>

#include <sys/mman.h>

#include "kselftest_harness.h"
#include "reliability.h"

static const char *lc_ko(void)
{
	const char *ko = getenv("SKV_KO");

	return ko ? ko : "/opt/skv/skv.ko";
}

static bool lc_loaded(void)
{
	return !access("/sys/module/skv", F_OK);
}

static int lc_load(void)
{
	int fd = open(lc_ko(), O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	return ret;
}

static int lc_unload(void)
{
	return syscall(SYS_delete_module, "skv", O_NONBLOCK) ? -errno : 0;
}

/* The unload is refused while the module is in use. */
static bool lc_busy(int err)
{
	return err == -EWOULDBLOCK || err == -EBUSY;
}

static long lc_refcnt(void)
{
	unsigned long v = 0;

	return rt_read_ulong("/sys/module/skv/refcnt", &v) ? -1 : (long)v;
}

/* Wait up to @secs for the module's refcount to drop to @want. */
static bool lc_wait_refcnt(long want, double secs)
{
	double end = rt_now() + secs;

	while (lc_refcnt() != want) {
		if (rt_now() > end)
			return false;
		usleep(10000);
	}
	return true;
}

static int lc_subscribe(const char *table, int *sk_out)
{
	struct rt_nlmsg m;
	uint16_t family;
	int sk = rt_genl_open(&family), ret;

	if (sk < 0)
		return sk;
	if (!family) {
		close(sk);
		return -EPROTONOSUPPORT;
	}
	rt_nl_init(&m, family, SKV_CMD_SUBSCRIBE, 0);
	rt_nl_put_str(&m, SKV_A_EVENT_TABLE, table);
	ret = rt_nl_request(sk, &m);
	if (ret) {
		close(sk);
		return ret;
	}
	*sk_out = sk;
	return 0;
}

FIXTURE(lc) {
	int dummy;
};

FIXTURE_SETUP(lc)
{
	if (geteuid() || access(lc_ko(), R_OK))
		SKIP(return, "needs root and %s", lc_ko());
	if (!lc_loaded())
		ASSERT_EQ(0, lc_load());
}

FIXTURE_TEARDOWN(lc)
{
	if (!geteuid() && !lc_loaded())
		lc_load();
}

TEST_F(lc, table_fd_pins_module)
{
	int ctl, fd;

	ctl = rt_ctl_open();
	ASSERT_LE(0, ctl);
	rt_table_delete(ctl, "lc-pin");
	fd = rt_table_create(ctl, "lc-pin");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, rt_puts(fd, "k", "v"));
	close(ctl);

	ASSERT_TRUE(lc_busy(lc_unload())) TH_LOG("unloaded under an open table fd");
	ASSERT_TRUE(lc_loaded());
	ASSERT_EQ(0, rt_puts(fd, "k2", "v2"));	/* still served */

	/* Deleted too, the table lives on in the fd and still pins. */
	ctl = rt_ctl_open();
	ASSERT_LE(0, ctl);
	ASSERT_EQ(0, rt_table_delete(ctl, "lc-pin"));
	close(ctl);
	ASSERT_TRUE(lc_busy(lc_unload()));
	ASSERT_EQ(0, rt_puts(fd, "k3", "v3"));

	close(fd);
	ASSERT_TRUE(lc_wait_refcnt(0, 5));
	ASSERT_EQ(0, lc_unload());
	ASSERT_FALSE(lc_loaded());
	ASSERT_EQ(0, lc_load());
}

/*
 * A mapping of a mapped table holds the table's file, so it alone pins
 * the module: deleted and with its fd closed, the table's region stays
 * readable (state "dead") until munmap(), and only then can skv.ko go.
 */
TEST_F(lc, mapping_pins_module)
{
	struct skv_table_open o = {
		.size = sizeof(o),
		.flags = SKV_OPEN_CREATE | SKV_OPEN_EXCL,
		.name = "lc-map",
		.attr = { .max_entries = 100 },
		.table_flags = SKV_TABLE_MAPPED,
	};
	struct skv_info info = { .size = sizeof(info) };
	volatile const struct skv_map_header *h;
	int ctl;

	ctl = rt_ctl_open();
	ASSERT_LE(0, ctl);
	rt_table_delete(ctl, "lc-map");
	ASSERT_EQ(0, rt_ioctl(ctl, SKV_IOC_TABLE_OPEN, &o));
	ASSERT_EQ(0, rt_puts(o.fd, "k", "v"));
	ASSERT_EQ(0, rt_ioctl(o.fd, SKV_IOC_INFO, &info));
	h = mmap(NULL, info.map_size, PROT_READ, MAP_SHARED, o.fd, 0);
	ASSERT_NE(MAP_FAILED, h);
	close(o.fd);
	ASSERT_EQ(0, rt_table_delete(ctl, "lc-map"));
	close(ctl);

	ASSERT_TRUE(lc_busy(lc_unload())) TH_LOG("unloaded under a mapping");
	ASSERT_TRUE(lc_loaded());
	EXPECT_EQ(SKV_MAP_MAGIC, h->magic);
	EXPECT_EQ(SKV_MAP_DEAD, h->state);

	ASSERT_EQ(0, munmap((void *)h, info.map_size));
	ASSERT_TRUE(lc_wait_refcnt(0, 5));
	ASSERT_EQ(0, lc_unload());
	ASSERT_FALSE(lc_loaded());
	ASSERT_EQ(0, lc_load());
}

/* Fill a few tables in the ways that leave kernel state behind. */
static int lc_fill(int round, bool netns_child)
{
	struct skv_table_attr lru = { .max_entries = 32, .policy = SKV_POLICY_LRU };
	struct skv_table_attr ttl = { .default_ttl_ms = 50 };
	char key[32], val[64];
	int ctl, a, b, c, i, ret = 0;

	ctl = rt_ctl_open();
	if (ctl < 0)
		return ctl;
	a = rt_table_create(ctl, "lc-plain");
	b = rt_table_open(ctl, "lc-lru", SKV_OPEN_CREATE, &lru);
	c = rt_table_open(ctl, "lc-ttl", SKV_OPEN_CREATE, &ttl);
	if (a < 0 || b < 0 || c < 0) {
		ret = a < 0 ? a : b < 0 ? b : c;
		goto out;
	}
	for (i = 0; i < 64 && !ret; i++) {
		int klen = sprintf(key, "key-%d-%d", round, i);
		int vlen = sprintf(val, "value-%d", i * round);

		ret = rt_put(a, key, klen, val, vlen, 0, 0, NULL) ?:
		      rt_put(b, key, klen, val, vlen, 0, 0, NULL) ?:
		      rt_put(c, key, klen, val, vlen, 0, 0, NULL);
	}
	if (!ret)
		ret = rt_incr(a, "counter", 7, round, NULL);
	/* A table deleted while its fd is open, then closed. */
	if (!ret && !netns_child)
		ret = rt_table_delete(ctl, "lc-ttl");
out:
	if (a >= 0)
		close(a);
	if (b >= 0)
		close(b);
	if (c >= 0)
		close(c);
	close(ctl);
	return ret;
}

/* Tables in a network namespace that dies before the unload. */
static int lc_fill_netns(void)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (!pid) {
		if (unshare(CLONE_NEWNET))
			_exit(2);
		_exit(lc_fill(7, true) ? 1 : 0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -errno;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -EIO;
}

TEST_F_TIMEOUT(lc, load_unload_with_tables_full, 600)
{
	unsigned int rounds = rt_scaled(100, 20), i;
	double start = rt_now();

	for (i = 0; i < rounds; i++) {
		int sk = -1, ret;

		ASSERT_EQ(0, lc_fill(i + 1, false)) TH_LOG("round %u", i);
		if (i % 4 == 0)
			ASSERT_EQ(0, lc_fill_netns()) TH_LOG("round %u", i);
		if (i % 2 == 0) {	/* a subscriber whose socket is closed */
			ret = lc_subscribe("lc-plain", &sk);
			if (ret != -EPROTONOSUPPORT)
				ASSERT_EQ(0, ret);
			if (sk >= 0)
				close(sk);
		}
		ASSERT_TRUE(lc_wait_refcnt(0, 5)) TH_LOG("round %u", i);
		ASSERT_EQ(0, lc_unload()) TH_LOG("round %u", i);
		ASSERT_EQ(0, lc_load()) TH_LOG("round %u", i);
	}
	ksft_print_msg("%u load/unload rounds with full tables in %.1f s\n",
		       rounds, rt_now() - start);
}

TEST_F(lc, unload_with_subscriber_open)
{
	int ctl, fd, sk = -1, ret;
	char buf[8192];

	ctl = rt_ctl_open();
	ASSERT_LE(0, ctl);
	fd = rt_table_create(ctl, "lc-sub");
	ASSERT_LE(0, fd);
	ret = lc_subscribe("lc-sub", &sk);
	if (ret == -EPROTONOSUPPORT)
		SKIP(return, "no skv genl family");
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, rt_puts(fd, "k", "v"));	/* one event queued */
	close(fd);
	close(ctl);

	/* The socket does not pin the module; the unload ends the subscription. */
	ret = lc_unload();
	ksft_print_msg("unload with a subscribed socket open: %s\n",
		       ret ? strerror(-ret) : "done");
	if (lc_busy(ret)) {
		close(sk);
		ASSERT_TRUE(lc_wait_refcnt(0, 5));
		ASSERT_EQ(0, lc_unload());
	} else {
		ASSERT_EQ(0, ret);
		while (recv(sk, buf, sizeof(buf), MSG_DONTWAIT) > 0)
			;
		close(sk);
	}
	ASSERT_EQ(0, lc_load());
}

struct lc_worker {
	int fd;
	atomic_bool *stop;
	atomic_ulong ops;
	int err;
};

static void *lc_worker_run(void *arg)
{
	struct lc_worker *w = arg;
	char key[16], val[32];
	unsigned int i = 0;

	while (!atomic_load(w->stop) && !w->err) {
		int klen = sprintf(key, "k%u", i++ % 64);
		uint32_t len = sizeof(val);
		int ret;

		switch (i % 5) {
		case 0:
			ret = rt_put(w->fd, key, klen, "value", 5, 0, 0, NULL);
			break;
		case 1:
			ret = rt_get(w->fd, key, klen, val, &len, NULL);
			break;
		case 2:
			ret = rt_incr(w->fd, "n", 1, 1, NULL);
			break;
		case 3:
			ret = rt_scan_all(w->fd, NULL, NULL) < 0 ? -EIO : 0;
			break;
		default:
			ret = rt_del(w->fd, key, klen, 0, 0);
			break;
		}
		if (ret && ret != -ENOENT)
			w->err = ret;
		atomic_fetch_add(&w->ops, 1);
	}
	return NULL;
}

TEST_F_TIMEOUT(lc, delete_table_mid_op, 120)
{
	unsigned int rounds = rt_scaled(20, 5), r, i;
	struct lc_worker w[3];
	pthread_t tid[3];
	atomic_bool stop;
	unsigned long ops = 0;
	int ctl = rt_ctl_open();

	ASSERT_LE(0, ctl);
	for (r = 0; r < rounds; r++) {
		char val[16];
		uint32_t len = sizeof(val);
		int fd, fresh;

		rt_table_delete(ctl, "lc-mid");
		fd = rt_table_create(ctl, "lc-mid");
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, rt_puts(fd, "old", "1"));
		atomic_init(&stop, false);
		for (i = 0; i < 3; i++) {
			w[i].fd = fd;
			w[i].stop = &stop;
			w[i].err = 0;
			atomic_init(&w[i].ops, 0);
			ASSERT_EQ(0, pthread_create(&tid[i], NULL, lc_worker_run, &w[i]));
		}
		usleep(20000);
		ASSERT_EQ(0, rt_table_delete(ctl, "lc-mid"));
		/* The name is free at once; the new table is another one. */
		fresh = rt_table_open(ctl, "lc-mid", SKV_OPEN_CREATE | SKV_OPEN_EXCL, NULL);
		ASSERT_LE(0, fresh);
		ASSERT_EQ(-ENOENT, rt_get(fresh, "old", 3, val, &len, NULL));
		usleep(20000);
		atomic_store(&stop, true);
		for (i = 0; i < 3; i++) {
			pthread_join(tid[i], NULL);
			EXPECT_EQ(0, w[i].err) TH_LOG("round %u worker %u", r, i);
			ops += atomic_load(&w[i].ops);
		}
		/* The old fd still sees the old table. */
		len = sizeof(val);
		ASSERT_EQ(0, rt_get(fd, "old", 3, val, &len, NULL));
		close(fd);
		close(fresh);
	}
	rt_table_delete(ctl, "lc-mid");
	close(ctl);
	ksft_print_msg("%u deletes under %lu ops\n", rounds, ops);
}

/* The child: fds everywhere, threads in ioctls, then SIGKILL. */
static void lc_exit_child(int ready)
{
	struct lc_worker w[2];
	pthread_t tid;
	atomic_bool stop;
	int ctl, fd, sv[2], sk, i;
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	ctl = rt_ctl_open();
	fd = rt_table_open(ctl, "lc-exit", SKV_OPEN_CREATE, NULL);
	if (ctl < 0 || fd < 0)
		_exit(1);
	for (i = 0; i < 32; i++)
		if (dup(fd) < 0 || rt_table_open(ctl, "lc-exit", SKV_OPEN_RDONLY, NULL) < 0)
			_exit(1);
	/* A table fd in flight in a unix socket that refers to itself. */
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv))
		_exit(1);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	if (sendmsg(sv[0], &msg, 0) < 0)
		_exit(1);
	memcpy(CMSG_DATA(cm), &sv[0], sizeof(int));
	sendmsg(sv[1], &msg, 0);
	i = lc_subscribe("lc-exit", &sk);
	if (i && i != -EPROTONOSUPPORT)
		_exit(1);
	atomic_init(&stop, false);
	for (i = 0; i < 2; i++) {
		w[i].fd = fd;
		w[i].stop = &stop;
		w[i].err = 0;
		atomic_init(&w[i].ops, 0);
		pthread_create(&tid, NULL, lc_worker_run, &w[i]);
	}
	if (write(ready, "r", 1) != 1)
		_exit(1);
	pause();
	_exit(0);
}

TEST_F_TIMEOUT(lc, process_killed_with_fds_and_subscriptions, 120)
{
	unsigned int rounds = rt_scaled(10, 3), r;

	ASSERT_TRUE(lc_wait_refcnt(0, 5));
	for (r = 0; r < rounds; r++) {
		int pipefd[2], status, ctl;
		char c;
		pid_t pid;

		ASSERT_EQ(0, pipe(pipefd));
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid) {
			close(pipefd[0]);
			lc_exit_child(pipefd[1]);
		}
		close(pipefd[1]);
		ASSERT_EQ(1, read(pipefd[0], &c, 1)) TH_LOG("child setup failed");
		close(pipefd[0]);
		usleep(30000);
		kill(pid, SIGKILL);
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFSIGNALED(status));

		/* Every reference comes back (unix GC may take a moment). */
		ASSERT_TRUE(lc_wait_refcnt(0, 10)) TH_LOG("round %u: refcnt %ld",
							   r, lc_refcnt());
		ctl = rt_ctl_open();
		ASSERT_LE(0, ctl);
		ASSERT_EQ(0, rt_table_delete(ctl, "lc-exit"));
		close(ctl);
	}
	ASSERT_TRUE(lc_wait_refcnt(0, 5));
	ASSERT_EQ(0, lc_unload());
	ASSERT_EQ(0, lc_load());
}

/*
 * SUBSCRIBE racing TABLE_DELETE on one name, with writes through fds of
 * deleted tables (their events go to whatever subscription survived),
 * then an unload with a subscribed socket still open. KASAN, lockdep and
 * kmemleak judge.
 */
struct lc_race {
	atomic_bool stop;
	atomic_ulong subscribed, deleted;
	int err;
	int left_open[2];	/* sockets the subscriber thread leaves open */
};

static void *lc_race_tables(void *arg)
{
	struct lc_race *r = arg;
	int ctl = rt_ctl_open();

	while (ctl >= 0 && !atomic_load(&r->stop)) {
		int fd = rt_table_create(ctl, "lc-race"), ret;

		if (fd < 0) {
			r->err = fd;
			break;
		}
		rt_puts(fd, "before", "1");
		ret = rt_table_delete(ctl, "lc-race");
		if (ret && ret != -ENOENT)
			r->err = ret;
		rt_puts(fd, "after", "2");	/* a deleted table's write */
		rt_flush(fd);
		close(fd);
		atomic_fetch_add(&r->deleted, 1);
	}
	if (ctl >= 0)
		close(ctl);
	return NULL;
}

static void *lc_race_subscribers(void *arg)
{
	struct lc_race *r = arg;
	int socks[4] = { -1, -1, -1, -1 };
	unsigned int i = 0;
	char buf[8192];

	while (!atomic_load(&r->stop)) {
		int *sk = &socks[i++ % 4], ret;

		if (*sk >= 0)
			close(*sk);
		*sk = -1;
		ret = lc_subscribe("lc-race", sk);
		if (!ret)
			atomic_fetch_add(&r->subscribed, 1);
		else if (ret != -ENOENT)
			r->err = ret;
		if (*sk >= 0)
			while (recv(*sk, buf, sizeof(buf), MSG_DONTWAIT) > 0)
				;
	}
	/* Two stay open across the unload. */
	for (i = 0; i < 2; i++)
		if (socks[i] >= 0)
			close(socks[i]);
	r->left_open[0] = socks[2];
	r->left_open[1] = socks[3];
	return NULL;
}

TEST_F_TIMEOUT(lc, subscribe_races_table_delete, 120)
{
	struct lc_race r = { 0 };
	pthread_t a, b;
	uint16_t family;
	int sk = rt_genl_open(&family), ret;

	if (sk >= 0)
		close(sk);
	if (!family)
		SKIP(return, "no skv genl family");
	ASSERT_EQ(0, pthread_create(&a, NULL, lc_race_tables, &r));
	ASSERT_EQ(0, pthread_create(&b, NULL, lc_race_subscribers, &r));
	usleep(rt_debug_kernel() ? 1500000 : 1000000);
	atomic_store(&r.stop, true);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	ASSERT_EQ(0, r.err);
	ksft_print_msg("%lu tables deleted under %lu subscriptions\n",
		       atomic_load(&r.deleted), atomic_load(&r.subscribed));

	/* Sockets with (possibly stale) subscriptions are still open. */
	ASSERT_TRUE(lc_wait_refcnt(0, 5));
	ret = lc_unload();
	ASSERT_EQ(0, ret) TH_LOG("unload with subscribers open: %s", strerror(-ret));
	if (r.left_open[0] >= 0)
		close(r.left_open[0]);
	if (r.left_open[1] >= 0)
		close(r.left_open[1]);
	ASSERT_EQ(0, lc_load());
}

TEST_HARNESS_MAIN
