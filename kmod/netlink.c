// SPDX-License-Identifier: GPL-2.0
/*
 * skv: the "skv" generic netlink family (Documentation/netlink/specs/
 * skv.yaml): tables, keys and change events.
 *
 * Requests run in the sending process's context and are checked with its
 * credentials, as the ioctls are at open time. Events are unicast to each
 * socket that subscribed to a table, never multicast: read permission is
 * checked once, at subscribe time, like an fd's. A subscription ends with
 * its socket (NETLINK_URELEASE), with unsubscribe or with its table.
 * Events are queued on the subscribed socket without blocking: when its
 * receive buffer is full the event is dropped and counted, so a slow reader
 * never stalls writers nor pins more kernel memory than its socket's rcvbuf.
 * The store raises events through events.c, where this face registers.
 */
#include <linux/cred.h>
#include <linux/hashtable.h>
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netlink.h>
#include <net/netns/hash.h>
#include <net/sock.h>

#include "netlink.h"
#include "table.h"
#include "store.h"
#include "events.h"

/*
 * Policies, one per request, in the form ynl-gen-c.py generates from the
 * spec; make netlink-check compares them with its output. They are kept
 * by hand because its ops table uses struct genl_split_ops (6.2+).
 */
/* SKV_CMD_TABLE_NEW - do */
static const struct nla_policy skv_table_new_nl_policy[SKV_A_TABLE_MODE + 1] = {
	[SKV_A_TABLE_NAME] = { .type = NLA_NUL_STRING, .len = SKV_NAME_LEN, },
	[SKV_A_TABLE_MAX_ENTRIES] = { .type = NLA_U64, },
	[SKV_A_TABLE_MAX_BYTES] = { .type = NLA_U64, },
	[SKV_A_TABLE_MAX_KEY_LEN] = { .type = NLA_U32, },
	[SKV_A_TABLE_MAX_VALUE_LEN] = { .type = NLA_U32, },
	[SKV_A_TABLE_DEFAULT_TTL_MS] = { .type = NLA_U64, },
	[SKV_A_TABLE_POLICY] = NLA_POLICY_MAX(NLA_U32, 1),
	[SKV_A_TABLE_MODE] = NLA_POLICY_MAX(NLA_U32, 511),
};

/* SKV_CMD_TABLE_DEL - do */
static const struct nla_policy skv_table_del_nl_policy[SKV_A_TABLE_NAME + 1] = {
	[SKV_A_TABLE_NAME] = { .type = NLA_NUL_STRING, .len = SKV_NAME_LEN, },
};

/* SKV_CMD_TABLE_GET - do */
static const struct nla_policy skv_table_get_nl_policy[SKV_A_TABLE_NAME + 1] = {
	[SKV_A_TABLE_NAME] = { .type = NLA_NUL_STRING, .len = SKV_NAME_LEN, },
};

/* SKV_CMD_TABLE_SET - do */
static const struct nla_policy skv_table_set_nl_policy[SKV_A_TABLE_GID + 1] = {
	[SKV_A_TABLE_NAME] = { .type = NLA_NUL_STRING, .len = SKV_NAME_LEN, },
	[SKV_A_TABLE_DEFAULT_TTL_MS] = { .type = NLA_U64, },
	[SKV_A_TABLE_POLICY] = NLA_POLICY_MAX(NLA_U32, 1),
	[SKV_A_TABLE_MODE] = NLA_POLICY_MAX(NLA_U32, 511),
	[SKV_A_TABLE_UID] = { .type = NLA_U32, },
	[SKV_A_TABLE_GID] = { .type = NLA_U32, },
};

/* SKV_CMD_KEY_GET - do, and dump (which must not carry a key) */
static const struct nla_policy skv_key_get_do_nl_policy[SKV_A_ENTRY_KEY + 1] = {
	[SKV_A_ENTRY_TABLE] = { .type = NLA_NUL_STRING, .len = SKV_NAME_LEN, },
	[SKV_A_ENTRY_KEY] = { .type = NLA_BINARY, },
};

/* SKV_CMD_KEY_PUT - do */
static const struct nla_policy skv_key_put_nl_policy[SKV_A_ENTRY_CAS_VERSION + 1] = {
	[SKV_A_ENTRY_TABLE] = { .type = NLA_NUL_STRING, .len = SKV_NAME_LEN, },
	[SKV_A_ENTRY_KEY] = { .type = NLA_BINARY, },
	[SKV_A_ENTRY_VALUE] = { .type = NLA_BINARY, },
	[SKV_A_ENTRY_PUT_FLAGS] = NLA_POLICY_MASK(NLA_U32, 0xf),
	[SKV_A_ENTRY_CAS_VERSION] = { .type = NLA_U64, },
	[SKV_A_ENTRY_TTL_MS] = { .type = NLA_U64, },
	[SKV_A_ENTRY_USER_FLAGS] = { .type = NLA_U32, },
};

/* SKV_CMD_KEY_DEL - do */
static const struct nla_policy skv_key_del_nl_policy[SKV_A_ENTRY_CAS_VERSION + 1] = {
	[SKV_A_ENTRY_TABLE] = { .type = NLA_NUL_STRING, .len = SKV_NAME_LEN, },
	[SKV_A_ENTRY_KEY] = { .type = NLA_BINARY, },
	[SKV_A_ENTRY_DEL_FLAGS] = NLA_POLICY_MASK(NLA_U32, 0x1),
	[SKV_A_ENTRY_CAS_VERSION] = { .type = NLA_U64, },
};

/* Integer value ranges; not const, as 6.1's nla_policy.range is not. */
static struct netlink_range_validation skv_a_event_value_max_range = {
	.max	= SKV_NL_VALUE_MAX,
};

/* SKV_CMD_SUBSCRIBE - do */
static const struct nla_policy skv_subscribe_nl_policy[SKV_A_EVENT_VALUE_MAX + 1] = {
	[SKV_A_EVENT_TABLE] = { .type = NLA_NUL_STRING, .len = SKV_NAME_LEN, },
	[SKV_A_EVENT_VALUE_MAX] = NLA_POLICY_FULL_RANGE(NLA_U32, &skv_a_event_value_max_range),
};

/* SKV_CMD_UNSUBSCRIBE - do */
static const struct nla_policy skv_unsubscribe_nl_policy[SKV_A_EVENT_TABLE + 1] = {
	[SKV_A_EVENT_TABLE] = { .type = NLA_NUL_STRING, .len = SKV_NAME_LEN, },
};

static struct genl_family skv_nl_family;

/* One socket's subscription to one table. */
struct skv_sub {
	struct hlist_node table_node;	/* in skv_subs_by_table, RCU */
	struct hlist_node port_node;	/* in skv_subs_by_port */
	struct list_head reap;		/* on a list of subs to free */
	struct skv_table *table;	/* holds a reference */
	struct net *net;		/* the subscriber's, and the table's */
	struct sock *sk;		/* the subscriber's socket, held */
	u32 portid;
	u32 value_max;			/* set events carry values this long */
	spinlock_t lock;		/* numbers events in delivery order */
	u64 seq;			/* of the last event, sent or lost */
	u64 lost;
	struct rcu_head rcu;
};

/*
 * Subscriptions hashed by table (event senders walk it under RCU) and by
 * the subscriber's portid (so a closing socket finds its own in one
 * bucket). Both change under skv_subs_mutex.
 */
#define SKV_SUBS_HASH_BITS	8
static DEFINE_HASHTABLE(skv_subs_by_table, SKV_SUBS_HASH_BITS);
static DEFINE_HASHTABLE(skv_subs_by_port, SKV_SUBS_HASH_BITS);
static DEFINE_MUTEX(skv_subs_mutex);

/* SKV_NL_VALUE_MAX is the largest value a netlink attribute can carry. */
static_assert(U16_MAX - NLA_HDRLEN == SKV_NL_VALUE_MAX);

/* The extack message for an error of the table layer; @nla may be NULL. */
static void skv_nl_table_err(struct netlink_ext_ack *extack,
			     const struct nlattr *nla, int err)
{
	switch (err) {
	case -ENOENT:
		NL_SET_ERR_MSG_ATTR(extack, nla, "no such table");
		break;
	case -EACCES:
		NL_SET_ERR_MSG_ATTR(extack, nla,
				    "permission denied by the table's mode");
		break;
	case -EPERM:
		NL_SET_ERR_MSG_ATTR(extack, nla,
				    "only the table's owner may do this");
		break;
	case -EINVAL:
		NL_SET_ERR_MSG_ATTR(extack, nla,
				    "invalid table name or attribute");
		break;
	case -EEXIST:
		NL_SET_ERR_MSG_ATTR(extack, nla, "table exists");
		break;
	case -EDQUOT:
		NL_SET_ERR_MSG_ATTR(extack, nla,
				    "per-user table quota exceeded");
		break;
	}
}

/* The table named by @nla in @net, with a reference; read or read+write. */
static int skv_nl_open(struct net *net, const struct nlattr *nla, bool write,
		       struct netlink_ext_ack *extack, struct skv_table **tp)
{
	struct skv_table_open req = { .flags = write ? 0 : SKV_OPEN_RDONLY };
	bool created;
	int ret;

	nla_strscpy(req.name, nla, sizeof(req.name));
	ret = skv_table_open(net, &req, tp, &created);
	if (ret)
		skv_nl_table_err(extack, nla, ret);
	return ret;
}

static int skv_nl_table_open(struct genl_info *info, int attr, bool write,
			     struct skv_table **tp)
{
	if (GENL_REQ_ATTR_CHECK(info, attr))
		return -EINVAL;
	return skv_nl_open(genl_info_net(info), info->attrs[attr], write,
			   info->extack, tp);
}

static int skv_nl_put_u64(struct sk_buff *skb, int attr, u64 v, int pad)
{
	return nla_put_u64_64bit(skb, attr, v, pad);
}

static int skv_nl_fill_table(struct sk_buff *skb, struct skv_table *t,
			     u32 portid, u32 seq, int flags, u8 cmd)
{
	struct skv_stats st;
	struct skv_info info;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &skv_nl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	skv_table_info(t, &info);
	skv_store_stats(t, &st);
	if (nla_put_string(skb, SKV_A_TABLE_NAME, info.name) ||
	    skv_nl_put_u64(skb, SKV_A_TABLE_MAX_ENTRIES, info.attr.max_entries,
			   SKV_A_TABLE_PAD) ||
	    skv_nl_put_u64(skb, SKV_A_TABLE_MAX_BYTES, info.attr.max_bytes,
			   SKV_A_TABLE_PAD) ||
	    nla_put_u32(skb, SKV_A_TABLE_MAX_KEY_LEN, info.attr.max_key_len) ||
	    nla_put_u32(skb, SKV_A_TABLE_MAX_VALUE_LEN,
			info.attr.max_value_len) ||
	    skv_nl_put_u64(skb, SKV_A_TABLE_DEFAULT_TTL_MS,
			   info.attr.default_ttl_ms, SKV_A_TABLE_PAD) ||
	    nla_put_u32(skb, SKV_A_TABLE_POLICY, info.attr.policy) ||
	    nla_put_u32(skb, SKV_A_TABLE_MODE, info.attr.mode) ||
	    nla_put_u32(skb, SKV_A_TABLE_UID, info.uid) ||
	    nla_put_u32(skb, SKV_A_TABLE_GID, info.gid) ||
	    skv_nl_put_u64(skb, SKV_A_TABLE_ENTRIES, st.entries,
			   SKV_A_TABLE_PAD) ||
	    skv_nl_put_u64(skb, SKV_A_TABLE_BYTES, st.bytes, SKV_A_TABLE_PAD) ||
	    skv_nl_put_u64(skb, SKV_A_TABLE_HITS, st.hits, SKV_A_TABLE_PAD) ||
	    skv_nl_put_u64(skb, SKV_A_TABLE_MISSES, st.misses,
			   SKV_A_TABLE_PAD) ||
	    skv_nl_put_u64(skb, SKV_A_TABLE_WRITES, st.writes,
			   SKV_A_TABLE_PAD) ||
	    skv_nl_put_u64(skb, SKV_A_TABLE_DELETES, st.deletes,
			   SKV_A_TABLE_PAD) ||
	    skv_nl_put_u64(skb, SKV_A_TABLE_EVICTIONS, st.evictions,
			   SKV_A_TABLE_PAD) ||
	    skv_nl_put_u64(skb, SKV_A_TABLE_EXPIRATIONS, st.expirations,
			   SKV_A_TABLE_PAD)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int skv_nl_reply_table(struct genl_info *info, struct sk_buff *msg,
			      struct skv_table *t)
{
	int ret;

	ret = skv_nl_fill_table(msg, t, info->snd_portid, info->snd_seq, 0,
				info->genlhdr->cmd);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

static u32 skv_nl_get_u32(struct genl_info *info, int attr, u32 def)
{
	return info->attrs[attr] ? nla_get_u32(info->attrs[attr]) : def;
}

static u64 skv_nl_get_u64(struct genl_info *info, int attr, u64 def)
{
	return info->attrs[attr] ? nla_get_u64(info->attrs[attr]) : def;
}

static int skv_nl_table_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct skv_table_open req = { .flags = SKV_OPEN_CREATE | SKV_OPEN_EXCL };
	struct skv_table_attr *a = &req.attr;
	struct skv_table *t;
	struct sk_buff *msg;
	bool created;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, SKV_A_TABLE_NAME))
		return -EINVAL;
	nla_strscpy(req.name, info->attrs[SKV_A_TABLE_NAME], sizeof(req.name));
	a->max_entries = skv_nl_get_u64(info, SKV_A_TABLE_MAX_ENTRIES, 0);
	a->max_bytes = skv_nl_get_u64(info, SKV_A_TABLE_MAX_BYTES, 0);
	a->max_key_len = skv_nl_get_u32(info, SKV_A_TABLE_MAX_KEY_LEN, 0);
	a->max_value_len = skv_nl_get_u32(info, SKV_A_TABLE_MAX_VALUE_LEN, 0);
	a->default_ttl_ms = skv_nl_get_u64(info, SKV_A_TABLE_DEFAULT_TTL_MS, 0);
	a->policy = skv_nl_get_u32(info, SKV_A_TABLE_POLICY, 0);
	a->mode = skv_nl_get_u32(info, SKV_A_TABLE_MODE, 0);

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	ret = skv_table_open(genl_info_net(info), &req, &t, &created);
	if (ret) {
		skv_nl_table_err(info->extack, NULL, ret);
		nlmsg_free(msg);
		return ret;
	}
	ret = skv_nl_reply_table(info, msg, t);
	skv_table_put(t);
	return ret;
}

static int skv_nl_table_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct skv_table_delete req = {};
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, SKV_A_TABLE_NAME))
		return -EINVAL;
	nla_strscpy(req.name, info->attrs[SKV_A_TABLE_NAME], sizeof(req.name));
	ret = skv_table_delete(genl_info_net(info), &req);
	if (ret)
		skv_nl_table_err(info->extack, info->attrs[SKV_A_TABLE_NAME],
				 ret);
	return ret;
}

static int skv_nl_table_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct skv_table *t;
	struct sk_buff *msg;
	int ret;

	ret = skv_nl_table_open(info, SKV_A_TABLE_NAME, false, &t);
	if (ret)
		return ret;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	ret = msg ? skv_nl_reply_table(info, msg, t) : -ENOMEM;
	skv_table_put(t);
	return ret;
}

/*
 * The table dump's state, in cb->ctx. A dump goes on in whoever calls
 * recvmsg() on the socket; the tables it lists are those the requester
 * could read, so it runs with the credentials taken at .start, in the
 * requester's context.
 */
struct skv_nl_table_dump {
	const struct cred *cred;
	unsigned long pos;		/* the next table of the namespace */
};

struct skv_nl_table_fill {
	struct sk_buff *skb;
	struct netlink_callback *cb;
};

static struct skv_nl_table_dump *
skv_nl_table_dump_ctx(struct netlink_callback *cb)
{
	BUILD_BUG_ON(sizeof(struct skv_nl_table_dump) > sizeof(cb->ctx));
	return (struct skv_nl_table_dump *)cb->ctx;
}

static int skv_nl_table_dump_start(struct netlink_callback *cb)
{
	skv_nl_table_dump_ctx(cb)->cred = get_current_cred();
	return 0;
}

static int skv_nl_table_dump_done(struct netlink_callback *cb)
{
	struct skv_nl_table_dump *ctx = skv_nl_table_dump_ctx(cb);

	if (ctx->cred)
		put_cred(ctx->cred);
	return 0;
}

static int skv_nl_table_dump_one(struct skv_table *t, void *arg)
{
	struct skv_nl_table_fill *f = arg;

	if (skv_table_permission(t, MAY_READ))
		return 0;
	return skv_nl_fill_table(f->skb, t, NETLINK_CB(f->cb->skb).portid,
				 f->cb->nlh->nlmsg_seq, NLM_F_MULTI,
				 SKV_CMD_TABLE_GET);
}

static int skv_nl_table_get_dumpit(struct sk_buff *skb,
				   struct netlink_callback *cb)
{
	struct skv_nl_table_dump *ctx = skv_nl_table_dump_ctx(cb);
	struct skv_nl_table_fill f = { .skb = skb, .cb = cb };
	const struct cred *old;
	int ret;

	old = override_creds(ctx->cred);
	ret = skv_tables_walk(sock_net(cb->skb->sk), &ctx->pos,
			      skv_nl_table_dump_one, &f);
	revert_creds(old);
	if (ret == -EMSGSIZE && skb->len)
		return skb->len;
	return ret ?: skb->len;
}

static int skv_nl_table_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	static const struct {
		int attr;
		u32 bit;
	} fields[] = {
		{ SKV_A_TABLE_DEFAULT_TTL_MS, SKV_SET_DEFAULT_TTL },
		{ SKV_A_TABLE_POLICY, SKV_SET_POLICY },
		{ SKV_A_TABLE_MODE, SKV_SET_MODE },
		{ SKV_A_TABLE_UID, SKV_SET_UID },
		{ SKV_A_TABLE_GID, SKV_SET_GID },
	};
	struct skv_set set = { .size = sizeof(set) };
	struct skv_table *t;
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(fields); i++)
		if (info->attrs[fields[i].attr])
			set.mask |= fields[i].bit;
	set.default_ttl_ms = skv_nl_get_u64(info, SKV_A_TABLE_DEFAULT_TTL_MS, 0);
	set.policy = skv_nl_get_u32(info, SKV_A_TABLE_POLICY, 0);
	set.mode = skv_nl_get_u32(info, SKV_A_TABLE_MODE, 0);
	set.uid = skv_nl_get_u32(info, SKV_A_TABLE_UID, 0);
	set.gid = skv_nl_get_u32(info, SKV_A_TABLE_GID, 0);

	ret = skv_nl_table_open(info, SKV_A_TABLE_NAME, false, &t);
	if (ret)
		return ret;
	ret = skv_table_set(t, &set);
	if (ret == -EPERM)
		NL_SET_ERR_MSG(info->extack,
			       "only the owner may change a table; uid and gid need CAP_CHOWN");
	else if (ret == -EINVAL)
		NL_SET_ERR_MSG(info->extack, "uid or gid has no mapping");
	skv_table_put(t);
	return ret;
}

/* The key attribute, checked against the table as the ioctls do. */
static int skv_nl_key(struct genl_info *info, struct skv_table *t,
		      const void **key, u32 *key_len)
{
	struct nlattr *nla = info->attrs[SKV_A_ENTRY_KEY];

	if (GENL_REQ_ATTR_CHECK(info, SKV_A_ENTRY_KEY))
		return -EINVAL;
	if (!nla_len(nla) || nla_len(nla) > t->max_key_len) {
		NL_SET_ERR_MSG_ATTR(info->extack, nla,
				    "key must be 1..max_key_len bytes");
		return -EINVAL;
	}
	*key = nla_data(nla);
	*key_len = nla_len(nla);
	return 0;
}

/* The entry's table, with a reference, and its key attribute checked. */
static int skv_nl_key_table(struct genl_info *info, bool write,
			    struct skv_table **tp, const void **key,
			    u32 *key_len)
{
	int ret;

	ret = skv_nl_table_open(info, SKV_A_ENTRY_TABLE, write, tp);
	if (ret)
		return ret;
	ret = skv_nl_key(info, *tp, key, key_len);
	if (ret)
		skv_table_put(*tp);
	return ret;
}

/* What follows the value in a key-get reply: version, ttl-ms, user-flags. */
#define SKV_NL_ENTRY_TAIL	(2 * nla_total_size_64bit(sizeof(u64)) + \
				 nla_total_size(sizeof(u32)))

/* Message room for a key-get reply of an entry of these lengths. */
static size_t skv_nl_entry_size(u32 key_len, u32 value_len)
{
	return nla_total_size(key_len) + nla_total_size(value_len) +
	       SKV_NL_ENTRY_TAIL;
}

/*
 * Reserve the value attribute in @msg with all the room left for it, and
 * make @to an iterator over it; skv_nl_value_end() trims it to the value.
 */
static struct nlattr *skv_nl_value_begin(struct sk_buff *msg,
					 struct kvec *kv, struct iov_iter *to)
{
	int room = skb_tailroom(msg) - SKV_NL_ENTRY_TAIL - NLA_HDRLEN;
	struct nlattr *nla;

	/* Whole alignment units, so the attribute's padding fits too. */
	room = max(room, 0) & ~(NLA_ALIGNTO - 1);
	room = min_t(int, room, SKV_NL_VALUE_MAX);
	nla = nla_reserve(msg, SKV_A_ENTRY_VALUE, room);
	if (!nla)
		return NULL;
	kv->iov_base = nla_data(nla);
	kv->iov_len = room;
	iov_iter_kvec(to, ITER_DEST, kv, 1, room);
	return nla;
}

static void skv_nl_value_end(struct sk_buff *msg, struct nlattr *nla,
			     u32 len)
{
	nla->nla_len = nla_attr_size(len);
	memset(nla_data(nla) + len, 0, nla_padlen(len));
	nlmsg_trim(msg, (u8 *)nla + nla_total_size(len));
}

static int skv_nl_key_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	size_t size = NLMSG_GOODSIZE;
	struct skv_meta meta = {};
	struct skv_table *t;
	struct sk_buff *msg;
	struct iov_iter to;
	struct nlattr *nla;
	const void *key;
	struct kvec kv;
	u32 key_len;
	void *hdr;
	int ret;

	ret = skv_nl_key_table(info, false, &t, &key, &key_len);
	if (ret)
		return ret;

again:
	msg = genlmsg_new(size, GFP_KERNEL);
	ret = -ENOMEM;
	if (!msg)
		goto out_table;
	ret = -EMSGSIZE;
	hdr = genlmsg_put_reply(msg, info, &skv_nl_family, 0,
				SKV_CMD_KEY_GET);
	if (!hdr || nla_put(msg, SKV_A_ENTRY_KEY, key_len, key))
		goto out_msg;
	nla = skv_nl_value_begin(msg, &kv, &to);
	if (!nla)
		goto out_msg;

	ret = skv_store_get(t, key, key_len, &to, &meta, false);
	if (ret == -ERANGE) {
		/* Size the message for this value, if an attribute can hold it. */
		nlmsg_free(msg);
		if (meta.value_len > SKV_NL_VALUE_MAX) {
			NL_SET_ERR_MSG(info->extack,
				       "value too long for a netlink attribute; use SKV_IOC_GET");
			ret = -EMSGSIZE;
			goto out_table;
		}
		size = skv_nl_entry_size(key_len, meta.value_len);
		goto again;
	}
	if (ret == -ENOENT)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[SKV_A_ENTRY_KEY],
				    "no such key");
	if (ret)
		goto out_msg;
	skv_nl_value_end(msg, nla, meta.value_len);
	ret = -EMSGSIZE;
	if (nla_put_u64_64bit(msg, SKV_A_ENTRY_VERSION, meta.version,
			      SKV_A_ENTRY_PAD) ||
	    nla_put_u64_64bit(msg, SKV_A_ENTRY_TTL_MS, meta.ttl_ms,
			      SKV_A_ENTRY_PAD) ||
	    nla_put_u32(msg, SKV_A_ENTRY_USER_FLAGS, meta.user_flags))
		goto out_msg;
	skv_table_put(t);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

out_msg:
	nlmsg_free(msg);
out_table:
	skv_table_put(t);
	return ret;
}

/* The key dump's cursor, in cb->ctx: WireGuard's wg_get_device_dump model. */
struct skv_nl_key_dump {
	struct skv_table *table;	/* a reference, dropped in .done */
	u64 cursor;			/* the bucket group to visit */
	u32 skip;			/* entries of it already sent */
	bool done;
};

struct skv_nl_key_fill {
	struct sk_buff *skb;
	struct netlink_callback *cb;
};

static struct skv_nl_key_dump *skv_nl_key_dump_ctx(struct netlink_callback *cb)
{
	BUILD_BUG_ON(sizeof(struct skv_nl_key_dump) > sizeof(cb->ctx));
	return (struct skv_nl_key_dump *)cb->ctx;
}

static int skv_nl_key_dump_start(struct netlink_callback *cb)
{
	struct skv_nl_key_dump *ctx = skv_nl_key_dump_ctx(cb);
	struct nlattr *attrs[SKV_A_ENTRY_KEY + 1];
	int ret;

	/* Validated already; parsed again as genl_dumpit_info() differs by version. */
	ret = genlmsg_parse(cb->nlh, &skv_nl_family, attrs, SKV_A_ENTRY_KEY,
			    skv_key_get_do_nl_policy, cb->extack);
	if (ret)
		return ret;

	if (attrs[SKV_A_ENTRY_KEY]) {
		NL_SET_ERR_MSG_ATTR(cb->extack, attrs[SKV_A_ENTRY_KEY],
				    "a key dump takes no key");
		return -EINVAL;
	}
	if (!attrs[SKV_A_ENTRY_TABLE]) {
		NL_SET_ERR_ATTR_MISS(cb->extack, NULL, SKV_A_ENTRY_TABLE);
		return -EINVAL;
	}
	/* Read permission, once, here: in the requester's context. */
	ret = skv_nl_open(sock_net(cb->skb->sk), attrs[SKV_A_ENTRY_TABLE],
			  false, cb->extack, &ctx->table);
	if (ret)
		ctx->table = NULL;
	return ret;
}

static int skv_nl_key_dump_done(struct netlink_callback *cb)
{
	struct skv_nl_key_dump *ctx = skv_nl_key_dump_ctx(cb);

	if (ctx->table)
		skv_table_put(ctx->table);
	return 0;
}

static int skv_nl_fill_view(struct sk_buff *skb,
			    const struct skv_entry_view *v, bool value)
{
	if (nla_put(skb, SKV_A_ENTRY_KEY, v->key_len, v->key) ||
	    (value && nla_put(skb, SKV_A_ENTRY_VALUE, v->value_len, v->value)) ||
	    (!value && nla_put_u32(skb, SKV_A_ENTRY_VALUE_LEN, v->value_len)) ||
	    nla_put_u64_64bit(skb, SKV_A_ENTRY_VERSION, v->version,
			      SKV_A_ENTRY_PAD) ||
	    nla_put_u64_64bit(skb, SKV_A_ENTRY_TTL_MS, v->ttl_ms,
			      SKV_A_ENTRY_PAD) ||
	    nla_put_u32(skb, SKV_A_ENTRY_USER_FLAGS, v->user_flags))
		return -EMSGSIZE;
	return 0;
}

/*
 * One entry per message. An entry that does not fit goes first into the
 * next message; one that does not fit even there, alone, is sent without
 * its value and with its length (SKV_A_ENTRY_VALUE_LEN).
 */
static int skv_nl_key_dump_one(const struct skv_entry_view *v, void *arg)
{
	struct skv_nl_key_fill *f = arg;
	bool alone = !f->skb->len;
	bool value = v->value_len <= SKV_NL_VALUE_MAX;
	void *hdr;

	for (;;) {
		hdr = genlmsg_put(f->skb, NETLINK_CB(f->cb->skb).portid,
				  f->cb->nlh->nlmsg_seq, &skv_nl_family,
				  NLM_F_MULTI, SKV_CMD_KEY_GET);
		if (!hdr)
			return -EMSGSIZE;
		genl_dump_check_consistent(f->cb, hdr);
		if (!skv_nl_fill_view(f->skb, v, value)) {
			genlmsg_end(f->skb, hdr);
			return 0;
		}
		genlmsg_cancel(f->skb, hdr);
		if (!alone || !value)
			return -EMSGSIZE;
		value = false;
	}
}

static int skv_nl_key_get_dumpit(struct sk_buff *skb,
				 struct netlink_callback *cb)
{
	struct skv_nl_key_dump *ctx = skv_nl_key_dump_ctx(cb);
	struct skv_nl_key_fill f = { .skb = skb, .cb = cb };
	int ret;

	if (ctx->done)
		return 0;
	/* Never 0: netlink takes a prev_seq of 0 as "not started". */
	cb->seq = ((u32)skv_store_generation(ctx->table) << 1) | 1;

	ret = skv_store_walk(ctx->table, &ctx->cursor, &ctx->skip,
			     skv_nl_key_dump_one, &f);
	if (!ret) {
		ctx->done = true;
		return skb->len;
	}
	/* An entry that does not fit even without its value. */
	if (!skb->len) {
		NL_SET_ERR_MSG(cb->extack,
			       "key too long for a dump message; use SKV_IOC_SCAN");
		return -EMSGSIZE;
	}
	return skb->len;
}

/* Replies to a key put or del with the entry's version; frees @msg on error. */
static int skv_nl_reply_version(struct genl_info *info, struct sk_buff *msg,
				u8 cmd, u64 version)
{
	void *hdr;

	hdr = genlmsg_put_reply(msg, info, &skv_nl_family, 0, cmd);
	if (!hdr || nla_put_u64_64bit(msg, SKV_A_ENTRY_VERSION, version,
				      SKV_A_ENTRY_PAD)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* The extack message for an error of a key write. */
static void skv_nl_key_err(struct genl_info *info, int err)
{
	struct nlattr **attrs = info->attrs;

	switch (err) {
	case -EEXIST:
		NL_SET_ERR_MSG(info->extack, "key exists (nx)");
		break;
	case -ENOENT:
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[SKV_A_ENTRY_KEY],
				    "no such key");
		break;
	case -ESTALE:
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[SKV_A_ENTRY_CAS_VERSION],
				    "version mismatch (cas)");
		break;
	case -E2BIG:
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[SKV_A_ENTRY_VALUE],
				    "value longer than the table's max_value_len");
		break;
	case -ENOSPC:
		NL_SET_ERR_MSG(info->extack, "table full");
		break;
	case -EFBIG:
		NL_SET_ERR_MSG(info->extack, "table's max_bytes reached");
		break;
	case -EDQUOT:
		NL_SET_ERR_MSG(info->extack, "owner's byte quota reached");
		break;
	case -EBUSY:
		NL_SET_ERR_MSG(info->extack, "table busy resizing; retry");
		break;
	}
}

static int skv_nl_key_put_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *value = info->attrs[SKV_A_ENTRY_VALUE];
	struct skv_put_args a = {
		.flags = skv_nl_get_u32(info, SKV_A_ENTRY_PUT_FLAGS, 0),
		.user_flags = skv_nl_get_u32(info, SKV_A_ENTRY_USER_FLAGS, 0),
		.ttl_ms = skv_nl_get_u64(info, SKV_A_ENTRY_TTL_MS, 0),
		.version = skv_nl_get_u64(info, SKV_A_ENTRY_CAS_VERSION, 0),
	};
	static const struct {
		int attr;
		u32 flag;
	} deps[] = {
		{ SKV_A_ENTRY_CAS_VERSION, SKV_PUT_CAS },
		{ SKV_A_ENTRY_TTL_MS, SKV_PUT_TTL },
	};
	struct skv_table *t;
	struct sk_buff *msg;
	struct iov_iter from;
	const void *key;
	struct kvec kv;
	unsigned int i;
	u32 key_len;
	int ret;

	/* Each flag and its attribute go together, as in struct skv_put. */
	for (i = 0; i < ARRAY_SIZE(deps); i++) {
		if ((a.flags & deps[i].flag) && !info->attrs[deps[i].attr]) {
			NL_SET_ERR_ATTR_MISS(info->extack, NULL, deps[i].attr);
			return -EINVAL;
		}
		if (!(a.flags & deps[i].flag) && info->attrs[deps[i].attr]) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[deps[i].attr],
					    "attribute needs its put flag (cas or ttl)");
			return -EINVAL;
		}
	}
	if ((a.flags & SKV_PUT_TTL) && !a.ttl_ms) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[SKV_A_ENTRY_TTL_MS],
				    "ttl-ms must be positive");
		return -EINVAL;
	}
	if ((a.flags & SKV_PUT_NX) && (a.flags & (SKV_PUT_XX | SKV_PUT_CAS))) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[SKV_A_ENTRY_PUT_FLAGS],
				    "nx excludes xx and cas");
		return -EINVAL;
	}

	ret = skv_nl_key_table(info, true, &t, &key, &key_len);
	if (ret)
		return ret;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	ret = -ENOMEM;
	if (!msg)
		goto out;

	kv.iov_base = value ? nla_data(value) : NULL;
	kv.iov_len = value ? nla_len(value) : 0;
	iov_iter_kvec(&from, ITER_SOURCE, &kv, 1, kv.iov_len);
	ret = skv_store_put(t, &a, key, key_len, &from);
	if (ret) {
		skv_nl_key_err(info, ret);
		nlmsg_free(msg);
		goto out;
	}
	skv_table_put(t);
	return skv_nl_reply_version(info, msg, SKV_CMD_KEY_PUT, a.version);

out:
	skv_table_put(t);
	return ret;
}

static int skv_nl_key_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	u32 flags = skv_nl_get_u32(info, SKV_A_ENTRY_DEL_FLAGS, 0);
	u64 version = skv_nl_get_u64(info, SKV_A_ENTRY_CAS_VERSION, 0);
	struct skv_table *t;
	struct sk_buff *msg;
	const void *key;
	u32 key_len;
	int ret;

	if (!!(flags & SKV_DEL_CAS) != !!info->attrs[SKV_A_ENTRY_CAS_VERSION]) {
		if (flags & SKV_DEL_CAS)
			NL_SET_ERR_ATTR_MISS(info->extack, NULL,
					     SKV_A_ENTRY_CAS_VERSION);
		else
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[SKV_A_ENTRY_CAS_VERSION],
					    "cas-version needs the cas flag");
		return -EINVAL;
	}
	ret = skv_nl_key_table(info, true, &t, &key, &key_len);
	if (ret)
		return ret;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	ret = -ENOMEM;
	if (!msg)
		goto out;

	ret = skv_store_delete(t, key, key_len, flags, &version);
	if (ret) {
		skv_nl_key_err(info, ret);
		nlmsg_free(msg);
		goto out;
	}
	skv_table_put(t);
	return skv_nl_reply_version(info, msg, SKV_CMD_KEY_DEL, version);

out:
	skv_table_put(t);
	return ret;
}

static u32 skv_sub_port_hash(const struct net *net, u32 portid)
{
	return portid ^ net_hash_mix(net);
}

/* Caller holds skv_subs_mutex. */
static struct skv_sub *skv_sub_find(struct net *net, u32 portid,
				    const char *name)
{
	struct skv_sub *s;

	lockdep_assert_held(&skv_subs_mutex);
	hash_for_each_possible(skv_subs_by_port, s, port_node,
			       skv_sub_port_hash(net, portid))
		if (s->portid == portid && net_eq(s->net, net) &&
		    !strcmp(s->table->name, name))
			return s;
	return NULL;
}

/*
 * netlink_release() frees a socket's portid before it sends
 * NETLINK_URELEASE, so a new socket can bind that portid while the old
 * socket's subscriptions still exist. Those belong to a dead socket
 * (sock_orphan() comes first): they must not block a new subscription.
 * Events go to the subscribed socket itself, never to a portid, so a
 * new socket on the portid cannot receive them.
 */
static bool skv_sub_stale(const struct skv_sub *s)
{
	return sock_flag(s->sk, SOCK_DEAD);
}

/* Caller holds skv_subs_mutex, then frees @s after a grace period. */
static void skv_sub_unlink(struct skv_sub *s)
{
	lockdep_assert_held(&skv_subs_mutex);
	hash_del_rcu(&s->table_node);
	hash_del(&s->port_node);
	WRITE_ONCE(s->table->nr_subscribers, s->table->nr_subscribers - 1);
}

/* Free unlinked subscriptions, once no event sender can see them. */
static void skv_subs_free(struct list_head *dead)
{
	struct skv_sub *s, *tmp;

	if (list_empty(dead))
		return;
	synchronize_rcu();
	list_for_each_entry_safe(s, tmp, dead, reap) {
		sock_put(s->sk);
		skv_table_put(s->table);
		kfree(s);
	}
}

static int skv_nl_subscribe_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct skv_sub *s, *old;
	struct skv_table *t;
	LIST_HEAD(dead);
	int ret = 0;

	/* Read permission, once, now: as opening a read-only fd. */
	ret = skv_nl_table_open(info, SKV_A_EVENT_TABLE, false, &t);
	if (ret)
		return ret;
	s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s) {
		skv_table_put(t);
		return -ENOMEM;
	}
	s->table = t;
	s->net = net;
	s->portid = info->snd_portid;
	s->sk = NETLINK_CB(skb).sk;
	if (info->attrs[SKV_A_EVENT_VALUE_MAX])
		s->value_max = nla_get_u32(info->attrs[SKV_A_EVENT_VALUE_MAX]);
	spin_lock_init(&s->lock);

	mutex_lock(&skv_subs_mutex);
	/* Deleted since we opened it: its subscribers were dropped already. */
	if (!skv_table_is_linked(t)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[SKV_A_EVENT_TABLE],
				    "no such table");
		ret = -ENOENT;
		goto out_unlock;
	}
	old = skv_sub_find(net, s->portid, t->name);
	if (old && !skv_sub_stale(old)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[SKV_A_EVENT_TABLE],
				    "already subscribed");
		ret = -EEXIST;
		goto out_unlock;
	}
	if (old) {
		skv_sub_unlink(old);
		list_add(&old->reap, &dead);
	}
	sock_hold(s->sk);
	hash_add_rcu(skv_subs_by_table, &s->table_node, (unsigned long)t);
	hash_add(skv_subs_by_port, &s->port_node,
		 skv_sub_port_hash(net, s->portid));
	WRITE_ONCE(t->nr_subscribers, t->nr_subscribers + 1);
	s = NULL;
out_unlock:
	mutex_unlock(&skv_subs_mutex);
	skv_subs_free(&dead);
	if (s) {
		skv_table_put(t);
		kfree(s);
	}
	return ret;
}

static int skv_nl_unsubscribe_doit(struct sk_buff *skb,
				   struct genl_info *info)
{
	char name[SKV_NAME_MAX];
	struct skv_sub *s;
	LIST_HEAD(dead);

	if (GENL_REQ_ATTR_CHECK(info, SKV_A_EVENT_TABLE))
		return -EINVAL;
	nla_strscpy(name, info->attrs[SKV_A_EVENT_TABLE], sizeof(name));

	mutex_lock(&skv_subs_mutex);
	s = skv_sub_find(genl_info_net(info), info->snd_portid, name);
	if (s) {
		skv_sub_unlink(s);
		list_add(&s->reap, &dead);
	}
	mutex_unlock(&skv_subs_mutex);
	if (!s) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[SKV_A_EVENT_TABLE],
				    "not subscribed");
		return -ENOENT;
	}
	skv_subs_free(&dead);
	return 0;
}

static const u32 skv_nl_event_type[] = {
	[SKV_EV_SET] = SKV_EVENT_TYPE_SET,
	[SKV_EV_DELETE] = SKV_EVENT_TYPE_DELETE,
	[SKV_EV_EXPIRED] = SKV_EVENT_TYPE_EXPIRED,
	[SKV_EV_EVICTED] = SKV_EVENT_TYPE_EVICTED,
	[SKV_EV_FLUSHED] = SKV_EVENT_TYPE_FLUSHED,
	[SKV_EV_TABLE_DELETED] = SKV_EVENT_TYPE_TABLE_DELETED,
};

/*
 * Number the event and queue it on the subscribed socket without
 * blocking: when its receive buffer is full the event is dropped and
 * counted. The lock keeps the numbers in delivery order; BHs are off as
 * the receive queue is also filled from softirq context.
 */
static void skv_sub_send(struct skv_sub *s, const struct skv_change *c)
{
	bool value = s->value_max && c->value && c->value_len <= s->value_max;
	size_t size = nla_total_size(sizeof(u32)) +
		      nla_total_size(SKV_NAME_MAX) + nla_total_size(c->key_len) +
		      3 * nla_total_size_64bit(sizeof(u64));
	struct sk_buff *msg = NULL;
	void *hdr;

	if (value)
		msg = genlmsg_new(size + nla_total_size(c->value_len) +
				  nla_total_size_64bit(sizeof(u64)),
				  GFP_ATOMIC | __GFP_NOWARN);
	/* No room for a large value: the event goes without it. */
	if (!msg) {
		value = false;
		msg = genlmsg_new(size, GFP_ATOMIC | __GFP_NOWARN);
	}

	spin_lock_bh(&s->lock);
	s->seq++;
	if (!msg)
		goto lost;
	hdr = genlmsg_put(msg, 0, 0, &skv_nl_family, 0, SKV_CMD_EVENT);
	if (!hdr ||
	    nla_put_u32(msg, SKV_A_EVENT_TYPE, skv_nl_event_type[c->ev]) ||
	    nla_put_string(msg, SKV_A_EVENT_TABLE, s->table->name) ||
	    (c->key_len && nla_put(msg, SKV_A_EVENT_KEY, c->key_len, c->key)) ||
	    nla_put_u64_64bit(msg, SKV_A_EVENT_VERSION, c->version,
			      SKV_A_EVENT_PAD) ||
	    nla_put_u64_64bit(msg, SKV_A_EVENT_SEQ, s->seq, SKV_A_EVENT_PAD) ||
	    nla_put_u64_64bit(msg, SKV_A_EVENT_LOST, s->lost,
			      SKV_A_EVENT_PAD) ||
	    (value &&
	     (nla_put(msg, SKV_A_EVENT_VALUE, c->value_len, c->value) ||
	      nla_put_u64_64bit(msg, SKV_A_EVENT_TTL_MS, c->ttl_ms,
				SKV_A_EVENT_PAD)))) {
		nlmsg_free(msg);
		goto lost;
	}
	genlmsg_end(msg, hdr);
	if (sock_queue_rcv_skb(s->sk, msg)) {
		kfree_skb(msg);
		goto lost;
	}
	spin_unlock_bh(&s->lock);
	return;

lost:
	s->lost++;
	spin_unlock_bh(&s->lock);
}

/* A change of @t, which has subscribers; under rcu_read_lock(). */
static void skv_nl_notify(struct skv_table *t, const struct skv_change *c)
{
	struct skv_sub *s;

	hash_for_each_possible_rcu(skv_subs_by_table, s, table_node,
				   (unsigned long)t)
		if (s->table == t && !skv_sub_stale(s))
			skv_sub_send(s, c);
}

/* @t left its namespace: tell its subscribers, then drop them. */
static void skv_nl_table_dead(struct skv_table *t)
{
	struct hlist_node *tmp;
	struct skv_sub *s;
	LIST_HEAD(dead);

	mutex_lock(&skv_subs_mutex);
	hash_for_each_possible_safe(skv_subs_by_table, s, tmp, table_node,
				    (unsigned long)t) {
		if (s->table != t)
			continue;
		if (!skv_sub_stale(s))
			skv_sub_send(s, &(struct skv_change){
					.ev = SKV_EV_TABLE_DELETED });
		skv_sub_unlink(s);
		list_add(&s->reap, &dead);
	}
	mutex_unlock(&skv_subs_mutex);
	skv_subs_free(&dead);
}

static const struct skv_event_ops skv_nl_event_ops = {
	.notify		= skv_nl_notify,
	.table_dead	= skv_nl_table_dead,
};

/* A netlink socket was closed: its subscriptions end with it. */
static int skv_nl_release(struct notifier_block *nb, unsigned long event,
			  void *ptr)
{
	struct netlink_notify *n = ptr;
	struct hlist_node *tmp;
	struct skv_sub *s;
	LIST_HEAD(dead);

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC)
		return NOTIFY_DONE;

	mutex_lock(&skv_subs_mutex);
	hash_for_each_possible_safe(skv_subs_by_port, s, tmp, port_node,
				    skv_sub_port_hash(n->net, n->portid)) {
		if (s->portid != n->portid || !net_eq(s->net, n->net) ||
		    !skv_sub_stale(s))
			continue;
		skv_sub_unlink(s);
		list_add(&s->reap, &dead);
	}
	mutex_unlock(&skv_subs_mutex);
	skv_subs_free(&dead);
	return NOTIFY_DONE;
}

static struct notifier_block skv_nl_notifier = {
	.notifier_call = skv_nl_release,
};

static const struct genl_ops skv_nl_ops[] = {
	{
		.cmd		= SKV_CMD_TABLE_NEW,
		.doit		= skv_nl_table_new_doit,
		.policy		= skv_table_new_nl_policy,
		.maxattr	= SKV_A_TABLE_MODE,
	},
	{
		.cmd		= SKV_CMD_TABLE_DEL,
		.doit		= skv_nl_table_del_doit,
		.policy		= skv_table_del_nl_policy,
		.maxattr	= SKV_A_TABLE_NAME,
	},
	{
		.cmd		= SKV_CMD_TABLE_GET,
		.doit		= skv_nl_table_get_doit,
		.start		= skv_nl_table_dump_start,
		.dumpit		= skv_nl_table_get_dumpit,
		.done		= skv_nl_table_dump_done,
		.policy		= skv_table_get_nl_policy,
		.maxattr	= SKV_A_TABLE_NAME,
	},
	{
		.cmd		= SKV_CMD_TABLE_SET,
		.doit		= skv_nl_table_set_doit,
		.policy		= skv_table_set_nl_policy,
		.maxattr	= SKV_A_TABLE_GID,
	},
	{
		.cmd		= SKV_CMD_KEY_GET,
		.doit		= skv_nl_key_get_doit,
		.start		= skv_nl_key_dump_start,
		.dumpit		= skv_nl_key_get_dumpit,
		.done		= skv_nl_key_dump_done,
		.policy		= skv_key_get_do_nl_policy,
		.maxattr	= SKV_A_ENTRY_KEY,
	},
	{
		.cmd		= SKV_CMD_KEY_PUT,
		.doit		= skv_nl_key_put_doit,
		.policy		= skv_key_put_nl_policy,
		.maxattr	= SKV_A_ENTRY_CAS_VERSION,
	},
	{
		.cmd		= SKV_CMD_KEY_DEL,
		.doit		= skv_nl_key_del_doit,
		.policy		= skv_key_del_nl_policy,
		.maxattr	= SKV_A_ENTRY_CAS_VERSION,
	},
	{
		.cmd		= SKV_CMD_SUBSCRIBE,
		.doit		= skv_nl_subscribe_doit,
		.policy		= skv_subscribe_nl_policy,
		.maxattr	= SKV_A_EVENT_VALUE_MAX,
	},
	{
		.cmd		= SKV_CMD_UNSUBSCRIBE,
		.doit		= skv_nl_unsubscribe_doit,
		.policy		= skv_unsubscribe_nl_policy,
		.maxattr	= SKV_A_EVENT_TABLE,
	},
};

static struct genl_family skv_nl_family __ro_after_init = {
	.name		= SKV_GENL_NAME,
	.version	= SKV_GENL_VERSION,
	.netnsok	= true,
	/* Every handler takes the locks it needs. */
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= skv_nl_ops,
	.n_ops		= ARRAY_SIZE(skv_nl_ops),
};

int __init skv_netlink_init(void)
{
	int ret;

	ret = netlink_register_notifier(&skv_nl_notifier);
	if (ret)
		goto err_notifier;
	ret = genl_register_family(&skv_nl_family);
	if (ret)
		goto err_family;
	skv_events_register(&skv_nl_event_ops);
	return 0;

err_family:
	netlink_unregister_notifier(&skv_nl_notifier);
err_notifier:
	return ret;
}

/* Sockets may outlive the module: end their subscriptions here. */
void skv_netlink_exit(void)
{
	struct hlist_node *tmp;
	struct skv_sub *s;
	LIST_HEAD(dead);
	int bkt;

	skv_events_unregister();
	genl_unregister_family(&skv_nl_family);
	netlink_unregister_notifier(&skv_nl_notifier);

	mutex_lock(&skv_subs_mutex);
	hash_for_each_safe(skv_subs_by_table, bkt, tmp, s, table_node) {
		skv_sub_unlink(s);
		list_add(&s->reap, &dead);
	}
	mutex_unlock(&skv_subs_mutex);
	skv_subs_free(&dead);
}

MODULE_ALIAS_GENL_FAMILY(SKV_GENL_NAME);
