// SPDX-License-Identifier: GPL-2.0
/*
 * skv: the store. Entries live in an rhashtable and are immutable once
 * published: a write builds a new entry and swaps it in with
 * rhashtable_replace_fast() or inserts it with
 * rhashtable_lookup_insert_key(); either fails if the key changed since we
 * looked, and the op looks again. So NX, XX, CAS and INCR are atomic per
 * key with nothing but rhashtable's bucket locks, and reads take no lock.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/pagemap.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "skv.h"

/* INCR values: '-' and up to 19 digits. */
#define SKV_INT_MAX_LEN		20
/* Entries LRU may evict to make room for one write. */
#define SKV_EVICT_TRIES		32
/* Upper bound of SCAN's count hint. */
#define SKV_SCAN_COUNT_MAX	1024
#define SKV_SCAN_COUNT_DEFAULT	16

static u32 skv_key_hashfn(const void *data, u32 len, u32 seed)
{
	return ((const struct skv_key *)data)->hash;
}

static u32 skv_entry_hashfn(const void *data, u32 len, u32 seed)
{
	return ((const struct skv_entry *)data)->hash;
}

static int skv_entry_cmpfn(struct rhashtable_compare_arg *arg,
			   const void *obj)
{
	const struct skv_key *k = arg->key;
	const struct skv_entry *e = obj;

	return e->key_len != k->len || memcmp(e->data, k->buf, k->len);
}

/*
 * The hash ignores rhashtable's per-bucket-table seed: it is a siphash
 * keyed per skv table, so an entry sits in bucket hash & (size - 1) at
 * every table size. SCAN's reverse-binary cursor relies on that.
 */
const struct rhashtable_params skv_rht_params = {
	.head_offset		= offsetof(struct skv_entry, node),
	.hashfn			= skv_key_hashfn,
	.obj_hashfn		= skv_entry_hashfn,
	.obj_cmpfn		= skv_entry_cmpfn,
	.automatic_shrinking	= true,
};

static u32 skv_hash(const struct skv_table *t, const void *buf, u32 len)
{
	return (u32)siphash(buf, len, &t->hash_key);
}

/*
 * Entries and key buffers are charged to the caller's memory cgroup. A
 * full cgroup must fail the write with -ENOMEM, not OOM-kill a process:
 * __GFP_RETRY_MAYFAIL makes the memcg charge give up instead of invoking
 * the OOM killer.
 */
#define SKV_GFP_DATA	(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

/*
 * Operands of one op, from its own ioctl struct or from a batch op.
 * @version is the CAS version in and the new version out, @num INCR's
 * delta in and result out.
 */
struct skv_args {
	u32 flags;
	u32 key_len;
	u32 value_len;
	u32 user_flags;
	const void __user *key;
	void __user *value;
	u64 version;
	u64 ttl_ms;
	s64 num;
};

/* A user buffer copied in: on the stack when small, else kmalloc'ed. */
struct skv_ubuf {
	struct skv_key k;
	u8 inline_buf[SKV_KEY_INLINE];
};

static int skv_ubuf_copy(struct skv_ubuf *ub, const void __user *uptr,
			 u32 len)
{
	u8 *buf = ub->inline_buf;

	if (len > SKV_KEY_INLINE) {
		buf = kmalloc(len, SKV_GFP_DATA);
		if (!buf)
			return -ENOMEM;
	}
	if (copy_from_user(buf, uptr, len)) {
		if (buf != ub->inline_buf)
			kfree(buf);
		return -EFAULT;
	}
	ub->k.buf = buf;
	ub->k.len = len;
	return 0;
}

static void skv_ubuf_release(struct skv_ubuf *ub)
{
	if (ub->k.buf != ub->inline_buf)
		kfree(ub->k.buf);
}

static int skv_key_copy(struct skv_table *t, struct skv_ubuf *ub,
			const void __user *uptr, u32 len)
{
	int ret;

	if (!len || len > t->max_key_len)
		return -EINVAL;
	ret = skv_ubuf_copy(ub, uptr, len);
	if (ret)
		return ret;
	ub->k.hash = skv_hash(t, ub->k.buf, len);
	return 0;
}

/*
 * Entries up to SKV_ENTRY_CACHE_MAX bytes come from caches 8 bytes apart,
 * so slab rounding adds at most 7 bytes to the header; kmalloc's size
 * classes (96, 128, 192, 256, 512) would add up to 255. Bigger entries
 * use kvmalloc(). Any of them is freed with kvfree().
 */
#define SKV_ENTRY_CACHE_MIN	ALIGN(sizeof(struct skv_entry) + 1, 8)
#define SKV_ENTRY_CACHE_MAX	512
#define SKV_ENTRY_CACHE_NR	\
	((SKV_ENTRY_CACHE_MAX - SKV_ENTRY_CACHE_MIN) / 8 + 1)

static struct kmem_cache *skv_entry_caches[SKV_ENTRY_CACHE_NR];

static struct skv_entry *skv_entry_alloc(u32 key_len, u32 value_len)
{
	size_t size = skv_entry_size(key_len, value_len);

	if (size <= SKV_ENTRY_CACHE_MAX)
		return kmem_cache_alloc(skv_entry_caches[(ALIGN(size, 8) -
				SKV_ENTRY_CACHE_MIN) / 8], SKV_GFP_DATA);
	return kvmalloc(size, SKV_GFP_DATA);
}

static void skv_entry_free_rcu(struct rcu_head *head)
{
	kvfree(container_of(head, struct skv_entry, rcu));
}

void skv_store_exit(void)
{
	unsigned int i;

	for (i = 0; i < SKV_ENTRY_CACHE_NR; i++)
		kmem_cache_destroy(skv_entry_caches[i]);
}

int __init skv_store_init(void)
{
	static char names[SKV_ENTRY_CACHE_NR][16];
	unsigned int i, size;

	/* The per-entry budget is 64 bytes, rounding included. */
	BUILD_BUG_ON(sizeof(struct skv_entry) + 7 > 64);
	for (i = 0; i < SKV_ENTRY_CACHE_NR; i++) {
		size = SKV_ENTRY_CACHE_MIN + i * 8;
		snprintf(names[i], sizeof(names[i]), "skv_entry-%u", size);
		/* Only key and value bytes are copied to and from users. */
		skv_entry_caches[i] =
			kmem_cache_create_usercopy(names[i], size, 8,
						   SLAB_ACCOUNT,
						   sizeof(struct skv_entry),
						   size - sizeof(struct skv_entry),
						   NULL);
		if (!skv_entry_caches[i]) {
			skv_store_exit();
			return -ENOMEM;
		}
	}
	return 0;
}

/* Add @n to @v unless that takes it above @max. */
static bool skv_add_capped(atomic64_t *v, s64 n, u64 max)
{
	s64 old = atomic64_read(v);

	if (n <= 0) {
		atomic64_add(n, v);
		return true;
	}
	do {
		if ((u64)old + n > max)
			return false;
	} while (!atomic64_try_cmpxchg(v, &old, old + n));
	return true;
}

static void skv_uncharge(struct skv_table *t, s64 entries, s64 bytes,
			 s64 cost)
{
	atomic64_sub(entries, &t->nr_entries);
	atomic64_sub(bytes, &t->bytes);
	atomic64_sub(cost, &t->user->bytes);
}

/*
 * Account @entries more entries, @bytes more key+value bytes and @cost
 * more bytes of memory against the table's limits and its owner's quota.
 */
static int skv_charge(struct skv_table *t, s64 entries, s64 bytes, s64 cost)
{
	if (!skv_add_capped(&t->nr_entries, entries, t->max_entries))
		return -ENOSPC;
	if (!skv_add_capped(&t->bytes, bytes, t->max_bytes)) {
		atomic64_sub(entries, &t->nr_entries);
		return -EFBIG;
	}
	if (!skv_add_capped(&t->user->bytes, cost, skv_user_bytes_limit(t))) {
		atomic64_sub(entries, &t->nr_entries);
		atomic64_sub(bytes, &t->bytes);
		return -EDQUOT;
	}
	return 0;
}

/* As skv_charge(), evicting entries of an LRU table to make room. */
static int skv_charge_evict(struct skv_table *t, s64 entries, s64 bytes,
			    s64 cost)
{
	int tries = 0;
	int ret;

	for (;;) {
		ret = skv_charge(t, entries, bytes, cost);
		if (ret != -ENOSPC && ret != -EFBIG)
			return ret;
		if (READ_ONCE(t->policy) != SKV_POLICY_LRU ||
		    (bytes > 0 && (u64)bytes > t->max_bytes) ||
		    ++tries > SKV_EVICT_TRIES || !skv_evict_one(t))
			return ret;
	}
}

static void skv_entry_retire(struct skv_table *t, struct skv_entry *e)
{
	if (e->expires)
		atomic64_dec(&t->nr_ttl);
	/* Our own callback, so rcu_barrier() at unload waits for it. */
	call_rcu(&e->rcu, skv_entry_free_rcu);
}

/*
 * Remove @e from the table, if it is still there, and free it after a
 * grace period. Caller holds rcu_read_lock(). False if @e was already
 * replaced or removed.
 */
bool skv_entry_unlink(struct skv_table *t, struct skv_entry *e,
		      enum skv_event ev)
{
	if (rhashtable_remove_fast(&t->ht, &e->node, skv_rht_params))
		return false;

	skv_uncharge(t, 1, e->key_len + e->value_len,
		     skv_entry_size(e->key_len, e->value_len));
	switch (ev) {
	case SKV_EV_EXPIRED:
		skv_stat_inc(t, SKV_STAT_EXPIRATIONS);
		break;
	case SKV_EV_EVICTED:
		skv_stat_inc(t, SKV_STAT_EVICTIONS);
		break;
	default:
		skv_stat_inc(t, SKV_STAT_DELETES);
		break;
	}
	if (ev != SKV_EV_FLUSHED)
		skv_notify(t, ev, e->data, e->key_len, e->version);
	skv_entry_retire(t, e);
	return true;
}

/* rhashtable_free_and_destroy() callback: the table is unreachable. */
void skv_entry_destroy(void *ptr, void *arg)
{
	struct skv_entry *e = ptr;
	struct skv_table *t = arg;

	skv_uncharge(t, 1, e->key_len + e->value_len,
		     skv_entry_size(e->key_len, e->value_len));
	kvfree(e);
}

/* The live entry for @k, under rcu_read_lock(); reclaims it if expired. */
static struct skv_entry *skv_lookup(struct skv_table *t,
				    const struct skv_key *k)
{
	struct skv_entry *e;

	e = rhashtable_lookup(&t->ht, k, skv_rht_params);
	if (e && e->expires && skv_entry_expired(e, skv_now_ns())) {
		skv_entry_unlink(t, e, SKV_EV_EXPIRED);
		return NULL;
	}
	return e;
}

/* Coarse LRU recency: written only when the tick changed. */
static void skv_entry_touch(struct skv_table *t, struct skv_entry *e)
{
	u16 now = skv_lru_clock();

	if (READ_ONCE(t->policy) == SKV_POLICY_LRU &&
	    READ_ONCE(e->atime) != now)
		WRITE_ONCE(e->atime, now);
}

/*
 * Publish @new in place of @old, or as a new key if @old is NULL. Caller
 * holds rcu_read_lock(). -EAGAIN if the key changed since the caller
 * looked it up: look again and retry.
 */
static int skv_publish(struct skv_table *t, const struct skv_key *k,
		       struct skv_entry *old, struct skv_entry *new)
{
	s64 bytes = new->key_len + new->value_len;
	s64 cost = skv_entry_size(new->key_len, new->value_len);
	s64 entries = 1;
	int ret;

	if (old) {
		entries = 0;
		bytes -= old->key_len + old->value_len;
		cost -= skv_entry_size(old->key_len, old->value_len);
	}
	ret = skv_charge_evict(t, entries, bytes, cost);
	if (ret)
		return ret;

	/* Taken after @old was read, so a key's versions only go up. */
	new->version = atomic64_inc_return(&t->version);
	new->atime = skv_lru_clock();

	if (old)
		ret = rhashtable_replace_fast(&t->ht, &old->node, &new->node,
					      skv_rht_params);
	else
		ret = rhashtable_lookup_insert_key(&t->ht, k, &new->node,
						   skv_rht_params);
	if (ret) {
		skv_uncharge(t, entries, bytes, cost);
		if (ret == -ENOENT || ret == -EEXIST)
			return -EAGAIN;
		return ret == -E2BIG ? -ENOSPC : -ENOMEM;
	}

	if (old)
		skv_entry_retire(t, old);
	if (new->expires) {
		atomic64_inc(&t->nr_ttl);
		skv_expire_kick(t);
	}
	skv_stat_inc(t, SKV_STAT_WRITES);
	skv_notify(t, SKV_EV_SET, new->data, new->key_len, new->version);
	return 0;
}

static noinline_for_stack int skv_do_get(struct skv_table *t,
					 struct skv_args *op, bool del)
{
	struct skv_ubuf ub;
	struct skv_entry *e;
	unsigned long left;
	u32 vlen;
	int ret;

	ret = skv_key_copy(t, &ub, op->key, op->key_len);
	if (ret)
		return ret;

	rcu_read_lock();
retry:
	e = skv_lookup(t, &ub.k);
	if (!e) {
		skv_stat_inc(t, SKV_STAT_MISSES);
		ret = -ENOENT;
		goto out;
	}
	vlen = e->value_len;
	if (vlen > op->value_len) {
		op->value_len = vlen;
		ret = -ERANGE;
		goto out;
	}
	if (vlen) {
		if (!access_ok(op->value, vlen)) {
			ret = -EFAULT;
			goto out;
		}
		/* No sleeping copy under RCU: fault the pages in outside. */
		pagefault_disable();
		left = __copy_to_user_inatomic(op->value, skv_entry_value(e),
					       vlen);
		pagefault_enable();
		if (unlikely(left)) {
			rcu_read_unlock();
			if (fault_in_writeable(op->value, vlen)) {
				ret = -EFAULT;
				goto out_key;
			}
			rcu_read_lock();
			goto retry;
		}
	}
	if (del) {
		if (!skv_entry_unlink(t, e, SKV_EV_DELETE))
			goto retry;
	} else {
		skv_entry_touch(t, e);
	}
	op->value_len = vlen;
	op->version = e->version;
	op->ttl_ms = skv_ttl_left_ms(e);
	op->user_flags = e->user_flags;
	skv_stat_inc(t, SKV_STAT_HITS);
	ret = 0;
out:
	rcu_read_unlock();
out_key:
	skv_ubuf_release(&ub);
	return ret;
}

/* Validate a PUT's flags and sizes against @t, before anything is copied. */
static int skv_put_check(struct skv_table *t, u32 f, u32 key_len,
			 u32 value_len, u64 cas_version, u64 ttl_ms)
{
	if (f & ~SKV_PUT_ALL)
		return -EINVAL;
	if ((f & SKV_PUT_NX) && (f & (SKV_PUT_XX | SKV_PUT_CAS)))
		return -EINVAL;
	if (!(f & SKV_PUT_CAS) && cas_version)
		return -EINVAL;
	if (!!(f & SKV_PUT_TTL) != !!ttl_ms)
		return -EINVAL;
	if (!key_len || key_len > t->max_key_len)
		return -EINVAL;
	if (value_len > t->max_value_len)
		return -E2BIG;
	return 0;
}

/*
 * Publish @new, whose key and value are filled in, under PUT flags @f. On
 * success *@version (the CAS version in) holds the new version; on failure
 * @new is freed.
 */
static int skv_put_entry(struct skv_table *t, u32 f, struct skv_entry *new,
			 u32 user_flags, u64 ttl_ms, u64 *version)
{
	struct skv_entry *old;
	struct skv_key k;
	u64 ttl;
	int ret;

	new->user_flags = user_flags;
	new->hash = skv_hash(t, new->data, new->key_len);
	ttl = f & SKV_PUT_TTL ? ttl_ms : READ_ONCE(t->default_ttl_ms);
	new->expires = ttl ? skv_expiry_ns(ttl) : 0;
	k.buf = new->data;
	k.len = new->key_len;
	k.hash = new->hash;

	rcu_read_lock();
	do {
		old = skv_lookup(t, &k);
		if (old && (f & SKV_PUT_NX))
			ret = -EEXIST;
		else if (!old && (f & (SKV_PUT_XX | SKV_PUT_CAS)))
			ret = -ENOENT;
		else if (old && (f & SKV_PUT_CAS) && old->version != *version)
			ret = -ESTALE;
		else
			ret = skv_publish(t, &k, old, new);
	} while (ret == -EAGAIN);
	if (!ret)
		*version = new->version;
	rcu_read_unlock();

	if (ret)
		kvfree(new);
	return ret;
}

static int skv_do_put(struct skv_table *t, struct skv_args *op)
{
	struct skv_entry *new;
	int ret;

	ret = skv_put_check(t, op->flags, op->key_len, op->value_len,
			    op->version, op->ttl_ms);
	if (ret)
		return ret;
	new = skv_entry_alloc(op->key_len, op->value_len);
	if (!new)
		return -ENOMEM;
	if (copy_from_user(new->data, op->key, op->key_len) ||
	    copy_from_user(new->data + op->key_len, op->value,
			   op->value_len)) {
		kvfree(new);
		return -EFAULT;
	}
	new->key_len = op->key_len;
	new->value_len = op->value_len;
	return skv_put_entry(t, op->flags, new, op->user_flags, op->ttl_ms,
			     &op->version);
}

/*
 * PUT from kernel memory, for netlink: as skv_do_put() with @key and
 * @value already copied in. @version is the CAS version in, the new
 * version out.
 */
int skv_put_kern(struct skv_table *t, u32 f, const void *key, u32 key_len,
		 const void *value, u32 value_len, u32 user_flags,
		 u64 ttl_ms, u64 *version)
{
	struct skv_entry *new;
	int ret;

	ret = skv_put_check(t, f, key_len, value_len, *version, ttl_ms);
	if (ret)
		return ret;
	new = skv_entry_alloc(key_len, value_len);
	if (!new)
		return -ENOMEM;
	memcpy(new->data, key, key_len);
	memcpy(new->data + key_len, value, value_len);
	new->key_len = key_len;
	new->value_len = value_len;
	return skv_put_entry(t, f, new, user_flags, ttl_ms, version);
}

/* The live entry for @key, under rcu_read_lock(), for netlink. */
struct skv_entry *skv_lookup_kern(struct skv_table *t, const void *key,
				  u32 key_len)
{
	struct skv_key k = {
		.buf = key,
		.len = key_len,
		.hash = skv_hash(t, key, key_len),
	};

	return skv_lookup(t, &k);
}

/* Mark @e used for LRU, for netlink. */
void skv_entry_touch_kern(struct skv_table *t, struct skv_entry *e)
{
	skv_entry_touch(t, e);
}

static noinline_for_stack int skv_do_delete(struct skv_table *t,
					    struct skv_args *op)
{
	struct skv_ubuf ub;
	struct skv_entry *e;
	int ret;

	if (op->flags & ~SKV_DEL_ALL)
		return -EINVAL;
	if (!(op->flags & SKV_DEL_CAS) && op->version)
		return -EINVAL;
	ret = skv_key_copy(t, &ub, op->key, op->key_len);
	if (ret)
		return ret;

	rcu_read_lock();
	do {
		e = skv_lookup(t, &ub.k);
		if (!e) {
			ret = -ENOENT;
			break;
		}
		if ((op->flags & SKV_DEL_CAS) && e->version != op->version) {
			ret = -ESTALE;
			break;
		}
		ret = skv_entry_unlink(t, e, SKV_EV_DELETE) ? 0 : -EAGAIN;
	} while (ret == -EAGAIN);
	if (!ret)
		op->version = e->version;
	rcu_read_unlock();

	skv_ubuf_release(&ub);
	return ret;
}

/* An INCR value: '-'? and 1..19 digits, no '+', spaces or leading zeros. */
static int skv_parse_s64(const u8 *s, u32 len, s64 *res)
{
	bool neg = len && s[0] == '-';
	u32 i = neg;
	u64 v = 0;

	if (len - i < 1 || len - i > 19)
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

static noinline_for_stack int skv_do_incr(struct skv_table *t,
					  struct skv_args *op)
{
	char num[SKV_INT_MAX_LEN + 1];
	struct skv_entry *old, *new;
	struct skv_key k;
	s64 cur, res = 0;
	u64 ttl;
	int ret, len;

	if (op->flags)
		return -EINVAL;
	if (!op->key_len || op->key_len > t->max_key_len)
		return -EINVAL;

	new = skv_entry_alloc(op->key_len, SKV_INT_MAX_LEN);
	if (!new)
		return -ENOMEM;
	if (copy_from_user(new->data, op->key, op->key_len)) {
		kvfree(new);
		return -EFAULT;
	}
	new->key_len = op->key_len;
	new->hash = skv_hash(t, new->data, new->key_len);
	k.buf = new->data;
	k.len = new->key_len;
	k.hash = new->hash;

	rcu_read_lock();
	do {
		old = skv_lookup(t, &k);
		if (old) {
			ret = skv_parse_s64(skv_entry_value(old),
					    old->value_len, &cur);
			if (ret)
				break;
			new->expires = old->expires;
			new->user_flags = old->user_flags;
		} else {
			cur = 0;
			ttl = READ_ONCE(t->default_ttl_ms);
			new->expires = ttl ? skv_expiry_ns(ttl) : 0;
			new->user_flags = 0;
		}
		if (check_add_overflow(cur, op->num, &res)) {
			ret = -EOVERFLOW;
			break;
		}
		len = snprintf(num, sizeof(num), "%lld", res);
		if (len > t->max_value_len) {
			ret = -E2BIG;
			break;
		}
		memcpy(new->data + new->key_len, num, len);
		new->value_len = len;
		ret = skv_publish(t, &k, old, new);
	} while (ret == -EAGAIN);
	if (!ret) {
		op->num = res;
		op->version = new->version;
	}
	rcu_read_unlock();

	if (ret)
		kvfree(new);
	return ret;
}

long skv_ioctl_get(struct skv_table *t, void __user *argp, bool del)
{
	struct skv_args op = {};
	struct skv_get g;
	u32 usize;
	int ret;

	ret = skv_copy_arg(&g, sizeof(g), SKV_GET_SIZE_VER0, argp, &usize);
	if (ret)
		return ret;
	if (g.flags || g.__reserved0)
		return -EINVAL;
	/* A deleted entry must not be lost to an unwritable argument. */
	if (del && skv_copy_arg_out(argp, &g, sizeof(g), usize))
		return -EFAULT;

	op.key_len = g.key_len;
	op.value_len = g.value_len;
	op.key = u64_to_user_ptr(g.key_ptr);
	op.value = u64_to_user_ptr(g.value_ptr);
	ret = skv_do_get(t, &op, del);
	if (ret && ret != -ERANGE)
		return ret;

	g.value_len = op.value_len;
	if (!ret) {
		g.version = op.version;
		g.ttl_ms = op.ttl_ms;
		g.user_flags = op.user_flags;
	}
	if (skv_copy_arg_out(argp, &g, sizeof(g), usize))
		return -EFAULT;
	return ret;
}

long skv_ioctl_put(struct skv_table *t, void __user *argp)
{
	struct skv_args op = {};
	struct skv_put p;
	u32 usize;
	int ret;

	ret = skv_copy_arg(&p, sizeof(p), SKV_PUT_SIZE_VER0, argp, &usize);
	if (ret)
		return ret;
	if (p.__reserved0)
		return -EINVAL;
	if (skv_copy_arg_out(argp, &p, sizeof(p), usize))
		return -EFAULT;

	op.flags = p.flags;
	op.key_len = p.key_len;
	op.value_len = p.value_len;
	op.user_flags = p.user_flags;
	op.key = u64_to_user_ptr(p.key_ptr);
	op.value = u64_to_user_ptr(p.value_ptr);
	op.version = p.cas_version;
	op.ttl_ms = p.ttl_ms;
	ret = skv_do_put(t, &op);
	if (ret)
		return ret;

	p.version = op.version;
	return skv_copy_arg_out(argp, &p, sizeof(p), usize);
}

long skv_ioctl_delete(struct skv_table *t, void __user *argp)
{
	struct skv_args op = {};
	struct skv_delete d;
	u32 usize;
	int ret;

	ret = skv_copy_arg(&d, sizeof(d), SKV_DELETE_SIZE_VER0, argp, &usize);
	if (ret)
		return ret;
	if (d.__reserved0)
		return -EINVAL;
	if (skv_copy_arg_out(argp, &d, sizeof(d), usize))
		return -EFAULT;

	op.flags = d.flags;
	op.key_len = d.key_len;
	op.key = u64_to_user_ptr(d.key_ptr);
	op.version = d.cas_version;
	ret = skv_do_delete(t, &op);
	if (ret)
		return ret;

	d.version = op.version;
	return skv_copy_arg_out(argp, &d, sizeof(d), usize);
}

long skv_ioctl_incr(struct skv_table *t, void __user *argp)
{
	struct skv_args op = {};
	struct skv_incr in;
	u32 usize;
	int ret;

	ret = skv_copy_arg(&in, sizeof(in), SKV_INCR_SIZE_VER0, argp, &usize);
	if (ret)
		return ret;
	if (in.flags || in.__reserved0)
		return -EINVAL;
	if (skv_copy_arg_out(argp, &in, sizeof(in), usize))
		return -EFAULT;

	op.key_len = in.key_len;
	op.key = u64_to_user_ptr(in.key_ptr);
	op.num = in.delta;
	ret = skv_do_incr(t, &op);
	if (ret)
		return ret;

	in.value = op.num;
	in.version = op.version;
	return skv_copy_arg_out(argp, &in, sizeof(in), usize);
}

static bool skv_op_writes(u32 op)
{
	return op == SKV_OP_GETDEL || op == SKV_OP_PUT ||
	       op == SKV_OP_DELETE || op == SKV_OP_INCR;
}

/* One op of a batch; returns its status. */
static int skv_batch_one(struct skv_table *t, struct skv_batch_op *b,
			 bool writable)
{
	struct skv_args op = {
		.flags		= b->flags,
		.key_len	= b->key_len,
		.value_len	= b->value_len,
		.user_flags	= b->user_flags,
		.key		= u64_to_user_ptr(b->key_ptr),
		.value		= u64_to_user_ptr(b->value_ptr),
		.version	= b->version,
		.ttl_ms		= b->ttl_ms,
		.num		= b->num,
	};
	int ret;

	if (skv_op_writes(b->op) && !writable)
		return -EBADF;

	switch (b->op) {
	case SKV_OP_GET:
	case SKV_OP_GETDEL:
		if (b->flags || b->num)
			return -EINVAL;
		ret = skv_do_get(t, &op, b->op == SKV_OP_GETDEL);
		if (ret && ret != -ERANGE)
			return ret;
		b->value_len = op.value_len;
		if (!ret) {
			b->version = op.version;
			b->ttl_ms = op.ttl_ms;
			b->user_flags = op.user_flags;
		}
		return ret;
	case SKV_OP_PUT:
		if (b->num)
			return -EINVAL;
		ret = skv_do_put(t, &op);
		break;
	case SKV_OP_DELETE:
		if (b->value_ptr || b->value_len || b->ttl_ms || b->num ||
		    b->user_flags)
			return -EINVAL;
		ret = skv_do_delete(t, &op);
		break;
	case SKV_OP_INCR:
		if (b->flags || b->value_ptr || b->value_len || b->ttl_ms ||
		    b->user_flags)
			return -EINVAL;
		ret = skv_do_incr(t, &op);
		if (!ret)
			b->num = op.num;
		break;
	default:
		return -EINVAL;
	}
	if (!ret)
		b->version = op.version;
	return ret;
}

long skv_ioctl_batch(struct skv_table *t, void __user *argp, bool writable)
{
	struct skv_batch_op bop;
	struct skv_batch b;
	u8 __user *uops;
	u32 usize, i;
	int ret;

	ret = skv_copy_arg(&b, sizeof(b), SKV_BATCH_SIZE_VER0, argp, &usize);
	if (ret)
		return ret;
	if (b.flags || !b.count || b.op_size < sizeof(bop))
		return -EINVAL;
	if (b.count > SKV_BATCH_MAX)
		return -E2BIG;

	uops = u64_to_user_ptr(b.ops_ptr);
	for (i = 0; i < b.count; i++) {
		u8 __user *uop = uops + (size_t)i * b.op_size;

		ret = copy_struct_from_user(&bop, sizeof(bop), uop, b.op_size);
		if (ret == -EFAULT)
			return ret;
		if (ret) {
			/* A nonzero tail we do not know: -E2BIG for this op. */
			if (put_user(ret, &((struct skv_batch_op __user *)uop)->status))
				return -EFAULT;
			continue;
		}
		bop.status = skv_batch_one(t, &bop, writable);
		if (copy_to_user(uop, &bop, sizeof(bop)))
			return -EFAULT;
		cond_resched();
	}
	return 0;
}

/* Redis' reverse-binary cursor increment, in the space of @mask. */
static u64 skv_cursor_next(u64 v, u64 mask)
{
	u64 bit;

	v &= mask;
	for (bit = (mask + 1) >> 1; bit; bit >>= 1) {
		if (!(v & bit))
			return v | bit;
		v &= ~bit;
	}
	return 0;
}

/*
 * Call @fn on every entry whose hash falls in the bucket group of cursor
 * @v, in every bucket table of the chain (a rehash may be running), as
 * Redis' dictScan() does. The group is defined by the smallest table's
 * mask; in a larger table it spans several buckets. Caller holds
 * rcu_read_lock(). Stops early when @fn returns nonzero, into *@ret.
 * Returns the next cursor, 0 after the last group.
 */
u64 skv_visit_group(struct skv_table *t, u64 v, skv_visit_fn fn, void *arg,
		    int *ret)
{
	struct bucket_table *first, *tbl;
	struct rhash_head *pos;
	struct skv_entry *e;
	unsigned int small, mask, step, b;

	*ret = 0;
	first = rht_dereference_rcu(t->ht.tbl, &t->ht);
	small = first->size - 1;
	for (tbl = rht_dereference_rcu(first->future_tbl, &t->ht); tbl;
	     tbl = rht_dereference_rcu(tbl->future_tbl, &t->ht))
		small = min(small, tbl->size - 1);

	for (tbl = first; tbl;) {
		mask = tbl->size - 1;
		step = min(mask, small) + 1;
		for (b = v & min(mask, small); b <= mask; b += step) {
			rht_for_each_entry_rcu(e, pos, tbl, b, node) {
				/* A rehash can carry us into another chain. */
				if ((e->hash & small) != (v & small))
					continue;
				*ret = fn(t, e, arg);
				if (*ret)
					return v;
			}
		}
		/* See a table a rehash added while we walked, as lookups do. */
		smp_rmb();
		tbl = rht_dereference_rcu(tbl->future_tbl, &t->ht);
	}
	return skv_cursor_next(v, small);
}

struct skv_scan_ctx {
	u8 __user *buf;
	u64 buf_len;
	u64 used;
	u64 group_bytes;
	u32 nr;
	bool values;
	bool overflow;
	const u8 *prefix;
	u32 prefix_len;
	u64 now;
	void __user *fault_addr;
	size_t fault_len;
};

static int skv_scan_copy(struct skv_scan_ctx *c, void __user *dst,
			 const void *src, size_t len)
{
	unsigned long left;

	if (!len)
		return 0;
	pagefault_disable();
	left = __copy_to_user_inatomic(dst, src, len);
	pagefault_enable();
	if (likely(!left))
		return 0;
	c->fault_addr = dst + (len - left);
	c->fault_len = left;
	return -EFAULT;
}

static int skv_scan_emit(struct skv_table *t, struct skv_entry *e, void *arg)
{
	static const u8 zeros[8];
	struct skv_scan_ctx *c = arg;
	struct skv_scan_rec rec = {};
	u32 body = e->key_len + (c->values ? e->value_len : 0);
	u64 size = sizeof(rec) + ALIGN((u64)body, 8);
	u8 __user *p;

	if (skv_entry_expired(e, c->now) || e->key_len < c->prefix_len ||
	    memcmp(e->data, c->prefix, c->prefix_len))
		return 0;

	c->group_bytes += size;
	if (c->overflow || c->used + size > c->buf_len) {
		c->overflow = true;
		return 0;
	}

	rec.key_len = e->key_len;
	rec.value_len = c->values ? e->value_len : 0;
	rec.version = e->version;
	rec.ttl_ms = skv_ttl_left_ms(e);
	rec.user_flags = e->user_flags;
	p = c->buf + c->used;
	if (skv_scan_copy(c, p, &rec, sizeof(rec)) ||
	    skv_scan_copy(c, p + sizeof(rec), e->data, body) ||
	    skv_scan_copy(c, p + sizeof(rec) + body, zeros,
			  size - sizeof(rec) - body))
		return -EFAULT;
	c->used += size;
	c->nr++;
	return 0;
}

long skv_ioctl_scan(struct skv_table *t, void __user *argp)
{
	struct skv_scan_ctx c = {};
	struct skv_ubuf prefix;
	struct skv_scan s;
	u32 usize, count, groups = 0;
	u64 v, next, used0;
	u32 nr0;
	int ret;

	ret = skv_copy_arg(&s, sizeof(s), SKV_SCAN_SIZE_VER0, argp, &usize);
	if (ret)
		return ret;
	if (s.flags & ~SKV_SCAN_ALL)
		return -EINVAL;
	if (s.prefix_len > t->max_key_len || (!s.prefix_len && s.prefix_ptr))
		return -EINVAL;
	c.buf = u64_to_user_ptr(s.buf_ptr);
	c.buf_len = s.buf_len;
	if (!access_ok(c.buf, c.buf_len))
		return -EFAULT;
	ret = skv_ubuf_copy(&prefix, u64_to_user_ptr(s.prefix_ptr),
			    s.prefix_len);
	if (ret)
		return ret;
	c.prefix = prefix.k.buf;
	c.prefix_len = s.prefix_len;
	c.values = s.flags & SKV_SCAN_VALUES;
	count = min_t(u32, s.count ?: SKV_SCAN_COUNT_DEFAULT,
		      SKV_SCAN_COUNT_MAX);

	v = s.cursor;
	for (;;) {
		used0 = c.used;
		nr0 = c.nr;
		c.group_bytes = 0;
		c.overflow = false;
		c.now = skv_now_ns();

		rcu_read_lock();
		next = skv_visit_group(t, v, skv_scan_emit, &c, &ret);
		rcu_read_unlock();

		if (ret) {
			/* Fault the page in outside RCU, redo the group. */
			c.used = used0;
			c.nr = nr0;
			if (fault_in_writeable(c.fault_addr, c.fault_len))
				goto out;
			continue;
		}
		if (c.overflow) {
			c.used = used0;
			c.nr = nr0;
			if (!c.nr) {
				s.buf_len = min_t(u64, c.group_bytes, U32_MAX);
				ret = -ERANGE;
				if (skv_copy_arg_out(argp, &s, sizeof(s), usize))
					ret = -EFAULT;
				goto out;
			}
			break;
		}
		v = next;
		if (!v || c.nr >= count || ++groups >= count * 10)
			break;
		cond_resched();
	}

	s.cursor = v;
	s.nr_keys = c.nr;
	s.buf_len = c.used;
	ret = skv_copy_arg_out(argp, &s, sizeof(s), usize);
out:
	skv_ubuf_release(&prefix);
	return ret;
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

long skv_ioctl_flush(struct skv_table *t, void __user *argp)
{
	struct skv_flush fl;
	u64 v = 0, count = 0;
	u32 usize;
	int ret;

	ret = skv_copy_arg(&fl, sizeof(fl), SKV_FLUSH_SIZE_VER0, argp, &usize);
	if (ret)
		return ret;
	if (fl.flags)
		return -EINVAL;
	if (skv_copy_arg_out(argp, &fl, sizeof(fl), usize))
		return -EFAULT;

	/* One full cursor pass reaches every entry, even across resizes. */
	do {
		rcu_read_lock();
		v = skv_visit_group(t, v, skv_flush_visit, &count, &ret);
		rcu_read_unlock();
		cond_resched();
	} while (v);

	skv_notify(t, SKV_EV_FLUSHED, NULL, 0, 0);
	fl.count = count;
	return skv_copy_arg_out(argp, &fl, sizeof(fl), usize);
}
