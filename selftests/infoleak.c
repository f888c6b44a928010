// SPDX-License-Identifier: GPL-2.0
/*
 * Information leaks. Every struct the kernel copies out is passed in a
 * buffer filled with 0xA5 (output-only fields included): afterwards its
 * padding and reserved fields are zero, the bytes after the caller's size
 * are untouched (a canary), a failed call wrote nothing, value and scan
 * buffers hold nothing past what was returned, and scan records' padding
 * is zero. Then an unprivileged user sees only what the modes allow, in
 * the ioctls and in the genl family's dumps and events, whose attribute
 * padding is zero too.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <sched.h>
#include <sys/prctl.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <linux/skv_netlink.h>

#include "kselftest_harness.h"
#include "reliability.h"

#define IL_PAT		0xA5
#define IL_CANARY	64

static bool il_all(const void *p, size_t n, uint8_t byte)
{
	const uint8_t *b = p;

	while (n--)
		if (*b++ != byte)
			return false;
	return true;
}

/* A struct of @size bytes, then IL_CANARY bytes of pattern. */
static uint8_t *il_buf(size_t size)
{
	static uint8_t buf[8192] __attribute__((aligned(8)));

	memset(buf, IL_PAT, size + IL_CANARY);
	return buf;
}

#define IL_ZERO(s, field) memset(&(s)->field, 0, sizeof((s)->field))

FIXTURE(il) {
	int ctl;
	int fd;
};

FIXTURE_SETUP(il)
{
	uint32_t flags_put = 0x12345678;
	struct skv_put p = {
		.size = sizeof(p), .key_len = 3, .key_ptr = (uintptr_t)"key",
		.value_len = 5, .value_ptr = (uintptr_t)"value",
		.user_flags = flags_put,
	};

	self->ctl = rt_ctl_open();
	ASSERT_LE(0, self->ctl);
	rt_table_delete(self->ctl, "il-table");
	self->fd = rt_table_create(self->ctl, "il-table");
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, rt_ioctl(self->fd, SKV_IOC_PUT, &p));
	ASSERT_EQ(0, rt_puts(self->fd, "n", "5"));
}

FIXTURE_TEARDOWN(il)
{
	if (self->fd >= 0)
		close(self->fd);
	rt_table_delete(self->ctl, "il-table");
	close(self->ctl);
}

/*
 * Run @cmd with output-only fields left as pattern; a kernel that insists
 * on zeroed output fields (-EINVAL) gets a second try with the @len bytes
 * at @out zeroed. Either way the checks after it are the same.
 */
static int il_call(int fd, unsigned long cmd, void *arg, void *out, size_t len)
{
	int ret = rt_ioctl(fd, cmd, arg);

	if (ret == -EINVAL && out) {
		memset(out, 0, len);
		ret = rt_ioctl(fd, cmd, arg);
	}
	return ret;
}

TEST_F(il, features)
{
	struct skv_features *f = (void *)il_buf(sizeof(*f));

	f->size = sizeof(*f);
	f->flags = 0;
	f->__reserved0 = 0;
	ASSERT_EQ(0, rt_ioctl(self->ctl, SKV_IOC_FEATURES, f));
	EXPECT_EQ(0u, f->__reserved0);
	EXPECT_TRUE(il_all(f + 1, IL_CANARY, IL_PAT)) TH_LOG("written past size");
	EXPECT_EQ((__u32)SKV_ABI_VERSION, f->abi_version);
}

/* A caller with a larger struct: its zero tail stays zero. */
TEST_F(il, features_larger_caller)
{
	uint8_t *b = il_buf(sizeof(struct skv_features) + 32);
	struct skv_features *f = (void *)b;

	memset(b + sizeof(*f), 0, 32);
	f->size = sizeof(*f) + 32;
	f->flags = 0;
	f->__reserved0 = 0;
	ASSERT_EQ(0, rt_ioctl(self->ctl, SKV_IOC_FEATURES, f));
	EXPECT_TRUE(il_all(b + sizeof(*f), 32, 0)) TH_LOG("tail written");
	EXPECT_TRUE(il_all(b + sizeof(*f) + 32, IL_CANARY, IL_PAT));
}

/* A size below the struct's first version: -EINVAL, nothing written. */
TEST_F(il, short_size_writes_nothing)
{
	/* The first published sizes: 8 bytes less is below every version. */
	static const struct { unsigned long cmd; size_t size; bool ctl; } c[] = {
		{ SKV_IOC_FEATURES, SKV_FEATURES_SIZE_VER0, true },
		{ SKV_IOC_TABLE_OPEN, SKV_TABLE_OPEN_SIZE_VER0, true },
		{ SKV_IOC_GET, SKV_GET_SIZE_VER0, false },
		{ SKV_IOC_PUT, SKV_PUT_SIZE_VER0, false },
		{ SKV_IOC_DELETE, SKV_DELETE_SIZE_VER0, false },
		{ SKV_IOC_INCR, SKV_INCR_SIZE_VER0, false },
		{ SKV_IOC_SCAN, SKV_SCAN_SIZE_VER0, false },
		{ SKV_IOC_FLUSH, SKV_FLUSH_SIZE_VER0, false },
		{ SKV_IOC_STATS, SKV_STATS_SIZE_VER0, false },
		{ SKV_IOC_INFO, SKV_INFO_SIZE_VER0, false },
	};
	unsigned int i;

	for (i = 0; i < RT_ARRAY_SIZE(c); i++) {
		uint8_t *b = il_buf(c[i].size);

		memset(b, 0, c[i].size);
		*(uint32_t *)b = c[i].size - 8;
		EXPECT_EQ(-EINVAL, rt_ioctl(c[i].ctl ? self->ctl : self->fd,
					    c[i].cmd, b)) TH_LOG("ioctl %u", i);
		EXPECT_EQ(c[i].size - 8, *(uint32_t *)b);
		EXPECT_TRUE(il_all(b + 4, c[i].size - 4, 0))
			TH_LOG("ioctl %u wrote into a rejected struct", i);
		EXPECT_TRUE(il_all(b + c[i].size, IL_CANARY, IL_PAT));
	}
}

TEST_F(il, get_and_erange)
{
	struct skv_get *g = (void *)il_buf(sizeof(*g)), z;
	uint8_t val[64];

	memset(val, IL_PAT, sizeof(val));
	g->size = sizeof(*g);
	g->flags = 0;
	g->__reserved0 = 0;
	g->key_len = 3;
	g->key_ptr = (uintptr_t)"key";
	g->value_len = 32;
	g->value_ptr = (uintptr_t)val;
	z = *g;
	ASSERT_EQ(0, il_call(self->fd, SKV_IOC_GET, g, &g->version, 20));
	EXPECT_EQ(5u, g->value_len);
	EXPECT_EQ(0, memcmp(val, "value", 5));
	EXPECT_TRUE(il_all(val + 5, sizeof(val) - 5, IL_PAT))
		TH_LOG("value buffer written past the value");
	EXPECT_EQ(0u, g->ttl_ms);
	EXPECT_EQ(0x12345678u, g->user_flags);
	EXPECT_EQ(0u, g->__reserved0);
	EXPECT_TRUE(il_all(g + 1, IL_CANARY, IL_PAT));

	/* -ERANGE: only value_len changes. */
	memset(val, IL_PAT, sizeof(val));
	g = (void *)il_buf(sizeof(*g));
	*g = z;
	g->value_len = 2;
	g->version = g->ttl_ms = g->user_flags = 0;
	if (rt_ioctl(self->fd, SKV_IOC_GET, g) != -ERANGE)
		memset(&g->version, IL_PAT, 20);	/* patterned outputs accepted */
	g->value_len = 2;
	memset(&g->version, IL_PAT, 20);	/* version, ttl_ms, user_flags */
	ASSERT_EQ(-ERANGE, rt_ioctl(self->fd, SKV_IOC_GET, g));
	EXPECT_EQ(5u, g->value_len);
	EXPECT_TRUE(il_all(val, sizeof(val), IL_PAT)) TH_LOG("value written on -ERANGE");
	EXPECT_TRUE(il_all(&g->version, 20, IL_PAT)) TH_LOG("outputs written on -ERANGE");
	EXPECT_TRUE(il_all(g + 1, IL_CANARY, IL_PAT));
}

TEST_F(il, put_delete_incr_flush_stats)
{
	struct skv_put *p = (void *)il_buf(sizeof(*p));
	struct skv_delete *d;
	struct skv_incr *in;
	struct skv_flush *fl;
	struct skv_stats *st;
	uint64_t version;

	memset(p, 0, sizeof(*p));
	p->size = sizeof(*p);
	p->key_len = 1;
	p->key_ptr = (uintptr_t)"p";
	p->value_len = 1;
	p->value_ptr = (uintptr_t)"1";
	memset(&p->version, IL_PAT, sizeof(p->version));
	ASSERT_EQ(0, il_call(self->fd, SKV_IOC_PUT, p, &p->version, 8));
	EXPECT_NE(0u, p->version);
	EXPECT_EQ(0u, p->__reserved0);
	EXPECT_TRUE(il_all(p + 1, IL_CANARY, IL_PAT));
	version = p->version;	/* il_buf() is reused below */

	in = (void *)il_buf(sizeof(*in));
	memset(in, 0, offsetof(struct skv_incr, value));
	in->size = sizeof(*in);
	in->key_len = 1;
	in->key_ptr = (uintptr_t)"n";
	in->delta = 2;
	ASSERT_EQ(0, il_call(self->fd, SKV_IOC_INCR, in, &in->value, 16));
	EXPECT_EQ(7, in->value);
	EXPECT_EQ(0u, in->__reserved0);
	EXPECT_TRUE(il_all(in + 1, IL_CANARY, IL_PAT));

	d = (void *)il_buf(sizeof(*d));
	memset(d, 0, offsetof(struct skv_delete, version));
	d->size = sizeof(*d);
	d->key_len = 1;
	d->key_ptr = (uintptr_t)"p";
	ASSERT_EQ(0, il_call(self->fd, SKV_IOC_DELETE, d, &d->version, 8));
	EXPECT_EQ(version, d->version);
	EXPECT_EQ(0u, d->__reserved0);
	EXPECT_TRUE(il_all(d + 1, IL_CANARY, IL_PAT));

	st = (void *)il_buf(sizeof(*st));
	st->size = sizeof(*st);
	st->flags = 0;
	ASSERT_EQ(0, il_call(self->fd, SKV_IOC_STATS, st, &st->entries,
			     sizeof(*st) - 8));
	EXPECT_EQ(2u, st->entries);
	EXPECT_TRUE(il_all(st + 1, IL_CANARY, IL_PAT));

	fl = (void *)il_buf(sizeof(*fl));
	fl->size = sizeof(*fl);
	fl->flags = 0;
	ASSERT_EQ(0, il_call(self->fd, SKV_IOC_FLUSH, fl, &fl->count, 8));
	EXPECT_EQ(2u, fl->count);
	EXPECT_TRUE(il_all(fl + 1, IL_CANARY, IL_PAT));
}

TEST_F(il, info_name_padding)
{
	struct skv_info *info = (void *)il_buf(sizeof(*info));
	size_t n = strlen("il-table");

	info->size = sizeof(*info);
	info->flags = 0;
	info->__reserved0 = 0;
	ASSERT_EQ(0, il_call(self->fd, SKV_IOC_INFO, info, info->name,
			     offsetof(struct skv_info, __reserved0) - 8));
	EXPECT_EQ(0, memcmp(info->name, "il-table", n + 1));
	EXPECT_TRUE(il_all(info->name + n, SKV_NAME_MAX - n, 0))
		TH_LOG("bytes after the name's NUL are not zero");
	EXPECT_EQ(0u, info->__reserved0);
	EXPECT_EQ(0u, info->fd_flags);
	EXPECT_TRUE(il_all(info + 1, IL_CANARY, IL_PAT));
}

TEST_F(il, table_open_out_fields)
{
	struct skv_table_open *o = (void *)il_buf(sizeof(*o));
	int fd;

	memset(o, 0, offsetof(struct skv_table_open, fd));
	o->table_flags = 0;		/* in-fields after the out-fields */
	o->__reserved1 = 0;
	o->size = sizeof(*o);
	o->flags = SKV_OPEN_RDONLY;
	strcpy(o->name, "il-table");
	ASSERT_EQ(0, il_call(self->ctl, SKV_IOC_TABLE_OPEN, o, &o->fd, 8));
	fd = o->fd;
	EXPECT_LE(0, fd);
	EXPECT_EQ(0u, o->created);
	EXPECT_TRUE(il_all(o + 1, IL_CANARY, IL_PAT));
	if (fd >= 0)
		close(fd);
}

static void il_check_records(struct __test_metadata *_metadata, const uint8_t *buf,
			    const struct skv_scan *s, bool values)
{
	uint32_t off = 0, i;

	for (i = 0; i < s->nr_keys; i++) {
		const struct skv_scan_rec *r = (const void *)(buf + off);
		uint32_t len = r->rec_size + r->key_len + r->value_len;
		uint32_t padded = (len + 7) & ~7u;

		ASSERT_GE(s->buf_len, off + padded);
		EXPECT_EQ(sizeof(*r), r->rec_size);
		if (!values)
			EXPECT_EQ(0u, r->value_len);
		EXPECT_TRUE(il_all(buf + off + len, padded - len, 0))
			TH_LOG("record %u: padding not zero", i);
		off += padded;
	}
	EXPECT_EQ(s->buf_len, off);
}

TEST_F(il, scan_records)
{
	static uint8_t buf[4096];
	int values;

	ASSERT_EQ(0, rt_puts(self->fd, "abc", "de"));	/* odd lengths: padding */
	for (values = 0; values < 2; values++) {
		struct skv_scan *s = (void *)il_buf(sizeof(*s));

		memset(s, 0, sizeof(*s));
		memset(buf, IL_PAT, sizeof(buf));
		s->size = sizeof(*s);
		s->flags = values ? SKV_SCAN_VALUES : 0;
		s->count = 100;
		s->buf_ptr = (uintptr_t)buf;
		s->buf_len = sizeof(buf) - 256;
		ASSERT_EQ(0, rt_ioctl(self->fd, SKV_IOC_SCAN, s));
		EXPECT_EQ(3u, s->nr_keys);
		EXPECT_EQ(0u, s->cursor);
		il_check_records(_metadata, buf, s, values);
		EXPECT_TRUE(il_all(buf + s->buf_len, sizeof(buf) - s->buf_len, IL_PAT))
			TH_LOG("scan buffer written past buf_len");
		EXPECT_TRUE(il_all(s + 1, IL_CANARY, IL_PAT));
	}
}

TEST_F(il, batch_writes_only_its_ops)
{
	struct skv_batch_op *ops = (void *)il_buf(3 * sizeof(*ops));
	struct skv_batch b = {
		.size = sizeof(b), .count = 3, .op_size = sizeof(*ops),
		.ops_ptr = (uintptr_t)ops,
	};
	uint8_t val[32];

	memset(ops, 0, 3 * sizeof(*ops));
	memset(val, IL_PAT, sizeof(val));
	ops[0].op = SKV_OP_GET;
	ops[0].key_len = 3;
	ops[0].key_ptr = (uintptr_t)"key";
	ops[0].value_len = sizeof(val);
	ops[0].value_ptr = (uintptr_t)val;
	ops[1].op = SKV_OP_GET;
	ops[1].key_len = 7;
	ops[1].key_ptr = (uintptr_t)"missing";
	ops[2].op = SKV_OP_INCR;
	ops[2].key_len = 1;
	ops[2].key_ptr = (uintptr_t)"n";
	ops[2].num = 1;
	ASSERT_EQ(0, rt_ioctl(self->fd, SKV_IOC_BATCH, &b));
	EXPECT_EQ(0, ops[0].status);
	EXPECT_EQ(5u, ops[0].value_len);
	EXPECT_TRUE(il_all(val + 5, sizeof(val) - 5, IL_PAT));
	EXPECT_EQ(-ENOENT, ops[1].status);
	EXPECT_EQ(0u, ops[1].user_flags);
	EXPECT_EQ(0, ops[2].status);
	EXPECT_EQ(6, ops[2].num);
	EXPECT_TRUE(il_all(ops + 3, IL_CANARY, IL_PAT)) TH_LOG("written past the ops");
}

/* Permissions: root's tables as alice (in skvgrp) and bob see them. */
struct il_perm {
	int secret_ro, secret_rw, public_ro, public_rw, group_ro, group_rw;
	int delete_public, set_public;
	int put_on_ro;
	int nl_tables_secret, nl_tables_public, nl_tables_group;
	int nl_key_secret, nl_dump_secret, nl_sub_secret, nl_sub_public;
	int nl_events_public, nl_events_secret;
	int nl_family;
	int nl_msgs, nl_dirty;	/* genl messages seen; with nonzero padding */
};

/* The bytes between an attribute's end and the next 4-byte boundary are 0. */
static bool il_nl_padding_clean(const struct nlmsghdr *n)
{
	const uint8_t *p = (const uint8_t *)n + NLMSG_LENGTH(GENL_HDRLEN);
	const uint8_t *end = (const uint8_t *)n + n->nlmsg_len;
	const struct genlmsghdr *g = NLMSG_DATA(n);

	if (g->reserved)
		return false;
	while (p + NLA_HDRLEN <= end) {
		const struct nlattr *a = (const void *)p;
		size_t pad = NLA_ALIGN(a->nla_len) - a->nla_len;

		if (a->nla_len < NLA_HDRLEN || p + a->nla_len + pad > end)
			return false;
		if (!il_all(p + a->nla_len, pad, 0))
			return false;
		p += NLA_ALIGN(a->nla_len);
	}
	return p == end;
}

/* Names a TABLE_GET dump shows; and the result of a do request. */
static void il_nl_dump_tables(int sk, uint16_t family, struct il_perm *r)
{
	static uint8_t buf[32768];
	struct rt_nlmsg m;
	bool done = false;

	rt_nl_init(&m, family, SKV_CMD_TABLE_GET, NLM_F_DUMP);
	m.n.nlmsg_seq = 77;
	if (send(sk, &m, m.n.nlmsg_len, 0) < 0)
		return;
	while (!done) {
		ssize_t len = recv(sk, buf, sizeof(buf), 0);
		struct nlmsghdr *n = (void *)buf;

		if (len <= 0)
			break;
		for (; NLMSG_OK(n, len); n = NLMSG_NEXT(n, len)) {
			const struct nlattr *a;

			if (n->nlmsg_type == NLMSG_DONE || n->nlmsg_type == NLMSG_ERROR) {
				done = true;
				break;
			}
			r->nl_msgs++;
			r->nl_dirty += !il_nl_padding_clean(n);
			a = rt_nl_attr(n, SKV_A_TABLE_NAME);
			if (!a)
				continue;
			if (!strcmp((const char *)a + NLA_HDRLEN, "il-secret"))
				r->nl_tables_secret++;
			if (!strcmp((const char *)a + NLA_HDRLEN, "il-public"))
				r->nl_tables_public++;
			if (!strcmp((const char *)a + NLA_HDRLEN, "il-group"))
				r->nl_tables_group++;
		}
	}
}

static int il_nl_key_dump(int sk, uint16_t family, const char *table)
{
	static uint8_t buf[32768];
	struct rt_nlmsg m;

	rt_nl_init(&m, family, SKV_CMD_KEY_GET, NLM_F_DUMP);
	m.n.nlmsg_seq = 78;
	rt_nl_put_str(&m, SKV_A_ENTRY_TABLE, table);
	if (send(sk, &m, m.n.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		ssize_t len = recv(sk, buf, sizeof(buf), 0);
		struct nlmsghdr *n = (void *)buf;

		if (len <= 0)
			return -EIO;
		for (; NLMSG_OK(n, len); n = NLMSG_NEXT(n, len)) {
			if (n->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(n))->error;
			if (n->nlmsg_type == NLMSG_DONE)
				return 0;
			if (n->nlmsg_type == family)
				return 1;	/* an entry came back */
		}
	}
}

/* 0 if @fd is a table fd (closed now), else the -errno. */
static int il_opened(int fd)
{
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

static void il_as_user(struct il_perm *r)
{
	struct rt_nlmsg m;
	uint16_t family;
	int ctl = rt_ctl_open(), fd, sk, sk_pub;

	r->secret_ro = il_opened(rt_table_open(ctl, "il-secret", SKV_OPEN_RDONLY, NULL));
	r->secret_rw = il_opened(rt_table_open(ctl, "il-secret", 0, NULL));
	r->public_ro = il_opened(rt_table_open(ctl, "il-public", SKV_OPEN_RDONLY, NULL));
	r->public_rw = il_opened(rt_table_open(ctl, "il-public", 0, NULL));
	r->group_ro = il_opened(rt_table_open(ctl, "il-group", SKV_OPEN_RDONLY, NULL));
	r->group_rw = il_opened(rt_table_open(ctl, "il-group", 0, NULL));
	r->delete_public = rt_table_delete(ctl, "il-public");
	fd = rt_table_open(ctl, "il-public", SKV_OPEN_RDONLY, NULL);
	if (fd >= 0) {
		struct skv_set set = { .size = sizeof(set), .mask = SKV_SET_MODE,
				       .mode = 0666 };

		r->put_on_ro = rt_puts(fd, "x", "y");
		r->set_public = rt_ioctl(fd, SKV_IOC_SET, &set);
		close(fd);
	}
	close(ctl);

	sk = rt_genl_open(&family);
	r->nl_family = family;
	if (sk < 0 || !family)
		return;
	il_nl_dump_tables(sk, family, r);
	rt_nl_init(&m, family, SKV_CMD_KEY_GET, 0);
	rt_nl_put_str(&m, SKV_A_ENTRY_TABLE, "il-secret");
	rt_nl_put(&m, SKV_A_ENTRY_KEY, "secret", 6);
	r->nl_key_secret = rt_nl_request(sk, &m);
	r->nl_dump_secret = il_nl_key_dump(sk, family, "il-secret");
	rt_nl_init(&m, family, SKV_CMD_SUBSCRIBE, 0);
	rt_nl_put_str(&m, SKV_A_EVENT_TABLE, "il-secret");
	r->nl_sub_secret = rt_nl_request(sk, &m);
	close(sk);

	/* Events: subscribed to public, root writes both, only public comes. */
	sk_pub = rt_genl_open(&family);
	rt_nl_init(&m, family, SKV_CMD_SUBSCRIBE, 0);
	rt_nl_put_str(&m, SKV_A_EVENT_TABLE, "il-public");
	r->nl_sub_public = rt_nl_request(sk_pub, &m);
	if (!r->nl_sub_public) {
		struct timeval tv = { .tv_usec = 300000 };
		static uint8_t buf[16384];
		ssize_t len;

		setsockopt(sk_pub, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		/* The parent writes after it reads our byte on stdout's pipe. */
		if (write(3, "s", 1) != 1)
			_exit(3);
		while ((len = recv(sk_pub, buf, sizeof(buf), 0)) > 0) {
			struct nlmsghdr *n = (void *)buf;

			for (; NLMSG_OK(n, len); n = NLMSG_NEXT(n, len)) {
				const struct nlattr *a = rt_nl_attr(n, SKV_A_EVENT_TABLE);

				if (n->nlmsg_type != family || !a)
					continue;
				r->nl_msgs++;
				r->nl_dirty += !il_nl_padding_clean(n);
				if (!strcmp((const char *)a + NLA_HDRLEN, "il-public"))
					r->nl_events_public++;
				else
					r->nl_events_secret++;
			}
		}
	} else if (write(3, "s", 1) != 1) {
		_exit(3);
	}
	close(sk_pub);
}

static int il_run_as(uid_t uid, const gid_t *groups, int ngroups,
		     struct il_perm *res, int root_fd_secret, int root_fd_public)
{
	struct il_perm *shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
				      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int pipefd[2], status;
	char c;
	pid_t pid;

	if (shared == MAP_FAILED || pipe(pipefd))
		return -errno;
	memset(shared, 0, sizeof(*shared));
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		close(pipefd[0]);
		if (dup2(pipefd[1], 3) != 3)
			_exit(2);
		if (setgroups(ngroups, groups) || setgid(uid) || setuid(uid))
			_exit(2);
		il_as_user(shared);
		_exit(0);
	}
	close(pipefd[1]);
	if (read(pipefd[0], &c, 1) == 1) {
		rt_puts(root_fd_secret, "secret", "s3cr3t");
		rt_puts(root_fd_public, "public", "hello");
	}
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	*res = *shared;
	munmap(shared, sizeof(*shared));
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -ECHILD;
}

TEST_F_TIMEOUT(il, unprivileged_sees_what_modes_allow, 60)
{
	struct skv_table_attr secret = { .mode = 0600 }, public = { .mode = 0644 },
			      group = { .mode = 0640 };
	struct skv_set set = { .size = sizeof(set), .mask = SKV_SET_GID, .gid = 2000 };
	const gid_t alice_groups[] = { 1000, 2000 };
	struct il_perm alice, bob;
	int s, p, g;

	if (geteuid())
		SKIP(return, "needs root");
	rt_table_delete(self->ctl, "il-secret");
	rt_table_delete(self->ctl, "il-public");
	rt_table_delete(self->ctl, "il-group");
	s = rt_table_open(self->ctl, "il-secret", SKV_OPEN_CREATE, &secret);
	p = rt_table_open(self->ctl, "il-public", SKV_OPEN_CREATE, &public);
	g = rt_table_open(self->ctl, "il-group", SKV_OPEN_CREATE, &group);
	ASSERT_LE(0, s);
	ASSERT_LE(0, p);
	ASSERT_LE(0, g);
	ASSERT_EQ(0, rt_ioctl(g, SKV_IOC_SET, &set));
	ASSERT_EQ(0, rt_puts(s, "secret", "s3cr3t"));

	ASSERT_EQ(0, il_run_as(1000, alice_groups, 2, &alice, s, p));
	ASSERT_EQ(0, il_run_as(1001, NULL, 0, &bob, s, p));
	close(s);
	close(p);
	close(g);
	rt_table_delete(self->ctl, "il-secret");
	rt_table_delete(self->ctl, "il-public");
	rt_table_delete(self->ctl, "il-group");

	/* ioctls */
	EXPECT_EQ(-EACCES, alice.secret_ro);
	EXPECT_EQ(-EACCES, alice.secret_rw);
	EXPECT_EQ(0, alice.public_ro);
	EXPECT_EQ(-EACCES, alice.public_rw);
	EXPECT_EQ(0, alice.group_ro);
	EXPECT_EQ(-EACCES, alice.group_rw);
	EXPECT_EQ(-EACCES, bob.group_ro);
	EXPECT_EQ(-EPERM, alice.delete_public);
	EXPECT_EQ(-EBADF, alice.put_on_ro);
	EXPECT_TRUE(alice.set_public == -EPERM || alice.set_public == -EBADF)
		TH_LOG("SET by a non-owner: %d", alice.set_public);
	if (!alice.nl_family)
		SKIP(return, "no skv genl family: netlink part not run");

	/* netlink: dumps list only readable tables; do and dump refused. */
	EXPECT_EQ(0, alice.nl_tables_secret) TH_LOG("alice's dump lists il-secret");
	EXPECT_EQ(1, alice.nl_tables_public);
	EXPECT_EQ(1, alice.nl_tables_group);
	EXPECT_EQ(0, bob.nl_tables_group) TH_LOG("bob's dump lists il-group");
	EXPECT_EQ(0, bob.nl_tables_secret);
	EXPECT_EQ(-EACCES, alice.nl_key_secret);
	EXPECT_GT(0, alice.nl_dump_secret) TH_LOG("key dump of il-secret: %d",
						  alice.nl_dump_secret);
	EXPECT_EQ(-EACCES, alice.nl_sub_secret);
	/* Events: only the subscribed, readable table's. */
	EXPECT_EQ(0, alice.nl_sub_public);
	EXPECT_EQ(1, alice.nl_events_public);
	EXPECT_EQ(0, alice.nl_events_secret);
	/* What came back carried no stray bytes. */
	EXPECT_LT(0, alice.nl_msgs);
	EXPECT_EQ(0, alice.nl_dirty + bob.nl_dirty)
		TH_LOG("genl messages with nonzero padding or reserved bytes");
}

/*
 * alice as root of her own user namespace: her capabilities there give
 * her nothing over root's tables (checked against the table's namespace),
 * and she can chown her own table only to ids mapped in hers.
 */
struct il_userns {
	int unshared;
	int secret_ro, delete_secret, create_own, set_uid_unmapped, info_uid;
};

static void il_in_userns(struct il_userns *r)
{
	struct skv_set set = { .size = sizeof(set), .mask = SKV_SET_UID, .uid = 5 };
	struct skv_info info = { .size = sizeof(info) };
	int ctl, fd;

	if (unshare(CLONE_NEWUSER) ||
	    rt_write_str("/proc/self/setgroups", "deny") ||
	    rt_write_str("/proc/self/uid_map", "0 1000 1") ||
	    rt_write_str("/proc/self/gid_map", "0 1000 1")) {
		r->unshared = -errno;
		return;
	}
	r->unshared = 1;
	ctl = rt_ctl_open();
	r->secret_ro = il_opened(rt_table_open(ctl, "il-secret", SKV_OPEN_RDONLY, NULL));
	r->delete_secret = rt_table_delete(ctl, "il-secret");
	fd = rt_table_create(ctl, "il-userns");
	r->create_own = fd < 0 ? fd : 0;
	if (fd >= 0) {
		r->set_uid_unmapped = rt_ioctl(fd, SKV_IOC_SET, &set);
		r->info_uid = rt_ioctl(fd, SKV_IOC_INFO, &info) ? -1 : (int)info.uid;
		close(fd);
	}
	close(ctl);
}

TEST_F(il, user_namespace_root_gets_nothing)
{
	struct skv_table_attr secret = { .mode = 0600 };
	struct skv_info info = { .size = sizeof(info) };
	struct il_userns *r = mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int s, fd, status;
	pid_t pid;

	if (geteuid())
		SKIP(return, "needs root");
	ASSERT_NE(MAP_FAILED, r);
	memset(r, 0, sizeof(*r));
	rt_table_delete(self->ctl, "il-secret");
	rt_table_delete(self->ctl, "il-userns");
	s = rt_table_open(self->ctl, "il-secret", SKV_OPEN_CREATE, &secret);
	ASSERT_LE(0, s);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (setgroups(0, NULL) || setgid(1000) || setuid(1000))
			_exit(2);
		/* A uid change makes us non-dumpable: /proc/self root's. */
		prctl(PR_SET_DUMPABLE, 1);
		il_in_userns(r);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	fd = rt_table_open(self->ctl, "il-userns", SKV_OPEN_RDONLY, NULL);
	if (fd >= 0) {
		ASSERT_EQ(0, rt_ioctl(fd, SKV_IOC_INFO, &info));
		close(fd);
	}
	close(s);
	rt_table_delete(self->ctl, "il-secret");
	rt_table_delete(self->ctl, "il-userns");
	if (r->unshared < 0)
		SKIP(return, "no unprivileged user namespaces: %s", strerror(-r->unshared));
	EXPECT_EQ(-EACCES, r->secret_ro);
	EXPECT_EQ(-EPERM, r->delete_secret);
	EXPECT_EQ(0, r->create_own);
	EXPECT_EQ(0, r->info_uid) TH_LOG("her own uid, as seen in her namespace");
	EXPECT_EQ(-EINVAL, r->set_uid_unmapped);
	EXPECT_EQ(1000u, info.uid) TH_LOG("root sees alice's table owned by %u", info.uid);
	munmap(r, sizeof(*r));
}

TEST_HARNESS_MAIN
