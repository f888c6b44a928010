// SPDX-License-Identifier: GPL-2.0
/*
 * skv: time to live and eviction. An expired entry is never returned; it
 * is reclaimed when an op finds it and by a per-table worker that walks a
 * bounded number of bucket groups per run with SCAN's cursor. A full LRU
 * table evicts the least recently used of a few sampled entries, as Redis
 * does.
 */
#include <linux/jiffies.h>
#include <linux/random.h>
#include <linux/sched.h>

#include "expire.h"
#include "mapped.h"
#include "entry.h"

/* Bucket groups the expiry worker visits per run. */
#define SKV_EXPIRE_GROUPS	128
/* Delay of the worker's next run: mid-pass, and after a full pass. */
#define SKV_EXPIRE_DELAY_BUSY	(HZ / 10)
#define SKV_EXPIRE_DELAY_IDLE	HZ
/* Entries LRU compares per eviction, and buckets it looks at for them. */
#define SKV_EVICT_SAMPLES	5
#define SKV_EVICT_BUCKETS	1024

static int skv_expire_visit(struct skv_table *t, struct skv_entry *e,
			    void *arg)
{
	const u64 *now = arg;

	if (skv_entry_expired(e, *now))
		skv_entry_unlink(t, e, SKV_EV_EXPIRED);
	return 0;
}

static void skv_expire_work(struct work_struct *work)
{
	struct skv_table *t = container_of(to_delayed_work(work),
					   struct skv_table, expire_work);
	u64 v = t->expire_cursor;
	u64 now = skv_now_ns();
	int i, ret;

	for (i = 0; i < SKV_EXPIRE_GROUPS; i++) {
		if (skv_table_mapped(t)) {
			v = skv_map_visit(t, v, NULL, NULL, &ret);
		} else {
			rcu_read_lock();
			v = skv_visit_group(t, v, skv_expire_visit, &now, &ret);
			rcu_read_unlock();
		}
		if (!v)
			break;
		cond_resched();
	}
	t->expire_cursor = v;

	if (atomic64_read(&t->nr_ttl) > 0)
		queue_delayed_work(system_power_efficient_wq, &t->expire_work,
				   v ? SKV_EXPIRE_DELAY_BUSY :
				       SKV_EXPIRE_DELAY_IDLE);
}

void skv_expire_init(struct skv_table *t)
{
	INIT_DELAYED_WORK(&t->expire_work, skv_expire_work);
}

/* An entry with an expiry was published: make sure the worker runs. */
void skv_expire_kick(struct skv_table *t)
{
	if (!delayed_work_pending(&t->expire_work))
		queue_delayed_work(system_power_efficient_wq, &t->expire_work,
				   SKV_EXPIRE_DELAY_IDLE);
}

/* The table is unreachable: stop the worker, even if it requeues itself. */
void skv_expire_stop(struct skv_table *t)
{
	cancel_delayed_work_sync(&t->expire_work);
}

/*
 * Evict one entry to make room: an expired one if the sample has any,
 * else the least recently used of SKV_EVICT_SAMPLES entries from a random
 * place in the table. False if nothing was found to evict.
 */
bool skv_evict_one(struct skv_table *t)
{
	struct skv_entry *e, *victim = NULL;
	struct bucket_table *tbl;
	struct rhash_head *pos;
	unsigned int mask, b, i, seen = 0;
	u32 clock = skv_lru_clock(), idle, victim_idle = 0;
	u64 now = skv_now_ns();
	bool expired = false;

	rcu_read_lock();
	/*
	 * While rhashtable resizes, entries move from tbl to its future_tbl:
	 * sample the tables in turn, so a table caught mid-rehash (the old
	 * one emptied) still yields a victim.
	 */
	for (tbl = rht_dereference_rcu(t->ht.tbl, &t->ht); tbl;
	     tbl = rht_dereference_rcu(tbl->future_tbl, &t->ht)) {
		mask = tbl->size - 1;
		b = get_random_u32() & mask;
		for (i = 0; i <= mask && i < SKV_EVICT_BUCKETS;
		     i++, b = (b + 1) & mask) {
			rht_for_each_entry_rcu(e, pos, tbl, b, node) {
				if (skv_entry_expired(e, now)) {
					victim = e;
					expired = true;
					goto found;
				}
				idle = skv_lru_idle(e, clock);
				if (!victim || idle > victim_idle) {
					victim = e;
					victim_idle = idle;
				}
				if (++seen >= SKV_EVICT_SAMPLES)
					goto found;
			}
		}
	}
found:
	if (victim)
		skv_entry_unlink(t, victim,
				 expired ? SKV_EV_EXPIRED : SKV_EV_EVICTED);
	rcu_read_unlock();
	return victim;
}
