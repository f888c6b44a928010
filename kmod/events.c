// SPDX-License-Identifier: GPL-2.0
/*
 * skv: change events. The store raises every change here and nowhere
 * else; a face that delivers events (netlink) registers its ops at init.
 * With no subscriber on a table, the data path pays one check.
 */
#include <linux/mutex.h>
#include <linux/rcupdate.h>

#include "events.h"

static const struct skv_event_ops __rcu *skv_event_ops;
/* Orders table_dead calls against unregistration. */
static DEFINE_MUTEX(skv_events_lock);

/* A change of @t; may be called under rcu_read_lock() or a spinlock. */
void skv_notify(struct skv_table *t, const struct skv_change *c)
{
	const struct skv_event_ops *ops;

	if (likely(!READ_ONCE(t->nr_subscribers)))
		return;
	rcu_read_lock();
	ops = rcu_dereference(skv_event_ops);
	if (ops)
		ops->notify(t, c);
	rcu_read_unlock();
}

/*
 * @t has left its namespace (table.c cleared its linked flag first).
 * Called whether or not it has subscribers: a subscription racing the
 * delete sees the flag under the face's own lock, or is dropped here.
 */
void skv_events_table_dead(struct skv_table *t)
{
	const struct skv_event_ops *ops;

	mutex_lock(&skv_events_lock);
	ops = rcu_dereference_protected(skv_event_ops,
					lockdep_is_held(&skv_events_lock));
	if (ops)
		ops->table_dead(t);
	mutex_unlock(&skv_events_lock);
}

void skv_events_register(const struct skv_event_ops *ops)
{
	mutex_lock(&skv_events_lock);
	rcu_assign_pointer(skv_event_ops, ops);
	mutex_unlock(&skv_events_lock);
}

/* After this, no ops callback runs or will run. */
void skv_events_unregister(void)
{
	mutex_lock(&skv_events_lock);
	RCU_INIT_POINTER(skv_event_ops, NULL);
	mutex_unlock(&skv_events_lock);
	synchronize_rcu();
}
