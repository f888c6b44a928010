/* SPDX-License-Identifier: GPL-2.0 */
/*
 * skv: internal declarations shared by the module's files.
 */
#ifndef _SKV_H
#define _SKV_H

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/compiler.h>
#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rhashtable.h>
#include <linux/refcount.h>
#include <linux/siphash.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/workqueue.h>
#include <linux/skv.h>

/* Ops this build serves, reported by SKV_IOC_FEATURES. */
#define SKV_FEATURE_OPS	(BIT_ULL(SKV_OP_GET) | BIT_ULL(SKV_OP_PUT) |	\
			 BIT_ULL(SKV_OP_DELETE) | BIT_ULL(SKV_OP_INCR) |	\
			 BIT_ULL(SKV_OP_GETDEL) | BIT_ULL(SKV_OP_BATCH) |	\
			 BIT_ULL(SKV_OP_SCAN) | BIT_ULL(SKV_OP_FLUSH) |	\
			 BIT_ULL(SKV_OP_STATS) | BIT_ULL(SKV_OP_INFO) |	\
			 BIT_ULL(SKV_OP_SET) | BIT_ULL(SKV_OP_TABLE_OPEN) | \
			 BIT_ULL(SKV_OP_TABLE_DELETE))

/* Keys up to this size are looked up from a buffer on the stack. */
#define SKV_KEY_INLINE	256

/*
 * One key/value pair. Published entries are immutable except for @atime:
 * an update publishes a new entry and frees the old one after a grace
 * period, so readers under RCU never see a half-written value.
 */
struct skv_entry {
	struct rhash_head node;
	struct rcu_head rcu;
	u64 version;
	u64 expires;		/* boottime ns; 0 = never */
	u32 hash;		/* siphash of the key with the table's key */
	u32 user_flags;
	u32 value_len;
	u16 key_len;
	u16 atime;		/* skv_lru_clock() of the last access */
	u8 data[];		/* key_len bytes of key, then the value */
};

static inline size_t skv_entry_size(u32 key_len, u32 value_len)
{
	return sizeof(struct skv_entry) + key_len + value_len;
}

/* LRU recency in seconds, wrapping after 18 hours, as Redis' LRU clock. */
static inline u16 skv_lru_clock(void)
{
	return (u16)(jiffies / HZ);
}

static inline const u8 *skv_entry_value(const struct skv_entry *e)
{
	return e->data + e->key_len;
}

/* A key copied in from userspace, and the lookup key of the rhashtable. */
struct skv_key {
	const u8 *buf;
	u32 len;
	u32 hash;
};

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
	atomic64_t bytes;		/* charged entry sizes */
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
	struct skv_pcpu_stats __percpu *stats;

	struct delayed_work expire_work;
	u64 expire_cursor;

	unsigned int nr_subscribers;
};

/* netlink.c */
int skv_netlink_init(void);
void skv_netlink_exit(void);
void skv_nl_notify(struct skv_table *t, enum skv_event ev, const void *key,
		   u32 key_len, u64 version);

/*
 * The single place where change events leave the store. Netlink
 * subscriptions fill it in; with no subscriber the data path pays only
 * this check.
 */
static inline void skv_notify(struct skv_table *t, enum skv_event ev,
			      const void *key, u32 key_len, u64 version)
{
	if (likely(!READ_ONCE(t->nr_subscribers)))
		return;
	skv_nl_notify(t, ev, key, key_len, version);
}

static inline void skv_stat_inc(struct skv_table *t, enum skv_stat stat)
{
	this_cpu_inc(t->stats->count[stat]);
}

extern const struct rhashtable_params skv_rht_params;

/* device.c */
int skv_copy_arg(void *dst, size_t ksize, size_t min_size,
		 const void __user *src, u32 *usize);
int skv_copy_arg_out(void __user *dst, const void *src, size_t ksize,
		     u32 usize);
int skv_device_init(void);
void skv_device_exit(void);

/* table.c */
struct net;
int skv_table_open(const struct skv_table_open *req, struct skv_table **tp,
		   bool *created);
void skv_table_abort_create(struct skv_table *t);
int skv_table_open_net(struct net *net, const struct skv_table_open *req,
		       struct skv_table **tp, bool *created);
int skv_table_delete(const struct skv_table_delete *req);
int skv_table_delete_net(struct net *net, const struct skv_table_delete *req);
void skv_table_put(struct skv_table *t);
int skv_table_permission(struct skv_table *t, bool write);
bool skv_table_is_owner(struct skv_table *t);
int skv_table_set(struct skv_table *t, const struct skv_set *set);
typedef int (*skv_table_fn)(struct skv_table *t, void *arg);
int skv_tables_walk(struct net *net, unsigned long *pos, skv_table_fn fn,
		    void *arg);
u64 skv_user_bytes_limit(const struct skv_table *t);
extern const struct file_operations skv_table_fops;
int skv_tables_init(void);
void skv_tables_exit(void);

/* store.c */
int skv_store_init(void);
void skv_store_exit(void);
typedef int (*skv_visit_fn)(struct skv_table *t, struct skv_entry *e,
			    void *arg);
u64 skv_visit_group(struct skv_table *t, u64 cursor, skv_visit_fn fn,
		    void *arg, int *ret);
bool skv_entry_unlink(struct skv_table *t, struct skv_entry *e,
		      enum skv_event ev);
void skv_entry_destroy(void *ptr, void *arg);
int skv_put_kern(struct skv_table *t, u32 flags, const void *key, u32 key_len,
		 const void *value, u32 value_len, u32 user_flags,
		 u64 ttl_ms, u64 *version);
struct skv_entry *skv_lookup_kern(struct skv_table *t, const void *key,
				  u32 key_len);
void skv_entry_touch_kern(struct skv_table *t, struct skv_entry *e);
long skv_ioctl_get(struct skv_table *t, void __user *argp, bool del);
long skv_ioctl_put(struct skv_table *t, void __user *argp);
long skv_ioctl_delete(struct skv_table *t, void __user *argp);
long skv_ioctl_incr(struct skv_table *t, void __user *argp);
long skv_ioctl_batch(struct skv_table *t, void __user *argp, bool writable);
long skv_ioctl_scan(struct skv_table *t, void __user *argp);
long skv_ioctl_flush(struct skv_table *t, void __user *argp);

/* expire.c */
u64 skv_now_ns(void);
u64 skv_expiry_ns(u64 ttl_ms);
u64 skv_ttl_left_ms(const struct skv_entry *e);

static inline bool skv_entry_expired(const struct skv_entry *e, u64 now)
{
	return e->expires && now >= e->expires;
}

void skv_expire_init(struct skv_table *t);
void skv_expire_kick(struct skv_table *t);
void skv_expire_stop(struct skv_table *t);
bool skv_evict_one(struct skv_table *t);

/* stats.c */
int skv_stats_alloc(struct skv_table *t);
void skv_stats_free(struct skv_table *t);
long skv_ioctl_stats(struct skv_table *t, void __user *argp);

#endif /* _SKV_H */
