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
 * Events are sent with a non-blocking unicast: when a subscriber's receive
 * buffer is full the event is dropped and counted, so a slow reader never
 * stalls writers nor pins more kernel memory than its socket's rcvbuf.
 */
#include <linux/hashtable.h>
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "skv.h"

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

/* SKV_CMD_SUBSCRIBE - do */
static const struct nla_policy skv_subscribe_nl_policy[SKV_A_EVENT_TABLE + 1] = {
	[SKV_A_EVENT_TABLE] = { .type = NLA_NUL_STRING, .len = SKV_NAME_LEN, },
};

/* SKV_CMD_UNSUBSCRIBE - do */
static const struct nla_policy skv_unsubscribe_nl_policy[SKV_A_EVENT_TABLE + 1] = {
	[SKV_A_EVENT_TABLE] = { .type = NLA_NUL_STRING, .len = SKV_NAME_LEN, },
};

static struct genl_family skv_nl_family;

/* One socket's subscription to one table. */
struct skv_sub {
	struct hlist_node node;		/* in skv_subs, hashed by table */
	struct skv_table *table;	/* holds a reference */
	struct net *net;		/* the subscriber's, and the table's */
	struct sock *sk;		/* the subscriber's socket, held */
	u32 portid;
	spinlock_t lock;		/* numbers events in delivery order */
	u64 seq;			/* of the last event, sent or lost */
	u64 lost;
	struct rcu_head rcu;
};

/* Writers under skv_subs_mutex, readers (event senders) under RCU. */
static DEFINE_HASHTABLE(skv_subs, 8);
static DEFINE_MUTEX(skv_subs_mutex);

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

/* The table named by @attr, with a reference; read or read+write access. */
static int skv_nl_table_open(struct genl_info *info, int attr, bool write,
			     struct skv_table **tp)
{
	struct skv_table_open req = { .flags = write ? 0 : SKV_OPEN_RDONLY };
	bool created;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, attr))
		return -EINVAL;
	nla_strscpy(req.name, info->attrs[attr], sizeof(req.name));
	ret = skv_table_open_net(genl_info_net(info), &req, tp, &created);
	if (ret)
		skv_nl_table_err(info->extack, info->attrs[attr], ret);
	return ret;
}

static void skv_nl_stats(struct skv_table *t, u64 sum[SKV_STAT_NR])
{
	int cpu, i;

	memset(sum, 0, sizeof(u64) * SKV_STAT_NR);
	for_each_possible_cpu(cpu)
		for (i = 0; i < SKV_STAT_NR; i++)
			sum[i] += per_cpu_ptr(t->stats, cpu)->count[i];
}

static const int skv_nl_stat_attr[SKV_STAT_NR] = {
	[SKV_STAT_HITS] = SKV_A_TABLE_HITS,
	[SKV_STAT_MISSES] = SKV_A_TABLE_MISSES,
	[SKV_STAT_WRITES] = SKV_A_TABLE_WRITES,
	[SKV_STAT_DELETES] = SKV_A_TABLE_DELETES,
	[SKV_STAT_EVICTIONS] = SKV_A_TABLE_EVICTIONS,
	[SKV_STAT_EXPIRATIONS] = SKV_A_TABLE_EXPIRATIONS,
};

static int skv_nl_put_u64(struct sk_buff *skb, int attr, u64 v, int pad)
{
	return nla_put_u64_64bit(skb, attr, v, pad);
}

static int skv_nl_fill_table(struct sk_buff *skb, struct skv_table *t,
			     u32 portid, u32 seq, int flags, u8 cmd)
{
	struct user_namespace *ns = current_user_ns();
	u64 stats[SKV_STAT_NR];
	void *hdr;
	int i;

	hdr = genlmsg_put(skb, portid, seq, &skv_nl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	skv_nl_stats(t, stats);
	if (nla_put_string(skb, SKV_A_TABLE_NAME, t->name) ||
	    skv_nl_put_u64(skb, SKV_A_TABLE_MAX_ENTRIES, t->max_entries,
			   SKV_A_TABLE_PAD) ||
	    skv_nl_put_u64(skb, SKV_A_TABLE_MAX_BYTES, t->max_bytes,
			   SKV_A_TABLE_PAD) ||
	    nla_put_u32(skb, SKV_A_TABLE_MAX_KEY_LEN, t->max_key_len) ||
	    nla_put_u32(skb, SKV_A_TABLE_MAX_VALUE_LEN, t->max_value_len) ||
	    skv_nl_put_u64(skb, SKV_A_TABLE_DEFAULT_TTL_MS,
			   READ_ONCE(t->default_ttl_ms), SKV_A_TABLE_PAD) ||
	    nla_put_u32(skb, SKV_A_TABLE_POLICY, READ_ONCE(t->policy)) ||
	    nla_put_u32(skb, SKV_A_TABLE_MODE, READ_ONCE(t->mode)) ||
	    nla_put_u32(skb, SKV_A_TABLE_UID,
			from_kuid_munged(ns, READ_ONCE(t->uid))) ||
	    nla_put_u32(skb, SKV_A_TABLE_GID,
			from_kgid_munged(ns, READ_ONCE(t->gid))) ||
	    skv_nl_put_u64(skb, SKV_A_TABLE_ENTRIES,
			   atomic64_read(&t->nr_entries), SKV_A_TABLE_PAD) ||
	    skv_nl_put_u64(skb, SKV_A_TABLE_BYTES, atomic64_read(&t->bytes),
			   SKV_A_TABLE_PAD))
		goto cancel;
	for (i = 0; i < SKV_STAT_NR; i++)
		if (skv_nl_put_u64(skb, skv_nl_stat_attr[i], stats[i],
				   SKV_A_TABLE_PAD))
			goto cancel;
	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
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
	ret = skv_table_open_net(genl_info_net(info), &req, &t, &created);
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
	ret = skv_table_delete_net(genl_info_net(info), &req);
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

struct skv_nl_table_dump {
	struct sk_buff *skb;
	struct netlink_callback *cb;
};

static int skv_nl_table_dump_one(struct skv_table *t, void *arg)
{
	struct skv_nl_table_dump *d = arg;

	if (skv_table_permission(t, false))
		return 0;
	return skv_nl_fill_table(d->skb, t, NETLINK_CB(d->cb->skb).portid,
				 d->cb->nlh->nlmsg_seq, NLM_F_MULTI,
				 SKV_CMD_TABLE_GET);
}

/* cb->args[0]: the index of the next table of the namespace. */
static int skv_nl_table_get_dumpit(struct sk_buff *skb,
				   struct netlink_callback *cb)
{
	struct skv_nl_table_dump d = { .skb = skb, .cb = cb };
	int ret;

	ret = skv_tables_walk(sock_net(cb->skb->sk), &cb->args[0],
			      skv_nl_table_dump_one, &d);
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

static int skv_nl_fill_entry(struct sk_buff *skb, const struct skv_entry *e)
{
	if (nla_put(skb, SKV_A_ENTRY_KEY, e->key_len, e->data) ||
	    nla_put(skb, SKV_A_ENTRY_VALUE, e->value_len,
		    skv_entry_value(e)) ||
	    nla_put_u64_64bit(skb, SKV_A_ENTRY_VERSION, e->version,
			      SKV_A_ENTRY_PAD) ||
	    nla_put_u64_64bit(skb, SKV_A_ENTRY_TTL_MS, skv_ttl_left_ms(e),
			      SKV_A_ENTRY_PAD) ||
	    nla_put_u32(skb, SKV_A_ENTRY_USER_FLAGS, e->user_flags))
		return -EMSGSIZE;
	return 0;
}

/* Message room an entry needs, or 0 if it cannot fit in one attribute. */
static size_t skv_nl_entry_size(u32 key_len, u32 value_len)
{
	if (value_len > U16_MAX - NLA_HDRLEN)
		return 0;
	return nla_total_size(key_len) + nla_total_size(value_len) +
	       2 * nla_total_size_64bit(sizeof(u64)) +
	       nla_total_size(sizeof(u32));
}

static int skv_nl_key_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	size_t size = NLMSG_GOODSIZE;
	struct skv_entry *e;
	struct sk_buff *msg;
	struct skv_table *t;
	const void *key;
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
	hdr = genlmsg_put_reply(msg, info, &skv_nl_family, 0,
				SKV_CMD_KEY_GET);
	if (!hdr)
		goto out_msg;

	rcu_read_lock();
	e = skv_lookup_kern(t, key, key_len);
	if (!e) {
		rcu_read_unlock();
		skv_stat_inc(t, SKV_STAT_MISSES);
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[SKV_A_ENTRY_KEY],
				    "no such key");
		ret = -ENOENT;
		goto out_msg;
	}
	ret = skv_nl_fill_entry(msg, e);
	if (ret) {
		/* Grown since we sized the message: size it for this one. */
		size = skv_nl_entry_size(e->key_len, e->value_len);
		rcu_read_unlock();
		nlmsg_free(msg);
		if (!size) {
			NL_SET_ERR_MSG(info->extack,
				       "value too long for a netlink attribute; use SKV_IOC_GET");
			ret = -EMSGSIZE;
			goto out_table;
		}
		goto again;
	}
	skv_entry_touch_kern(t, e);
	rcu_read_unlock();
	skv_stat_inc(t, SKV_STAT_HITS);
	skv_table_put(t);

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

out_msg:
	nlmsg_free(msg);
out_table:
	skv_table_put(t);
	return ret;
}

/* The dump's cursor, in cb->ctx: WireGuard's wg_get_device_dump model. */
struct skv_nl_key_dump {
	struct skv_table *table;	/* a reference, dropped in .done */
	u64 cursor;			/* the bucket group to visit */
	u32 skip;			/* entries of it already sent */
	bool done;
};

struct skv_nl_key_fill {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	u32 idx;
	u32 skip;
	u64 now;
};

static struct skv_nl_key_dump *skv_nl_key_dump_ctx(struct netlink_callback *cb)
{
	BUILD_BUG_ON(sizeof(struct skv_nl_key_dump) > sizeof(cb->ctx));
	return (struct skv_nl_key_dump *)cb->ctx;
}

static int skv_nl_key_dump_start(struct netlink_callback *cb)
{
	struct skv_nl_key_dump *ctx = skv_nl_key_dump_ctx(cb);
	struct skv_table_open req = { .flags = SKV_OPEN_RDONLY };
	struct nlattr *attrs[SKV_A_ENTRY_KEY + 1];
	bool created;
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
	nla_strscpy(req.name, attrs[SKV_A_ENTRY_TABLE], sizeof(req.name));
	ret = skv_table_open_net(sock_net(cb->skb->sk), &req, &ctx->table,
				 &created);
	if (ret) {
		skv_nl_table_err(cb->extack, attrs[SKV_A_ENTRY_TABLE], ret);
		ctx->table = NULL;
	}
	return ret;
}

static int skv_nl_key_dump_done(struct netlink_callback *cb)
{
	struct skv_nl_key_dump *ctx = skv_nl_key_dump_ctx(cb);

	if (ctx->table)
		skv_table_put(ctx->table);
	return 0;
}

/*
 * Changes to the table's entries since it was created: every write bumps
 * the version, every removal one of the per-CPU counters. A dump whose
 * messages see different values sets NLM_F_DUMP_INTR.
 */
static u32 skv_nl_table_gen(struct skv_table *t)
{
	u64 stats[SKV_STAT_NR];
	u64 gen;

	skv_nl_stats(t, stats);
	gen = atomic64_read(&t->version) + stats[SKV_STAT_DELETES] +
	      stats[SKV_STAT_EVICTIONS] + stats[SKV_STAT_EXPIRATIONS];
	/* Never 0: netlink takes a prev_seq of 0 as "not started". */
	return ((u32)gen << 1) | 1;
}

static int skv_nl_key_dump_one(struct skv_table *t, struct skv_entry *e,
			       void *arg)
{
	struct skv_nl_key_fill *f = arg;
	void *hdr;

	if (f->idx++ < f->skip || skv_entry_expired(e, f->now))
		return 0;
	hdr = genlmsg_put(f->skb, NETLINK_CB(f->cb->skb).portid,
			  f->cb->nlh->nlmsg_seq, &skv_nl_family, NLM_F_MULTI,
			  SKV_CMD_KEY_GET);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(f->cb, hdr);
	if (skv_nl_fill_entry(f->skb, e)) {
		genlmsg_cancel(f->skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(f->skb, hdr);
	return 0;
}

static int skv_nl_key_get_dumpit(struct sk_buff *skb,
				 struct netlink_callback *cb)
{
	struct skv_nl_key_dump *ctx = skv_nl_key_dump_ctx(cb);
	struct skv_nl_key_fill f = { .skb = skb, .cb = cb };
	int ret = 0;
	u64 next;

	if (ctx->done)
		return 0;
	cb->seq = skv_nl_table_gen(ctx->table);
	f.now = skv_now_ns();

	rcu_read_lock();
	do {
		f.idx = 0;
		f.skip = ctx->skip;
		next = skv_visit_group(ctx->table, ctx->cursor,
				       skv_nl_key_dump_one, &f, &ret);
		if (ret) {
			/* Full: resume inside this group next time. */
			ctx->skip = f.idx - 1;
			break;
		}
		ctx->cursor = next;
		ctx->skip = 0;
	} while (next);
	rcu_read_unlock();

	if (!ret) {
		ctx->done = true;
		return skb->len;
	}
	/* An entry that does not fit even in an empty message. */
	if (!skb->len) {
		NL_SET_ERR_MSG(cb->extack,
			       "entry too long for a dump message; use SKV_IOC_SCAN");
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

static int skv_nl_key_put_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *value = info->attrs[SKV_A_ENTRY_VALUE];
	u32 flags = skv_nl_get_u32(info, SKV_A_ENTRY_PUT_FLAGS, 0);
	u64 version = skv_nl_get_u64(info, SKV_A_ENTRY_CAS_VERSION, 0);
	u64 ttl = skv_nl_get_u64(info, SKV_A_ENTRY_TTL_MS, 0);
	struct extack_attr {
		int attr;
		u32 flag;
	} const deps[] = {
		{ SKV_A_ENTRY_CAS_VERSION, SKV_PUT_CAS },
		{ SKV_A_ENTRY_TTL_MS, SKV_PUT_TTL },
	};
	struct skv_table *t;
	struct sk_buff *msg;
	const void *key;
	unsigned int i;
	u32 key_len;
	int ret;

	/* Each flag and its attribute go together, as in struct skv_put. */
	for (i = 0; i < ARRAY_SIZE(deps); i++) {
		if ((flags & deps[i].flag) && !info->attrs[deps[i].attr]) {
			NL_SET_ERR_ATTR_MISS(info->extack, NULL, deps[i].attr);
			return -EINVAL;
		}
		if (!(flags & deps[i].flag) && info->attrs[deps[i].attr]) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[deps[i].attr],
					    "attribute needs its put flag (cas or ttl)");
			return -EINVAL;
		}
	}
	if ((flags & SKV_PUT_TTL) && !ttl) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[SKV_A_ENTRY_TTL_MS],
				    "ttl-ms must be positive");
		return -EINVAL;
	}
	if ((flags & SKV_PUT_NX) && (flags & (SKV_PUT_XX | SKV_PUT_CAS))) {
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

	ret = skv_put_kern(t, flags, key, key_len,
			   value ? nla_data(value) : NULL,
			   value ? nla_len(value) : 0,
			   skv_nl_get_u32(info, SKV_A_ENTRY_USER_FLAGS, 0),
			   ttl, &version);
	switch (ret) {
	case 0:
		break;
	case -EEXIST:
		NL_SET_ERR_MSG(info->extack, "key exists (nx)");
		goto out_msg;
	case -ENOENT:
		NL_SET_ERR_MSG(info->extack, "no such key (xx or cas)");
		goto out_msg;
	case -ESTALE:
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[SKV_A_ENTRY_CAS_VERSION],
				    "version mismatch (cas)");
		goto out_msg;
	case -E2BIG:
		NL_SET_ERR_MSG_ATTR(info->extack, value,
				    "value longer than the table's max_value_len");
		goto out_msg;
	case -ENOSPC:
		NL_SET_ERR_MSG(info->extack, "table full");
		goto out_msg;
	case -EFBIG:
		NL_SET_ERR_MSG(info->extack, "table's max_bytes reached");
		goto out_msg;
	case -EDQUOT:
		NL_SET_ERR_MSG(info->extack, "owner's byte quota reached");
		goto out_msg;
	default:
		goto out_msg;
	}

	skv_table_put(t);
	return skv_nl_reply_version(info, msg, SKV_CMD_KEY_PUT, version);

out_msg:
	nlmsg_free(msg);
out:
	skv_table_put(t);
	return ret;
}

static int skv_nl_key_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	u32 flags = skv_nl_get_u32(info, SKV_A_ENTRY_DEL_FLAGS, 0);
	u64 cas = skv_nl_get_u64(info, SKV_A_ENTRY_CAS_VERSION, 0);
	struct skv_entry *e;
	struct skv_table *t;
	struct sk_buff *msg;
	const void *key;
	u64 version = 0;
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

	rcu_read_lock();
	do {
		e = skv_lookup_kern(t, key, key_len);
		if (!e) {
			ret = -ENOENT;
			break;
		}
		if ((flags & SKV_DEL_CAS) && e->version != cas) {
			ret = -ESTALE;
			break;
		}
		version = e->version;
		ret = skv_entry_unlink(t, e, SKV_EV_DELETE) ? 0 : -EAGAIN;
	} while (ret == -EAGAIN);
	rcu_read_unlock();

	if (ret) {
		if (ret == -ENOENT)
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[SKV_A_ENTRY_KEY],
					    "no such key");
		else
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[SKV_A_ENTRY_CAS_VERSION],
					    "version mismatch (cas)");
		goto out_msg;
	}
	skv_table_put(t);
	return skv_nl_reply_version(info, msg, SKV_CMD_KEY_DEL, version);

out_msg:
	nlmsg_free(msg);
out:
	skv_table_put(t);
	return ret;
}

/* Caller holds skv_subs_mutex. */
static struct skv_sub *skv_sub_find(struct net *net, u32 portid,
				    const char *name)
{
	struct skv_sub *s;
	int bkt;

	hash_for_each(skv_subs, bkt, s, node)
		if (s->portid == portid && net_eq(s->net, net) &&
		    !strcmp(s->table->name, name))
			return s;
	return NULL;
}

/*
 * netlink_release() frees a socket's portid before it sends
 * NETLINK_URELEASE, so a new socket can bind that portid while the old
 * socket's subscriptions still exist. Those belong to a dead socket
 * (sock_orphan() comes first): they must not receive or block anything.
 */
static bool skv_sub_stale(const struct skv_sub *s)
{
	return sock_flag(s->sk, SOCK_DEAD);
}

/* Caller holds skv_subs_mutex; the caller puts the table, then frees. */
static void skv_sub_unlink(struct skv_sub *s)
{
	hash_del_rcu(&s->node);
	WRITE_ONCE(s->table->nr_subscribers, s->table->nr_subscribers - 1);
}

static void skv_sub_free(struct skv_sub *s)
{
	sock_put(s->sk);
	skv_table_put(s->table);
	kfree_rcu(s, rcu);
}

static int skv_nl_subscribe_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct skv_sub *s, *old;
	struct skv_table *t;
	int ret;

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
	spin_lock_init(&s->lock);

	mutex_lock(&skv_subs_mutex);
	old = skv_sub_find(net, s->portid, t->name);
	if (old && !skv_sub_stale(old)) {
		mutex_unlock(&skv_subs_mutex);
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[SKV_A_EVENT_TABLE],
				    "already subscribed");
		skv_table_put(t);
		kfree(s);
		return -EEXIST;
	}
	if (old)
		skv_sub_unlink(old);
	s->sk = NETLINK_CB(skb).sk;
	sock_hold(s->sk);
	hash_add_rcu(skv_subs, &s->node, (unsigned long)t);
	WRITE_ONCE(t->nr_subscribers, t->nr_subscribers + 1);
	mutex_unlock(&skv_subs_mutex);
	if (old) {
		synchronize_rcu();
		skv_sub_free(old);
	}
	return 0;
}

static int skv_nl_unsubscribe_doit(struct sk_buff *skb,
				   struct genl_info *info)
{
	char name[SKV_NAME_MAX];
	struct skv_sub *s;

	if (GENL_REQ_ATTR_CHECK(info, SKV_A_EVENT_TABLE))
		return -EINVAL;
	nla_strscpy(name, info->attrs[SKV_A_EVENT_TABLE], sizeof(name));

	mutex_lock(&skv_subs_mutex);
	s = skv_sub_find(genl_info_net(info), info->snd_portid, name);
	if (s)
		skv_sub_unlink(s);
	mutex_unlock(&skv_subs_mutex);
	if (!s) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[SKV_A_EVENT_TABLE],
				    "not subscribed");
		return -ENOENT;
	}
	skv_sub_free(s);
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
 * Number the event and unicast it without blocking. The lock keeps the
 * numbers in delivery order; BHs are off so that netlink allocates with
 * GFP_ATOMIC (gfp_any()) under it.
 */
static void skv_sub_send(struct skv_sub *s, enum skv_event ev,
			 const void *key, u32 key_len, u64 version)
{
	size_t size = nla_total_size(sizeof(u32)) +
		      nla_total_size(SKV_NAME_MAX) + nla_total_size(key_len) +
		      3 * nla_total_size_64bit(sizeof(u64));
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(size, GFP_ATOMIC | __GFP_NOWARN);

	spin_lock_bh(&s->lock);
	s->seq++;
	if (!msg)
		goto lost;
	hdr = genlmsg_put(msg, 0, 0, &skv_nl_family, 0, SKV_CMD_EVENT);
	if (!hdr ||
	    nla_put_u32(msg, SKV_A_EVENT_TYPE, skv_nl_event_type[ev]) ||
	    nla_put_string(msg, SKV_A_EVENT_TABLE, s->table->name) ||
	    (key_len && nla_put(msg, SKV_A_EVENT_KEY, key_len, key)) ||
	    nla_put_u64_64bit(msg, SKV_A_EVENT_VERSION, version,
			      SKV_A_EVENT_PAD) ||
	    nla_put_u64_64bit(msg, SKV_A_EVENT_SEQ, s->seq, SKV_A_EVENT_PAD) ||
	    nla_put_u64_64bit(msg, SKV_A_EVENT_LOST, s->lost,
			      SKV_A_EVENT_PAD)) {
		nlmsg_free(msg);
		goto lost;
	}
	genlmsg_end(msg, hdr);
	/* -EAGAIN: the receive buffer is full; the event is dropped. */
	if (genlmsg_unicast(s->net, msg, s->portid))
		s->lost++;
	spin_unlock_bh(&s->lock);
	return;

lost:
	s->lost++;
	spin_unlock_bh(&s->lock);
}

/* Drop every subscription to @t: it left its namespace. */
static void skv_subs_drop_table(struct skv_table *t)
{
	struct hlist_node *tmp;
	struct skv_sub *s;
	HLIST_HEAD(dead);

	mutex_lock(&skv_subs_mutex);
	hash_for_each_possible_safe(skv_subs, s, tmp, node, (unsigned long)t) {
		if (s->table != t)
			continue;
		skv_sub_unlink(s);
		hlist_add_head(&s->node, &dead);
	}
	mutex_unlock(&skv_subs_mutex);
	/* @s->node is reused: wait for senders still walking the hash. */
	if (!hlist_empty(&dead))
		synchronize_rcu();
	hlist_for_each_entry_safe(s, tmp, &dead, node)
		skv_sub_free(s);
}

/*
 * skv_notify()'s slow path: the table has subscribers. Called from the
 * write paths, under rcu_read_lock(), so it must not sleep, except for
 * SKV_EV_TABLE_DELETED, which the table code raises in process context.
 */
void skv_nl_notify(struct skv_table *t, enum skv_event ev, const void *key,
		   u32 key_len, u64 version)
{
	struct skv_sub *s;

	rcu_read_lock();
	hash_for_each_possible_rcu(skv_subs, s, node, (unsigned long)t)
		if (s->table == t && !skv_sub_stale(s))
			skv_sub_send(s, ev, key, key_len, version);
	rcu_read_unlock();

	if (ev == SKV_EV_TABLE_DELETED)
		skv_subs_drop_table(t);
}

/* A netlink socket was closed: its subscriptions end with it. */
static int skv_nl_release(struct notifier_block *nb, unsigned long event,
			  void *ptr)
{
	struct netlink_notify *n = ptr;
	struct hlist_node *tmp;
	struct skv_sub *s;
	HLIST_HEAD(dead);
	int bkt;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC)
		return NOTIFY_DONE;

	mutex_lock(&skv_subs_mutex);
	hash_for_each_safe(skv_subs, bkt, tmp, s, node) {
		if (s->portid != n->portid || !net_eq(s->net, n->net) ||
		    !skv_sub_stale(s))
			continue;
		skv_sub_unlink(s);
		hlist_add_head(&s->node, &dead);
	}
	mutex_unlock(&skv_subs_mutex);
	if (!hlist_empty(&dead))
		synchronize_rcu();
	hlist_for_each_entry_safe(s, tmp, &dead, node)
		skv_sub_free(s);
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
		.dumpit		= skv_nl_table_get_dumpit,
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
		.maxattr	= SKV_A_EVENT_TABLE,
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
	HLIST_HEAD(dead);
	int bkt;

	genl_unregister_family(&skv_nl_family);
	netlink_unregister_notifier(&skv_nl_notifier);

	mutex_lock(&skv_subs_mutex);
	hash_for_each_safe(skv_subs, bkt, tmp, s, node) {
		skv_sub_unlink(s);
		hlist_add_head(&s->node, &dead);
	}
	mutex_unlock(&skv_subs_mutex);
	synchronize_rcu();
	hlist_for_each_entry_safe(s, tmp, &dead, node)
		skv_sub_free(s);
}

MODULE_ALIAS_GENL_FAMILY(SKV_GENL_NAME);
