// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * Change events and the table list, over the "skv" generic netlink family
 * (Documentation/netlink/specs/skv.yaml), with libnl-genl-3.
 *
 * A struct skv_events owns one non-blocking netlink socket: subscriptions
 * belong to it and end with it. Requests (subscribe, unsubscribe) wait for
 * their ack; events that arrive meanwhile are queued, so skv_events_next()
 * returns every event in the order the kernel sent it. Per table, the
 * handle remembers the last sequence number seen and reports the events
 * missing before each one (a receive buffer overrun) in skv_event.missed.
 *
 * libnl sets errno; every entry point saves and restores it.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "internal.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

/* How long a request waits for its ack. */
#define SKV_NL_TIMEOUT_MS	5000
/*
 * The receive buffer a subscription with values asks for (libnl's is
 * 32 KiB, less than one large event); the kernel caps it at
 * net.core.rmem_max.
 */
#define SKV_EV_VALUES_RCVBUF	(1 << 20)

struct skv_ev_node {
	struct skv_ev_node *next;
	struct skv_event ev;	/* ev.key points to data[] */
	const void *value;	/* in data[], after the key; NULL = none */
	size_t value_len;
	uint64_t ttl_ms;
	unsigned char data[];
};

struct skv_ev_sub {
	struct skv_ev_sub *next;
	char table[SKV_NAME_MAX];
	uint64_t last_seq;
};

struct skv_events {
	struct nl_sock *sk;
	int family;
	struct skv_ev_node *head, *tail;	/* queued events */
	struct skv_ev_node *cur;		/* returned by the last next() */
	struct skv_ev_sub *subs;
	bool overrun;		/* the socket overflowed since this was cleared */
};

static const struct nla_policy skv_ev_policy[SKV_A_EVENT_MAX + 1] = {
	[SKV_A_EVENT_TYPE] = { .type = NLA_U32 },
	[SKV_A_EVENT_TABLE] = { .type = NLA_STRING, .maxlen = SKV_NAME_MAX },
	[SKV_A_EVENT_KEY] = { .type = NLA_UNSPEC },
	[SKV_A_EVENT_VERSION] = { .type = NLA_U64 },
	[SKV_A_EVENT_SEQ] = { .type = NLA_U64 },
	[SKV_A_EVENT_LOST] = { .type = NLA_U64 },
	[SKV_A_EVENT_VALUE] = { .type = NLA_UNSPEC },
	[SKV_A_EVENT_TTL_MS] = { .type = NLA_U64 },
};

/* A libnl error as a negative errno. */
static int skv_nl_err(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case 0:
		return 0;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	case NLE_PERM:
		return -EPERM;
	case NLE_NOACCESS:
		return -EACCES;
	case NLE_INVAL:
	case NLE_MSG_TOOSHORT:
	case NLE_MSG_TRUNC:
		return -EINVAL;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	default:
		return -EIO;
	}
}

/* A connected generic netlink socket and the skv family id. */
static int skv_nl_connect(struct nl_sock **skp, int *family)
{
	struct nl_sock *sk;
	int one = 1, ret;

	sk = nl_socket_alloc();
	if (!sk)
		return -ENOMEM;
	nl_socket_disable_seq_check(sk);
	ret = genl_connect(sk);
	if (ret) {
		ret = -errno ?: skv_nl_err(ret);
		goto err;
	}
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one,
		   sizeof(one));
	ret = genl_ctrl_resolve(sk, SKV_GENL_NAME);
	if (ret < 0) {
		/* No family: skv.ko is not loaded (or too old). */
		ret = ret == -NLE_OBJ_NOTFOUND ? -ENOENT : skv_nl_err(ret);
		goto err;
	}
	*family = ret;
	*skp = sk;
	return 0;
err:
	nl_socket_free(sk);
	return ret;
}

static void skv_ev_free_node(struct skv_ev_node *n)
{
	free(n);
}

static struct skv_ev_sub *skv_ev_find_sub(struct skv_events *ev,
					  const char *table)
{
	struct skv_ev_sub *s;

	for (s = ev->subs; s; s = s->next)
		if (!strcmp(s->table, table))
			return s;
	return NULL;
}

/* Queue one SKV_CMD_EVENT message. */
static int skv_ev_queue(struct skv_events *ev, struct nlmsghdr *nlh)
{
	struct nlattr *tb[SKV_A_EVENT_MAX + 1];
	size_t key_len = 0, value_len = 0;
	struct skv_ev_node *n;
	int ret;

	ret = genlmsg_parse(nlh, 0, tb, SKV_A_EVENT_MAX,
			    (struct nla_policy *)skv_ev_policy);
	if (ret < 0 || !tb[SKV_A_EVENT_TYPE] || !tb[SKV_A_EVENT_TABLE] ||
	    !tb[SKV_A_EVENT_SEQ])
		return -EBADMSG;
	if (tb[SKV_A_EVENT_KEY])
		key_len = nla_len(tb[SKV_A_EVENT_KEY]);
	if (tb[SKV_A_EVENT_VALUE])
		value_len = nla_len(tb[SKV_A_EVENT_VALUE]);
	n = calloc(1, sizeof(*n) + key_len + 1 + value_len);
	if (!n)
		return -ENOMEM;
	n->ev.type = nla_get_u32(tb[SKV_A_EVENT_TYPE]);
	nla_strlcpy(n->ev.table, tb[SKV_A_EVENT_TABLE], sizeof(n->ev.table));
	if (key_len)
		memcpy(n->data, nla_data(tb[SKV_A_EVENT_KEY]), key_len);
	n->ev.key = n->data;
	n->ev.key_len = key_len;
	if (tb[SKV_A_EVENT_VALUE]) {
		n->value = n->data + key_len + 1;
		n->value_len = value_len;
		memcpy(n->data + key_len + 1, nla_data(tb[SKV_A_EVENT_VALUE]),
		       value_len);
		if (tb[SKV_A_EVENT_TTL_MS])
			n->ttl_ms = nla_get_u64(tb[SKV_A_EVENT_TTL_MS]);
	}
	if (tb[SKV_A_EVENT_VERSION])
		n->ev.version = nla_get_u64(tb[SKV_A_EVENT_VERSION]);
	n->ev.seq = nla_get_u64(tb[SKV_A_EVENT_SEQ]);
	if (tb[SKV_A_EVENT_LOST])
		n->ev.lost = nla_get_u64(tb[SKV_A_EVENT_LOST]);
	if (ev->tail)
		ev->tail->next = n;
	else
		ev->head = n;
	ev->tail = n;
	return 0;
}

/*
 * Read one datagram, without waiting. Events are queued; the ack or error
 * of request @seq (0: none pending) is stored in *@ack as 0 or -errno, and
 * its extack message is ignored. Returns 1 if a datagram was read, 0 if
 * none was waiting, or -errno. A receive buffer overrun (ENOBUFS) counts
 * as a read: the lost events show as a sequence gap.
 */
static int skv_ev_read(struct skv_events *ev, unsigned int seq, int *ack)
{
	struct sockaddr_nl peer;
	unsigned char *buf = NULL;
	struct nlmsghdr *nlh;
	int len, ret = 1;

	len = nl_recv(ev->sk, &peer, &buf, NULL);
	if (len == -NLE_AGAIN || len == 0) {
		free(buf);
		return 0;
	}
	if (len < 0) {
		free(buf);
		/* libnl maps ENOBUFS to NLE_NOMEM: an overrun. */
		if (len != -NLE_NOMEM)
			return skv_nl_err(len);
		ev->overrun = true;
		return 1;
	}
	for (nlh = (struct nlmsghdr *)buf; nlmsg_ok(nlh, len);
	     nlh = nlmsg_next(nlh, &len)) {
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			struct nlmsgerr *e = nlmsg_data(nlh);

			if (seq && nlh->nlmsg_seq == seq)
				*ack = e->error;
			continue;
		}
		if (nlh->nlmsg_type != ev->family)
			continue;
		if (((struct genlmsghdr *)nlmsg_data(nlh))->cmd !=
		    SKV_CMD_EVENT)
			continue;
		ret = skv_ev_queue(ev, nlh);
		if (ret < 0 && ret != -EBADMSG)
			break;
		ret = 1;
	}
	free(buf);
	return ret;
}

static int64_t skv_ev_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Send a subscribe (with @value_max if not 0) or unsubscribe for @table
 * and wait for its ack, at most SKV_NL_TIMEOUT_MS however many events
 * arrive meanwhile. -ENOBUFS: no ack came, and events overran the socket,
 * which can take the ack with them (the kernel drops what does not fit).
 */
static int skv_ev_request(struct skv_events *ev, uint8_t cmd,
			  const char *table, uint32_t value_max)
{
	struct pollfd p = { .fd = nl_socket_get_fd(ev->sk), .events = POLLIN };
	int64_t deadline, left;
	struct nl_msg *msg;
	int ack = 1, ret;
	unsigned int seq;

	msg = nlmsg_alloc();
	if (!msg)
		return -ENOMEM;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, ev->family, 0,
			 NLM_F_ACK, cmd, SKV_GENL_VERSION) ||
	    nla_put_string(msg, SKV_A_EVENT_TABLE, table) ||
	    (value_max && nla_put_u32(msg, SKV_A_EVENT_VALUE_MAX, value_max))) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	ret = nl_send_auto(ev->sk, msg);
	seq = nlmsg_hdr(msg)->nlmsg_seq;
	nlmsg_free(msg);
	if (ret < 0)
		return skv_nl_err(ret);

	ev->overrun = false;
	deadline = skv_ev_now_ms() + SKV_NL_TIMEOUT_MS;
	while (ack > 0) {
		left = deadline - skv_ev_now_ms();
		if (left <= 0)
			return ev->overrun ? -ENOBUFS : -ETIMEDOUT;
		ret = poll(&p, 1, (int)left);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0)
			return -errno;
		if (!ret)
			continue;
		ret = skv_ev_read(ev, seq, &ack);
		if (ret < 0)
			return ret;
	}
	return ack;
}

int skv_events_open(struct skv_events **evp)
{
	int saved_errno = errno;
	struct skv_events *ev;
	int ret;

	if (!evp)
		return -EINVAL;
	ev = calloc(1, sizeof(*ev));
	if (!ev) {
		errno = saved_errno;
		return -ENOMEM;
	}
	ret = skv_nl_connect(&ev->sk, &ev->family);
	if (!ret) {
		/* Events with values can be bigger than a page. */
		nl_socket_enable_msg_peek(ev->sk);
		ret = nl_socket_set_nonblocking(ev->sk);
		ret = ret ? skv_nl_err(ret) : 0;
		if (ret)
			nl_socket_free(ev->sk);
	}
	if (ret) {
		free(ev);
		errno = saved_errno;
		return ret;
	}
	*evp = ev;
	errno = saved_errno;
	return 0;
}

int skv_events_fd(const struct skv_events *ev)
{
	if (!ev)
		return -EINVAL;
	return nl_socket_get_fd(ev->sk);
}

static int skv_check_table_name(const char *table)
{
	if (!table || !*table || strlen(table) >= SKV_NAME_MAX)
		return -EINVAL;
	return 0;
}

/* Raise the receive buffer toward SKV_EV_VALUES_RCVBUF, never lower it. */
static void skv_ev_grow_rcvbuf(struct skv_events *ev)
{
	int fd = nl_socket_get_fd(ev->sk), size = 0, want = SKV_EV_VALUES_RCVBUF;
	socklen_t len = sizeof(size);

	/* the kernel reports twice what was set */
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, &len) || size < 2 * want)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &want, sizeof(want));
}

int skv_events_subscribe_values(struct skv_events *ev, const char *table,
				size_t value_max)
{
	int saved_errno = errno;
	struct skv_ev_sub *s;
	int ret;

	if (!ev)
		return -EINVAL;
	ret = skv_check_table_name(table);
	if (ret)
		return ret;
	if (value_max > SKV_NL_VALUE_MAX)
		return -ERANGE;
	s = calloc(1, sizeof(*s));
	if (!s) {
		errno = saved_errno;
		return -ENOMEM;
	}
	if (value_max)
		skv_ev_grow_rcvbuf(ev);
	ret = skv_ev_request(ev, SKV_CMD_SUBSCRIBE, table, value_max);
	/*
	 * The ack was lost in an overrun: ask again. EEXIST then means the
	 * first request took effect (unless this handle was subscribed).
	 */
	if (ret == -ENOBUFS) {
		ret = skv_ev_request(ev, SKV_CMD_SUBSCRIBE, table, value_max);
		if (ret == -EEXIST && !skv_ev_find_sub(ev, table))
			ret = 0;
	}
	if (ret) {
		free(s);
	} else {
		strcpy(s->table, table);
		s->next = ev->subs;
		ev->subs = s;
	}
	errno = saved_errno;
	return ret;
}

int skv_events_subscribe(struct skv_events *ev, const char *table)
{
	return skv_events_subscribe_values(ev, table, 0);
}

static void skv_ev_forget(struct skv_events *ev, const char *table)
{
	struct skv_ev_sub **pp, *s;

	for (pp = &ev->subs; (s = *pp); pp = &s->next) {
		if (!strcmp(s->table, table)) {
			*pp = s->next;
			free(s);
			return;
		}
	}
}

int skv_events_unsubscribe(struct skv_events *ev, const char *table)
{
	int saved_errno = errno;
	int ret;

	if (!ev)
		return -EINVAL;
	ret = skv_check_table_name(table);
	if (ret)
		return ret;
	ret = skv_ev_request(ev, SKV_CMD_UNSUBSCRIBE, table, 0);
	/* the ack was lost in an overrun: ENOENT now means it took effect */
	if (ret == -ENOBUFS) {
		ret = skv_ev_request(ev, SKV_CMD_UNSUBSCRIBE, table, 0);
		if (ret == -ENOENT && skv_ev_find_sub(ev, table))
			ret = 0;
	}
	if (!ret)
		skv_ev_forget(ev, table);
	errno = saved_errno;
	return ret;
}

/* Hand out the head of the queue, with its gap filled in. */
static void skv_ev_pop(struct skv_events *ev, struct skv_event *out)
{
	struct skv_ev_node *n = ev->head;
	struct skv_ev_sub *s;

	ev->head = n->next;
	if (!ev->head)
		ev->tail = NULL;
	n->next = NULL;
	s = skv_ev_find_sub(ev, n->ev.table);
	n->ev.missed = 0;
	if (s) {
		if (n->ev.seq > s->last_seq + 1)
			n->ev.missed = n->ev.seq - s->last_seq - 1;
		s->last_seq = n->ev.seq;
		/* the table's deletion ends the subscription */
		if (n->ev.type == SKV_EVENT_TYPE_TABLE_DELETED)
			skv_ev_forget(ev, n->ev.table);
	}
	if (ev->cur)
		skv_ev_free_node(ev->cur);
	ev->cur = n;
	*out = n->ev;
}

int skv_events_next(struct skv_events *ev, struct skv_event *out)
{
	int saved_errno = errno;
	int ret = 0, ack = 0;

	if (!ev || !out)
		return -EINVAL;
	while (!ev->head) {
		ret = skv_ev_read(ev, 0, &ack);
		if (ret <= 0)
			break;
	}
	if (ev->head) {
		skv_ev_pop(ev, out);
		ret = 0;
	} else if (!ret) {
		ret = -EAGAIN;
	}
	errno = saved_errno;
	return ret;
}

int skv_events_value(const struct skv_events *ev, const void **value,
		     size_t *value_len, uint64_t *ttl_ms)
{
	const struct skv_ev_node *n;

	if (!ev || !value || !value_len)
		return -EINVAL;
	n = ev->cur;
	if (!n || !n->value)
		return -ENODATA;
	*value = n->value;
	*value_len = n->value_len;
	if (ttl_ms)
		*ttl_ms = n->ttl_ms;
	return 0;
}

void skv_events_close(struct skv_events *ev)
{
	int saved_errno = errno;
	struct skv_ev_node *n;
	struct skv_ev_sub *s;

	if (!ev)
		return;
	nl_socket_free(ev->sk);
	while ((n = ev->head)) {
		ev->head = n->next;
		skv_ev_free_node(n);
	}
	if (ev->cur)
		skv_ev_free_node(ev->cur);
	while ((s = ev->subs)) {
		ev->subs = s->next;
		free(s);
	}
	free(ev);
	errno = saved_errno;
}

/* The table list: a dump of SKV_CMD_TABLE_GET. */

struct skv_list_ctx {
	struct skv_table_list_item *items;
	size_t count, cap;
	int err;
};

static const struct nla_policy skv_table_policy[SKV_A_TABLE_MAX + 1] = {
	[SKV_A_TABLE_NAME] = { .type = NLA_STRING, .maxlen = SKV_NAME_MAX },
	[SKV_A_TABLE_MAX_ENTRIES] = { .type = NLA_U64 },
	[SKV_A_TABLE_MAX_BYTES] = { .type = NLA_U64 },
	[SKV_A_TABLE_MAX_KEY_LEN] = { .type = NLA_U32 },
	[SKV_A_TABLE_MAX_VALUE_LEN] = { .type = NLA_U32 },
	[SKV_A_TABLE_DEFAULT_TTL_MS] = { .type = NLA_U64 },
	[SKV_A_TABLE_POLICY] = { .type = NLA_U32 },
	[SKV_A_TABLE_MODE] = { .type = NLA_U32 },
	[SKV_A_TABLE_UID] = { .type = NLA_U32 },
	[SKV_A_TABLE_GID] = { .type = NLA_U32 },
	[SKV_A_TABLE_ENTRIES] = { .type = NLA_U64 },
	[SKV_A_TABLE_BYTES] = { .type = NLA_U64 },
	[SKV_A_TABLE_HITS] = { .type = NLA_U64 },
	[SKV_A_TABLE_MISSES] = { .type = NLA_U64 },
	[SKV_A_TABLE_WRITES] = { .type = NLA_U64 },
	[SKV_A_TABLE_DELETES] = { .type = NLA_U64 },
	[SKV_A_TABLE_EVICTIONS] = { .type = NLA_U64 },
	[SKV_A_TABLE_EXPIRATIONS] = { .type = NLA_U64 },
};

static uint64_t skv_tb_u64(struct nlattr **tb, int attr)
{
	return tb[attr] ? nla_get_u64(tb[attr]) : 0;
}

static uint32_t skv_tb_u32(struct nlattr **tb, int attr)
{
	return tb[attr] ? nla_get_u32(tb[attr]) : 0;
}

static int skv_list_valid(struct nl_msg *msg, void *arg)
{
	struct skv_list_ctx *ctx = arg;
	struct nlattr *tb[SKV_A_TABLE_MAX + 1];
	struct skv_table_list_item *it;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, SKV_A_TABLE_MAX,
			  (struct nla_policy *)skv_table_policy) < 0 ||
	    !tb[SKV_A_TABLE_NAME])
		return NL_SKIP;
	if (ctx->count == ctx->cap) {
		size_t cap = ctx->cap ? 2 * ctx->cap : 16;

		it = realloc(ctx->items, cap * sizeof(*it));
		if (!it) {
			ctx->err = -ENOMEM;
			return NL_STOP;
		}
		ctx->items = it;
		ctx->cap = cap;
	}
	it = &ctx->items[ctx->count++];
	memset(it, 0, sizeof(*it));
	it->info.size = sizeof(it->info);
	nla_strlcpy(it->info.name, tb[SKV_A_TABLE_NAME], sizeof(it->info.name));
	it->info.attr.max_entries = skv_tb_u64(tb, SKV_A_TABLE_MAX_ENTRIES);
	it->info.attr.max_bytes = skv_tb_u64(tb, SKV_A_TABLE_MAX_BYTES);
	it->info.attr.max_key_len = skv_tb_u32(tb, SKV_A_TABLE_MAX_KEY_LEN);
	it->info.attr.max_value_len = skv_tb_u32(tb, SKV_A_TABLE_MAX_VALUE_LEN);
	it->info.attr.default_ttl_ms = skv_tb_u64(tb, SKV_A_TABLE_DEFAULT_TTL_MS);
	it->info.attr.policy = skv_tb_u32(tb, SKV_A_TABLE_POLICY);
	it->info.attr.mode = skv_tb_u32(tb, SKV_A_TABLE_MODE);
	it->info.uid = skv_tb_u32(tb, SKV_A_TABLE_UID);
	it->info.gid = skv_tb_u32(tb, SKV_A_TABLE_GID);
	it->stats.size = sizeof(it->stats);
	it->stats.entries = skv_tb_u64(tb, SKV_A_TABLE_ENTRIES);
	it->stats.bytes = skv_tb_u64(tb, SKV_A_TABLE_BYTES);
	it->stats.hits = skv_tb_u64(tb, SKV_A_TABLE_HITS);
	it->stats.misses = skv_tb_u64(tb, SKV_A_TABLE_MISSES);
	it->stats.writes = skv_tb_u64(tb, SKV_A_TABLE_WRITES);
	it->stats.deletes = skv_tb_u64(tb, SKV_A_TABLE_DELETES);
	it->stats.evictions = skv_tb_u64(tb, SKV_A_TABLE_EVICTIONS);
	it->stats.expirations = skv_tb_u64(tb, SKV_A_TABLE_EXPIRATIONS);
	return NL_OK;
}

static int skv_list_error(struct sockaddr_nl *nla __attribute__((unused)),
			  struct nlmsgerr *e,
			  void *arg)
{
	struct skv_list_ctx *ctx = arg;

	ctx->err = e->error ?: -EIO;
	return NL_STOP;
}

int skv_table_list(struct skv_table_list_item **itemsp, size_t *countp)
{
	struct skv_list_ctx ctx = { .items = NULL };
	int saved_errno = errno;
	struct nl_sock *sk;
	struct nl_cb *cb;
	int family, ret;

	if (!itemsp || !countp)
		return -EINVAL;
	ret = skv_nl_connect(&sk, &family);
	if (ret)
		goto out;
	ret = genl_send_simple(sk, family, SKV_CMD_TABLE_GET,
			       SKV_GENL_VERSION, NLM_F_DUMP);
	if (ret < 0) {
		ret = skv_nl_err(ret);
		goto out_sk;
	}
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		ret = -ENOMEM;
		goto out_sk;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, skv_list_valid, &ctx);
	nl_cb_err(cb, NL_CB_CUSTOM, skv_list_error, &ctx);
	ret = nl_recvmsgs(sk, cb);
	nl_cb_put(cb);
	if (ctx.err)
		ret = ctx.err;
	else if (ret < 0)
		ret = skv_nl_err(ret);
	else
		ret = 0;
	if (ret) {
		free(ctx.items);
	} else {
		*itemsp = ctx.items;
		*countp = ctx.count;
	}
out_sk:
	nl_socket_free(sk);
out:
	errno = saved_errno;
	return ret;
}

void skv_table_list_free(struct skv_table_list_item *items)
{
	skv_free(items);
}
