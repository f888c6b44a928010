// SPDX-License-Identifier: GPL-2.0
/*
 * skv: entries. Entries live in an rhashtable and are immutable once
 * published: a write builds a new entry and swaps it in with
 * rhashtable_replace_fast() or inserts it with
 * rhashtable_lookup_insert_key(); either fails if the key changed since
 * the caller looked, and the caller looks again. So NX, XX, CAS and INCR
 * are atomic per key with nothing but rhashtable's bucket locks, and reads
 * take no lock.
 *
 * Charging. A write reserves the growth it causes (entries, key+value
 * bytes, memory) against the table's limits and its owner's byte quota
 * before it publishes, and gives back what shrinks only after it
 * published; an unlink gives back after it removed. So the counters are
 * never below what the table holds. They can be above it while writes are
 * in flight (a write that loses a race on its key gives its reservation
 * back), so a write that finds a limit reached fails only if no other
 * write of the same user was in flight meanwhile; otherwise it retries.
 * No interleaving fails a write that fits.
 */
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/math64.h>
#include <linux/moduleparam.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "entry.h"
#include "events.h"

static unsigned long skv_max_user_bytes = 64UL << 20;
module_param_named(max_bytes_per_user, skv_max_user_bytes, ulong, 0644);
MODULE_PARM_DESC(max_bytes_per_user,
		 "Entry and bucket bytes one user's tables may hold, without CAP_SYS_RESOURCE (default 64 MiB)");

#ifdef SKV_DEBUG
/*
 * Test hooks, compiled into debug builds only: a delay between a write's
 * charge and its publication, to make the races of concurrent writers of
 * one key hittable, and an offset added to the LRU clock, to test idle
 * times of hours and days.
 */
static unsigned int skv_debug_publish_delay_us;
module_param_named(debug_publish_delay_us, skv_debug_publish_delay_us,
		   uint, 0644);
static unsigned int skv_debug_clock_offset_s;
module_param_named(debug_clock_offset_s, skv_debug_clock_offset_s, uint,
		   0644);

static void skv_debug_publish_delay(void)
{
	unsigned int us = READ_ONCE(skv_debug_publish_delay_us);

	if (us)
		udelay(us);
}

static u32 skv_debug_clock_offset(void)
{
	return READ_ONCE(skv_debug_clock_offset_s);
}
#else
static void skv_debug_publish_delay(void)
{
}

static u32 skv_debug_clock_offset(void)
{
	return 0;
}
#endif

/* The per-user byte quota. */
u64 skv_user_bytes_max(void)
{
	return READ_ONCE(skv_max_user_bytes);
}

/* The per-user byte quota, or U64_MAX for an exempt table. */
u64 skv_user_bytes_limit(const struct skv_table *t)
{
	return t->quota_exempt ? U64_MAX : skv_user_bytes_max();
}

u64 skv_now_ns(void)
{
	return ktime_get_boottime_ns();
}

/* Expiry of an entry written now with @ttl_ms (> 0); saturates. */
u64 skv_expiry_ns(u64 ttl_ms)
{
	u64 ns;

	if (check_mul_overflow(ttl_ms, (u64)NSEC_PER_MSEC, &ns) ||
	    check_add_overflow(ns, skv_now_ns(), &ns))
		return U64_MAX;
	return ns;
}

/* Time to live left until @expires, rounded up; 0 for no expiry. */
u64 skv_ttl_ms(u64 expires)
{
	u64 now;

	if (!expires)
		return 0;
	now = skv_now_ns();
	if (now >= expires)
		return 1;
	return div_u64(expires - now + NSEC_PER_MSEC - 1, NSEC_PER_MSEC);
}

/* Remaining time to live of @e, rounded up; 0 for no expiry. */
u64 skv_ttl_left_ms(const struct skv_entry *e)
{
	return skv_ttl_ms(skv_entry_expires(e));
}

/* LRU recency in seconds, 24 bits wide as Redis' LRU clock (194 days). */
u32 skv_lru_clock(void)
{
	return ((u32)div_u64(get_jiffies_64(), HZ) + skv_debug_clock_offset()) &
	       SKV_LRU_CLOCK_MASK;
}

/* Seconds since @e was last used, correct for up to 2^24 s of idleness. */
u32 skv_lru_idle(const struct skv_entry *e, u32 now)
{
	return (now - skv_entry_atime(e)) & SKV_LRU_CLOCK_MASK;
}

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

	return skv_entry_key_len(e) != k->len ||
	       memcmp(skv_entry_key(e), k->buf, k->len);
}

/*
 * The hash ignores rhashtable's per-bucket-table seed: it is a siphash
 * keyed per skv table, so an entry sits in bucket hash & (size - 1) at
 * every table size. SCAN's reverse-binary cursor relies on that.
 */
static const struct rhashtable_params skv_rht_params = {
	.head_offset		= offsetof(struct skv_entry, node),
	.hashfn			= skv_key_hashfn,
	.obj_hashfn		= skv_entry_hashfn,
	.obj_cmpfn		= skv_entry_cmpfn,
	.automatic_shrinking	= true,
};

/* @k refers to @buf, which must outlive it. */
void skv_key_init(struct skv_table *t, struct skv_key *k, const void *buf,
		  u32 len)
{
	k->buf = buf;
	k->len = len;
	k->hash = (u32)siphash(buf, len, &t->hash_key);
}

/*
 * Entries and key buffers are charged to the caller's memory cgroup. A
 * full cgroup must fail the write with -ENOMEM, not OOM-kill a process:
 * __GFP_RETRY_MAYFAIL makes the memcg charge give up instead of invoking
 * the OOM killer.
 */
#define SKV_GFP_DATA	(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

/*
 * Entries up to SKV_ENTRY_CACHE_MAX bytes come from caches 8 bytes apart,
 * so slab rounding adds at most 7 bytes to the header; kmalloc's size
 * classes (96, 128, 192, 256, 512) would add up to 255. Bigger entries
 * use kvmalloc(). Any of them is freed with kvfree().
 */
#define SKV_ENTRY_ALIGN		8
#define SKV_ENTRY_CACHE_MIN	ALIGN(sizeof(struct skv_entry) + 1, SKV_ENTRY_ALIGN)
#define SKV_ENTRY_CACHE_MAX	512
#define SKV_ENTRY_CACHE_NR	\
	((SKV_ENTRY_CACHE_MAX - SKV_ENTRY_CACHE_MIN) / SKV_ENTRY_ALIGN + 1)
/* The per-entry budget of DESIGN.md, slab rounding included. */
#define SKV_ENTRY_OVERHEAD_MAX	64

static struct kmem_cache *skv_entry_caches[SKV_ENTRY_CACHE_NR];

/*
 * An entry with room for @key_len + @value_len bytes, and for an expiry
 * time if @expiry (none set: 0); lengths unset.
 */
struct skv_entry *skv_entry_alloc(u32 key_len, u32 value_len, bool expiry)
{
	size_t size = skv_entry_size(key_len, value_len, expiry);
	struct skv_entry *e;

	if (size <= SKV_ENTRY_CACHE_MAX)
		e = kmem_cache_alloc(skv_entry_caches[(ALIGN(size, SKV_ENTRY_ALIGN) -
				SKV_ENTRY_CACHE_MIN) / SKV_ENTRY_ALIGN], SKV_GFP_DATA);
	else
		e = kvmalloc(size, SKV_GFP_DATA);
	if (!e)
		return NULL;
	e->meta = expiry ? SKV_META_EXPIRY : 0;
	if (expiry)
		*(u64 *)e->data = 0;
	return e;
}

/* The key of an unpublished entry, to be filled in. */
u8 *skv_entry_key_buf(struct skv_entry *e)
{
	return e->data + skv_entry_key_offset(skv_entry_has_expiry(e));
}

/*
 * Set the expiry of an unpublished entry (0 = never), which must have
 * room for one unless @expires is 0.
 */
void skv_entry_set_expires(struct skv_entry *e, u64 expires)
{
	if (skv_entry_has_expiry(e))
		*(u64 *)e->data = expires;
	else
		WARN_ON_ONCE(expires);
}

/* Free an entry that was never published. */
void skv_entry_free(struct skv_entry *e)
{
	kvfree(e);
}

/* Set the lengths of an unpublished entry; its clock starts now. */
void skv_entry_set_lens(struct skv_entry *e, u32 key_len, u32 value_len)
{
	e->meta = (e->meta & SKV_META_EXPIRY) |
		  (u64)value_len << SKV_META_VALUE_SHIFT |
		  (u64)key_len << SKV_META_KEY_SHIFT | skv_lru_clock();
}

/*
 * Retiring entries. An unlinked entry is freed after a grace period, but
 * it has no rcu_head of its own (16 bytes of every entry): its pointer
 * goes into this CPU's block, and a whole block waits for one grace
 * period with one call_rcu() (our own callback, so rcu_barrier() waits for
 * it). A block is handed on when it is full, or SKV_RETIRE_DELAY after its
 * first entry, by a per-CPU work item, which also allocates the next block
 * ahead, in process context. A write reserves its slot before it unlinks
 * anything, so a block that cannot be allocated fails the write cleanly,
 * with nothing changed.
 */
#define SKV_RETIRE_BLOCK_SIZE	PAGE_SIZE
#define SKV_RETIRE_DELAY	msecs_to_jiffies(10)

struct skv_retire_block {
	struct rcu_head rcu;
	unsigned long start;		/* jiffies at the first entry */
	unsigned int nr;
	void *ptr[];
};

#define SKV_RETIRE_NR	((SKV_RETIRE_BLOCK_SIZE -			\
			  offsetof(struct skv_retire_block, ptr)) / sizeof(void *))

struct skv_retire_cpu {
	spinlock_t lock;		/* the CPU's writers and its work */
	struct skv_retire_block *cur;	/* filling; NULL: none yet */
	struct skv_retire_block *spare;	/* the next one, allocated ahead */
	struct delayed_work work;
	int cpu;
};

static DEFINE_PER_CPU(struct skv_retire_cpu, skv_retire);

#define SKV_RETIRE_GFP_ATOMIC	(GFP_ATOMIC | __GFP_NOWARN)

static void skv_retire_free(struct rcu_head *head)
{
	struct skv_retire_block *b = container_of(head, struct skv_retire_block,
						  rcu);
	unsigned int i;

	for (i = 0; i < b->nr; i++)
		kvfree(b->ptr[i]);
	kfree(b);
}

/*
 * This CPU's retire block, locked with preemption disabled until
 * skv_retire_commit(). *@room is false if it has no slot for one more
 * entry, because no block could be allocated.
 */
static struct skv_retire_cpu *skv_retire_lock(bool *room)
	__acquires(&rc->lock)
{
	struct skv_retire_cpu *rc = get_cpu_ptr(&skv_retire);
	struct skv_retire_block *b;

	spin_lock(&rc->lock);
	*room = true;
	if (likely(rc->cur && rc->cur->nr < SKV_RETIRE_NR))
		return rc;
	b = rc->spare;
	rc->spare = NULL;
	if (!b)
		b = kmalloc(SKV_RETIRE_BLOCK_SIZE, SKV_RETIRE_GFP_ATOMIC);
	if (!b) {
		*room = false;
		return rc;
	}
	b->nr = 0;
	if (rc->cur)
		call_rcu(&rc->cur->rcu, skv_retire_free);
	rc->cur = b;
	/* Allocate the next spare now, in process context. */
	mod_delayed_work_on(rc->cpu, system_wq, &rc->work, 0);
	return rc;
}

/* Put @e (NULL: nothing was unlinked) in the block; unlock it. */
static void skv_retire_commit(struct skv_retire_cpu *rc, struct skv_entry *e)
	__releases(&rc->lock)
{
	struct skv_retire_block *b = rc->cur;

	if (e) {
		if (!b->nr) {
			b->start = jiffies;
			queue_delayed_work_on(rc->cpu, system_wq, &rc->work,
					      SKV_RETIRE_DELAY);
		}
		b->ptr[b->nr++] = e;
	}
	spin_unlock(&rc->lock);
	put_cpu_ptr(&skv_retire);
}

/* Refill the spare; hand on a block whose first entry waited long enough. */
static void skv_retire_work(struct work_struct *work)
{
	struct skv_retire_cpu *rc = container_of(to_delayed_work(work),
						 struct skv_retire_cpu, work);
	struct skv_retire_block *spare = NULL, *done = NULL;
	unsigned long due = 0;

	if (!READ_ONCE(rc->spare))
		spare = kmalloc(SKV_RETIRE_BLOCK_SIZE, GFP_KERNEL | __GFP_NOWARN);
	spin_lock(&rc->lock);
	if (!rc->spare) {
		rc->spare = spare;
		spare = NULL;
	}
	if (rc->cur && rc->cur->nr) {
		due = rc->cur->start + SKV_RETIRE_DELAY;
		if (time_after_eq(jiffies, due)) {
			done = rc->cur;
			rc->cur = NULL;
		}
	}
	spin_unlock(&rc->lock);
	kfree(spare);
	if (done)
		call_rcu(&done->rcu, skv_retire_free);
	else if (due)
		queue_delayed_work_on(rc->cpu, system_wq, &rc->work,
				      due - jiffies);
}

static void skv_retire_init(void)
{
	struct skv_retire_cpu *rc;
	int cpu;

	for_each_possible_cpu(cpu) {
		rc = per_cpu_ptr(&skv_retire, cpu);
		spin_lock_init(&rc->lock);
		INIT_DELAYED_WORK(&rc->work, skv_retire_work);
		rc->cpu = cpu;
	}
}

/* At unload, when no entry is retired any more: free them all. */
static void skv_retire_exit(void)
{
	struct skv_retire_cpu *rc;
	int cpu;

	for_each_possible_cpu(cpu) {
		rc = per_cpu_ptr(&skv_retire, cpu);
		cancel_delayed_work_sync(&rc->work);
		if (rc->cur)
			call_rcu(&rc->cur->rcu, skv_retire_free);
		rc->cur = NULL;
		kfree(rc->spare);
		rc->spare = NULL;
	}
	rcu_barrier();
}

/* @e is out of the table: account for it, free it after a grace period; unlock @rc. */
static void skv_entry_retire(struct skv_table *t, struct skv_retire_cpu *rc,
			     struct skv_entry *e)
	__releases(&rc->lock)
{
	if (skv_entry_expires(e))
		atomic64_dec(&t->nr_ttl);
	skv_retire_commit(rc, e);
}

static struct skv_charge skv_entry_charge(const struct skv_entry *e)
{
	u32 klen = skv_entry_key_len(e), vlen = skv_entry_value_len(e);

	return (struct skv_charge) {
		.entries = 1,
		.bytes = klen + vlen,
		.cost = skv_entry_size(klen, vlen, skv_entry_has_expiry(e)),
	};
}

static bool skv_charge_is_zero(const struct skv_charge *c)
{
	return !c->entries && !c->bytes && !c->cost;
}

/* Writers in flight are the low half of skv_user.writers. */
#define SKV_WRITER_ENTER	1ULL
/* One writer fewer in flight, one more settled. */
#define SKV_WRITER_SETTLE	(BIT_ULL(32) - 1)

static u32 skv_writers_in_flight(u64 w)
{
	return (u32)w;
}

static u32 skv_writers_settled(u64 w)
{
	return (u32)(w >> 32);
}

/* Add @n > 0 to @v unless that takes it above @max. */
static bool skv_add_capped(atomic64_t *v, s64 n, u64 max)
{
	s64 old = atomic64_read(v);

	if (n <= 0)
		return true;
	do {
		if ((u64)n > max || (u64)old > max - n)
			return false;
	} while (!atomic64_try_cmpxchg(v, &old, old + n));
	return true;
}

static s64 skv_pos(s64 n)
{
	return n > 0 ? n : 0;
}

static s64 skv_neg(s64 n)
{
	return n < 0 ? n : 0;
}

static void skv_charge_sub(struct skv_table *t, s64 entries, s64 bytes,
			   s64 cost)
{
	if (entries)
		atomic64_sub(entries, &t->nr_entries);
	if (bytes)
		atomic64_sub(bytes, &t->bytes);
	if (cost)
		atomic64_sub(cost, &t->user->bytes);
}

/* Reserve the growth of @c; nothing on failure. */
static int skv_reserve(struct skv_table *t, const struct skv_charge *c)
{
	if (!skv_add_capped(&t->nr_entries, c->entries, t->max_entries))
		return -ENOSPC;
	if (!skv_add_capped(&t->bytes, c->bytes, t->max_bytes)) {
		skv_charge_sub(t, skv_pos(c->entries), 0, 0);
		return -EFBIG;
	}
	if (!skv_add_capped(&t->user->bytes, c->cost,
			    skv_user_bytes_limit(t))) {
		skv_charge_sub(t, skv_pos(c->entries), skv_pos(c->bytes), 0);
		return -EDQUOT;
	}
	return 0;
}

/*
 * Start a write that changes usage by @c, computed against @old, the
 * entry of @k the caller found (NULL: none): reserve its growth, and count
 * it in flight until skv_charge_end(). -ENOSPC (entries), -EFBIG (bytes)
 * or -EDQUOT (owner's quota) if it does not fit; -EAGAIN if it did not
 * fit while another write was in flight, whose reservation may have been
 * given back since, or if @old is no longer @k's entry, so that @c was
 * computed against a stale size: the caller looks again and retries.
 * Caller holds rcu_read_lock().
 */
static int skv_charge_begin(struct skv_table *t, const struct skv_charge *c,
			    const struct skv_key *k,
			    const struct skv_entry *old)
{
	atomic64_t *writers = &t->user->writers;
	bool fresh;
	u64 enter, leave;
	int ret;

	/*
	 * A write that changes no counter (a replace by a value of the same
	 * size) can neither fail nor make another write's check inexact.
	 */
	if (skv_charge_is_zero(c))
		return 0;
	enter = atomic64_add_return(SKV_WRITER_ENTER, writers);
	ret = skv_reserve(t, c);
	if (!ret)
		return 0;
	fresh = rhashtable_lookup(&t->ht, k, skv_rht_params) == old;
	leave = atomic64_add_return(SKV_WRITER_SETTLE, writers);
	/* Alone from entering to leaving: the counters were exact. */
	if (fresh && skv_writers_in_flight(enter) == 1 &&
	    skv_writers_in_flight(leave) == 0 &&
	    skv_writers_settled(leave) == skv_writers_settled(enter) + 1)
		return ret;
	return -EAGAIN;
}

/* The write published (@done) or gave up: settle its charge. */
static void skv_charge_end(struct skv_table *t, const struct skv_charge *c,
			   bool done)
{
	if (skv_charge_is_zero(c))
		return;
	if (done)
		skv_charge_sub(t, -skv_neg(c->entries), -skv_neg(c->bytes),
			       -skv_neg(c->cost));
	else
		skv_charge_sub(t, skv_pos(c->entries), skv_pos(c->bytes),
			       skv_pos(c->cost));
	/* The counters are settled before the write stops being in flight. */
	smp_mb__before_atomic();
	atomic64_add(SKV_WRITER_SETTLE, &t->user->writers);
}

/*
 * Charge @bytes of memory a table holds whatever its entries (< 0: give
 * it back) to its owner's byte quota: -EDQUOT if it does not fit.
 */
int skv_charge_fixed(struct skv_table *t, s64 bytes)
{
	if (bytes < 0) {
		atomic64_sub(-bytes, &t->user->bytes);
		return 0;
	}
	return skv_add_capped(&t->user->bytes, bytes,
			      skv_user_bytes_limit(t)) ? 0 : -EDQUOT;
}

/*
 * rhashtable allocates its bucket arrays itself, with GFP_KERNEL: they are
 * not charged to a memory cgroup. Count them in the owner's byte quota
 * instead, as they are seen to change (a resize is seen at the next write
 * or removal). Caller holds rcu_read_lock().
 */
static void skv_charge_buckets(struct skv_table *t)
{
	struct bucket_table *tbl;
	s64 bytes = 0, old;

	for (tbl = rht_dereference_rcu(t->ht.tbl, &t->ht); tbl;
	     tbl = rht_dereference_rcu(tbl->future_tbl, &t->ht))
		bytes += struct_size(tbl, buckets, tbl->size);
	if (atomic64_read(&t->bucket_bytes) == bytes)
		return;
	old = atomic64_xchg(&t->bucket_bytes, bytes);
	atomic64_add(bytes - old, &t->user->bytes);
}

/* Raise @ev for @e, which is still readable; under rcu_read_lock(). */
static void skv_entry_notify(struct skv_table *t, enum skv_event ev,
			     const struct skv_entry *e)
{
	struct skv_change c = {
		.ev = ev,
		.key = skv_entry_key(e),
		.key_len = skv_entry_key_len(e),
		.version = e->version,
	};

	if (ev == SKV_EV_SET) {
		c.value = skv_entry_value(e);
		c.value_len = skv_entry_value_len(e);
		c.ttl_ms = skv_ttl_left_ms(e);
	}
	skv_notify(t, &c);
}

/*
 * Remove @e from the table, if it is still there, and free it after a
 * grace period. Caller holds rcu_read_lock(). False if @e was already
 * replaced or removed.
 */
bool skv_entry_unlink(struct skv_table *t, struct skv_entry *e,
		      enum skv_event ev)
{
	struct skv_charge c = skv_entry_charge(e);
	atomic64_t *writers = &t->user->writers;
	struct skv_retire_cpu *rc;
	bool room;

	rc = skv_retire_lock(&room);
	/* No memory for retiring it: @e stays, as if already gone. */
	if (!room) {
		skv_retire_commit(rc, NULL);
		return false;
	}
	atomic64_add(SKV_WRITER_ENTER, writers);
	if (rhashtable_remove_fast(&t->ht, &e->node, skv_rht_params)) {
		atomic64_add(SKV_WRITER_SETTLE, writers);
		skv_retire_commit(rc, NULL);
		return false;
	}
	skv_charge_sub(t, c.entries, c.bytes, c.cost);
	/* As in skv_charge_end(): settled counters, then out of flight. */
	smp_mb__before_atomic();
	atomic64_add(SKV_WRITER_SETTLE, writers);

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
	/* @e stays valid until we leave RCU, though retired. */
	skv_entry_retire(t, rc, e);
	if (ev != SKV_EV_FLUSHED && unlikely(READ_ONCE(t->nr_subscribers)))
		skv_entry_notify(t, ev, e);
	skv_charge_buckets(t);
	return true;
}

/* The live entry for @k, under rcu_read_lock(); reclaims it if expired. */
struct skv_entry *skv_entry_lookup(struct skv_table *t,
				   const struct skv_key *k)
{
	struct skv_entry *e;

	e = rhashtable_lookup(&t->ht, k, skv_rht_params);
	if (e && skv_entry_expires(e) && skv_entry_expired(e, skv_now_ns())) {
		skv_entry_unlink(t, e, SKV_EV_EXPIRED);
		return NULL;
	}
	return e;
}

/*
 * Coarse LRU recency: written only when the second changed, and only
 * once (a racing reader that updated it first did the same).
 */
void skv_entry_touch(struct skv_table *t, struct skv_entry *e)
{
	u32 now = skv_lru_clock();
	u64 meta = READ_ONCE(e->meta);

	if (READ_ONCE(t->policy) != SKV_POLICY_LRU ||
	    (meta & SKV_LRU_CLOCK_MASK) == now)
		return;
	cmpxchg64(&e->meta, meta, (meta & ~(u64)SKV_LRU_CLOCK_MASK) | now);
}

/*
 * Publish @new in place of @old, or as a new key if @old is NULL. Caller
 * holds rcu_read_lock(). -EAGAIN if the key changed since the caller
 * looked it up, or a limit was reached while other writes were in flight:
 * look again and retry. -ENOSPC, -EFBIG, -EDQUOT: a limit (see
 * skv_charge_begin()); -EBUSY: rhashtable refused the insert while it
 * resizes; -ENOMEM.
 */
int skv_entry_publish(struct skv_table *t, const struct skv_key *k,
		      struct skv_entry *old, struct skv_entry *new)
{
	struct skv_charge c = skv_entry_charge(new);
	struct skv_retire_cpu *rc;
	bool room;
	int ret;

	if (old) {
		struct skv_charge o = skv_entry_charge(old);

		c.entries = 0;
		c.bytes -= o.bytes;
		c.cost -= o.cost;
	}
	/* A slot for @old, before anything changes. */
	rc = skv_retire_lock(&room);
	if (old && !room) {
		skv_retire_commit(rc, NULL);
		return -ENOMEM;
	}
	ret = skv_charge_begin(t, &c, k, old);
	if (ret) {
		skv_retire_commit(rc, NULL);
		return ret;
	}
	skv_debug_publish_delay();

	/* Taken after @old was read, so a key's versions only go up. */
	new->version = atomic64_inc_return(&t->version);

	if (old)
		ret = rhashtable_replace_fast(&t->ht, &old->node, &new->node,
					      skv_rht_params);
	else
		ret = rhashtable_lookup_insert_key(&t->ht, k, &new->node,
						   skv_rht_params);
	skv_charge_end(t, &c, !ret);
	skv_retire_commit(rc, ret ? NULL : old);
	switch (ret) {
	case 0:
		break;
	case -ENOENT:	/* @old is gone */
	case -EEXIST:	/* someone inserted the key */
		return -EAGAIN;
	case -E2BIG:	/* rhashtable's max_size */
		return -ENOSPC;
	case -EBUSY:
		return -EBUSY;
	default:
		return -ENOMEM;
	}

	if (old && skv_entry_expires(old))
		atomic64_dec(&t->nr_ttl);
	if (skv_entry_expires(new))
		atomic64_inc(&t->nr_ttl);
	skv_charge_buckets(t);
	skv_stat_inc(t, SKV_STAT_WRITES);
	/* The common case, no subscriber, without a call. */
	if (unlikely(READ_ONCE(t->nr_subscribers)))
		skv_entry_notify(t, SKV_EV_SET, new);
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

/* The entries of a new table: an empty rhashtable, its buckets charged. */
int skv_entries_init(struct skv_table *t)
{
	int ret;

	ret = rhashtable_init(&t->ht, &skv_rht_params);
	if (ret)
		return ret;
	atomic64_set(&t->bucket_bytes, 0);
	rcu_read_lock();
	skv_charge_buckets(t);
	rcu_read_unlock();
	return 0;
}

/* rhashtable_free_and_destroy() callback: the table is unreachable. */
static void skv_entry_destroy(void *ptr, void *arg)
{
	struct skv_entry *e = ptr;
	struct skv_table *t = arg;
	struct skv_charge c = skv_entry_charge(e);

	skv_charge_sub(t, c.entries, c.bytes, c.cost);
	kvfree(e);
}

/* Free every entry of an unreachable table and give back its charges. */
void skv_entries_destroy(struct skv_table *t)
{
	rhashtable_free_and_destroy(&t->ht, skv_entry_destroy, t);
	atomic64_sub(atomic64_read(&t->bucket_bytes), &t->user->bytes);
	atomic64_set(&t->bucket_bytes, 0);
}

void skv_entry_caches_exit(void)
{
	unsigned int i;

	skv_retire_exit();
	for (i = 0; i < SKV_ENTRY_CACHE_NR; i++)
		kmem_cache_destroy(skv_entry_caches[i]);
}

int __init skv_entry_caches_init(void)
{
	static char names[SKV_ENTRY_CACHE_NR][16];
	unsigned int i, size;

	BUILD_BUG_ON(sizeof(struct skv_entry) + sizeof(u64) + SKV_ENTRY_ALIGN - 1 >
		     SKV_ENTRY_OVERHEAD_MAX);
	BUILD_BUG_ON(BIT(SKV_META_KEY_BITS) <= SKV_KEY_LEN_CAP);
	BUILD_BUG_ON(BIT(SKV_META_VALUE_BITS) <= SKV_VALUE_LEN_CAP);
	BUILD_BUG_ON(SKV_META_VALUE_SHIFT + SKV_META_VALUE_BITS >= 64);
	skv_retire_init();
	for (i = 0; i < SKV_ENTRY_CACHE_NR; i++) {
		size = SKV_ENTRY_CACHE_MIN + i * SKV_ENTRY_ALIGN;
		snprintf(names[i], sizeof(names[i]), "skv_entry-%u", size);
		/* Only key and value bytes are copied to and from users. */
		skv_entry_caches[i] =
			kmem_cache_create_usercopy(names[i], size,
						   SKV_ENTRY_ALIGN, SLAB_ACCOUNT,
						   sizeof(struct skv_entry),
						   size - sizeof(struct skv_entry),
						   NULL);
		if (!skv_entry_caches[i]) {
			skv_entry_caches_exit();
			return -ENOMEM;
		}
	}
	return 0;
}
