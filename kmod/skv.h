/* SPDX-License-Identifier: GPL-2.0 */
/*
 * skv: internal declarations of the module's layers.
 *
 * kmod/ is read top-down. Each file calls only files below it, and no
 * file calls one above it or beside it (tools/check-layers enforces it):
 *
 *	main.c			init and exit, nothing else
 *	ioctl.c  netlink.c	the faces: parse, check, marshal. ioctl.c is
 *				the only file that touches user memory; it
 *				turns user buffers into iov_iters. netlink.c
 *				is the only one that knows netlink.
 *	table.c			per-netns registry, permission, quota,
 *				attributes, the table's lifetime
 *	store.c			every key op on kernel memory, one
 *				implementation that both faces call
 *	expire.c		time to live (the expiry worker) and eviction
 *	entry.c			entries: allocation, charging, lookup, publish,
 *				unlink, the bucket walk
 *	stats.c			per-CPU counters
 *	events.c		where the store raises changes; the netlink
 *				face registers its delivery here, so nothing
 *				below a face ever calls one
 *
 * This header holds the shared types and inline helpers, which call
 * nothing in a .c file; each .c file's functions are declared in its own
 * header (table.h for table.c, ...), included by the files above it.
 */
#ifndef _SKV_H
#define _SKV_H

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/compiler.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/rhashtable.h>
#include <linux/refcount.h>
#include <linux/siphash.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/workqueue.h>
#include <linux/skv.h>

struct cred;
struct iov_iter;
struct net;
struct skv_map;

/* Ops this build serves, reported by SKV_IOC_FEATURES. */
#define SKV_FEATURE_OPS	(BIT_ULL(SKV_OP_GET) | BIT_ULL(SKV_OP_PUT) |	\
			 BIT_ULL(SKV_OP_DELETE) | BIT_ULL(SKV_OP_INCR) |	\
			 BIT_ULL(SKV_OP_GETDEL) | BIT_ULL(SKV_OP_BATCH) |	\
			 BIT_ULL(SKV_OP_SCAN) | BIT_ULL(SKV_OP_FLUSH) |	\
			 BIT_ULL(SKV_OP_STATS) | BIT_ULL(SKV_OP_INFO) |	\
			 BIT_ULL(SKV_OP_SET) | BIT_ULL(SKV_OP_TABLE_OPEN) | \
			 BIT_ULL(SKV_OP_TABLE_DELETE))

/* Keys up to this size are copied into a buffer on the stack. */
#define SKV_KEY_INLINE	256

/*
 * An entry's lengths and LRU clock share one word: key_len (up to
 * SKV_KEY_LEN_CAP, 13 bits), value_len (up to SKV_VALUE_LEN_CAP, 25 bits)
 * and the access time in seconds (24 bits, Redis' LRU clock), and one bit
 * says whether the entry has room for an expiry time. The lengths and
 * that bit never change after publication; the clock is updated with
 * cmpxchg.
 */
#define SKV_META_ATIME_BITS	24
#define SKV_META_KEY_BITS	13
#define SKV_META_VALUE_BITS	25
#define SKV_META_KEY_SHIFT	SKV_META_ATIME_BITS
#define SKV_META_VALUE_SHIFT	(SKV_META_ATIME_BITS + SKV_META_KEY_BITS)
#define SKV_META_EXPIRY		BIT_ULL(SKV_META_VALUE_SHIFT + SKV_META_VALUE_BITS)
#define SKV_META_VALUE_MASK	(BIT(SKV_META_VALUE_BITS) - 1)
#define SKV_LRU_CLOCK_MASK	(BIT(SKV_META_ATIME_BITS) - 1)

/*
 * One key/value pair. Published entries are immutable except for the
 * clock in @meta: an update publishes a new entry and frees the old one
 * after a grace period, so readers under RCU never see a half-written
 * value. Retired entries wait for their grace period in blocks of
 * pointers (entry.c), so an entry carries no rcu_head; and only an entry
 * written with a time to live has room for its expiry, at the start of
 * @data (SKV_META_EXPIRY). 32 bytes of header, 40 with an expiry.
 */
struct skv_entry {
	struct rhash_head node;
	u64 version;
	u64 meta;		/* value_len, key_len, atime, SKV_META_EXPIRY */
	u32 hash;		/* siphash of the key with the table's key */
	u32 user_flags;
	u8 data[];		/* [u64 expiry,] key_len bytes of key, value */
};

static inline bool skv_entry_has_expiry(const struct skv_entry *e)
{
	return e->meta & SKV_META_EXPIRY;
}

/* Boottime ns at which @e expires; 0 = never. */
static inline u64 skv_entry_expires(const struct skv_entry *e)
{
	return skv_entry_has_expiry(e) ? *(const u64 *)e->data : 0;
}

static inline u32 skv_entry_key_len(const struct skv_entry *e)
{
	return (READ_ONCE(e->meta) >> SKV_META_KEY_SHIFT) &
	       (BIT(SKV_META_KEY_BITS) - 1);
}

static inline u32 skv_entry_value_len(const struct skv_entry *e)
{
	return (READ_ONCE(e->meta) >> SKV_META_VALUE_SHIFT) &
	       SKV_META_VALUE_MASK;
}

static inline u32 skv_entry_atime(const struct skv_entry *e)
{
	return READ_ONCE(e->meta) & SKV_LRU_CLOCK_MASK;
}

/* Bytes of @data before the key: the expiry, if the entry has room. */
static inline size_t skv_entry_key_offset(bool expiry)
{
	return expiry ? sizeof(u64) : 0;
}

static inline const u8 *skv_entry_key(const struct skv_entry *e)
{
	return e->data + skv_entry_key_offset(skv_entry_has_expiry(e));
}

static inline const u8 *skv_entry_value(const struct skv_entry *e)
{
	return skv_entry_key(e) + skv_entry_key_len(e);
}

static inline size_t skv_entry_size(u32 key_len, u32 value_len, bool expiry)
{
	return sizeof(struct skv_entry) + skv_entry_key_offset(expiry) +
	       key_len + value_len;
}

static inline bool skv_entry_expired(const struct skv_entry *e, u64 now)
{
	u64 expires = skv_entry_expires(e);

	return expires && now >= expires;
}

/* A key in kernel memory, and the lookup key of the rhashtable. */
struct skv_key {
	const u8 *buf;
	u32 len;
	u32 hash;
};

/* What GET returns besides the value; @value_len also on -ERANGE. */
struct skv_meta {
	u32 value_len;
	u32 user_flags;
	u64 version;
	u64 ttl_ms;
};

/* A PUT's operands other than key and value. @version: CAS in, new out. */
struct skv_put_args {
	u32 flags;		/* SKV_PUT_* */
	u32 user_flags;
	u64 ttl_ms;
	u64 version;
};

/* One live entry, as a dump sees it; valid under rcu_read_lock(). */
struct skv_entry_view {
	const u8 *key;
	u32 key_len;
	const u8 *value;
	u32 value_len;
	u64 version;
	u64 ttl_ms;
	u32 user_flags;
};

typedef int (*skv_walk_fn)(const struct skv_entry_view *v, void *arg);

enum skv_stat {
	SKV_STAT_HITS,
	SKV_STAT_MISSES,
	SKV_STAT_WRITES,
	SKV_STAT_DELETES,
	SKV_STAT_EVICTIONS,
	SKV_STAT_EXPIRATIONS,
	SKV_STAT_NR,
};

struct skv_pcpu_stats {
	u64 count[SKV_STAT_NR];
};

/* Per-user accounting, like the keyrings' key_user. */
struct skv_user {
	struct hlist_node node;
	kuid_t uid;
	unsigned int nr_tables;		/* under skv_users_lock; 0 frees */
	atomic64_t bytes;		/* charged entry and bucket sizes */
	/*
	 * Writes of this user's tables in flight (low 32 bits) and writes
	 * settled (high 32 bits): a write at a limit fails only if no other
	 * write was in flight while it charged (entry.c, skv_charge_begin()).
	 */
	atomic64_t writers;
};

enum skv_event {
	SKV_EV_SET,
	SKV_EV_DELETE,
	SKV_EV_EXPIRED,
	SKV_EV_EVICTED,
	SKV_EV_FLUSHED,
	SKV_EV_TABLE_DELETED,
};

struct skv_table {
	struct rhashtable ht;
	siphash_key_t hash_key;
	refcount_t ref;
	struct list_head node;		/* in skv_net.tables */
	bool linked;			/* still in its namespace */
	char name[SKV_NAME_MAX];

	/* fixed at creation */
	u64 max_entries;
	u64 max_bytes;
	u32 max_key_len;
	u32 max_value_len;
	struct user_namespace *user_ns;
	struct skv_user *user;		/* charged for tables and bytes */
	bool quota_exempt;		/* creator had CAP_SYS_RESOURCE */

	/* changed by SKV_IOC_SET under @lock, read with READ_ONCE() */
	struct mutex lock;
	u64 default_ttl_ms;
	u32 policy;
	umode_t mode;
	kuid_t uid;
	kgid_t gid;

	atomic64_t version;
	atomic64_t nr_entries;
	atomic64_t bytes;		/* keys + values */
	atomic64_t nr_ttl;		/* entries with an expiry */
	atomic64_t bucket_bytes;	/* charged to @user for the buckets */
	struct skv_pcpu_stats __percpu *stats;

	struct delayed_work expire_work;
	u64 expire_cursor;

	/* written by the netlink face under its lock, read locklessly */
	unsigned int nr_subscribers;

	u32 table_flags;		/* SKV_TABLE_*, fixed at creation */
	struct skv_map *map;		/* SKV_TABLE_MAPPED: mapped.c's */
};

static inline bool skv_table_mapped(const struct skv_table *t)
{
	return t->table_flags & SKV_TABLE_MAPPED;
}

static inline void skv_stat_inc(struct skv_table *t, enum skv_stat stat)
{
	this_cpu_inc(t->stats->count[stat]);
}

#endif /* _SKV_H */
