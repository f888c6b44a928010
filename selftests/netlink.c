// SPDX-License-Identifier: GPL-2.0
/*
 * The skv generic netlink family, driven over a raw netlink socket (no
 * library between the test and the kernel): every op, the exact errno and
 * extack of malformed requests, events in order with their fields, a user
 * without read permission refused at subscribe and never sent an event,
 * overflow seen as a sequence gap and a lost count, dump consistency
 * under writes, subscriptions ending with their socket, and set events
 * that carry their value (value-max) on both engines.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "skv_test.h"
#include "kselftest_harness.h"
#include "nl_test.h"

static int table_new(struct nl *nl, const char *name, __u32 mode)
{
	struct req r;

	req_init(&r, nl->family, SKV_CMD_TABLE_NEW, 0);
	put_str(&r, SKV_A_TABLE_NAME, name);
	if (mode)
		put_u32(&r, SKV_A_TABLE_MODE, mode);
	return nl_do(nl, &r);
}

static int table_del(struct nl *nl, const char *name)
{
	struct req r;

	req_init(&r, nl->family, SKV_CMD_TABLE_DEL, 0);
	put_str(&r, SKV_A_TABLE_NAME, name);
	return nl_do(nl, &r);
}

static int key_put(struct nl *nl, const char *table, const char *key,
		   const char *value, __u64 *version)
{
	struct req r;
	int ret;

	req_init(&r, nl->family, SKV_CMD_KEY_PUT, 0);
	put_str(&r, SKV_A_ENTRY_TABLE, table);
	put_attr(&r, SKV_A_ENTRY_KEY, key, strlen(key));
	put_attr(&r, SKV_A_ENTRY_VALUE, value, strlen(value));
	ret = nl_do(nl, &r);
	if (!ret && version)
		*version = attr_u64(reply(nl), SKV_A_ENTRY_VERSION);
	return ret;
}

/* Subscribe with @value_max (if not 0), or unsubscribe. */
static int subscribe_values(struct nl *nl, const char *table, __u8 cmd,
			    __u32 value_max)
{
	struct req r;

	req_init(&r, nl->family, cmd, 0);
	put_str(&r, SKV_A_EVENT_TABLE, table);
	if (value_max)
		put_u32(&r, SKV_A_EVENT_VALUE_MAX, value_max);
	return nl_do(nl, &r);
}

static int subscribe(struct nl *nl, const char *table, __u8 cmd)
{
	return subscribe_values(nl, table, cmd, 0);
}

struct event {
	__u32 type;
	char key[256];
	__u64 version, seq, lost;
	char table[64];
	const char *value;	/* into next_event()'s buffer; NULL = none */
	int value_len;
	bool has_ttl;
	__u64 ttl_ms;
};

/* The next event within @ms, 1; 0 on timeout; -errno. */
static int next_event(struct nl *nl, struct event *ev, int ms)
{
	static char buf[2 * NL_BUF];	/* an event with a 65531-byte value */
	static int len, off;
	struct pollfd p = { .fd = nl->fd, .events = POLLIN };
	struct nlmsghdr *nlh;
	struct nlattr *a;

	for (;;) {
		if (off < len) {
			nlh = (void *)(buf + off);
			off += NLMSG_ALIGN(nlh->nlmsg_len);
			memset(ev, 0, sizeof(*ev));
			ev->type = attr_u32(nlh, SKV_A_EVENT_TYPE);
			ev->version = attr_u64(nlh, SKV_A_EVENT_VERSION);
			ev->seq = attr_u64(nlh, SKV_A_EVENT_SEQ);
			ev->lost = attr_u64(nlh, SKV_A_EVENT_LOST);
			a = get_attr(nlh, SKV_A_EVENT_KEY);
			if (a)
				memcpy(ev->key, (char *)a + NLA_HDRLEN,
				       a->nla_len - NLA_HDRLEN);
			a = get_attr(nlh, SKV_A_EVENT_TABLE);
			if (a)
				snprintf(ev->table, sizeof(ev->table), "%s",
					 (char *)a + NLA_HDRLEN);
			a = get_attr(nlh, SKV_A_EVENT_VALUE);
			if (a) {
				ev->value = (char *)a + NLA_HDRLEN;
				ev->value_len = a->nla_len - NLA_HDRLEN;
			}
			ev->has_ttl = get_attr(nlh, SKV_A_EVENT_TTL_MS);
			ev->ttl_ms = attr_u64(nlh, SKV_A_EVENT_TTL_MS);
			return 1;
		}
		if (poll(&p, 1, ms) <= 0)
			return 0;
		len = recv(nl->fd, buf, sizeof(buf), MSG_DONTWAIT);
		off = 0;
		if (len < 0 && errno == ENOBUFS)
			continue;	/* overrun: the gap shows in seq */
		if (len < 0)
			return -errno;
	}
}

FIXTURE(nl) {
	struct nl nl;
	char name[SKV_NAME_MAX];
};

FIXTURE_SETUP(nl)
{
	if (access(SKV_DEV, F_OK))
		SKIP(return, "skv.ko not loaded");
	ASSERT_EQ(0, nl_open(&self->nl));
	ASSERT_EQ(0, nl_resolve(&self->nl));
	skv_name(self->name, "nl");
	ASSERT_EQ(0, table_new(&self->nl, self->name, 0644));
}

FIXTURE_TEARDOWN(nl)
{
	table_del(&self->nl, self->name);
	close(self->nl.fd);
}

TEST_F(nl, table_new_get_dump_del)
{
	struct nlmsghdr *nlh;
	struct req r;
	char buf[NL_BUF];
	int len, found = 0, done = 0;

	/* table-new replied with the table */
	ASSERT_EQ(-EEXIST, table_new(&self->nl, self->name, 0));
	ASSERT_STREQ("table exists", self->nl.ext_msg);

	req_init(&r, self->nl.family, SKV_CMD_TABLE_GET, 0);
	put_str(&r, SKV_A_TABLE_NAME, self->name);
	ASSERT_EQ(0, nl_do(&self->nl, &r));
	EXPECT_EQ(0644, attr_u32(reply(&self->nl), SKV_A_TABLE_MODE));
	EXPECT_EQ(SKV_DEFAULT_KEY_LEN,
		  attr_u32(reply(&self->nl), SKV_A_TABLE_MAX_KEY_LEN));
	EXPECT_EQ(0, attr_u64(reply(&self->nl), SKV_A_TABLE_ENTRIES));

	req_init(&r, self->nl.family, SKV_CMD_TABLE_GET, NLM_F_DUMP);
	r.nlh.nlmsg_seq = ++self->nl.seq;
	ASSERT_LT(0, send(self->nl.fd, &r, r.nlh.nlmsg_len, 0));
	while (!done) {
		len = recv(self->nl.fd, buf, sizeof(buf), 0);
		ASSERT_LT(0, len);
		for (nlh = (void *)buf; NLMSG_OK(nlh, len);
		     nlh = NLMSG_NEXT(nlh, len)) {
			if (nlh->nlmsg_type == NLMSG_DONE) {
				done = 1;
				break;
			}
			ASSERT_NE(NLMSG_ERROR, nlh->nlmsg_type);
			if (!strcmp((char *)get_attr(nlh, SKV_A_TABLE_NAME) +
				    NLA_HDRLEN, self->name))
				found++;
		}
	}
	EXPECT_EQ(1, found);

	ASSERT_EQ(0, table_del(&self->nl, self->name));
	ASSERT_EQ(-ENOENT, table_del(&self->nl, self->name));
	EXPECT_STREQ("no such table", self->nl.ext_msg);
	req_init(&r, self->nl.family, SKV_CMD_TABLE_GET, 0);
	put_str(&r, SKV_A_TABLE_NAME, self->name);
	ASSERT_EQ(-ENOENT, nl_do(&self->nl, &r));
}

TEST_F(nl, key_put_get_del)
{
	__u64 v1, v2;
	struct req r;
	struct nlattr *a;

	ASSERT_EQ(0, key_put(&self->nl, self->name, "k", "one", &v1));
	ASSERT_EQ(0, key_put(&self->nl, self->name, "k", "two", &v2));
	ASSERT_LT(v1, v2);

	req_init(&r, self->nl.family, SKV_CMD_KEY_GET, 0);
	put_str(&r, SKV_A_ENTRY_TABLE, self->name);
	put_attr(&r, SKV_A_ENTRY_KEY, "k", 1);
	ASSERT_EQ(0, nl_do(&self->nl, &r));
	a = get_attr(reply(&self->nl), SKV_A_ENTRY_VALUE);
	ASSERT_NE(NULL, a);
	ASSERT_EQ(3, a->nla_len - NLA_HDRLEN);
	ASSERT_EQ(0, memcmp("two", (char *)a + NLA_HDRLEN, 3));
	ASSERT_EQ(v2, attr_u64(reply(&self->nl), SKV_A_ENTRY_VERSION));

	/* nx on a present key, cas with a stale version */
	req_init(&r, self->nl.family, SKV_CMD_KEY_PUT, 0);
	put_str(&r, SKV_A_ENTRY_TABLE, self->name);
	put_attr(&r, SKV_A_ENTRY_KEY, "k", 1);
	put_u32(&r, SKV_A_ENTRY_PUT_FLAGS, SKV_PUT_NX);
	ASSERT_EQ(-EEXIST, nl_do(&self->nl, &r));
	req_init(&r, self->nl.family, SKV_CMD_KEY_PUT, 0);
	put_str(&r, SKV_A_ENTRY_TABLE, self->name);
	put_attr(&r, SKV_A_ENTRY_KEY, "k", 1);
	put_u32(&r, SKV_A_ENTRY_PUT_FLAGS, SKV_PUT_CAS);
	put_u64(&r, SKV_A_ENTRY_CAS_VERSION, v1);
	ASSERT_EQ(-ESTALE, nl_do(&self->nl, &r));
	EXPECT_STREQ("version mismatch (cas)", self->nl.ext_msg);

	req_init(&r, self->nl.family, SKV_CMD_KEY_DEL, 0);
	put_str(&r, SKV_A_ENTRY_TABLE, self->name);
	put_attr(&r, SKV_A_ENTRY_KEY, "k", 1);
	ASSERT_EQ(0, nl_do(&self->nl, &r));
	ASSERT_EQ(v2, attr_u64(reply(&self->nl), SKV_A_ENTRY_VERSION));
	ASSERT_EQ(-ENOENT, nl_do(&self->nl, &r));
	EXPECT_STREQ("no such key", self->nl.ext_msg);
}

TEST_F(nl, malformed)
{
	struct req r;
	char big[SKV_NAME_LEN + 2];

	/* missing key: EINVAL, extack names the attribute */
	req_init(&r, self->nl.family, SKV_CMD_KEY_PUT, 0);
	put_str(&r, SKV_A_ENTRY_TABLE, self->name);
	ASSERT_EQ(-EINVAL, nl_do(&self->nl, &r));
	EXPECT_EQ(SKV_A_ENTRY_KEY, self->nl.miss_type);

	/* missing table */
	req_init(&r, self->nl.family, SKV_CMD_KEY_GET, 0);
	put_attr(&r, SKV_A_ENTRY_KEY, "k", 1);
	ASSERT_EQ(-EINVAL, nl_do(&self->nl, &r));
	EXPECT_EQ(SKV_A_ENTRY_TABLE, self->nl.miss_type);

	/* empty key, as the ioctls */
	req_init(&r, self->nl.family, SKV_CMD_KEY_PUT, 0);
	put_str(&r, SKV_A_ENTRY_TABLE, self->name);
	put_attr(&r, SKV_A_ENTRY_KEY, "", 0);
	ASSERT_EQ(-EINVAL, nl_do(&self->nl, &r));
	EXPECT_STREQ("key must be 1..max_key_len bytes", self->nl.ext_msg);

	/* an attribute the op does not take (strict policy) */
	req_init(&r, self->nl.family, SKV_CMD_KEY_GET, 0);
	put_str(&r, SKV_A_ENTRY_TABLE, self->name);
	put_attr(&r, SKV_A_ENTRY_KEY, "k", 1);
	put_u64(&r, SKV_A_ENTRY_VERSION, 1);
	ASSERT_EQ(-EINVAL, nl_do(&self->nl, &r));

	/* an attribute type the family does not know */
	req_init(&r, self->nl.family, SKV_CMD_TABLE_DEL, 0);
	put_str(&r, SKV_A_TABLE_NAME, self->name);
	put_u32(&r, 99, 1);
	ASSERT_EQ(-EINVAL, nl_do(&self->nl, &r));

	/* unknown put flag */
	req_init(&r, self->nl.family, SKV_CMD_KEY_PUT, 0);
	put_str(&r, SKV_A_ENTRY_TABLE, self->name);
	put_attr(&r, SKV_A_ENTRY_KEY, "k", 1);
	put_u32(&r, SKV_A_ENTRY_PUT_FLAGS, 0x10);
	ASSERT_EQ(-EINVAL, nl_do(&self->nl, &r));

	/* cas flag without cas-version, cas-version without the flag */
	req_init(&r, self->nl.family, SKV_CMD_KEY_PUT, 0);
	put_str(&r, SKV_A_ENTRY_TABLE, self->name);
	put_attr(&r, SKV_A_ENTRY_KEY, "k", 1);
	put_u32(&r, SKV_A_ENTRY_PUT_FLAGS, SKV_PUT_CAS);
	ASSERT_EQ(-EINVAL, nl_do(&self->nl, &r));
	EXPECT_EQ(SKV_A_ENTRY_CAS_VERSION, self->nl.miss_type);
	req_init(&r, self->nl.family, SKV_CMD_KEY_PUT, 0);
	put_str(&r, SKV_A_ENTRY_TABLE, self->name);
	put_attr(&r, SKV_A_ENTRY_KEY, "k", 1);
	put_u64(&r, SKV_A_ENTRY_CAS_VERSION, 1);
	ASSERT_EQ(-EINVAL, nl_do(&self->nl, &r));
	EXPECT_STREQ("attribute needs its put flag (cas or ttl)",
		     self->nl.ext_msg);

	/* nx with xx */
	req_init(&r, self->nl.family, SKV_CMD_KEY_PUT, 0);
	put_str(&r, SKV_A_ENTRY_TABLE, self->name);
	put_attr(&r, SKV_A_ENTRY_KEY, "k", 1);
	put_u32(&r, SKV_A_ENTRY_PUT_FLAGS, SKV_PUT_NX | SKV_PUT_XX);
	ASSERT_EQ(-EINVAL, nl_do(&self->nl, &r));

	/* table name too long for the policy; bad characters */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	ASSERT_EQ(-EINVAL, table_new(&self->nl, big, 0));
	ASSERT_EQ(-EINVAL, table_new(&self->nl, "bad/name", 0));

	/* mode above 0777 */
	ASSERT_EQ(-ERANGE, table_new(&self->nl, "nl-mode", 01000));

	/* nothing was created by the failures */
	ASSERT_EQ(-ENOENT, table_del(&self->nl, "nl-mode"));
}

TEST_F(nl, events_in_order)
{
	struct nl sub;
	struct event ev;
	__u64 v1, v2;
	struct req r;

	ASSERT_EQ(0, nl_open(&sub));
	sub.family = self->nl.family;
	ASSERT_EQ(0, subscribe(&sub, self->name, SKV_CMD_SUBSCRIBE));
	ASSERT_EQ(-EEXIST, subscribe(&sub, self->name, SKV_CMD_SUBSCRIBE));

	ASSERT_EQ(0, key_put(&self->nl, self->name, "a", "1", &v1));
	ASSERT_EQ(0, key_put(&self->nl, self->name, "b", "2", &v2));
	req_init(&r, self->nl.family, SKV_CMD_KEY_DEL, 0);
	put_str(&r, SKV_A_ENTRY_TABLE, self->name);
	put_attr(&r, SKV_A_ENTRY_KEY, "a", 1);
	ASSERT_EQ(0, nl_do(&self->nl, &r));

	ASSERT_EQ(1, next_event(&sub, &ev, 2000));
	EXPECT_EQ(SKV_EVENT_TYPE_SET, ev.type);
	EXPECT_STREQ("a", ev.key);
	EXPECT_STREQ(self->name, ev.table);
	EXPECT_EQ(v1, ev.version);
	EXPECT_EQ(1, ev.seq);
	EXPECT_EQ(0, ev.lost);
	ASSERT_EQ(1, next_event(&sub, &ev, 2000));
	EXPECT_EQ(SKV_EVENT_TYPE_SET, ev.type);
	EXPECT_STREQ("b", ev.key);
	EXPECT_EQ(v2, ev.version);
	EXPECT_EQ(2, ev.seq);
	ASSERT_EQ(1, next_event(&sub, &ev, 2000));
	EXPECT_EQ(SKV_EVENT_TYPE_DELETE, ev.type);
	EXPECT_STREQ("a", ev.key);
	EXPECT_EQ(v1, ev.version);
	EXPECT_EQ(3, ev.seq);

	/* the table's deletion ends the subscription */
	ASSERT_EQ(0, table_del(&self->nl, self->name));
	ASSERT_EQ(1, next_event(&sub, &ev, 2000));
	EXPECT_EQ(SKV_EVENT_TYPE_TABLE_DELETED, ev.type);
	EXPECT_EQ(4, ev.seq);
	ASSERT_EQ(-ENOENT, subscribe(&sub, self->name, SKV_CMD_UNSUBSCRIBE));
	EXPECT_STREQ("not subscribed", sub.ext_msg);
	close(sub.fd);
}

TEST_F(nl, unsubscribe_stops_events)
{
	struct nl sub;
	struct event ev;

	ASSERT_EQ(0, nl_open(&sub));
	sub.family = self->nl.family;
	ASSERT_EQ(0, subscribe(&sub, self->name, SKV_CMD_SUBSCRIBE));
	ASSERT_EQ(0, subscribe(&sub, self->name, SKV_CMD_UNSUBSCRIBE));
	ASSERT_EQ(0, key_put(&self->nl, self->name, "a", "1", NULL));
	ASSERT_EQ(0, next_event(&sub, &ev, 300));
	close(sub.fd);
}

/* alice may not read a 0600 root table: refused, and sent nothing. */
TEST_F(nl, unpermitted_subscriber_gets_nothing)
{
	char secret[SKV_NAME_MAX];
	int c2p[2], p2c[2], status;
	pid_t pid;
	char c;

	skv_name(secret, "nl-secret");
	ASSERT_EQ(0, table_new(&self->nl, secret, 0600));
	ASSERT_EQ(0, pipe(c2p));
	ASSERT_EQ(0, pipe(p2c));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct event ev;
		struct nl sub;
		int ret;

		if (setgroups(0, NULL) || setgid(1000) || setuid(1000))
			_exit(10);
		if (nl_open(&sub))
			_exit(11);
		sub.family = self->nl.family;
		if (subscribe(&sub, secret, SKV_CMD_SUBSCRIBE) != -EACCES)
			_exit(12);
		if (strcmp(sub.ext_msg, "permission denied by the table's mode"))
			_exit(13);
		/* a readable table still works on the same socket */
		if (subscribe(&sub, self->name, SKV_CMD_SUBSCRIBE))
			_exit(14);
		if (write(c2p[1], "s", 1) != 1 ||
		    read(p2c[0], &c, 1) != 1)	/* parent has written */
			_exit(17);
		/* only the readable table's event arrives */
		while ((ret = next_event(&sub, &ev, 500)) == 1)
			if (strcmp(ev.table, self->name))
				_exit(15);
		_exit(ret == 0 ? 0 : 16);
	}
	ASSERT_EQ(1, read(c2p[0], &c, 1));
	ASSERT_EQ(0, key_put(&self->nl, secret, "k", "secret", NULL));
	ASSERT_EQ(0, table_del(&self->nl, secret));
	ASSERT_EQ(0, key_put(&self->nl, self->name, "k", "public", NULL));
	ASSERT_EQ(1, write(p2c[1], "w", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
}

/* A reader that does not keep up loses events, sees the gap and count. */
TEST_F(nl, overflow_gap_and_lost)
{
	unsigned int i, n = 400, got = 0;
	int rcvbuf = 4096;
	__u64 last_seq = 0, gaps = 0;
	struct event ev;
	struct nl sub;
	char key[32];

	ASSERT_EQ(0, nl_open(&sub));
	sub.family = self->nl.family;
	ASSERT_EQ(0, setsockopt(sub.fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
				sizeof(rcvbuf)));
	ASSERT_EQ(0, subscribe(&sub, self->name, SKV_CMD_SUBSCRIBE));
	for (i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "k%u", i);
		ASSERT_EQ(0, key_put(&self->nl, self->name, key, "v", NULL));
	}
	while (next_event(&sub, &ev, 300) == 1) {
		ASSERT_LT(last_seq, ev.seq);
		gaps += ev.seq - last_seq - 1;
		last_seq = ev.seq;
		got++;
	}
	ASSERT_LT(got, n);		/* the buffer did overflow */
	/* one more event after draining carries the total */
	ASSERT_EQ(0, key_put(&self->nl, self->name, "last", "v", NULL));
	ASSERT_EQ(1, next_event(&sub, &ev, 2000));
	EXPECT_EQ(n + 1, ev.seq);
	gaps += ev.seq - last_seq - 1;
	EXPECT_EQ(n - got, ev.lost);
	EXPECT_EQ(gaps, ev.lost);
	close(sub.fd);
}

/* A set event's value and TTL, if it carries them: @value NULL for none. */
static void expect_value(struct __test_metadata *_metadata,
			 const struct event *ev, const char *key,
			 const char *value, int value_len)
{
	EXPECT_STREQ(key, ev->key);
	if (!value) {
		EXPECT_EQ(NULL, ev->value);
		EXPECT_FALSE(ev->has_ttl);
		return;
	}
	ASSERT_NE(NULL, ev->value);
	ASSERT_EQ(value_len, ev->value_len);
	EXPECT_EQ(0, memcmp(value, ev->value, value_len));
	EXPECT_TRUE(ev->has_ttl);
}

/*
 * value-max: set events carry a value up to that long and its TTL; longer
 * values, deletes and a subscriber without value-max carry none.
 */
TEST_F(nl, events_carry_values)
{
	struct nl sub, plain;
	struct skv_put p;
	struct event ev;
	__s64 n;
	int ctl, fd;

	ctl = skv_ctl_open();
	ASSERT_LE(0, ctl);
	fd = skv_open(ctl, self->name, 0, NULL, NULL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, nl_open(&sub));
	ASSERT_EQ(0, nl_open(&plain));
	sub.family = plain.family = self->nl.family;

	/* above what an attribute carries: refused by the policy */
	EXPECT_EQ(-ERANGE, subscribe_values(&sub, self->name, SKV_CMD_SUBSCRIBE,
					    SKV_NL_VALUE_MAX + 1));
	ASSERT_EQ(0, subscribe_values(&sub, self->name, SKV_CMD_SUBSCRIBE, 8));
	ASSERT_EQ(0, subscribe(&plain, self->name, SKV_CMD_SUBSCRIBE));

	ASSERT_EQ(0, key_put(&self->nl, self->name, "a", "12345678", NULL));
	ASSERT_EQ(0, skv_put_str(fd, "b", "123456789"));
	ASSERT_EQ(0, skv_put_str(fd, "e", ""));
	skv_put_init(&p, "t", 1, "x", 1);
	p.flags = SKV_PUT_TTL;
	p.ttl_ms = 60000;
	ASSERT_EQ(0, skv_ioctl(fd, SKV_IOC_PUT, &p));
	ASSERT_EQ(0, skv_incr_str(fd, "n", 5, &n));
	ASSERT_EQ(0, skv_del_str(fd, "a"));

	ASSERT_EQ(1, next_event(&sub, &ev, 2000));
	EXPECT_EQ(SKV_EVENT_TYPE_SET, ev.type);
	expect_value(_metadata, &ev, "a", "12345678", 8);
	EXPECT_EQ(0, ev.ttl_ms);
	ASSERT_EQ(1, next_event(&sub, &ev, 2000));
	expect_value(_metadata, &ev, "b", NULL, 0);	/* 9 > 8 */
	EXPECT_EQ(2, ev.seq);				/* otherwise whole */
	ASSERT_NE(0, ev.version);
	ASSERT_EQ(1, next_event(&sub, &ev, 2000));
	expect_value(_metadata, &ev, "e", "", 0);	/* empty, not absent */
	ASSERT_EQ(1, next_event(&sub, &ev, 2000));
	expect_value(_metadata, &ev, "t", "x", 1);
	EXPECT_LT(50000, ev.ttl_ms);
	EXPECT_GE(60000, ev.ttl_ms);
	ASSERT_EQ(1, next_event(&sub, &ev, 2000));
	EXPECT_EQ(5, n);
	expect_value(_metadata, &ev, "n", "5", 1);	/* decimal, as Redis */
	ASSERT_EQ(1, next_event(&sub, &ev, 2000));
	EXPECT_EQ(SKV_EVENT_TYPE_DELETE, ev.type);
	expect_value(_metadata, &ev, "a", NULL, 0);
	EXPECT_EQ(6, ev.seq);
	EXPECT_EQ(0, next_event(&sub, &ev, 100));

	/* the same six events, without values */
	while (next_event(&plain, &ev, 300) == 1) {
		EXPECT_EQ(NULL, ev.value);
		EXPECT_FALSE(ev.has_ttl);
		if (ev.seq == 6)
			break;
	}
	EXPECT_EQ(6, ev.seq);

	/* a flush and the table's deletion carry no value either */
	ASSERT_EQ(0, skv_flush(fd, NULL));
	ASSERT_EQ(1, next_event(&sub, &ev, 2000));
	EXPECT_EQ(SKV_EVENT_TYPE_FLUSHED, ev.type);
	EXPECT_EQ(NULL, ev.value);
	close(fd);
	ASSERT_EQ(0, table_del(&self->nl, self->name));
	ASSERT_EQ(1, next_event(&sub, &ev, 2000));
	EXPECT_EQ(SKV_EVENT_TYPE_TABLE_DELETED, ev.type);
	EXPECT_EQ(NULL, ev.value);
	close(sub.fd);
	close(plain.fd);
	close(ctl);
}

/*
 * The largest value an attribute carries arrives whole, one byte more is
 * left out; and the mapped engine raises the same events.
 */
TEST_F(nl, events_carry_large_and_mapped_values)
{
	struct skv_table_attr attr = { .max_value_len = SKV_NL_VALUE_MAX + 1 };
	struct skv_table_attr mattr = { .max_entries = 64, .max_key_len = 16,
					.max_value_len = 1000 };
	char big[SKV_NAME_MAX], mapped[SKV_NAME_MAX];
	int ctl, fd, mfd, rcvbuf = 1 << 20;
	struct event ev;
	struct nl sub;
	char *v;

	v = malloc(SKV_NL_VALUE_MAX + 1);
	ASSERT_NE(NULL, v);
	for (int i = 0; i <= SKV_NL_VALUE_MAX; i++)
		v[i] = 'a' + i % 26;
	ctl = skv_ctl_open();
	ASSERT_LE(0, ctl);
	skv_name(big, "nl-big");
	skv_name(mapped, "nl-mapped");
	fd = skv_create(ctl, big, &attr);
	ASSERT_LE(0, fd);
	mfd = skv_open_tf(ctl, mapped, SKV_OPEN_CREATE | SKV_OPEN_EXCL, &mattr,
			  SKV_TABLE_MAPPED, 0, NULL);
	ASSERT_LE(0, mfd);
	ASSERT_EQ(0, nl_open(&sub));
	sub.family = self->nl.family;
	ASSERT_EQ(0, setsockopt(sub.fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
				sizeof(rcvbuf)));
	ASSERT_EQ(0, subscribe_values(&sub, big, SKV_CMD_SUBSCRIBE,
				      SKV_NL_VALUE_MAX));
	ASSERT_EQ(0, subscribe_values(&sub, mapped, SKV_CMD_SUBSCRIBE, 1000));

	ASSERT_EQ(0, skv_put(fd, "max", 3, v, SKV_NL_VALUE_MAX, 0, NULL));
	ASSERT_EQ(0, skv_put(fd, "over", 4, v, SKV_NL_VALUE_MAX + 1, 0, NULL));
	ASSERT_EQ(0, skv_put(mfd, "m", 1, v, 1000, 0, NULL));
	ASSERT_EQ(0, skv_del_str(mfd, "m"));

	ASSERT_EQ(1, next_event(&sub, &ev, 2000));
	EXPECT_STREQ(big, ev.table);
	expect_value(_metadata, &ev, "max", v, SKV_NL_VALUE_MAX);
	ASSERT_EQ(1, next_event(&sub, &ev, 2000));
	expect_value(_metadata, &ev, "over", NULL, 0);
	EXPECT_EQ(0, ev.lost);
	ASSERT_EQ(1, next_event(&sub, &ev, 2000));
	EXPECT_STREQ(mapped, ev.table);
	EXPECT_EQ(SKV_EVENT_TYPE_SET, ev.type);
	expect_value(_metadata, &ev, "m", v, 1000);
	ASSERT_EQ(1, next_event(&sub, &ev, 2000));
	EXPECT_EQ(SKV_EVENT_TYPE_DELETE, ev.type);
	expect_value(_metadata, &ev, "m", NULL, 0);

	close(sub.fd);
	close(fd);
	close(mfd);
	EXPECT_EQ(0, skv_table_delete(ctl, big));
	EXPECT_EQ(0, skv_table_delete(ctl, mapped));
	close(ctl);
	free(v);
}

/*
 * With memory short for a large event, the event still goes, without its
 * value (fail-nth: the debug kernel). Fails the 1st, 2nd, ... allocation
 * of a PUT until one fails inside the event's, and no event is lost.
 */
TEST_F(nl, event_without_value_when_memory_is_short)
{
	struct skv_table_attr attr = { .max_value_len = 40000 };
	static const char *const knobs[][2] = {
		{ "/sys/kernel/debug/failslab/verbose", "0" },
		{ "/sys/kernel/debug/fail_page_alloc/verbose", "0" },
		{ "/sys/kernel/debug/fail_page_alloc/min-order", "0" },
	};
	int ctl, fd, nth, rcvbuf = 1 << 20, n, without = 0;
	char name[SKV_NAME_MAX], left[16];
	__u64 seq = 0;
	struct event ev;
	struct nl sub;
	char *v;

	nth = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (nth < 0)
		SKIP(return, "no /proc/thread-self/fail-nth (kernel without fault injection)");
	for (n = 0; n < 3; n++) {
		int k = open(knobs[n][0], O_WRONLY | O_CLOEXEC);

		if (k >= 0) {
			ASSERT_LT(0, write(k, knobs[n][1], 1));
			close(k);
		}
	}
	v = malloc(attr.max_value_len);
	ASSERT_NE(NULL, v);
	memset(v, 'q', attr.max_value_len);
	ctl = skv_ctl_open();
	ASSERT_LE(0, ctl);
	skv_name(name, "nl-nomem");
	fd = skv_create(ctl, name, &attr);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, nl_open(&sub));
	sub.family = self->nl.family;
	ASSERT_EQ(0, setsockopt(sub.fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
				sizeof(rcvbuf)));
	ASSERT_EQ(0, subscribe_values(&sub, name, SKV_CMD_SUBSCRIBE,
				      attr.max_value_len));
	ASSERT_EQ(0, mlockall(MCL_CURRENT | MCL_FUTURE));

	for (n = 1; n < 400 && !without; n++) {
		char c[16];
		int len = snprintf(c, sizeof(c), "%d", n), ret;

		ASSERT_EQ(len, pwrite(nth, c, len, 0));
		ret = skv_put(fd, "k", 1, v, attr.max_value_len, 0, NULL);
		ASSERT_LT(0, pread(nth, left, sizeof(left), 0));
		ASSERT_EQ(1, pwrite(nth, "0", 1, 0));	/* disarm */
		if (ret) {
			ASSERT_EQ(-ENOMEM, ret);	/* the PUT's own */
			continue;
		}
		ASSERT_EQ(1, next_event(&sub, &ev, 2000));
		EXPECT_EQ(seq + 1, ev.seq);
		EXPECT_EQ(0, ev.lost);
		seq = ev.seq;
		if (!ev.value)
			without++;
		else
			EXPECT_EQ(attr.max_value_len, ev.value_len);
		if (atoi(left) != 0)
			break;	/* ran without hitting the fault: done */
	}
	munlockall();
	EXPECT_EQ(1, without);
	close(sub.fd);
	close(fd);
	EXPECT_EQ(0, skv_table_delete(ctl, name));
	close(ctl);
	close(nth);
	free(v);
}

/* Read the key dump one message at a time; optionally write in between. */
static int dump_keys(struct nl *nl, const char *table, int write_between,
		     unsigned int *keys, int *intr)
{
	struct nlmsghdr *nlh;
	struct req r;
	static char buf[NL_BUF];
	int len, msgs = 0;

	*keys = 0;
	*intr = 0;
	req_init(&r, nl->family, SKV_CMD_KEY_GET, NLM_F_DUMP);
	put_str(&r, SKV_A_ENTRY_TABLE, table);
	r.nlh.nlmsg_seq = ++nl->seq;
	if (send(nl->fd, &r, r.nlh.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		/* one skb per recv() */
		len = recv(nl->fd, buf, sizeof(buf), 0);
		if (len < 0)
			return -errno;
		for (nlh = (void *)buf; NLMSG_OK(nlh, len);
		     nlh = NLMSG_NEXT(nlh, len)) {
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				*intr = 1;
			if (nlh->nlmsg_type == NLMSG_DONE)
				return msgs;
			if (nlh->nlmsg_type == NLMSG_ERROR)
				return nl_error(nl, nlh);
			(*keys)++;
		}
		if (write_between && msgs++ == 0) {
			struct nl w;

			if (nl_open(&w))
				return -1;
			w.family = nl->family;
			key_put(&w, table, "intruder", "x", NULL);
			close(w.fd);
		}
	}
}

TEST_F(nl, key_dump_consistency)
{
	unsigned int i, n = skv_budget(1000), keys;
	char key[32];
	int intr;

	for (i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "key-%05u-padding-padding", i);
		ASSERT_EQ(0, key_put(&self->nl, self->name, key, "value", NULL));
	}
	/* unchanged table: every key once, no NLM_F_DUMP_INTR */
	ASSERT_LE(0, dump_keys(&self->nl, self->name, 0, &keys, &intr));
	EXPECT_EQ(n, keys);
	EXPECT_EQ(0, intr);
	/* a write between two messages: NLM_F_DUMP_INTR */
	if (n > 100) {
		ASSERT_LE(0, dump_keys(&self->nl, self->name, 1, &keys, &intr));
		EXPECT_EQ(1, intr);
	}
	/* a dump takes no key */
	{
		struct req r;

		req_init(&r, self->nl.family, SKV_CMD_KEY_GET, NLM_F_DUMP);
		put_str(&r, SKV_A_ENTRY_TABLE, self->name);
		put_attr(&r, SKV_A_ENTRY_KEY, "k", 1);
		ASSERT_EQ(-EINVAL, nl_do(&self->nl, &r));
		/* 6.1 drops the extack a dump's .start sets */
		if (strncmp(getenv("SKV_KERNEL") ?: "", "6.1", 4))
			EXPECT_STREQ("a key dump takes no key",
				     self->nl.ext_msg);
	}
}

/* Subscriptions die with their socket; the table lives on. */
TEST_F(nl, socket_close_ends_subscriptions)
{
	unsigned int i;
	struct nl sub;

	for (i = 0; i < 50; i++) {
		ASSERT_EQ(0, nl_open(&sub));
		sub.family = self->nl.family;
		ASSERT_EQ(0, subscribe(&sub, self->name, SKV_CMD_SUBSCRIBE));
		ASSERT_EQ(0, key_put(&self->nl, self->name, "k", "v", NULL));
		close(sub.fd);
	}
	/* writes after every socket is gone pay no delivery */
	ASSERT_EQ(0, key_put(&self->nl, self->name, "k", "v", NULL));
}

/* How many tables named @name the table dump of @nl lists; -errno. */
static int dump_count(struct nl *nl, const char *name)
{
	struct nlmsghdr *nlh;
	struct nlattr *a;
	char buf[NL_BUF];
	int len, found = 0;
	struct req r;

	req_init(&r, nl->family, SKV_CMD_TABLE_GET, NLM_F_DUMP);
	r.nlh.nlmsg_seq = ++nl->seq;
	if (send(nl->fd, &r, r.nlh.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		len = recv(nl->fd, buf, sizeof(buf), 0);
		if (len < 0)
			return -errno;
		for (nlh = (void *)buf; NLMSG_OK(nlh, len);
		     nlh = NLMSG_NEXT(nlh, len)) {
			if (nlh->nlmsg_type == NLMSG_DONE)
				return found;
			if (nlh->nlmsg_type == NLMSG_ERROR)
				return nl_error(nl, nlh);
			a = get_attr(nlh, SKV_A_TABLE_NAME);
			if (a && !strcmp((char *)a + NLA_HDRLEN, name))
				found++;
		}
	}
}

static int table_get(struct nl *nl, const char *name)
{
	struct req r;

	req_init(&r, nl->family, SKV_CMD_TABLE_GET, 0);
	put_str(&r, SKV_A_TABLE_NAME, name);
	return nl_do(nl, &r);
}

/*
 * A socket opened in netns A, used after its process moved to netns B,
 * still reaches A's tables and none of B's: requests are served in the
 * socket's namespace, not the sender's (the family is netnsok).
 */
static int child_socket_keeps_netns(const char *a_table, const char *a_new,
				    const char *b_table)
{
	struct skv_table_open o = { .size = sizeof(o) };
	struct event ev;
	struct nl nl, nlb, sub;
	int ctl;

	if (nl_open(&nl) || nl_resolve(&nl) || nl_open(&sub))
		return 10;
	sub.family = nl.family;
	if (unshare(CLONE_NEWNET))
		return 11;
	/* B has a table of its own, made with the ioctl */
	ctl = skv_ctl_open();
	if (ctl < 0)
		return 12;
	o.flags = SKV_OPEN_CREATE;
	snprintf(o.name, sizeof(o.name), "%s", b_table);
	if (ioctl(ctl, SKV_IOC_TABLE_OPEN, &o) < 0)
		return 13;
	/* the old socket: A's table, not B's */
	if (table_get(&nl, a_table))
		return 14;
	if (table_get(&nl, b_table) != -ENOENT)
		return 15;
	if (dump_count(&nl, a_table) != 1 || dump_count(&nl, b_table) != 0)
		return 16;
	if (key_put(&nl, a_table, "k", "from-b", NULL))
		return 17;
	if (subscribe(&sub, a_table, SKV_CMD_SUBSCRIBE))
		return 18;
	if (key_put(&nl, a_table, "k2", "v", NULL))
		return 19;
	if (next_event(&sub, &ev, 2000) != 1 || strcmp(ev.key, "k2") ||
	    strcmp(ev.table, a_table))
		return 20;
	/* created in A, where the socket lives */
	if (table_new(&nl, a_new, 0))
		return 21;
	if (table_del(&nl, b_table) != -ENOENT)
		return 22;
	/* a socket opened in B sees B's tables only */
	if (nl_open(&nlb) || nl_resolve(&nlb))
		return 23;
	if (table_get(&nlb, b_table) || table_get(&nlb, a_table) != -ENOENT ||
	    table_get(&nlb, a_new) != -ENOENT)
		return 24;
	if (dump_count(&nlb, a_table) != 0 || dump_count(&nlb, b_table) != 1)
		return 25;
	return 0;
}

TEST_F(nl, socket_keeps_its_netns)
{
	char a_new[SKV_NAME_MAX], b_table[SKV_NAME_MAX];
	int status;
	pid_t pid;

	if (geteuid())
		SKIP(return, "needs root for unshare(CLONE_NEWNET)");
	skv_name(a_new, "nl-a");
	skv_name(b_table, "nl-b");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(child_socket_keeps_netns(self->name, a_new, b_table));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	/* what the child did through its socket happened here, in A */
	ASSERT_EQ(0, table_get(&self->nl, a_new));
	ASSERT_EQ(0, table_del(&self->nl, a_new));
	ASSERT_EQ(-ENOENT, table_get(&self->nl, b_table));
	ASSERT_EQ(0, table_get(&self->nl, self->name));
	EXPECT_EQ(2, attr_u64(reply(&self->nl), SKV_A_TABLE_ENTRIES));
}

TEST_HARNESS_MAIN
