// SPDX-License-Identifier: GPL-2.0
/*
 * skv: the store. Every key op (get, put, delete, incr, getdel, scan,
 * flush) on kernel memory, one implementation that both faces call. Keys
 * are kernel buffers; values come and go through an iov_iter, which the
 * ioctl face builds over user memory and the netlink face over a message.
 * Values are copied to an iov_iter under RCU with page faults disabled;
 * on a fault the op leaves RCU, faults the pages in and retries (as
 * gfs2_file_read_iter() does), so it never sleeps under RCU.
 */
#include <linux/kernel.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/uio.h>

#include "store.h"
#include "expire.h"
#include "mapped.h"
#include "entry.h"
#include "stats.h"
#include "events.h"

/* INCR values: an optional '-' and up to 19 digits (S64_MAX has 19). */
#define SKV_INT_MAX_DIGITS	19
#define SKV_INT_MAX_LEN		(SKV_INT_MAX_DIGITS + 1)
/* Entries LRU may evict to make room for one write. */
#define SKV_EVICT_TRIES		32
/* SCAN's count hint, and the bucket groups it visits per key wanted. */
#define SKV_SCAN_COUNT_MAX	1024
#define SKV_SCAN_COUNT_DEFAULT	16
#define SKV_SCAN_GROUPS_PER_KEY	10
/* SCAN records are padded to this. */
#define SKV_SCAN_ALIGN		8
/* Immediate retries of a write before it leaves RCU and yields. */
#define SKV_RETRY_YIELD		8
/* Retries of an insert that rhashtable refused while resizing. */
#define SKV_BUSY_TRIES		16

/*
 * The retry policy of the write ops, called under rcu_read_lock() with the
 * op's result: true to try again. -EAGAIN (the key changed, or a limit was
 * reached while other writes were in flight) is retried, at once a few
 * times, then after leaving RCU and yielding, so the writes it waits for
 * can finish. -EBUSY (rhashtable resizing) yields at once and gives up
 * after SKV_BUSY_TRIES. A fatal signal ends the op with -EINTR.
 */
struct skv_retry {
	unsigned int again;
	unsigned int busy;
};

static bool skv_retry(struct skv_retry *r, int *ret)
	__must_hold(RCU)
{
	if (*ret == -EAGAIN) {
		if (++r->again % SKV_RETRY_YIELD)
			return true;
	} else if (*ret != -EBUSY || ++r->busy > SKV_BUSY_TRIES) {
		return false;
	}
	rcu_read_unlock();
	if (fatal_signal_pending(current)) {
		*ret = -EINTR;
		rcu_read_lock();
		return false;
	}
	cond_resched();
	rcu_read_lock();
	return true;
}

/*
 * A write failed with @ret for lack of room: make room by evicting, if
 * the table's policy allows and @new could ever fit. True to try again.
 */
static bool skv_make_room(struct skv_table *t, const struct skv_entry *new,
			  int ret, unsigned int *evictions)
{
	u32 bytes = skv_entry_key_len(new) + skv_entry_value_len(new);

	if (ret != -ENOSPC && ret != -EFBIG)
		return false;
	if (READ_ONCE(t->policy) != SKV_POLICY_LRU || bytes > t->max_bytes ||
	    ++*evictions > SKV_EVICT_TRIES)
		return false;
	return skv_evict_one(t);
}

static int skv_check_key(struct skv_table *t, u32 key_len)
{
	return key_len && key_len <= t->max_key_len ? 0 : -EINVAL;
}

int skv_store_get(struct skv_table *t, const void *key, u32 key_len,
		  struct iov_iter *to, struct skv_meta *meta, bool del)
{
	struct skv_entry *e;
	struct skv_key k;
	size_t copied;
	u32 vlen;
	int ret;

	ret = skv_check_key(t, key_len);
	if (ret)
		return ret;
	if (skv_table_mapped(t))
		return skv_map_get(t, key, key_len, to, meta, del);
	skv_key_init(t, &k, key, key_len);

	rcu_read_lock();
retry:
	e = skv_entry_lookup(t, &k);
	if (!e) {
		skv_stat_inc(t, SKV_STAT_MISSES);
		ret = -ENOENT;
		goto out;
	}
	vlen = skv_entry_value_len(e);
	if (vlen > iov_iter_count(to)) {
		meta->value_len = vlen;
		ret = -ERANGE;
		goto out;
	}
	/* No sleeping copy under RCU: fault the pages in outside. */
	pagefault_disable();
	copied = copy_to_iter(skv_entry_value(e), vlen, to);
	pagefault_enable();
	if (unlikely(copied != vlen)) {
		iov_iter_revert(to, copied);
		rcu_read_unlock();
		if (fault_in_iov_iter_writeable(to, vlen))
			return -EFAULT;
		rcu_read_lock();
		goto retry;
	}
	if (del) {
		if (!skv_entry_unlink(t, e, SKV_EV_DELETE)) {
			iov_iter_revert(to, vlen);
			goto retry;
		}
	} else {
		skv_entry_touch(t, e);
	}
	meta->value_len = vlen;
	meta->version = e->version;
	meta->ttl_ms = skv_ttl_left_ms(e);
	meta->user_flags = e->user_flags;
	skv_stat_inc(t, SKV_STAT_HITS);
	ret = 0;
out:
	rcu_read_unlock();
	return ret;
}

/* Validate a PUT's flags and sizes against @t, before anything is copied. */
static int skv_check_put(struct skv_table *t, const struct skv_put_args *a,
			 u32 key_len, size_t value_len)
{
	u32 f = a->flags;

	if (f & ~SKV_PUT_ALL)
		return -EINVAL;
	if ((f & SKV_PUT_NX) && (f & (SKV_PUT_XX | SKV_PUT_CAS)))
		return -EINVAL;
	if (!(f & SKV_PUT_CAS) && a->version)
		return -EINVAL;
	if (!!(f & SKV_PUT_TTL) != !!a->ttl_ms)
		return -EINVAL;
	if (skv_check_key(t, key_len))
		return -EINVAL;
	if (value_len > t->max_value_len)
		return -E2BIG;
	return 0;
}

/* Expiry of a write now with the PUT flags of @a. */
static u64 skv_put_expiry(struct skv_table *t, const struct skv_put_args *a)
{
	u64 ttl = a->flags & SKV_PUT_TTL ? a->ttl_ms :
					   READ_ONCE(t->default_ttl_ms);

	return ttl ? skv_expiry_ns(ttl) : 0;
}

static int skv_store_put_mapped(struct skv_table *t, struct skv_put_args *a,
				const void *key, u32 key_len,
				struct iov_iter *from)
{
	u64 expires = skv_put_expiry(t, a);
	int ret;

	ret = skv_map_put(t, a, key, key_len, from, expires);
	if (!ret && expires)
		skv_expire_kick(t);
	return ret;
}

/*
 * Store @key = the @from bytes under the PUT flags of @a. On success
 * @a->version (the CAS version in) holds the new version.
 */
int skv_store_put(struct skv_table *t, struct skv_put_args *a,
		  const void *key, u32 key_len, struct iov_iter *from)
{
	size_t value_len = iov_iter_count(from);
	unsigned int evictions = 0;
	struct skv_retry r = {};
	struct skv_entry *new, *old;
	struct skv_key k;
	u32 f = a->flags;
	u64 expires;
	u8 *kbuf;
	int ret;

	ret = skv_check_put(t, a, key_len, value_len);
	if (ret)
		return ret;
	if (skv_table_mapped(t))
		return skv_store_put_mapped(t, a, key, key_len, from);
	expires = skv_put_expiry(t, a);
	/* Only an entry with a time to live has room for its expiry. */
	new = skv_entry_alloc(key_len, value_len, expires != 0);
	if (!new)
		return -ENOMEM;
	kbuf = skv_entry_key_buf(new);
	memcpy(kbuf, key, key_len);
	if (!copy_from_iter_full(kbuf + key_len, value_len, from)) {
		skv_entry_free(new);
		return -EFAULT;
	}
	skv_entry_set_lens(new, key_len, value_len);
	skv_key_init(t, &k, kbuf, key_len);
	new->hash = k.hash;
	new->user_flags = a->user_flags;
	if (expires)
		skv_entry_set_expires(new, expires);

	rcu_read_lock();
	do {
		old = skv_entry_lookup(t, &k);
		if (old && (f & SKV_PUT_NX))
			ret = -EEXIST;
		else if (!old && (f & (SKV_PUT_XX | SKV_PUT_CAS)))
			ret = -ENOENT;
		else if (old && (f & SKV_PUT_CAS) && old->version != a->version)
			ret = -ESTALE;
		else
			ret = skv_entry_publish(t, &k, old, new);
		if (skv_make_room(t, new, ret, &evictions))
			ret = -EAGAIN;
	} while (skv_retry(&r, &ret));
	if (!ret)
		a->version = new->version;
	rcu_read_unlock();

	if (ret) {
		skv_entry_free(new);
		return ret;
	}
	/* Not new's expiry: a later write may have replaced and freed it. */
	if (expires)
		skv_expire_kick(t);
	return 0;
}

/*
 * Delete @key; SKV_DEL_CAS only if its version is *@version. On success
 * *@version holds the deleted entry's version.
 */
int skv_store_delete(struct skv_table *t, const void *key, u32 key_len,
		     u32 flags, u64 *version)
{
	struct skv_retry r = {};
	struct skv_entry *e;
	struct skv_key k;
	int ret;

	if (flags & ~SKV_DEL_ALL)
		return -EINVAL;
	if (!(flags & SKV_DEL_CAS) && *version)
		return -EINVAL;
	ret = skv_check_key(t, key_len);
	if (ret)
		return ret;
	if (skv_table_mapped(t))
		return skv_map_delete(t, key, key_len, flags, version);
	skv_key_init(t, &k, key, key_len);

	rcu_read_lock();
	do {
		e = skv_entry_lookup(t, &k);
		if (!e)
			ret = -ENOENT;
		else if ((flags & SKV_DEL_CAS) && e->version != *version)
			ret = -ESTALE;
		else
			ret = skv_entry_unlink(t, e, SKV_EV_DELETE) ? 0 : -EAGAIN;
	} while (skv_retry(&r, &ret));
	if (!ret)
		*version = e->version;
	rcu_read_unlock();
	return ret;
}

/* An INCR value: '-'? and 1..19 digits, no '+', spaces or leading zeros. */
static int skv_parse_s64(const u8 *s, u32 len, s64 *res)
{
	bool neg = len && s[0] == '-';
	u32 i = neg;
	u64 v = 0;

	if (len - i < 1 || len - i > SKV_INT_MAX_DIGITS)
		return -EDOM;
	if (s[i] == '0' && (len - i > 1 || neg))
		return -EDOM;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EDOM;
		v = v * 10 + (s[i] - '0');
	}
	if (neg) {
		if (v > (u64)S64_MAX + 1)
			return -EDOM;
		*res = (s64)(0 - v);
	} else {
		if (v > S64_MAX)
			return -EDOM;
		*res = v;
	}
	return 0;
}

struct skv_incr_ctx {
	s64 delta;
	s64 res;
	u32 max_value_len;
	char num[SKV_INT_MAX_LEN + 1];
};

/*
 * INCR's arithmetic on the value @old (NULL: no entry, which counts as 0):
 * the sum's decimal digits in @c->num, pointed to by *@num, and their
 * number; or -EDOM, -EOVERFLOW, -E2BIG.
 */
static int skv_incr_step(const u8 *old, u32 old_len, const u8 **num,
			 void *arg)
{
	struct skv_incr_ctx *c = arg;
	s64 cur = 0;
	int ret, len;

	if (old) {
		ret = skv_parse_s64(old, old_len, &cur);
		if (ret)
			return ret;
	}
	if (check_add_overflow(cur, c->delta, &c->res))
		return -EOVERFLOW;
	len = snprintf(c->num, sizeof(c->num), "%lld", c->res);
	if (len > c->max_value_len)
		return -E2BIG;
	*num = c->num;
	return len;
}

/* Add @delta to the decimal integer at @key (absent: 0). */
int skv_store_incr(struct skv_table *t, const void *key, u32 key_len,
		   s64 delta, s64 *result, u64 *version)
{
	struct skv_incr_ctx c = {
		.delta = delta,
		.max_value_len = t->max_value_len,
	};
	unsigned int evictions = 0;
	struct skv_retry r = {};
	struct skv_entry *old, *new;
	const u8 *num;
	struct skv_key k;
	u64 ttl, expires = 0;
	int ret, len;
	u8 *kbuf;

	ret = skv_check_key(t, key_len);
	if (ret)
		return ret;
	if (skv_table_mapped(t)) {
		ttl = READ_ONCE(t->default_ttl_ms);
		ret = skv_map_incr(t, key, key_len, skv_incr_step, &c,
				   ttl ? skv_expiry_ns(ttl) : 0, version);
		if (ret)
			return ret;
		*result = c.res;
		if (ttl)
			skv_expire_kick(t);
		return 0;
	}
	/* Room for an expiry: the entry it replaces decides whether it has one. */
	new = skv_entry_alloc(key_len, SKV_INT_MAX_LEN, true);
	if (!new)
		return -ENOMEM;
	kbuf = skv_entry_key_buf(new);
	memcpy(kbuf, key, key_len);
	skv_key_init(t, &k, kbuf, key_len);
	new->hash = k.hash;

	rcu_read_lock();
	do {
		old = skv_entry_lookup(t, &k);
		len = old ? skv_incr_step(skv_entry_value(old),
					  skv_entry_value_len(old), &num, &c) :
			    skv_incr_step(NULL, 0, &num, &c);
		if (len < 0) {
			ret = len;
			break;
		}
		if (old) {
			expires = skv_entry_expires(old);
			new->user_flags = old->user_flags;
		} else {
			ttl = READ_ONCE(t->default_ttl_ms);
			expires = ttl ? skv_expiry_ns(ttl) : 0;
			new->user_flags = 0;
		}
		skv_entry_set_expires(new, expires);
		memcpy(kbuf + key_len, num, len);
		skv_entry_set_lens(new, key_len, len);
		ret = skv_entry_publish(t, &k, old, new);
		if (skv_make_room(t, new, ret, &evictions))
			ret = -EAGAIN;
	} while (skv_retry(&r, &ret));
	if (!ret) {
		*result = c.res;
		*version = new->version;
	}
	rcu_read_unlock();

	if (ret) {
		skv_entry_free(new);
		return ret;
	}
	if (expires)
		skv_expire_kick(t);
	return 0;
}

struct skv_scan_ctx {
	struct iov_iter *to;
	u64 room;
	u64 used;		/* bytes the iterator advanced */
	u64 group_bytes;	/* the group's records, whether or not they fit */
	u64 fault_need;		/* bytes of the group to fault in */
	u32 nr;
	bool values;
	bool overflow;
	const u8 *prefix;
	u32 prefix_len;
	u64 now;
	u64 group_start;
};

static bool skv_scan_copy(struct skv_scan_ctx *c, const void *src, size_t len)
{
	size_t n;

	pagefault_disable();
	n = copy_to_iter(src, len, c->to);
	pagefault_enable();
	c->used += n;
	return n == len;
}

/* A live entry of the rhashtable engine, as a dump sees it. */
static void skv_entry_view(const struct skv_entry *e,
			   struct skv_entry_view *v)
{
	v->key = skv_entry_key(e);
	v->key_len = skv_entry_key_len(e);
	v->value = skv_entry_value(e);
	v->value_len = skv_entry_value_len(e);
	v->version = e->version;
	v->ttl_ms = skv_ttl_left_ms(e);
	v->user_flags = e->user_flags;
}

/* One SCAN record for @v, unless it falls outside the prefix. */
static int skv_scan_emit(const struct skv_entry_view *v, void *arg)
{
	static const u8 zeros[SKV_SCAN_ALIGN];
	struct skv_scan_ctx *c = arg;
	struct skv_scan_rec rec = {};
	u32 klen = v->key_len;
	u32 vlen = c->values ? v->value_len : 0;
	u64 size = sizeof(rec) + ALIGN((u64)klen + vlen, SKV_SCAN_ALIGN);
	u64 start = c->used;

	if (klen < c->prefix_len || memcmp(v->key, c->prefix, c->prefix_len))
		return 0;

	c->group_bytes += size;
	if (c->overflow || c->used + size > c->room) {
		c->overflow = true;
		return 0;
	}

	rec.key_len = klen;
	rec.value_len = vlen;
	rec.version = v->version;
	rec.ttl_ms = v->ttl_ms;
	rec.user_flags = v->user_flags;
	rec.rec_size = sizeof(rec);
	/* Key and value are adjacent in both engines' memory. */
	if (!skv_scan_copy(c, &rec, sizeof(rec)) ||
	    !skv_scan_copy(c, v->key, klen + vlen) ||
	    !skv_scan_copy(c, zeros, size - sizeof(rec) - klen - vlen)) {
		c->fault_need = start + size - c->group_start;
		return -EFAULT;
	}
	c->nr++;
	return 0;
}

static int skv_scan_visit(struct skv_table *t, struct skv_entry *e,
			  void *arg)
{
	struct skv_scan_ctx *c = arg;
	struct skv_entry_view v;

	if (skv_entry_expired(e, c->now))
		return 0;
	skv_entry_view(e, &v);
	return skv_scan_emit(&v, c);
}

/*
 * One bucket group of either engine: @efn on the rhashtable's entries
 * under RCU, or @vfn on the views of a mapped table's bucket under its
 * lock (expired entries reaped). Returns the next cursor, 0 at the end.
 */
static u64 skv_visit(struct skv_table *t, u64 v, skv_visit_fn efn,
		     skv_walk_fn vfn, void *arg, int *ret)
{
	if (skv_table_mapped(t))
		return skv_map_visit(t, v, vfn, arg, ret);
	rcu_read_lock();
	v = skv_visit_group(t, v, efn, arg, ret);
	rcu_read_unlock();
	return v;
}

/*
 * SCAN: records from @a->cursor on into @to, whole bucket groups at a
 * time. -ERANGE if not even the first group fits, with its size in
 * @a->needed.
 */
int skv_store_scan(struct skv_table *t, struct skv_scan_args *a,
		   struct iov_iter *to)
{
	struct skv_scan_ctx c = {
		.to = to,
		.room = iov_iter_count(to),
		.values = a->values,
		.prefix = a->prefix,
		.prefix_len = a->prefix_len,
	};
	u32 count, groups = 0, nr0;
	u64 v = a->cursor, next;
	int ret;

	if (a->prefix_len > t->max_key_len)
		return -EINVAL;
	count = min_t(u32, a->count ?: SKV_SCAN_COUNT_DEFAULT,
		      SKV_SCAN_COUNT_MAX);

	for (;;) {
		c.group_start = c.used;
		nr0 = c.nr;
		c.group_bytes = 0;
		c.overflow = false;
		c.now = skv_now_ns();

		next = skv_visit(t, v, skv_scan_visit, skv_scan_emit, &c, &ret);

		if (ret || c.overflow) {
			/* Take the group back: it is redone or left out. */
			iov_iter_revert(to, c.used - c.group_start);
			c.used = c.group_start;
			c.nr = nr0;
		}
		if (ret) {
			/* Fault the pages in outside RCU, redo the group. */
			if (fault_in_iov_iter_writeable(to, c.fault_need))
				return -EFAULT;
			continue;
		}
		if (c.overflow) {
			if (!c.nr) {
				a->needed = c.group_bytes;
				return -ERANGE;
			}
			break;
		}
		v = next;
		if (!v || c.nr >= count ||
		    ++groups >= count * SKV_SCAN_GROUPS_PER_KEY)
			break;
		cond_resched();
	}

	a->cursor = v;
	a->nr_keys = c.nr;
	return 0;
}

struct skv_walk_ctx {
	skv_walk_fn fn;
	void *arg;
	u32 idx;		/* live entries of the group seen */
	u32 skip;		/* of them already delivered */
	u64 now;
};

static int skv_walk_view(const struct skv_entry_view *v, void *arg)
{
	struct skv_walk_ctx *w = arg;

	if (w->idx++ < w->skip)
		return 0;
	return w->fn(v, w->arg);
}

static int skv_walk_visit(struct skv_table *t, struct skv_entry *e,
			  void *arg)
{
	struct skv_walk_ctx *w = arg;
	struct skv_entry_view view;

	if (skv_entry_expired(e, w->now)) {
		/* Reaped, and not counted: the group shrinks by it. */
		skv_entry_unlink(t, e, SKV_EV_EXPIRED);
		return 0;
	}
	skv_entry_view(e, &view);
	return skv_walk_view(&view, w);
}

/*
 * Call @fn on each live entry from group *@cursor, past the *@skip entries
 * of it already delivered, one RCU section per group, reaping expired
 * entries on the way. Returns 0 at the end of the table, or what @fn
 * returned to stop, with *@cursor and *@skip at the entry it refused.
 */
int skv_store_walk(struct skv_table *t, u64 *cursor, u32 *skip,
		   skv_walk_fn fn, void *arg)
{
	struct skv_walk_ctx w = { .fn = fn, .arg = arg };
	u64 next;
	int ret;

	do {
		w.idx = 0;
		w.skip = *skip;
		w.now = skv_now_ns();
		next = skv_visit(t, *cursor, skv_walk_visit, skv_walk_view, &w,
				 &ret);
		if (ret) {
			*skip = w.idx - 1;
			return ret;
		}
		*cursor = next;
		*skip = 0;
		cond_resched();
	} while (next);
	return 0;
}

static int skv_flush_visit(struct skv_table *t, struct skv_entry *e,
			   void *arg)
{
	u64 *count = arg;

	if (skv_entry_expired(e, skv_now_ns()))
		skv_entry_unlink(t, e, SKV_EV_EXPIRED);
	else if (skv_entry_unlink(t, e, SKV_EV_FLUSHED))
		(*count)++;
	return 0;
}

/*
 * Delete every entry; *@count is how many. One full cursor pass reaches
 * every entry, even across resizes. A fatal signal stops it with -EINTR:
 * what was deleted stays deleted, and subscribers are told of the flush.
 */
int skv_store_flush(struct skv_table *t, u64 *count)
{
	u64 v = 0;
	int ret = 0;

	*count = 0;
	do {
		if (skv_table_mapped(t)) {
			v = skv_map_flush_bucket(t, v, count);
		} else {
			rcu_read_lock();
			v = skv_visit_group(t, v, skv_flush_visit, count, &ret);
			rcu_read_unlock();
		}
		if (v && fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		cond_resched();
	} while (v);

	skv_notify(t, &(struct skv_change){ .ev = SKV_EV_FLUSHED });
	return ret;
}

/* SKV_IOC_STATS and the netlink table attributes. */
void skv_store_stats(struct skv_table *t, struct skv_stats *st)
{
	u64 sum[SKV_STAT_NR];

	skv_stats_sum(t, sum);
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	st->entries = atomic64_read(&t->nr_entries);
	st->bytes = atomic64_read(&t->bytes);
	st->hits = sum[SKV_STAT_HITS];
	st->misses = sum[SKV_STAT_MISSES];
	st->writes = sum[SKV_STAT_WRITES];
	st->deletes = sum[SKV_STAT_DELETES];
	st->evictions = sum[SKV_STAT_EVICTIONS];
	st->expirations = sum[SKV_STAT_EXPIRATIONS];
}

/*
 * Changes to the table's entries since it was created: every write bumps
 * the version, every removal one of the counters.
 */
u64 skv_store_generation(struct skv_table *t)
{
	u64 sum[SKV_STAT_NR];

	skv_stats_sum(t, sum);
	return atomic64_read(&t->version) + sum[SKV_STAT_DELETES] +
	       sum[SKV_STAT_EVICTIONS] + sum[SKV_STAT_EXPIRATIONS];
}

/* The engine behind a new table. */
int skv_store_table_init(struct skv_table *t)
{
	int ret;

	skv_expire_init(t);
	ret = skv_stats_alloc(t);
	if (ret)
		return ret;
	if (skv_table_mapped(t))
		ret = skv_map_init(t);
	else
		ret = skv_entries_init(t);
	if (ret)
		skv_stats_free(t);
	return ret;
}

/* The table left its namespace; its fds keep working. */
void skv_store_table_dead(struct skv_table *t)
{
	if (skv_table_mapped(t))
		skv_map_kill(t);
}

/* The table is unreachable: free its entries and stop its worker. */
void skv_store_table_destroy(struct skv_table *t)
{
	skv_expire_stop(t);
	if (skv_table_mapped(t))
		skv_map_destroy(t);
	else
		skv_entries_destroy(t);
	skv_stats_free(t);
}

/* Map a mapped table's region into @vma: -ENODEV for another table. */
int skv_store_mmap(struct skv_table *t, struct vm_area_struct *vma)
{
	if (!skv_table_mapped(t))
		return -ENODEV;
	return skv_map_mmap(t, vma);
}

/* Bytes of a mapped table's region, 0 for another table. */
u64 skv_store_map_size(struct skv_table *t)
{
	return skv_table_mapped(t) ? skv_map_size(t) : 0;
}

int __init skv_store_init(void)
{
	return skv_entry_caches_init();
}

void skv_store_exit(void)
{
	skv_entry_caches_exit();
}
