// SPDX-License-Identifier: GPL-2.0
/*
 * skv: the mapped engine. A table created with SKV_TABLE_MAPPED keeps its
 * entries in one region of fixed geometry (uapi/linux/skv_map.h): a
 * header, an index of 64-byte buckets of 7 ways, and fixed-size slots. Its
 * fds may map the region read-only, and readers look keys up in it with no
 * system call and no lock, by the per-bucket sequence count protocol that
 * skv_map.h specifies.
 *
 * The kernel's side is simple on purpose: every op of the table, reads
 * included, runs under the map's spinlock, so the engine has one writer
 * at a time and its kernel readers see no concurrent change. What the
 * lock cannot order is the lockless readers in user space; for them, a
 * write changes a bucket, or a slot a bucket points to, only between
 * skv_map_write_begin() and skv_map_write_end(), and a slot goes back to
 * the free stack only after the seq of the bucket that pointed to it
 * moved. A new value is copied into a free slot, which no bucket points
 * to, and linked in afterwards; so a fault while copying a value in
 * leaves the old entry as it was.
 *
 * Copies to and from the caller's memory run under the lock with page
 * faults disabled; on a fault the op drops the lock, faults the pages in
 * and starts again, as the rhashtable engine does under RCU.
 */
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <linux/vmalloc.h>

#include "mapped.h"
#include "entry.h"
#include "events.h"

/* The index has one bucket per this many slots, rounded up to a power of 2. */
#define SKV_MAP_SLOTS_PER_BUCKET	3

struct skv_map {
	spinlock_t lock;		/* every op, and the fields below */
	void *region;			/* vmalloc'ed, map_size bytes */
	struct skv_map_header *hdr;
	struct skv_map_bucket *buckets;
	u8 *slots;
	u64 map_size;
	u32 mask;			/* nr_buckets - 1 */
	u32 nr_slots;
	u32 slot_size;
	u32 *free;			/* stack of free slot numbers */
	u32 nr_free;
	u64 charged;			/* bytes in the owner's quota */
};

/* Where a key is, or will be: its bucket and way, and the slot. */
struct skv_map_pos {
	struct skv_map_bucket *b;
	unsigned int way;
	u32 idx;
	struct skv_map_slot *s;
};

static struct skv_map_slot *skv_map_slot(struct skv_map *m, u32 idx)
{
	return (struct skv_map_slot *)(m->slots + (size_t)idx * m->slot_size);
}

static u8 *skv_map_data(struct skv_map_slot *s)
{
	return (u8 *)(s + 1);
}

static bool skv_map_expired(const struct skv_map_slot *s, u64 now)
{
	return s->expires && now >= s->expires;
}

/* The bucket write section of skv_map.h: readers of @b retry across it. */
static void skv_map_write_begin(struct skv_map_bucket *b)
{
	WRITE_ONCE(b->seq, b->seq + 1);
	/* The odd count before the changes; pairs with the readers' fence. */
	smp_wmb();
}

static void skv_map_write_end(struct skv_map_bucket *b)
{
	/* The changes before the even count; pairs with the acquire load. */
	smp_wmb();
	WRITE_ONCE(b->seq, b->seq + 1);
}

static u64 skv_map_hash(struct skv_table *t, const void *key, u32 len)
{
	return siphash(key, len, &t->hash_key);
}

static struct skv_map_bucket *skv_map_bucket(struct skv_map *m, u64 h,
					     unsigned int choice)
{
	return &m->buckets[(choice ? h >> 32 : h) & m->mask];
}

/* Find @key (hash @h) in its two buckets. Caller holds the lock. */
static bool skv_map_find(struct skv_map *m, u64 h, const void *key,
			 u32 len, struct skv_map_pos *p)
{
	u32 tag = h >> 32;
	unsigned int c, w;

	for (c = 0; c < 2; c++) {
		struct skv_map_bucket *b = skv_map_bucket(m, h, c);

		if (c && b == skv_map_bucket(m, h, 0))
			break;
		for (w = 0; w < SKV_MAP_WAYS; w++) {
			struct skv_map_slot *s;

			if (!b->slot[w] || b->tag[w] != tag)
				continue;
			s = skv_map_slot(m, b->slot[w] - 1);
			if (s->key_len != len || memcmp(skv_map_data(s), key, len))
				continue;
			p->b = b;
			p->way = w;
			p->idx = b->slot[w] - 1;
			p->s = s;
			return true;
		}
	}
	return false;
}

static u32 skv_map_free_ways(const struct skv_map_bucket *b)
{
	unsigned int w, n = 0;

	for (w = 0; w < SKV_MAP_WAYS; w++)
		n += !b->slot[w];
	return n;
}

/*
 * A way for a new key: in its first bucket while that has room to spare,
 * so that most hits cost readers one bucket; else in the emptier of its
 * two buckets, which keeps every bucket below its 7 ways at the index's
 * load (3 keys per bucket at most) but in rare cases (selftests/mapped.c
 * fills tables to that load).
 */
#define SKV_MAP_SPARE_WAYS	2

static int skv_map_place(struct skv_map *m, u64 h, struct skv_map_pos *p)
{
	struct skv_map_bucket *b1 = skv_map_bucket(m, h, 0);
	struct skv_map_bucket *b2 = skv_map_bucket(m, h, 1);
	u32 free1 = skv_map_free_ways(b1);
	unsigned int w;

	p->b = free1 < SKV_MAP_SPARE_WAYS &&
	       skv_map_free_ways(b2) > free1 ? b2 : b1;
	for (w = 0; w < SKV_MAP_WAYS; w++) {
		if (!p->b->slot[w]) {
			p->way = w;
			return 0;
		}
	}
	return -ENOSPC;
}

/* Raise @ev for the entry in @s; caller holds the lock. */
static void skv_map_notify(struct skv_table *t, enum skv_event ev,
			   struct skv_map_slot *s)
{
	struct skv_change c = {
		.ev = ev,
		.key = skv_map_data(s),
		.key_len = s->key_len,
		.version = s->version,
	};

	if (ev == SKV_EV_SET) {
		c.value = skv_map_data(s) + s->key_len;
		c.value_len = s->value_len;
		c.ttl_ms = skv_ttl_ms(s->expires);
	}
	skv_notify(t, &c);
}

/* Unlink the entry at @p and free its slot. Caller holds the lock. */
static void skv_map_remove(struct skv_table *t, struct skv_map_pos *p,
			   enum skv_event ev)
{
	struct skv_map *m = t->map;
	struct skv_map_slot *s = p->s;

	skv_map_write_begin(p->b);
	p->b->slot[p->way] = 0;
	p->b->tag[p->way] = 0;
	skv_map_write_end(p->b);

	atomic64_dec(&t->nr_entries);
	atomic64_sub(s->key_len + s->value_len, &t->bytes);
	if (s->expires)
		atomic64_dec(&t->nr_ttl);
	switch (ev) {
	case SKV_EV_EXPIRED:
		skv_stat_inc(t, SKV_STAT_EXPIRATIONS);
		break;
	default:
		skv_stat_inc(t, SKV_STAT_DELETES);
		break;
	}
	/* The key is still in the slot: nothing reuses it under our lock. */
	if (ev != SKV_EV_FLUSHED)
		skv_map_notify(t, ev, s);
	m->free[m->nr_free++] = p->idx;
}

/* The live entry of @key, reaping it if it expired. Caller holds the lock. */
static bool skv_map_lookup(struct skv_table *t, u64 h, const void *key,
			   u32 len, struct skv_map_pos *p)
{
	if (!skv_map_find(t->map, h, key, len, p))
		return false;
	if (p->s->expires && skv_map_expired(p->s, skv_now_ns())) {
		skv_map_remove(t, p, SKV_EV_EXPIRED);
		return false;
	}
	return true;
}

/*
 * Link the filled slot @idx as the entry at @p (@old: replacing the entry
 * already there) and account for it. Caller holds the lock.
 */
static void skv_map_link(struct skv_table *t, struct skv_map_pos *p,
			 bool old, u64 h, u32 idx)
{
	struct skv_map *m = t->map;
	struct skv_map_slot *s = skv_map_slot(m, idx);

	skv_map_write_begin(p->b);
	p->b->tag[p->way] = h >> 32;
	p->b->slot[p->way] = idx + 1;
	skv_map_write_end(p->b);

	if (old) {
		atomic64_sub(p->s->key_len + p->s->value_len, &t->bytes);
		if (p->s->expires)
			atomic64_dec(&t->nr_ttl);
		m->free[m->nr_free++] = p->idx;
	} else {
		atomic64_inc(&t->nr_entries);
	}
	atomic64_add(s->key_len + s->value_len, &t->bytes);
	if (s->expires)
		atomic64_inc(&t->nr_ttl);
	skv_stat_inc(t, SKV_STAT_WRITES);
	skv_map_notify(t, SKV_EV_SET, s);
}

/*
 * Check that a write can store @bytes of key and value at @p (found: an
 * entry to replace), finding a way for a new key, and take a free slot
 * for it. Caller holds the lock.
 */
static int skv_map_prepare(struct skv_table *t, u64 h, bool found,
			   struct skv_map_pos *p, u32 bytes, u32 *idx)
{
	struct skv_map *m = t->map;
	u64 held = atomic64_read(&t->bytes) - (found ?
			p->s->key_len + p->s->value_len : 0);
	int ret;

	if (!found) {
		if (atomic64_read(&t->nr_entries) >= t->max_entries)
			return -ENOSPC;
		ret = skv_map_place(m, h, p);
		if (ret)
			return ret;
	}
	if (held + bytes > t->max_bytes)
		return -EFBIG;
	/* One slot more than max_entries: a replace always finds one. */
	if (WARN_ON_ONCE(!m->nr_free))
		return -ENOSPC;
	*idx = m->free[--m->nr_free];
	return 0;
}

static void skv_map_unprepare(struct skv_map *m, u32 idx)
{
	m->free[m->nr_free++] = idx;
}

static void skv_map_fill(struct skv_map_slot *s, const void *key, u32 klen,
			 u32 vlen, u32 user_flags, u64 expires)
{
	s->expires = expires;
	s->key_len = klen;
	s->value_len = vlen;
	s->user_flags = user_flags;
	s->__reserved0 = 0;
	memcpy(skv_map_data(s), key, klen);
}

static u64 skv_map_ttl_ms(const struct skv_map_slot *s)
{
	return skv_ttl_ms(s->expires);
}

int skv_map_get(struct skv_table *t, const void *key, u32 key_len,
		struct iov_iter *to, struct skv_meta *meta, bool del)
{
	struct skv_map *m = t->map;
	u64 h = skv_map_hash(t, key, key_len);
	struct skv_map_pos p;
	size_t copied;
	u32 vlen;
	int ret = 0;

	spin_lock(&m->lock);
retry:
	if (!skv_map_lookup(t, h, key, key_len, &p)) {
		skv_stat_inc(t, SKV_STAT_MISSES);
		ret = -ENOENT;
		goto out;
	}
	vlen = p.s->value_len;
	if (vlen > iov_iter_count(to)) {
		meta->value_len = vlen;
		ret = -ERANGE;
		goto out;
	}
	pagefault_disable();
	copied = copy_to_iter(skv_map_data(p.s) + key_len, vlen, to);
	pagefault_enable();
	if (unlikely(copied != vlen)) {
		iov_iter_revert(to, copied);
		spin_unlock(&m->lock);
		if (fault_in_iov_iter_writeable(to, vlen))
			return -EFAULT;
		spin_lock(&m->lock);
		goto retry;
	}
	meta->value_len = vlen;
	meta->version = p.s->version;
	meta->ttl_ms = skv_map_ttl_ms(p.s);
	meta->user_flags = p.s->user_flags;
	skv_stat_inc(t, SKV_STAT_HITS);
	if (del)
		skv_map_remove(t, &p, SKV_EV_DELETE);
out:
	spin_unlock(&m->lock);
	return ret;
}

/* A PUT whose flags and sizes store.c checked; @expires is absolute. */
int skv_map_put(struct skv_table *t, struct skv_put_args *a,
		const void *key, u32 key_len, struct iov_iter *from,
		u64 expires)
{
	struct skv_map *m = t->map;
	size_t vlen = iov_iter_count(from);
	u64 h = skv_map_hash(t, key, key_len);
	struct skv_map_slot *s;
	struct skv_map_pos p;
	u32 f = a->flags, idx;
	size_t copied;
	bool found;
	int ret;

	spin_lock(&m->lock);
retry:
	found = skv_map_lookup(t, h, key, key_len, &p);
	if (found && (f & SKV_PUT_NX))
		ret = -EEXIST;
	else if (!found && (f & (SKV_PUT_XX | SKV_PUT_CAS)))
		ret = -ENOENT;
	else if (found && (f & SKV_PUT_CAS) && p.s->version != a->version)
		ret = -ESTALE;
	else
		ret = skv_map_prepare(t, h, found, &p, key_len + vlen, &idx);
	if (ret)
		goto out;

	s = skv_map_slot(m, idx);
	skv_map_fill(s, key, key_len, vlen, a->user_flags, expires);
	pagefault_disable();
	copied = copy_from_iter(skv_map_data(s) + key_len, vlen, from);
	pagefault_enable();
	if (unlikely(copied != vlen)) {
		skv_map_unprepare(m, idx);
		iov_iter_revert(from, copied);
		spin_unlock(&m->lock);
		if (fault_in_iov_iter_readable(from, vlen))
			return -EFAULT;
		spin_lock(&m->lock);
		goto retry;
	}
	s->version = atomic64_inc_return(&t->version);
	skv_map_link(t, &p, found, h, idx);
	a->version = s->version;
out:
	spin_unlock(&m->lock);
	return ret;
}

int skv_map_delete(struct skv_table *t, const void *key, u32 key_len,
		   u32 flags, u64 *version)
{
	struct skv_map *m = t->map;
	u64 h = skv_map_hash(t, key, key_len);
	struct skv_map_pos p;
	int ret = 0;

	spin_lock(&m->lock);
	if (!skv_map_lookup(t, h, key, key_len, &p))
		ret = -ENOENT;
	else if ((flags & SKV_DEL_CAS) && p.s->version != *version)
		ret = -ESTALE;
	if (!ret) {
		*version = p.s->version;
		skv_map_remove(t, &p, SKV_EV_DELETE);
	}
	spin_unlock(&m->lock);
	return ret;
}

/*
 * INCR: @parse reads the old value (or none) and formats the new one into
 * @num, as store.c defines the integers.
 */
int skv_map_incr(struct skv_table *t, const void *key, u32 key_len,
		 skv_incr_fn fn, void *arg, u64 default_expires, u64 *version)
{
	struct skv_map *m = t->map;
	u64 h = skv_map_hash(t, key, key_len);
	struct skv_map_slot *s;
	struct skv_map_pos p;
	const u8 *num;
	bool found;
	u32 idx;
	int ret, len;

	spin_lock(&m->lock);
	found = skv_map_lookup(t, h, key, key_len, &p);
	len = found ? fn(skv_map_data(p.s) + key_len, p.s->value_len, &num, arg) :
		      fn(NULL, 0, &num, arg);
	if (len < 0) {
		ret = len;
		goto out;
	}
	ret = skv_map_prepare(t, h, found, &p, key_len + len, &idx);
	if (ret)
		goto out;
	s = skv_map_slot(m, idx);
	skv_map_fill(s, key, key_len, len, found ? p.s->user_flags : 0,
		     found ? p.s->expires : default_expires);
	memcpy(skv_map_data(s) + key_len, num, len);
	s->version = atomic64_inc_return(&t->version);
	skv_map_link(t, &p, found, h, idx);
	*version = s->version;
out:
	spin_unlock(&m->lock);
	return ret;
}

/*
 * Call @fn on each entry of bucket @v under the lock, until it returns
 * nonzero (into *@ret). Returns the next cursor: @v again if @fn stopped,
 * 0 after the last bucket (or for a cursor past it).
 */
typedef int (*skv_map_each_fn)(struct skv_table *t, struct skv_map_pos *p,
			       u64 now, void *arg);

static u64 skv_map_each(struct skv_table *t, u64 v, skv_map_each_fn fn,
			void *arg, int *ret)
{
	struct skv_map *m = t->map;
	struct skv_map_pos p;
	u64 now = skv_now_ns();

	*ret = 0;
	if (v > m->mask)
		return 0;
	p.b = &m->buckets[v];
	spin_lock(&m->lock);
	for (p.way = 0; p.way < SKV_MAP_WAYS && !*ret; p.way++) {
		if (!p.b->slot[p.way])
			continue;
		p.idx = p.b->slot[p.way] - 1;
		p.s = skv_map_slot(m, p.idx);
		*ret = fn(t, &p, now, arg);
	}
	spin_unlock(&m->lock);
	return *ret ? v : (v < m->mask ? v + 1 : 0);
}

struct skv_map_visit_ctx {
	skv_walk_fn fn;
	void *arg;
};

static int skv_map_visit_one(struct skv_table *t, struct skv_map_pos *p,
			     u64 now, void *arg)
{
	struct skv_map_visit_ctx *c = arg;
	struct skv_entry_view view;

	if (skv_map_expired(p->s, now)) {
		skv_map_remove(t, p, SKV_EV_EXPIRED);
		return 0;
	}
	if (!c->fn)
		return 0;
	view.key = skv_map_data(p->s);
	view.key_len = p->s->key_len;
	view.value = view.key + view.key_len;
	view.value_len = p->s->value_len;
	view.version = p->s->version;
	view.ttl_ms = skv_map_ttl_ms(p->s);
	view.user_flags = p->s->user_flags;
	return c->fn(&view, c->arg);
}

/*
 * Call @fn on each live entry of bucket @v, under the lock, reaping the
 * expired ones; with @fn NULL, only reap. Returns the next cursor, 0 after
 * the last bucket (or for a cursor past it). Stops early when @fn returns
 * nonzero, into *@ret.
 */
u64 skv_map_visit(struct skv_table *t, u64 v, skv_walk_fn fn, void *arg,
		  int *ret)
{
	struct skv_map_visit_ctx c = { .fn = fn, .arg = arg };

	return skv_map_each(t, v, skv_map_visit_one, &c, ret);
}

static int skv_map_flush_one(struct skv_table *t, struct skv_map_pos *p,
			     u64 now, void *arg)
{
	u64 *count = arg;

	if (skv_map_expired(p->s, now)) {
		skv_map_remove(t, p, SKV_EV_EXPIRED);
	} else {
		skv_map_remove(t, p, SKV_EV_FLUSHED);
		(*count)++;
	}
	return 0;
}

/* FLUSH's step: delete every entry of bucket @v, counting the live ones. */
u64 skv_map_flush_bucket(struct skv_table *t, u64 v, u64 *count)
{
	int ret;

	return skv_map_each(t, v, skv_map_flush_one, count, &ret);
}

/*
 * Map the region into @vma, whose flags the face checked: read-only,
 * shared, from offset 0. The pages stay the region's; the vma holds the
 * table's file, so the region outlives every mapping of it.
 */
int skv_map_mmap(struct skv_table *t, struct vm_area_struct *vma)
{
	struct skv_map *m = t->map;
	unsigned long len = vma->vm_end - vma->vm_start, off;
	int ret;

	if (vma->vm_pgoff || len > m->map_size)
		return -EINVAL;
	for (off = 0; off < len; off += PAGE_SIZE) {
		ret = vm_insert_page(vma, vma->vm_start + off,
				     vmalloc_to_page(m->region + off));
		if (ret)
			return ret;
		cond_resched();
	}
	return 0;
}

/* The region's size, for SKV_IOC_INFO. */
u64 skv_map_size(struct skv_table *t)
{
	return t->map->map_size;
}

/* @t left its namespace: tell the readers. */
void skv_map_kill(struct skv_table *t)
{
	/* The last writes before "dead", for a reader that sees it. */
	smp_wmb();
	WRITE_ONCE(t->map->hdr->state, SKV_MAP_DEAD);
}

/*
 * The geometry of @t's region: -EINVAL beyond a cap. Each part starts on
 * a cache line, the slots on a page.
 */
static int skv_map_geometry(struct skv_table *t, struct skv_map_header *g)
{
	u64 slot = sizeof(struct skv_map_slot) + (u64)t->max_key_len +
		   t->max_value_len;
	u64 buckets, size;

	slot = ALIGN(slot, SKV_MAP_SLOT_ALIGN);
	if (slot > SKV_MAP_SLOT_SIZE_CAP || t->max_entries >= U32_MAX)
		return -EINVAL;
	buckets = DIV_ROUND_UP(t->max_entries, SKV_MAP_SLOTS_PER_BUCKET);
	buckets = roundup_pow_of_two(max_t(u64, 1, buckets));
	memset(g, 0, sizeof(*g));
	g->header_size = PAGE_SIZE;
	g->index_offset = PAGE_SIZE;
	g->nr_buckets = buckets;
	g->bucket_size = sizeof(struct skv_map_bucket);
	g->slots_offset = PAGE_ALIGN(g->index_offset +
				     buckets * sizeof(struct skv_map_bucket));
	g->nr_slots = t->max_entries + 1;
	g->slot_size = slot;
	size = PAGE_ALIGN(g->slots_offset + (u64)g->nr_slots * slot);
	if (size > SKV_MAP_SIZE_CAP)
		return -EINVAL;
	g->map_size = size;
	g->max_key_len = t->max_key_len;
	g->max_value_len = t->max_value_len;
	return 0;
}

/* Mapped tables' allocations: charged, and failing rather than OOM. */
#define SKV_MAP_GFP	(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

/*
 * The engine of a new mapped table: the whole region, allocated and
 * charged to the creator's memory cgroup and byte quota now.
 */
int skv_map_init(struct skv_table *t)
{
	struct skv_map_header g;
	struct skv_map *m;
	u32 i;
	int ret;

	BUILD_BUG_ON(sizeof(struct skv_map_bucket) != SKV_MAP_BUCKET_SIZE);
	BUILD_BUG_ON(sizeof(struct skv_map_slot) != 32);
	ret = skv_map_geometry(t, &g);
	if (ret)
		return ret;
	m = kzalloc(sizeof(*m), GFP_KERNEL_ACCOUNT);
	if (!m)
		return -ENOMEM;
	spin_lock_init(&m->lock);
	m->map_size = g.map_size;
	m->mask = g.nr_buckets - 1;
	m->nr_slots = g.nr_slots;
	m->slot_size = g.slot_size;
	m->charged = g.map_size + (u64)g.nr_slots * sizeof(u32);
	ret = skv_charge_fixed(t, m->charged);
	if (ret)
		goto err_free;
	ret = -ENOMEM;
	m->free = kvmalloc_array(g.nr_slots, sizeof(u32), SKV_MAP_GFP);
	if (!m->free)
		goto err_uncharge;
	m->region = __vmalloc(g.map_size, SKV_MAP_GFP | __GFP_ZERO);
	if (!m->region)
		goto err_stack;
	/* Slot 0 on top: a small table fills its first pages first. */
	for (i = 0; i < g.nr_slots; i++)
		m->free[i] = g.nr_slots - 1 - i;
	m->nr_free = g.nr_slots;

	m->hdr = m->region;
	m->buckets = m->region + g.index_offset;
	m->slots = m->region + g.slots_offset;
	g.magic = SKV_MAP_MAGIC;
	g.layout_version = SKV_MAP_LAYOUT_VERSION;
	g.state = SKV_MAP_LIVE;
	g.hash_key[0] = t->hash_key.key[0];
	g.hash_key[1] = t->hash_key.key[1];
	*m->hdr = g;
	t->map = m;
	return 0;

err_stack:
	kvfree(m->free);
err_uncharge:
	skv_charge_fixed(t, -m->charged);
err_free:
	kfree(m);
	return ret;
}

/* The table is unreachable, and so is the region (no fd, no mapping). */
void skv_map_destroy(struct skv_table *t)
{
	struct skv_map *m = t->map;
	struct skv_map_pos p;
	u32 b;

	for (b = 0; b <= m->mask; b++) {
		p.b = &m->buckets[b];
		for (p.way = 0; p.way < SKV_MAP_WAYS; p.way++) {
			if (!p.b->slot[p.way])
				continue;
			p.s = skv_map_slot(m, p.b->slot[p.way] - 1);
			atomic64_dec(&t->nr_entries);
			atomic64_sub(p.s->key_len + p.s->value_len, &t->bytes);
		}
	}
	vfree(m->region);
	kvfree(m->free);
	skv_charge_fixed(t, -m->charged);
	kfree(m);
	t->map = NULL;
}
