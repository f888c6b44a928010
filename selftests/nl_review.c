// SPDX-License-Identifier: GPL-2.0
/*
 * Regression tests for the netlink findings of issue 12's review (section
 * 3), one test per finding, each named in its comment: subscribe racing a
 * table delete (1), events reaching a socket that reused a closed
 * subscriber's portid (2), the table dump's credentials across recvmsg
 * callers (3), expired entries in a key dump (4), socket close ending
 * exactly its own subscriptions (8) and key dump entries too big for a
 * dump message (11). The netlink client is nl_test.h, shared with netlink.c.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/skv_netlink.h>

#include "skv_test.h"
#include "kselftest_harness.h"
#include "nl_test.h"

#define ALICE		1000
#define MAX_TABLES	"/sys/module/skv/parameters/max_tables_per_user"

static int table_new(struct nl *nl, const char *name, __u32 mode)
{
	struct req r;

	req_init(&r, nl->family, SKV_CMD_TABLE_NEW, 0);
	put_str(&r, SKV_A_TABLE_NAME, name);
	if (mode)
		put_attr(&r, SKV_A_TABLE_MODE, &mode, sizeof(mode));
	return nl_do(nl, &r);
}

static int table_del(struct nl *nl, const char *name)
{
	struct req r;

	req_init(&r, nl->family, SKV_CMD_TABLE_DEL, 0);
	put_str(&r, SKV_A_TABLE_NAME, name);
	return nl_do(nl, &r);
}

static int subscribe(struct nl *nl, const char *table, __u8 cmd)
{
	struct req r;

	req_init(&r, nl->family, cmd, 0);
	put_str(&r, SKV_A_EVENT_TABLE, table);
	return nl_do(nl, &r);
}

/* The next skv event's table and key within @ms: 1, 0 on timeout, -errno. */
static int next_event(struct nl *nl, char *table, char *key, int ms)
{
	struct pollfd p = { .fd = nl->fd, .events = POLLIN };
	static __thread char buf[NL_BUF];
	struct nlmsghdr *nlh;
	struct nlattr *a;
	int len;

	for (;;) {
		if (poll(&p, 1, ms) <= 0)
			return 0;
		/* the kernel queues one event per skb */
		len = recv(nl->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (len < 0 && errno == ENOBUFS)
			continue;	/* overrun (the old kernel says so) */
		if (len < 0)
			return -errno;
		nlh = (void *)buf;
		if (!NLMSG_OK(nlh, len) || nlh->nlmsg_type != nl->family)
			continue;
		snprintf(table, SKV_NAME_MAX, "%s",
			 attr_str(nlh, SKV_A_EVENT_TABLE));
		a = get_attr(nlh, SKV_A_EVENT_KEY);
		key[0] = 0;
		if (a && a->nla_len - NLA_HDRLEN < 64) {
			memcpy(key, (char *)a + NLA_HDRLEN,
			       a->nla_len - NLA_HDRLEN);
			key[a->nla_len - NLA_HDRLEN] = 0;
		}
		return 1;
	}
}

/* Drop whatever is queued on @nl (events). */
static void nl_drain(struct nl *nl)
{
	char buf[4096];

	while (recv(nl->fd, buf, sizeof(buf), MSG_DONTWAIT) > 0 ||
	       errno == ENOBUFS)
		;
}

static int read_param(const char *path, unsigned long *v)
{
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -errno;
	ok = fscanf(f, "%lu", v) == 1;
	fclose(f);
	return ok ? 0 : -EINVAL;
}

static int write_param(const char *path, unsigned long v)
{
	FILE *f = fopen(path, "w");
	int ret;

	if (!f)
		return -errno;
	ret = fprintf(f, "%lu\n", v) > 0 ? 0 : -EIO;
	return fclose(f) ? -errno : ret;
}

static int become(uid_t uid)
{
	return setgroups(0, NULL) || setgid(uid) || setuid(uid) ? -1 : 0;
}

static void spin(unsigned int n)
{
	volatile unsigned int i;

	for (i = 0; i < n; i++)
		;
}

static __u64 now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

FIXTURE(nlr) {
	int ctl;
	struct nl nl;
};

FIXTURE_SETUP(nlr)
{
	self->ctl = -1;
	self->nl.fd = -1;
	if (access(SKV_DEV, F_OK))
		SKIP(return, "skv.ko not loaded");
	if (geteuid())
		SKIP(return, "needs root");
	self->ctl = skv_ctl_open();
	ASSERT_LE(0, self->ctl);
	ASSERT_EQ(0, nl_open(&self->nl));
	ASSERT_EQ(0, nl_resolve(&self->nl));
}

FIXTURE_TEARDOWN(nlr)
{
	if (self->nl.fd >= 0)
		close(self->nl.fd);
	if (self->ctl >= 0)
		close(self->ctl);
}

/*
 * Finding 1: SUBSCRIBE raced TABLE_DELETE. A subscribe that looked the
 * table up before the delete unlinked it, and registered after the
 * delete had skipped the teardown (nr_subscribers was still 0), stayed
 * on the deleted table: it pinned its entries and its owner's table
 * quota, and the same socket's subscribe to a new table of that name
 * answered -EEXIST. Alice (quota lowered to 4 tables) races a subscribe
 * on one thread against a TABLE_DELETE ioctl on another, then recreates
 * the table and subscribes again on the same socket: never -EEXIST; and
 * at the end her quota is whole again. The delete's delay walks towards
 * the point where each side wins half of the races, where the window is.
 */
#define R1_QUOTA	4

struct r1_shared {
	int iters, won, lost;	/* subscribe before / after the delete */
	unsigned int delay;
	int eexist, first_eexist, quota_short;
	int edquot, other, other_err, other_where;
	int quota_left;		/* tables alice could create at the end */
};

/* Both sides busy-wait (no futex wake-up latency) for a tight start. */
struct r1_ctx {
	struct nl *sub;
	const char *name;
	int go, done;		/* round numbers; go < 0: stop */
	int ret;
};

static void *r1_subscriber(void *arg)
{
	struct r1_ctx *c = arg;
	int round = 0, go;

	for (;;) {
		while ((go = __atomic_load_n(&c->go, __ATOMIC_ACQUIRE)) == round)
			;
		if (go < 0)
			return NULL;
		round = go;
		c->ret = subscribe(c->sub, c->name, SKV_CMD_SUBSCRIBE);
		__atomic_store_n(&c->done, round, __ATOMIC_RELEASE);
	}
}

static void r1_fail(struct r1_shared *r, int where, int err)
{
	if (!r->other) {
		r->other_where = where;
		r->other_err = err;
	}
	r->other++;
}

/* How many tables (up to R1_QUOTA) alice can create now; deletes them. */
static int r1_quota(int ctl, const char *name,
		    const struct skv_table_attr *attr)
{
	char extra[SKV_NAME_MAX + 8];
	int fd, i, n;

	for (n = 0; n < R1_QUOTA; n++) {
		snprintf(extra, sizeof(extra), "%s-q%d", name, n);
		fd = skv_create(ctl, extra, attr);
		if (fd < 0)
			break;
		close(fd);
	}
	for (i = 0; i < n; i++) {
		snprintf(extra, sizeof(extra), "%s-q%d", name, i);
		skv_table_delete(ctl, extra);
	}
	return n;
}

static void r1_child(struct r1_shared *r, __u16 family, int iters)
{
	struct skv_table_attr attr = { .mode = 0600 };
	struct r1_ctx c = { 0 };
	char name[SKV_NAME_MAX];
	struct nl sub;
	pthread_t th;
	unsigned int delay = 0, step;
	int ctl, fd, i, ret, ret2;

	ctl = skv_ctl_open();
	if (ctl < 0 || nl_open(&sub))
		return r1_fail(r, 1, ctl < 0 ? ctl : -errno);
	sub.family = family;
	skv_name(name, "nlr1");
	c.sub = &sub;
	c.name = name;
	if (pthread_create(&th, NULL, r1_subscriber, &c))
		return r1_fail(r, 2, -errno);

	for (i = 0; i < iters; i++) {
		fd = skv_create(ctl, name, &attr);
		if (fd == -EDQUOT) {
			r->edquot++;
			break;
		}
		if (fd < 0) {
			r1_fail(r, 3, fd);
			break;
		}
		close(fd);
		__atomic_store_n(&c.go, i + 1, __ATOMIC_RELEASE);
		spin(delay);
		ret = skv_table_delete(ctl, name);
		while (__atomic_load_n(&c.done, __ATOMIC_ACQUIRE) != i + 1)
			;
		r->iters++;
		if (ret)
			r1_fail(r, 4, ret);
		/*
		 * The window is where neither side clearly wins: walk the
		 * delete's delay towards it, with some jitter.
		 */
		step = delay / 16 + 20 + rand() % 64;
		if (c.ret == 0) {
			r->won++;
			delay = delay > step ? delay - step : 0;
		} else if (c.ret == -ENOENT) {
			r->lost++;
			delay += step;
		} else {
			r1_fail(r, 5, c.ret);
		}

		/* the same name again, the same socket */
		fd = skv_create(ctl, name, &attr);
		if (fd == -EDQUOT) {
			r->edquot++;
			break;
		}
		if (fd < 0) {
			r1_fail(r, 6, fd);
			break;
		}
		close(fd);
		ret = subscribe(&sub, name, SKV_CMD_SUBSCRIBE);
		if (ret && ret != -EEXIST)
			r1_fail(r, 7, ret);
		ret2 = skv_table_delete(ctl, name);
		if (ret2)
			r1_fail(r, 8, ret2);
		nl_drain(&sub);
		if (ret != -EEXIST)
			continue;
		/*
		 * A subscription was left on the deleted table. Count it,
		 * see whether it holds a table of the quota, then close the
		 * socket (which ends it) to count the next one afresh.
		 */
		if (!r->eexist++)
			r->first_eexist = i;
		if (r1_quota(ctl, name, &attr) < R1_QUOTA)
			r->quota_short++;
		close(sub.fd);
		if (nl_open(&sub)) {
			r1_fail(r, 9, -errno);
			break;
		}
		sub.family = family;
	}
	__atomic_store_n(&c.go, -1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);

	r->delay = delay;
	/* every table deleted: the whole quota is free, socket still open */
	r->quota_left = r1_quota(ctl, name, &attr);
	close(sub.fd);
	close(ctl);
}

TEST_F_TIMEOUT(nlr, subscribe_races_table_delete, 600)
{
	int iters = skv_budget(700), status;
	unsigned long saved;
	struct r1_shared *r;
	pid_t pid;

	ASSERT_EQ(0, read_param(MAX_TABLES, &saved));
	r = mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, r);
	memset(r, 0, sizeof(*r));
	ASSERT_EQ(0, write_param(MAX_TABLES, R1_QUOTA));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (become(ALICE))
			_exit(2);
		r1_child(r, self->nl.family, iters);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	write_param(MAX_TABLES, saved);
	TH_LOG("%d races (final delay %u): subscribe first %d, delete first %d; EEXIST %d (first at %d, %d of them holding a quota table), EDQUOT %d, quota left %d/%d",
	       r->iters, r->delay, r->won, r->lost, r->eexist, r->first_eexist,
	       r->quota_short, r->edquot, r->quota_left, R1_QUOTA);
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0, r->other) {
		TH_LOG("unexpected error %d at step %d", r->other_err,
		       r->other_where);
	}
	EXPECT_EQ(0, r->eexist);
	EXPECT_EQ(0, r->quota_short);
	EXPECT_EQ(0, r->edquot);
	EXPECT_EQ(R1_QUOTA, r->quota_left);
	EXPECT_EQ(iters, r->iters);
}

/*
 * Finding 2: events were sent by portid after a separate "is the socket
 * dead" check, so a socket that bound the portid of a subscriber being
 * closed could receive that subscriber's events: keys of a table it may
 * not read. Root subscribes to a 0600 table with a socket bound to a
 * chosen portid while a thread PUTs continuously; it closes the socket
 * while alice spins on bind() of that portid; once bound she reads for a
 * while. She must never receive anything (she sent no request).
 */
struct r2_writer {
	int fd;
	volatile int stop;
	unsigned long puts;
};

static void *r2_write(void *arg)
{
	struct r2_writer *w = arg;
	char key[32];

	while (!w->stop) {
		snprintf(key, sizeof(key), "secret-%lu", w->puts++ % 64);
		skv_put_str(w->fd, key, "classified");
	}
	return NULL;
}

/* Alice: for each portid from @in, bind it once free, read, report. */
static void r2_child(int in, int out, int read_ms)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char buf[NL_BUF];
	__u64 deadline;
	__u32 portid;
	int fd, got, len;

	if (become(ALICE))
		_exit(2);
	while (read(in, &portid, sizeof(portid)) == sizeof(portid)) {
		got = 0;
		fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
			    NETLINK_GENERIC);
		if (fd < 0)
			_exit(3);
		sa.nl_pid = portid;
		deadline = now_ms() + 10000;
		while (bind(fd, (void *)&sa, sizeof(sa))) {
			if (errno != EADDRINUSE || now_ms() > deadline)
				_exit(4);
		}
		deadline = now_ms() + read_ms;
		while (now_ms() < deadline) {
			struct pollfd p = { .fd = fd, .events = POLLIN };

			if (poll(&p, 1, 5) <= 0)
				continue;
			len = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (len > 0 || (len < 0 && errno == ENOBUFS))
				got++;
		}
		close(fd);
		if (write(out, &got, sizeof(got)) != sizeof(got))
			_exit(5);
	}
	_exit(0);
}

TEST_F_TIMEOUT(nlr, closed_subscriber_portid_reuse, 600)
{
	struct skv_table_attr attr = { .mode = 0600 };
	int iters = skv_slow_kernel() ? 30 : 150, rcvbuf = 8 << 20;
	int p2c[2], c2p[2], i, got, leaks = 0, leaked_iters = 0, status;
	char name[SKV_NAME_MAX], table[SKV_NAME_MAX], key[64];
	struct r2_writer w = { 0 };
	__u32 base, portid;
	pthread_t th;
	struct nl sub;
	pid_t pid;

	skv_name(name, "nlr2");
	w.fd = skv_create(self->ctl, name, &attr);
	ASSERT_LE(0, w.fd);
	ASSERT_EQ(0, pipe(p2c));
	ASSERT_EQ(0, pipe(c2p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(p2c[1]);
		close(c2p[0]);
		r2_child(p2c[0], c2p[1], skv_slow_kernel() ? 100 : 20);
	}
	close(p2c[0]);
	close(c2p[1]);
	ASSERT_EQ(0, pthread_create(&th, NULL, r2_write, &w));

	/* far from the autobind ranges (the tgid, negative numbers) */
	base = 0x40000000u + ((__u32)getpid() << 10);
	for (i = 0; i < iters; i++) {
		portid = base + i;
		ASSERT_EQ(0, nl_open_port(&sub, portid));
		sub.family = self->nl.family;
		/*
		 * Room for the writer's events until the ack is read: the
		 * kernel drops an ack that does not fit.
		 */
		ASSERT_EQ(0, setsockopt(sub.fd, SOL_SOCKET, SO_RCVBUFFORCE,
					&rcvbuf, sizeof(rcvbuf)));
		ASSERT_EQ(0, subscribe(&sub, name, SKV_CMD_SUBSCRIBE));
		/* events are flowing to the subscriber */
		ASSERT_EQ(1, next_event(&sub, table, key, 5000));
		ASSERT_STREQ(name, table);
		ASSERT_EQ(sizeof(portid), write(p2c[1], &portid,
						sizeof(portid)));
		spin((i % 16) * 1000);
		close(sub.fd);
		ASSERT_EQ(sizeof(got), read(c2p[0], &got, sizeof(got)));
		leaks += got;
		leaked_iters += !!got;
	}
	close(p2c[1]);
	w.stop = 1;
	pthread_join(th, NULL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, skv_table_delete(self->ctl, name));
	close(w.fd);
	TH_LOG("%d closes during %lu puts: %d messages reached the new socket in %d of them",
	       iters, w.puts, leaks, leaked_iters);
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0, leaks);
}

/*
 * Finding 3: the table dump checked the credentials of `current`, but a
 * dump goes on in whoever calls recvmsg. Alice sends the table dump
 * request on a socket root opened (its first message is built in her
 * sendmsg) and exits; root reads the rest. Only the tables alice may read
 * are listed: the 0644 ones, never root's 0600 ones.
 */
TEST_F_TIMEOUT(nlr, table_dump_keeps_requester_creds, 300)
{
	struct skv_table_attr pub = { .mode = 0644 }, priv = { .mode = 0600 };
	int n = 200, i, fd, len, status, skbs = 0, done = 0;
	int npub = 0, npriv = 0, err = 0;
	char prefix[24], name[SKV_NAME_MAX];
	static char buf[NL_BUF];
	struct nlmsghdr *nlh;
	struct nl d;
	struct req r;
	pid_t pid;

	snprintf(prefix, sizeof(prefix), "nlr3-%d-", getpid());
	for (i = 0; i < 2 * n; i++) {
		snprintf(name, sizeof(name), "%s%s%d", prefix,
			 i & 1 ? "priv" : "pub", i);
		fd = skv_create(self->ctl, name, i & 1 ? &priv : &pub);
		ASSERT_LE(0, fd);
		close(fd);
	}
	/* a socket that never received: the first dump skb is small */
	ASSERT_EQ(0, nl_open(&d));
	d.family = self->nl.family;
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (become(ALICE))
			_exit(2);
		req_init(&r, d.family, SKV_CMD_TABLE_GET, NLM_F_DUMP);
		r.nlh.nlmsg_seq = 1;
		_exit(send(d.fd, &r, r.nlh.nlmsg_len, 0) < 0 ? 3 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));

	while (!done) {
		len = recv(d.fd, buf, sizeof(buf), 0);
		ASSERT_LT(0, len);
		skbs++;
		for (nlh = (void *)buf; NLMSG_OK(nlh, len);
		     nlh = NLMSG_NEXT(nlh, len)) {
			const char *tn;

			if (nlh->nlmsg_type == NLMSG_DONE) {
				err = nl_done_err(nlh);
				done = 1;
				break;
			}
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				err = nl_error(&d, nlh);
				done = 1;
				break;
			}
			tn = attr_str(nlh, SKV_A_TABLE_NAME);
			if (strncmp(tn, prefix, strlen(prefix)))
				continue;
			if (!strncmp(tn + strlen(prefix), "pub", 3))
				npub++;
			else
				npriv++;
		}
	}
	close(d.fd);
	for (i = 0; i < 2 * n; i++) {
		snprintf(name, sizeof(name), "%s%s%d", prefix,
			 i & 1 ? "priv" : "pub", i);
		skv_table_delete(self->ctl, name);
	}
	TH_LOG("%d skbs: %d public and %d private tables listed", skbs,
	       npub, npriv);
	ASSERT_EQ(0, err);
	/* root's recvmsg built messages after alice's first one */
	ASSERT_LE(2, skbs);
	EXPECT_EQ(0, npriv);
	EXPECT_EQ(n, npub);
}

/*
 * Finding 4: the key dump walked the table under one rcu_read_lock(),
 * unbounded, and left expired entries in place; now it takes one RCU
 * section per bucket group and reaps what expired. (An RCU stall itself
 * is not provoked here: under TCG the stall timeout is too far for a
 * table that fits the VM.) Keys with a 1 ms TTL, dumped as soon as they
 * expired: none is listed, and right after the dump STATS counts no
 * entry. The expiry worker runs once a second at most, and we do not
 * wait for it; if it happened to empty the table before the dump, the
 * round proves nothing and is run again.
 */
static int r4_stats(int fd, struct skv_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	return skv_ioctl(fd, SKV_IOC_STATS, st);
}

TEST_F_TIMEOUT(nlr, key_dump_reaps_expired, 600)
{
	struct skv_table_attr attr = { .mode = 0600, .default_ttl_ms = 1,
				       .max_entries = 100000 };
	unsigned int n = skv_budget(20000), i, keys;
	struct skv_stats before, after;
	char name[SKV_NAME_MAX], key[32];
	static char buf[NL_BUF];
	struct nlmsghdr *nlh;
	int fd, len, round, done, err;
	struct req r;

	for (round = 0; round < 3; round++) {
		skv_name(name, "nlr4");
		fd = skv_create(self->ctl, name, &attr);
		ASSERT_LE(0, fd);
		for (i = 0; i < n; i++) {
			snprintf(key, sizeof(key), "k%u", i);
			ASSERT_EQ(0, skv_put_str(fd, key, "v"));
		}
		usleep(5000);	/* past the last key's TTL */
		ASSERT_EQ(0, r4_stats(fd, &before));

		req_init(&r, self->nl.family, SKV_CMD_KEY_GET, NLM_F_DUMP);
		put_str(&r, SKV_A_ENTRY_TABLE, name);
		r.nlh.nlmsg_seq = ++self->nl.seq;
		ASSERT_LT(0, send(self->nl.fd, &r, r.nlh.nlmsg_len, 0));
		keys = 0;
		err = 0;
		for (done = 0; !done;) {
			len = recv(self->nl.fd, buf, sizeof(buf), 0);
			ASSERT_LT(0, len);
			for (nlh = (void *)buf; NLMSG_OK(nlh, len);
			     nlh = NLMSG_NEXT(nlh, len)) {
				if (nlh->nlmsg_type == NLMSG_DONE ||
				    nlh->nlmsg_type == NLMSG_ERROR) {
					err = nlh->nlmsg_type == NLMSG_ERROR ?
					      nl_error(&self->nl, nlh) :
					      nl_done_err(nlh);
					done = 1;
					break;
				}
				keys++;
			}
		}
		ASSERT_EQ(0, r4_stats(fd, &after));
		close(fd);
		ASSERT_EQ(0, skv_table_delete(self->ctl, name));
		TH_LOG("round %d: %u keys put; before the dump %llu entries, %llu expirations; dump listed %u; after %llu entries, %llu expirations",
		       round, n, (unsigned long long)before.entries,
		       (unsigned long long)before.expirations, keys,
		       (unsigned long long)after.entries,
		       (unsigned long long)after.expirations);
		ASSERT_EQ(0, err);
		ASSERT_EQ(0, keys);
		if (before.entries)
			break;
	}
	ASSERT_LT(0, before.entries) {
		TH_LOG("the expiry worker emptied the table first, 3 times");
	}
	EXPECT_EQ(0, after.entries);
	EXPECT_EQ(n, after.expirations);
	EXPECT_LE(before.expirations + before.entries, after.expirations);
}

/*
 * Finding 8: skv_nl_release() scanned every subscription of the system on
 * each NETLINK_GENERIC close; now subscriptions are also hashed by (net,
 * portid) and it visits only the closing socket's. Functional check of
 * that hash (the cost itself is not measured): many sockets subscribed
 * to many tables; closing one ends its subscriptions and nobody else's,
 * and its portid, bound again, subscribes to all afresh.
 */
#define R8_SOCKS	24
#define R8_TABLES	8

TEST_F_TIMEOUT(nlr, close_ends_only_own_subscriptions, 300)
{
	char names[R8_TABLES][SKV_NAME_MAX], table[SKV_NAME_MAX];
	char key[64], want[64];
	struct nl *subs;
	__u32 portid;
	int round, s, t, e, seen[R8_TABLES];

	subs = calloc(R8_SOCKS, sizeof(*subs));
	ASSERT_NE(NULL, subs);
	for (t = 0; t < R8_TABLES; t++) {
		skv_name(names[t], "nlr8");
		ASSERT_EQ(0, table_new(&self->nl, names[t], 0644));
	}
	for (s = 0; s < R8_SOCKS; s++) {
		ASSERT_EQ(0, nl_open(&subs[s]));
		subs[s].family = self->nl.family;
		for (t = 0; t < R8_TABLES; t++)
			ASSERT_EQ(0, subscribe(&subs[s], names[t],
					       SKV_CMD_SUBSCRIBE));
	}
	for (round = 0; round < 6; round++) {
		/* close one socket; bind its portid again and resubscribe */
		s = (round * 7) % R8_SOCKS;
		portid = nl_portid(&subs[s]);
		ASSERT_NE(0, portid);
		close(subs[s].fd);
		ASSERT_EQ(0, nl_open_port(&subs[s], portid));
		subs[s].family = self->nl.family;
		/* every other round, only part of the tables */
		for (t = 0; t < R8_TABLES; t++)
			if (!(round & 1) || !(t & 1))
				ASSERT_EQ(0, subscribe(&subs[s], names[t],
						       SKV_CMD_SUBSCRIBE));

		snprintf(want, sizeof(want), "r%d", round);
		for (t = 0; t < R8_TABLES; t++) {
			struct req r;

			req_init(&r, self->nl.family, SKV_CMD_KEY_PUT, 0);
			put_str(&r, SKV_A_ENTRY_TABLE, names[t]);
			put_attr(&r, SKV_A_ENTRY_KEY, want, strlen(want));
			put_attr(&r, SKV_A_ENTRY_VALUE, "v", 1);
			ASSERT_EQ(0, nl_do(&self->nl, &r));
		}
		for (e = 0; e < R8_SOCKS; e++) {
			int expect = 0;

			memset(seen, 0, sizeof(seen));
			for (t = 0; t < R8_TABLES; t++)
				expect += e != s || !(round & 1) || !(t & 1);
			for (t = 0; t < expect; t++) {
				int i;

				ASSERT_EQ(1, next_event(&subs[e], table, key,
							5000)) {
					TH_LOG("round %d socket %d: event %d of %d missing",
					       round, e, t, expect);
				}
				ASSERT_STREQ(want, key);
				for (i = 0; i < R8_TABLES; i++)
					if (!strcmp(table, names[i]))
						seen[i]++;
			}
			for (t = 0; t < R8_TABLES; t++)
				ASSERT_EQ(e != s || !(round & 1) || !(t & 1),
					  seen[t]);
		}
		/* nothing more: no duplicate from an old subscription */
		for (e = 0; e < R8_SOCKS; e++)
			ASSERT_EQ(0, next_event(&subs[e], table, key, 0));
		/* the partly subscribed socket gets the rest again */
		if (round & 1)
			for (t = 1; t < R8_TABLES; t += 2)
				ASSERT_EQ(0, subscribe(&subs[s], names[t],
						       SKV_CMD_SUBSCRIBE));
	}
	for (s = 0; s < R8_SOCKS; s++)
		close(subs[s].fd);
	for (t = 0; t < R8_TABLES; t++)
		ASSERT_EQ(0, table_del(&self->nl, names[t]));
	free(subs);
}

/*
 * Finding 11: a KEY_GET dump stopped with EMSGSIZE at the first entry
 * whose value did not fit a dump message, and the rest of the table was
 * never listed. Now such an entry comes without SKV_A_ENTRY_VALUE and
 * with SKV_A_ENTRY_VALUE_LEN. A 100,000-byte value (beyond any attribute)
 * must come as VALUE_LEN; a 60,000-byte one (fits an attribute, not a
 * dump message of the default size) whole or as VALUE_LEN, never cut;
 * the small keys with their values.
 */
TEST_F_TIMEOUT(nlr, key_dump_big_values, 120)
{
	struct skv_table_attr attr = { .mode = 0600,
				       .max_value_len = 1 << 20,
				       .max_bytes = 8 << 20 };
	static const struct { const char *key; unsigned int len; } ks[] = {
		{ "small-a", 5 }, { "big", 100000 }, { "small-b", 6 },
		{ "mid", 60000 }, { "small-c", 7 },
	};
	int fd, i, len, done = 0, err = 0, seen[ARRAY_SIZE(ks)] = { 0 };
	static char buf[NL_BUF];
	char name[SKV_NAME_MAX];
	struct nlmsghdr *nlh;
	struct req r;
	char *val;

	val = malloc(100000);
	ASSERT_NE(NULL, val);
	for (i = 0; i < 100000; i++)
		val[i] = 'a' + i % 23;
	skv_name(name, "nlr11");
	fd = skv_create(self->ctl, name, &attr);
	ASSERT_LE(0, fd);
	for (i = 0; i < (int)ARRAY_SIZE(ks); i++)
		ASSERT_EQ(0, skv_put(fd, ks[i].key, strlen(ks[i].key), val,
				     ks[i].len, 0, NULL));

	req_init(&r, self->nl.family, SKV_CMD_KEY_GET, NLM_F_DUMP);
	put_str(&r, SKV_A_ENTRY_TABLE, name);
	r.nlh.nlmsg_seq = ++self->nl.seq;
	ASSERT_LT(0, send(self->nl.fd, &r, r.nlh.nlmsg_len, 0));
	while (!done) {
		len = recv(self->nl.fd, buf, sizeof(buf), 0);
		ASSERT_LT(0, len);
		for (nlh = (void *)buf; NLMSG_OK(nlh, len);
		     nlh = NLMSG_NEXT(nlh, len)) {
			struct nlattr *k, *v, *vl;
			unsigned int klen;

			if (nlh->nlmsg_type == NLMSG_DONE) {
				err = nl_done_err(nlh);
				done = 1;
				break;
			}
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				err = nl_error(&self->nl, nlh);
				done = 1;
				break;
			}
			k = get_attr(nlh, SKV_A_ENTRY_KEY);
			v = get_attr(nlh, SKV_A_ENTRY_VALUE);
			vl = get_attr(nlh, SKV_A_ENTRY_VALUE_LEN);
			ASSERT_NE(NULL, k);
			klen = k->nla_len - NLA_HDRLEN;
			for (i = 0; i < (int)ARRAY_SIZE(ks); i++)
				if (klen == strlen(ks[i].key) &&
				    !memcmp((char *)k + NLA_HDRLEN, ks[i].key,
					    klen))
					break;
			ASSERT_GT((int)ARRAY_SIZE(ks), i);
			seen[i]++;
			if (ks[i].len == 100000 || (!v && ks[i].len == 60000)) {
				/* without its value, with its length */
				EXPECT_EQ(NULL, v) TH_LOG("%s", ks[i].key);
				ASSERT_NE(NULL, vl) TH_LOG("%s", ks[i].key);
				EXPECT_EQ(ks[i].len, attr_u32(nlh,
						SKV_A_ENTRY_VALUE_LEN));
			} else {
				/* whole */
				ASSERT_NE(NULL, v) TH_LOG("%s", ks[i].key);
				EXPECT_EQ(NULL, vl) TH_LOG("%s", ks[i].key);
				ASSERT_EQ(ks[i].len, v->nla_len - NLA_HDRLEN);
				EXPECT_EQ(0, memcmp((char *)v + NLA_HDRLEN,
						    val, ks[i].len));
			}
		}
	}
	close(fd);
	skv_table_delete(self->ctl, name);
	free(val);
	for (i = 0; i < (int)ARRAY_SIZE(ks); i++) {
		const char *k = ks[i].key;

		EXPECT_EQ(1, seen[i]) {
			TH_LOG("key %s listed %d times", k, seen[i]);
		}
	}
	EXPECT_EQ(0, err) {
		TH_LOG("dump ended with %d", err);
	}
}

TEST_HARNESS_MAIN
