/* SPDX-License-Identifier: GPL-2.0 */
/* skv: change events (events.c). */
#ifndef _SKV_EVENTS_H
#define _SKV_EVENTS_H

#include "skv.h"

/*
 * One change of a table, as the store raises it. The pointers are valid
 * only during the call. key_len is 0 for FLUSHED and TABLE_DELETED.
 */
struct skv_change {
	enum skv_event ev;
	u32 key_len;
	const void *key;
	const void *value;	/* SKV_EV_SET: the new value, else NULL */
	u32 value_len;
	u64 version;		/* the new one after a set, else the old */
	u64 ttl_ms;		/* SKV_EV_SET: time to live left, 0 = none */
};

/* Delivery of change events; the netlink face registers one. */
struct skv_event_ops {
	/* A change; called under rcu_read_lock(), must not sleep. */
	void (*notify)(struct skv_table *t, const struct skv_change *c);
	/* @t left its namespace; process context, may sleep. */
	void (*table_dead)(struct skv_table *t);
};

void skv_notify(struct skv_table *t, const struct skv_change *c);
void skv_events_table_dead(struct skv_table *t);
void skv_events_register(const struct skv_event_ops *ops);
void skv_events_unregister(void);

#endif /* _SKV_EVENTS_H */
